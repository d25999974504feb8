// page.js - the booking feature for workers: what can be booked (#/book,
// by kind), an offering (#/offerings/{id}) and a slot (#/slots/{id}) to
// book in one tap, my bookings (#/bookings) with each booking's ticket
// (#/bookings/{id}), and my calendar feed (#/bookings/calendar). Its
// header link "预约" is everyone's.
import words from './words.js';
import { browseView } from './browse.js';
import { offeringView } from './offering.js';
import { slotView } from './slot.js';
import { myBookingsView, bookingView } from './mine.js';
import { calendarView } from './calendar.js';

export default {
  id: 'bookings',
  words,
  routes: {
    '/book': browseView,
    '/book/:kind': browseView,
    '/offerings/:id': offeringView,
    '/slots/:id': slotView,
    '/bookings': myBookingsView,
    '/bookings/calendar': calendarView,
    '/bookings/:id': bookingView,
  },
  nav: { id: 'book', icon: 'calendar', word: 'navBook', href: '/book' },
};
