// icons.js - small line icons drawn for this app (24x24, currentColor),
// and the map marker shapes by tier (hub square, station circle, Warm Hut
// house, other diamond). Open markers are filled; closed ones are hollow
// with a dashed outline, so the difference does not rest on colour.

const P = {
  charge: '<path d="M13 2 5 13.5h6L10 22l9-12.5h-6z" fill="currentColor" stroke="none"/>',
  meal:
    '<path d="M3 12.5h18a9 8 0 0 1-18 0z"/><path d="M8.5 9c-1-1.5 1-2.5 0-4.5M12 9c-1-1.5 1-2.5 0-4.5M15.5 9c-1-1.5 1-2.5 0-4.5"/>',
  rest: '<path d="M7 3v10h10v8M7 13v8M7 8.5h9"/>',
  toilet:
    '<path d="M5 4h5v7H5zM3.5 11h15a7.5 6 0 0 1-7.5 6v4H7.5v-4.4A7.5 6 0 0 1 3.5 11z"/>',
  rain: '<path d="M2.5 12.5a9.5 8.5 0 0 1 19 0z"/><path d="M12 12.5v6.5a2 2 0 0 1-4 0M12 2.5V4"/>',
  aid: '<rect x="3" y="6" width="18" height="14" rx="2"/><path d="M9 6V3.5h6V6M12 9.5v7M8.5 13h7"/>',
  swap: '<rect x="2.5" y="7" width="16" height="10" rx="1.5"/><path d="M18.5 10.5h3v3h-3"/><path d="m11 8.5-2.5 3.5h4L10 15.5"/>',
  check: '<path d="m4.5 12.5 5 5 10-11"/>',
  locate:
    '<circle cx="12" cy="12" r="6.5"/><circle cx="12" cy="12" r="2" fill="currentColor"/><path d="M12 1.5v4M12 18.5v4M1.5 12h4M18.5 12h4"/>',
  close: '<path d="m6 6 12 12M18 6 6 18"/>',
  phone:
    '<path d="M5 3.5h4l1.5 4.5-2.5 1.5a11 11 0 0 0 6.5 6.5l1.5-2.5 4.5 1.5v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/>',
  nav: '<path d="M3 10.5 21 3l-7.5 18-2.5-8z"/>',
  clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5.5l3.5 2"/>',
  pin: '<path d="M12 22s7-7.2 7-12.5a7 7 0 0 0-14 0C5 14.8 12 22 12 22z"/><circle cx="12" cy="9.5" r="2.5"/>',
  globe: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"/>',
  warn: '<path d="M12 3 2 20.5h20z"/><path d="M12 9.5v5M12 17v.5"/>',
  live: '<circle cx="12" cy="12" r="3" fill="currentColor"/><path d="M7 7a7 7 0 0 0 0 10M17 7a7 7 0 0 1 0 10M4 4a11 11 0 0 0 0 16M20 4a11 11 0 0 1 0 16"/>',
  wifi: '<path d="M2.5 9a14 14 0 0 1 19 0M5.5 12.5a9.5 9.5 0 0 1 13 0M8.5 16a5 5 0 0 1 7 0"/><circle cx="12" cy="19" r="1" fill="currentColor"/>',
  water: '<path d="M12 3s6 7 6 11a6 6 0 0 1-12 0c0-4 6-11 6-11z"/>',
  dot: '<circle cx="12" cy="12" r="4" fill="currentColor"/>',
  map: '<path d="M3 6.5 9 4l6 2.5L21 4v13.5L15 20l-6-2.5L3 20z"/><path d="M9 4v13.5M15 6.5V20"/>',
  user: '<circle cx="12" cy="8" r="4"/><path d="M4 21c.8-4.2 4-6.5 8-6.5s7.2 2.3 8 6.5"/>',
  shield: '<path d="M12 2.5 4 5.5v6c0 5 3.4 8.6 8 10 4.6-1.4 8-5 8-10v-6z"/><path d="m8.5 12 2.5 2.5 4.5-5"/>',
  download: '<path d="M12 3v12M7 10.5l5 5 5-5M4 20h16"/>',
  plus: '<path d="M12 5v14M5 12h14"/>',
  calendar: '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4M7.5 14h3v3h-3z"/>',
  scan: '<path d="M3 8V4.5A1.5 1.5 0 0 1 4.5 3H8M16 3h3.5A1.5 1.5 0 0 1 21 4.5V8M21 16v3.5a1.5 1.5 0 0 1-1.5 1.5H16M8 21H4.5A1.5 1.5 0 0 1 3 19.5V16M7 12h10"/>',
};

// Catalogue icon names (amenities' "icon") onto the glyphs above.
const CATALOGUE = {
  plug: 'charge',
  bolt: 'charge',
  'ev-station': 'charge',
  battery: 'swap',
  microwave: 'meal',
  kettle: 'water',
  water: 'water',
  toilet: 'toilet',
  chair: 'rest',
  'first-aid': 'aid',
  pill: 'aid',
  heart: 'aid',
  raincoat: 'rain',
  umbrella: 'rain',
  wifi: 'wifi',
};

export function icon(name, cls = 'icon') {
  const body = P[name] || P[CATALOGUE[name]] || P.dot;
  return `<svg class="${cls}" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
}

const SHAPES = {
  1: { d: 'M7 6h26a3 3 0 0 1 3 3v22a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3z', glyph: 'M20 11.5l2.6 5.4 5.9.8-4.3 4.1 1 5.9L20 24.9l-5.2 2.8 1-5.9-4.3-4.1 5.9-.8z' },
  2: { d: 'M20 5a15 15 0 1 1 0 30a15 15 0 1 1 0-30z', glyph: 'M20 14a6 6 0 1 1 0 12a6 6 0 1 1 0-12z' },
  3: { d: 'M20 4 36 17v17a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V17z', glyph: 'M20 30s-7-4.4-7-9a3.6 3.6 0 0 1 7-1.2A3.6 3.6 0 0 1 27 21c0 4.6-7 9-7 9z' },
  0: { d: 'M20 3 37 20 20 37 3 20z', glyph: 'M20 16.5a3.5 3.5 0 1 1 0 7a3.5 3.5 0 1 1 0-7z' },
};

/** SVG for a site marker: tier 1/2/3 or null (other), open or not. */
export function markerSvg(tier, open) {
  const s = SHAPES[tier] || SHAPES[0];
  const cls = `mk-shape mk-t${tier || 0} ${open ? 'mk-open' : 'mk-closed'}`;
  return `<svg class="${cls}" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false"><path class="mk-body" d="${s.d}"/><path class="mk-glyph" d="${s.glyph}"/></svg>`;
}
