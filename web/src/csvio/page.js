// page.js - the sites as CSV: everyone in the console may download them
// (GET /api/sites/export); system admins may import a file (POST
// /api/sites/import: every row is checked, all rows or none are saved).
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { csvView } from './view.js';

export default {
  id: 'csvio',
  words,
  routes: { '/csv': csvView },
  section: 'admin',
  tab: { id: 'tab-csv', path: '/csv', word: 'csvTab', roles: CONSOLE_ROLES },
};
