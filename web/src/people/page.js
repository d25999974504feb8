// page.js - the people console: find people, verify them, grant roles.
// It is the console's first section, so the header's "管理" link is its.
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { consoleView } from './console.js';

export default {
  id: 'people',
  words,
  routes: { '/admin': consoleView },
  nav: { id: 'admin', icon: 'shield', word: 'navAdmin', href: '/admin', roles: CONSOLE_ROLES },
  tab: { id: 'tab-people', path: '/admin', word: 'peopleTab', roles: CONSOLE_ROLES },
};
