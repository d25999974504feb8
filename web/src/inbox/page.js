// page.js - my inbox: the bell in the header with the unread count (live
// while signed in) and the inbox page (#/inbox). The bell is not one of the
// header's links: it sits beside the language button.
import words from './words.js';
import { inboxView } from './inbox.js';
import { startInbox } from './live.js';
import { startBell, retextBell } from './bell.js';

export default {
  id: 'inbox',
  words,
  routes: { '/inbox': inboxView },
  start() {
    startInbox();
    startBell();
  },
  retext: retextBell,
};
