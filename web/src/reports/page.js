// page.js - grid reports ("eyes on the street"): report a problem
// (#/reports/new), my reports (#/reports/mine), one report
// (#/reports/{id}: public, its reporter's, its handlers'), the handlers'
// console (#/admin/reports, a console tab for the roles that handle
// reports) and the admins' heat map (#/admin/reports/heat). The public
// reports are also a layer of the Warm New Map (map/home.js, "?reports=1").
// No header link of its own (the row is full): "me" links to the
// reporter's pages, and the console tab to the handlers'.
import words from './words.js';
import { newReportView } from './new.js';
import { myReportsView } from './mine.js';
import { reportView } from './report.js';
import { handleView, heatView } from './handle.js';
import { HANDLER_ROLES } from './common.js';

export default {
  id: 'reports',
  words,
  routes: {
    '/reports/new': newReportView,
    '/reports/mine': myReportsView,
    '/reports/:id': reportView,
    '/admin/reports': handleView,
    '/admin/reports/heat': heatView,
  },
  section: 'me',
  tab: { id: 'tab-reports', path: '/admin/reports', word: 'rpConsoleTab', roles: HANDLER_ROLES },
};
