// page.js - the audit log for system admins (GET /api/audit is theirs):
// who did what to which thing, filtered, the filters in the URL.
import words from './words.js';
import { auditView } from './view.js';

export default {
  id: 'audit',
  words,
  routes: { '/audit': auditView },
  section: 'admin',
  tab: { id: 'tab-audit', path: '/audit', word: 'auditTab', roles: ['system_admin'] },
};
