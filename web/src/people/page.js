// page.js - the people console: find people, verify them, grant roles.
// The header's "管理" link is its: to this page for admins, to "my sites"
// (mysites/) for staff, who look after places first.
import words from './words.js';
import { CONSOLE_ROLES, isAdmin } from '../session.js';
import { consoleView } from './console.js';

export default {
  id: 'people',
  words,
  routes: { '/admin': consoleView },
  nav: { id: 'admin', icon: 'shield', word: 'navAdmin', href: (me) => (me && !isAdmin(me) ? '/mysites' : '/admin'), roles: CONSOLE_ROLES },
  tab: { id: 'tab-people', path: '/admin', word: 'peopleTab', roles: CONSOLE_ROLES },
};
