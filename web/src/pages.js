// pages.js - the web app's features, one line each, like the server's
// module list (src/app/modules.c). Each is a folder with a page module
// (<feature>/page.js: routes, header link, console tab, words; see
// registry.js). The order is the header's and the console tabs' order.
import map from './map/page.js';
import services from './services/page.js';
import bookings from './bookings/page.js';
import fair from './fair/page.js';
import account from './account/page.js';
import myqr from './myqr/page.js';
import mysites from './mysites/page.js';
import people from './people/page.js';
import sites from './sites/page.js';
import regions from './regions/page.js';
import sitetypes from './sitetypes/page.js';
import amenities from './amenities/page.js';
import holidays from './holidays/page.js';
import csvio from './csvio/page.js';
import audit from './audit/page.js';
import inbox from './inbox/page.js';
import lending from './lending/page.js';
import scanner from './scanner/page.js';
import station from './station/page.js';
import checkin from './checkin/page.js';
import offerings from './offerings/page.js';
import volunteer from './volunteer/page.js';
import childcare from './childcare/page.js';
import mentoring from './mentoring/page.js';
import reports from './reports/page.js';

export const PAGES = [
  map,
  services,
  bookings,
  fair,
  account,
  myqr,
  mysites,
  people,
  sites,
  regions,
  sitetypes,
  amenities,
  holidays,
  csvio,
  audit,
  inbox,
  lending,
  station,
  checkin,
  offerings,
  volunteer,
  childcare,
  mentoring,
  scanner,
  reports,
];
