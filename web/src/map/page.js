// page.js - the map feature: the home page (#/), its header link, its words.
import words from './words.js';
import { mapView, start, retext, cacheAgain } from './home.js';

export default {
  id: 'map',
  words,
  routes: { '/': mapView },
  nav: { id: 'map', icon: 'map', word: 'navMap', href: '/' },
  start,
  retext,
  cacheAgain,
};
