// page.js - the holiday calendar: public holidays and make-up workdays
// (调休), year by year. Everyone in the console sees it; system admins
// change it (PUT/DELETE /api/holidays/{date} are theirs).
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { holidaysView } from './view.js';

export default {
  id: 'holidays',
  words,
  routes: {
    '/holidays': holidaysView,
    '/holidays/:year': holidaysView,
  },
  section: 'admin',
  tab: { id: 'tab-holidays', path: '/holidays', word: 'holTab', roles: CONSOLE_ROLES },
};
