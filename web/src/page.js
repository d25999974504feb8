// page.js - what a page shares with the shell (main.js): drawing the
// current page again, its title, sending to sign-in and back, and the
// console's tabs as the registry found them.
import { h } from './dom.js';
import { go } from './router.js';

const shell = {
  redraw: () => {},
  tabs: [],
};

/** Called once by the shell. */
export function connectShell({ redraw, tabs }) {
  shell.redraw = redraw;
  shell.tabs = tabs;
}

/** Draw the current page again (after an answer, a language switch), keeping focus. */
export function redraw() {
  shell.redraw();
}

/** The console's section tabs the page modules declare: [{id, path, word, roles}]. */
export function consoleTabs() {
  return shell.tabs;
}

/** The page's heading; the shell focuses it when a page opens. */
export function pageTitle(text) {
  return h('h2', { id: 'page-title', class: 'page-title', tabindex: '-1' }, text);
}

// Where to go after signing in: a page that asked for it, else "me".
let afterSignIn = '/me';

/** Send to sign-in, coming back to path afterwards. */
export function needSignIn(path) {
  afterSignIn = path;
  go('/login', { replace: true });
}

export function afterSignInPath() {
  return afterSignIn;
}

export function setAfterSignIn(path) {
  afterSignIn = path;
}
