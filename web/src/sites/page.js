// page.js - the site console (admins): the list of places, the create /
// edit form. Its pages keep the header's "管理" link current.
import words from './words.js';
import { ADMIN_ROLES } from '../session.js';
import { sitesView } from './list.js';
import { siteFormView } from './form.js';

export default {
  id: 'sites',
  words,
  routes: {
    '/admin/sites': sitesView,
    '/admin/sites/new': siteFormView,
    '/admin/sites/:id': siteFormView,
  },
  section: 'admin',
  tab: { id: 'tab-sites', path: '/admin/sites', word: 'sitesTab', roles: ADMIN_ROLES },
};
