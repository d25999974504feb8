// page.js - courier volunteer squads and points: the squads of a street
// (#/volunteer), a squad (#/volunteer/squads/{id}), an activity and its
// shifts (#/volunteer/activities/{id}), a leader's new activity
// (#/volunteer/squads/{id}/new) and shift roster with check-in and
// check-out (#/volunteer/shifts/{id}), my volunteering (#/volunteer/me)
// and my points (#/points). No header link of its own (the row holds five
// already): its pages mark "我的" current and "我的" links to them.
import words from './words.js';
import { squadsView, squadView } from './squads.js';
import { activityView, newActivityView } from './activity.js';
import { myVolunteerView, pointsView } from './mine.js';
import { shiftView } from './shift.js';

export default {
  id: 'volunteer',
  words,
  routes: {
    '/volunteer': squadsView,
    '/volunteer/me': myVolunteerView,
    '/volunteer/squads/:id': squadView,
    '/volunteer/squads/:id/new': newActivityView,
    '/volunteer/activities/:id': activityView,
    '/volunteer/shifts/:id': shiftView,
    '/points': pointsView,
  },
  section: 'me',
};
