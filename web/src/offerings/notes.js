// notes.js - a line one page leaves for the next ("created", "saved").
export const notes = { list: '', slots: '' };
