// ended.js - a session that ends under a signed-in person (a 401 after a
// role was granted, the password was changed on another device, "sign out
// everywhere" elsewhere): the page they are on is drawn again, and a page
// that needs someone signed in sends them to sign in, where a note says
// what happened. Signing out on purpose leaves its own note instead
// (showSignedOut runs after this).
import { t } from '../i18n.js';
import * as session from '../session.js';
import { redraw } from '../page.js';
import { notes } from './notes.js';

// session.js remembers in localStorage that there may be a session (see
// web/README.md, "Signed in or not"): with it, a 401 on the first visit
// of a page is a session that ended, not a visitor.
const HINT_KEY = 'wh.signedIn';

function hinted() {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

let signedIn = false;

/** Once, before the first route (the account module's start hook). */
export function watchSessionEnd() {
  signedIn = hinted();
  session.onSessionChange((m) => {
    if (m) {
      signedIn = true;
      return;
    }
    if (!signedIn) return;
    signedIn = false;
    notes.login = t('sessionEndedNote');
    // After whatever the failed call's caller does with its error: the
    // current page again, which sends to sign-in if it needs someone.
    setTimeout(() => {
      if (!session.me()) redraw();
    }, 0);
  });
}
