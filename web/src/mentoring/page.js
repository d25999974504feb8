// page.js - livestreamer mentoring: the host's page (#/mentoring: upload
// an export, type a session in, my dashboard, reviews, one-to-ones; the
// review notice links here) and the mentor's pages (#/mentoring/hosts, a
// host's dashboard, a review of a session, #/mentoring/one-to-ones). No
// header link of its own (the row is full): "我的" links the host's page,
// and the host's page links a mentor's.
import words from './words.js';
import { hostView } from './host.js';
import { hostsView, hostDashView, reviewView, offersView } from './mentor.js';

export default {
  id: 'mentoring',
  words,
  routes: {
    '/mentoring': hostView,
    '/mentoring/hosts': hostsView,
    '/mentoring/hosts/:id': hostDashView,
    '/mentoring/hosts/:id/sessions/:sid/review': reviewView,
    '/mentoring/one-to-ones': offersView,
  },
  section: 'me',
};
