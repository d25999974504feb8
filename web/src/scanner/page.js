// page.js - the camera scanner (scanner.js) is no page of its own: this
// module only brings its words into the registry. The pages that scan
// (check-in, a shift's roster, the lending desk) import scanner.js.
import words from './words.js';

export default { id: 'scanner', words, routes: {} };
