// page.js - summer childcare: the guardian's pages (#/childcare: my
// children, enrolments, pickup code and live arrivals; the programmes and
// one programme with its consent and family enrolment; adding a child) and
// the staff's roster (#/admin/childcare).
//
// No header link or console tab of its own (the header and the staff's
// tab row are full at phone width): the guardian's page is reached from
// the account page's link and from the offer's and arrival notices'
// links; staff listed on a programme find the roster's link there too.
import words from './words.js';
import { homeView, programmesView, programmeView, childFormView } from './guardian.js';
import { staffView } from './staff.js';

export default {
  id: 'childcare',
  words,
  routes: {
    '/childcare': homeView,
    '/childcare/programmes': programmesView,
    '/childcare/programmes/:id': programmeView,
    '/childcare/children/new': childFormView,
    '/childcare/enrolments/:id': homeView,
    '/admin/childcare': staffView,
  },
  section: 'admin',
};
