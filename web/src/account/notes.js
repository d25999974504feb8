// notes.js - a word one account page leaves for another to show once:
// "signed out" on the sign-in page, "welcome" on "me".
export const notes = { login: '', me: '' };
