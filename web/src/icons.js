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
  umbrella: '<path d="M2.5 12.5a9.5 8.5 0 0 1 19 0z"/><path d="M12 12.5v6.5a2 2 0 0 1-4 0M12 2.5V4"/>',
  aid: '<rect x="3" y="6" width="18" height="14" rx="2"/><path d="M9 6V3.5h6V6M12 9.5v7M8.5 13h7"/>',
  swap: '<rect x="2.5" y="7" width="16" height="10" rx="1.5"/><path d="M18.5 10.5h3v3h-3"/><path d="m11 8.5-2.5 3.5h4L10 15.5"/>',
  // One glyph per amenity of the catalogue: a phone with a bolt (phone
  // charging), two wheels and a bolt (e-bike), a charging post (EV) ...
  phoneCharge: '<rect x="6" y="2.5" width="12" height="19" rx="2"/><path d="m13 6.5-3 5h4l-3 5"/>',
  ebikeCharge:
    '<circle cx="5.5" cy="16.5" r="3.5"/><circle cx="18.5" cy="16.5" r="3.5"/><path d="m13 3.5-3.5 6h4.5L10.5 16"/>',
  evCharge:
    '<rect x="3.5" y="3" width="10" height="18" rx="1.5"/><path d="M2 21h13M13.5 9h2.5l2 2v6.5a1.5 1.5 0 0 0 3 0V9l-2-2"/><path d="m9.5 6-2.5 4h3l-2 4"/>',
  microwave: '<rect x="2.5" y="5" width="19" height="14" rx="1.5"/><rect x="5" y="8" width="10" height="8" rx="1"/><path d="M18 8.5v.5M18 12v.5M18 15.5v.5"/>',
  fridge: '<rect x="5.5" y="2.5" width="13" height="19" rx="1.5"/><path d="M5.5 9.5h13M9 5.5v2M9 12.5v4"/>',
  hotWater:
    '<path d="M5 10h11v6a4 4 0 0 1-4 4H9a4 4 0 0 1-4-4z"/><path d="M16 11.5h1.5a2.5 2.5 0 0 1 0 5H16"/><path d="M8.5 7.5c-1-1.3 1-2 0-3.5M12.5 7.5c-1-1.3 1-2 0-3.5"/>',
  water: '<path d="M12 3s6 7 6 11a6 6 0 0 1-12 0c0-4 6-11 6-11z"/>',
  snowflake:
    '<path d="M12 2.5v19M3.8 7.25l16.4 9.5M3.8 16.75l16.4-9.5M9.5 4.5 12 7l2.5-2.5M9.5 19.5 12 17l2.5 2.5"/>',
  pill: '<path d="M5 12.5 12.5 5a3.9 3.9 0 0 1 5.5 5.5L10.5 18A3.9 3.9 0 0 1 5 12.5z"/><path d="m8.8 8.8 5.5 5.5"/>',
  raincoat: '<path d="M9 3h6l1.5 3.5L20 9l-2 3.5-2-1V21H8v-9.5l-2 1L4 9l3.5-2.5z"/><path d="M12 7v14"/>',
  wrench: '<path d="M14.5 3.5a4.5 4.5 0 0 0-4.2 6.1l-6.8 6.8a2.1 2.1 0 0 0 3 3l6.8-6.8a4.5 4.5 0 0 0 6.1-4.2l-2.7 2.7-3-1-1-3z"/>',
  phoneStand: '<rect x="8" y="2.5" width="8" height="12" rx="1.5"/><path d="M12 14.5v4M6.5 21.5h11M9 18.5h6"/>',
  camera: '<path d="M3 7.5h4l1.5-2.5h7L17 7.5h4v12H3z"/><circle cx="12" cy="13" r="3.5"/>',
  locker: '<rect x="3.5" y="2.5" width="17" height="19" rx="1"/><path d="M12 2.5v19M8.5 7v3M15.5 7v3"/>',
  book: '<path d="M12 6.5C10 5 7 4.5 3.5 5v13.5c3.5-.5 6.5 0 8.5 1.5 2-1.5 5-2 8.5-1.5V5C17 4.5 14 5 12 6.5zM12 6.5V20"/>',
  pulse: '<path d="M12 20s-8-4.8-8-10.5A4.3 4.3 0 0 1 12 7a4.3 4.3 0 0 1 8 2.5C20 15.2 12 20 12 20z"/><path d="M6.5 12.5h3l1.5-2.5 2 4 1.5-1.5h3"/>',
  check: '<path d="m4.5 12.5 5 5 10-11"/>',
  locate:
    '<circle cx="12" cy="12" r="6.5"/><circle cx="12" cy="12" r="2" fill="currentColor"/><path d="M12 1.5v4M12 18.5v4M1.5 12h4M18.5 12h4"/>',
  close: '<path d="m6 6 12 12M18 6 6 18"/>',
  call:
    '<path d="M5 3.5h4l1.5 4.5-2.5 1.5a11 11 0 0 0 6.5 6.5l1.5-2.5 4.5 1.5v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/>',
  nav: '<path d="M3 10.5 21 3l-7.5 18-2.5-8z"/>',
  clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5.5l3.5 2"/>',
  pin: '<path d="M12 22s7-7.2 7-12.5a7 7 0 0 0-14 0C5 14.8 12 22 12 22z"/><circle cx="12" cy="9.5" r="2.5"/>',
  globe: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"/>',
  warn: '<path d="M12 3 2 20.5h20z"/><path d="M12 9.5v5M12 17v.5"/>',
  live: '<circle cx="12" cy="12" r="3" fill="currentColor"/><path d="M7 7a7 7 0 0 0 0 10M17 7a7 7 0 0 1 0 10M4 4a11 11 0 0 0 0 16M20 4a11 11 0 0 1 0 16"/>',
  wifi: '<path d="M2.5 9a14 14 0 0 1 19 0M5.5 12.5a9.5 9.5 0 0 1 13 0M8.5 16a5 5 0 0 1 7 0"/><circle cx="12" cy="19" r="1" fill="currentColor"/>',
  dot: '<circle cx="12" cy="12" r="4" fill="currentColor"/>',
  map: '<path d="M3 6.5 9 4l6 2.5L21 4v13.5L15 20l-6-2.5L3 20z"/><path d="M9 4v13.5M15 6.5V20"/>',
  user: '<circle cx="12" cy="8" r="4"/><path d="M4 21c.8-4.2 4-6.5 8-6.5s7.2 2.3 8 6.5"/>',
  shield: '<path d="M12 2.5 4 5.5v6c0 5 3.4 8.6 8 10 4.6-1.4 8-5 8-10v-6z"/><path d="m8.5 12 2.5 2.5 4.5-5"/>',
  download: '<path d="M12 3v12M7 10.5l5 5 5-5M4 20h16"/>',
  plus: '<path d="M12 5v14M5 12h14"/>',
  bell: '<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z"/><path d="M10 21.5h4"/>',
  services: '<rect x="5" y="4" width="14" height="17.5" rx="2"/><path d="M9 4V2.5h6V4M8.5 10h7M8.5 14h7M8.5 18h4"/>',
  ticket: '<path d="M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z"/><path d="M15 8v1.5M15 11.25v1.5M15 14.5V16"/>',
  print: '<path d="M7 9V3h10v6"/><rect x="3" y="9" width="18" height="8" rx="2"/><path d="M7 14h10v7H7z"/>',
  search: '<circle cx="10.5" cy="10.5" r="6.5"/><path d="m15.5 15.5 5 5"/>',
  doc: '<path d="M6 2.5h8l4 4v15H6z"/><path d="M14 2.5v4h4M9 12h6M9 16h6"/>',
  mail: '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 6 8.5 7 8.5-7"/>',
  external: '<path d="M14 4h6v6M20 4l-9 9M18 14v6H4V6h6"/>',
  back: '<path d="M15 5l-7 7 7 7"/>',
  people: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c.6-3.6 3.2-5.5 6.5-5.5s5.9 1.9 6.5 5.5"/><circle cx="17" cy="9" r="2.5"/><path d="M17 14.5c2.4 0 4 1.4 4.5 4"/>',
  yuan: '<circle cx="12" cy="12" r="9"/><path d="m8.5 7 3.5 4.5L15.5 7M8.5 12h7M8.5 15.5h7M12 11.5V19"/>',
  screen: '<rect x="2.5" y="4" width="19" height="13" rx="1.5"/><path d="M8 21h8M12 17v4"/>',
  callNext: '<path d="M3 10v4h3l7 4V6l-7 4z"/><path d="M17 9a4 4 0 0 1 0 6M19.5 6.5a8 8 0 0 1 0 11"/>',
  isOpen: '<circle cx="12" cy="12" r="8" fill="currentColor"/>',
  isShut: '<circle cx="12" cy="12" r="7.5"/><path d="M6.7 17.3 17.3 6.7"/>',
  star: '<path d="m12 3 2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z"/>',
  starFilled:
    '<path d="m12 3 2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z" fill="currentColor"/>',
  share: '<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="5.5" r="2.5"/><circle cx="18" cy="18.5" r="2.5"/><path d="m8.2 10.8 7.6-4.1M8.2 13.2l7.6 4.1"/>',
  copy: '<rect x="8" y="8" width="12.5" height="12.5" rx="1.5"/><path d="M16 8V5a1.5 1.5 0 0 0-1.5-1.5h-9A1.5 1.5 0 0 0 4 5v9a1.5 1.5 0 0 0 1.5 1.5H8"/>',
  walk: '<circle cx="13" cy="4" r="1.8"/><path d="m9 21 2.5-6.5 3 3V21M8 11.5l2-4 3.5-.5 2 4 2.5 1M11.5 14.5l1-7"/>',
  ride: '<circle cx="5.5" cy="17" r="3.5"/><circle cx="18.5" cy="17" r="3.5"/><path d="M5.5 17 9 10h6.5l3 7M9 10 8 7.5H6M15.5 10l-1.5-3h2.5"/>',
  calendar: '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4M7.5 14h3v3h-3z"/>',
  scan: '<path d="M3 8V4.5A1.5 1.5 0 0 1 4.5 3H8M16 3h3.5A1.5 1.5 0 0 1 21 4.5V8M21 16v3.5a1.5 1.5 0 0 1-1.5 1.5H16M8 21H4.5A1.5 1.5 0 0 1 3 19.5V16M7 12h10"/>',
};

// Catalogue icon names (amenities' "icon") onto the glyphs above: one
// glyph each, so hot water and drinking water, or the three kinds of
// charging, can be told apart at a glance.
const CATALOGUE = {
  plug: 'phoneCharge',
  bolt: 'ebikeCharge',
  'ev-station': 'evCharge',
  battery: 'swap',
  microwave: 'microwave',
  fridge: 'fridge',
  kettle: 'hotWater',
  water: 'water',
  toilet: 'toilet',
  chair: 'rest',
  snowflake: 'snowflake',
  'first-aid': 'aid',
  pill: 'pill',
  raincoat: 'raincoat',
  umbrella: 'umbrella',
  wrench: 'wrench',
  phone: 'phoneStand',
  camera: 'camera',
  wifi: 'wifi',
  locker: 'locker',
  book: 'book',
  heart: 'pulse',
};

/** The glyph an icon name draws ('dot' for a name nobody drew). */
export function glyphName(name) {
  return CATALOGUE[name] || (P[name] ? name : 'dot');
}

export function icon(name, cls = 'icon') {
  const body = P[glyphName(name)];
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
