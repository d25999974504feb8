// page.js - bookable services for providers and station staff: the ones
// they manage (#/manage), the form to make or change one
// (#/manage/offerings/new, /{id}), its times - desk appointments from a
// weekly pattern, or one by hand - (#/manage/offerings/{id}/slots) and a
// time's roster (#/manage/slots/{id}). A console tab; its pages keep the
// header's "管理" link current.
import words from './words.js';
import { manageView } from './list.js';
import { offeringFormView } from './form.js';
import { slotsView } from './slots.js';
import { rosterView } from './roster.js';
import { MANAGER_ROLES } from '../bookings/common.js';

export default {
  id: 'offerings',
  words,
  routes: {
    '/manage': manageView,
    '/manage/offerings/new': offeringFormView,
    '/manage/offerings/:id': offeringFormView,
    '/manage/offerings/:id/slots': slotsView,
    '/manage/slots/:id': rosterView,
  },
  section: 'admin',
  tab: { id: 'tab-manage', path: '/manage', word: 'ofTab', roles: MANAGER_ROLES },
};
