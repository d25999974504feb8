// page.js - the region tree for admins: find and open regions, rename,
// move under another parent, add one below, and a region's boundary
// (GeoJSON from the reports module: shown on a map, imported, removed).
// Region admins change only their own subtree; the page offers nothing
// else to them (the API would refuse it).
import words from './words.js';
import { ADMIN_ROLES } from '../session.js';
import { regionsView, regionView } from './view.js';

export default {
  id: 'regions',
  words,
  routes: {
    '/regions': regionsView,
    '/regions/:code': regionView,
  },
  section: 'admin',
  tab: { id: 'tab-regions', path: '/regions', word: 'rgTab', roles: ADMIN_ROLES },
};
