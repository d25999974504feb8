// page.js - check-in for station staff (and providers, for their own
// offerings): the scan page (#/checkin: camera or typed code) and a day's
// bookings at a site (#/checkin/today). A console tab; its pages keep the
// header's "管理" link current.
import words from './words.js';
import { scanView } from './scan.js';
import { todayView } from './today.js';
import { MANAGER_ROLES } from '../bookings/common.js';

export default {
  id: 'checkin',
  words,
  routes: {
    '/checkin': scanView,
    '/checkin/today': todayView,
  },
  section: 'admin',
  tab: { id: 'tab-checkin', path: '/checkin', word: 'ciTab', roles: MANAGER_ROLES },
};
