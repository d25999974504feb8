// page.js - borrowing and lockers: the worker's page (#/lending: my loans
// and due dates, my locker codes; the overdue reminder links here) and the
// staff's lending desk, a console section (#/admin/lending).
//
// No header link of its own: at 360 px the header holds three links, and
// staff already have four with one more. The worker's page is reached
// from the overdue notice's link (and, once the account page links it,
// from "me"); the desk is a console tab.
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { mineView } from './mine.js';
import { deskView } from './desk.js';

export default {
  id: 'lending',
  words,
  routes: {
    '/lending': mineView,
    '/admin/lending': deskView,
  },
  section: 'admin',
  tab: { id: 'tab-lending', path: '/admin/lending', word: 'lendingTab', roles: CONSOLE_ROLES },
};
