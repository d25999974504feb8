// page.js - "my sites": the live status and temporary closures of the
// sites one's grants reach (staff of a site, admins of a region). It is
// the first thing staff see in the console (the header's "管理" link
// brings them here; see people/page.js).
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { mySitesView, mySiteView } from './view.js';

export default {
  id: 'mysites',
  words,
  routes: {
    '/mysites': mySitesView,
    '/mysites/:id': mySiteView,
  },
  section: 'admin',
  tab: { id: 'tab-mysites', path: '/mysites', word: 'mySitesTab', roles: CONSOLE_ROLES },
};
