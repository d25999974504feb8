// page.js - the station pages: "today at my site" for staff (a console
// section), a region's roll-up for its admins, and for workers the page a
// station's poster opens (check in) and their own check-ins.
import words from './words.js';
import { CONSOLE_ROLES } from '../session.js';
import { todayView } from './today.js';
import { regionView } from './region.js';
import { checkinView, myVisitsView } from './checkin.js';

export default {
  id: 'station',
  words,
  routes: {
    '/station': todayView,
    '/station/region': regionView,
    '/station/region/:code': regionView,
    '/station/:id': todayView,
    '/visit/:code': checkinView,
    '/me/visits': myVisitsView,
  },
  section: 'admin',
  tab: { id: 'tab-station', path: '/station', word: 'stnTab', roles: CONSOLE_ROLES },
};
