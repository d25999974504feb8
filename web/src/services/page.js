// page.js - the one-stop services (办事服务): browse near me and by
// category (#/services), one service (#/services/{id}), the services at a
// site (#/services/site/{id}). renderSiteServices() lists a site's
// services in any element, for the map's site sheet.
import words from './words.js';
import { servicesView } from './list.js';
import { serviceView } from './detail.js';
import { siteServicesView } from './site.js';

export { renderSiteServices } from './site.js';

export default {
  id: 'services',
  words,
  routes: {
    '/services': servicesView,
    '/services/site/:id': siteServicesView,
    '/services/:id': serviceView,
  },
  nav: { id: 'services', icon: 'services', word: 'navServices', href: '/services' },
};
