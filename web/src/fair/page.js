// page.js - the monthly fair (红色魅力·小哥集市): the fair with its booths
// and my numbers (#/fair, #/fair/{id}), the big-screen board
// (#/fair/{id}/board), and the staff desk (#/fair/{id}/desk).
import words from './words.js';
import { fairView, currentFairView } from './fair.js';
import { boardView } from './board.js';
import { deskView } from './desk.js';

export default {
  id: 'fair',
  words,
  routes: {
    '/fair': currentFairView,
    '/fair/:id': fairView,
    '/fair/:id/board': boardView,
    '/fair/:id/desk': deskView,
  },
  nav: { id: 'fair', icon: 'ticket', word: 'navFair', href: '/fair' },
};
