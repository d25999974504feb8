// page.js - the map feature: the home page (#/, and #/site/{id} with a
// site open), its header link (keeping the filters), its words.
import words from './words.js';
import { mapView, start, retext, cacheAgain, mapPath } from './home.js';

export default {
  id: 'map',
  words,
  routes: { '/': mapView, '/site/:id': mapView },
  nav: { id: 'map', icon: 'map', word: 'navMap', href: () => mapPath() },
  start,
  retext,
  cacheAgain,
};
