// filters.js - the "I need" chips, the tier choice, the service category, and
// how they become API queries; the filter state in the page's URL
// (#/?amenity=rain,charge&open=1&service=legal_aid).
//
// A chip is a group of amenities a worker means by one word: "rain gear" is
// a raincoat or an umbrella, "charging" a phone, e-bike or EV charger. A
// chip needs any one of its `any` codes, or all of its `all` codes; chips
// combine with "and". The API says "any of" with amenity_any=a,b (one group
// per call), so the first "any" chip goes there and each further one is a
// list of alternatives, one call each, whose answers are merged.

export const CHIPS = [
  // Riders charge phones and e-bikes, drivers their cars: any one will do.
  { id: 'charge', icon: 'charge', any: ['phone_charging', 'ebike_charging', 'ev_charger'] },
  { id: 'meal', icon: 'meal', all: ['microwave'] },
  { id: 'water', icon: 'water', any: ['hot_water', 'drinking_water'] },
  { id: 'rest', icon: 'rest', all: ['seats'] },
  { id: 'toilet', icon: 'toilet', all: ['toilet'] },
  { id: 'rain', icon: 'umbrella', any: ['rain_gear', 'umbrella'] },
  { id: 'cool', icon: 'snowflake', all: ['air_conditioning'] },
  { id: 'aid', icon: 'aid', all: ['first_aid'] },
  { id: 'swap', icon: 'swap', all: ['battery_swap'] },
];

export const TIERS = ['all', '1', '2', '3', 'other'];

/** A service category's code, as /api/service-categories gives them. */
const CATEGORY_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * The service categories as options of a choice, parents before their
 * children: [{code, depth, name_zh, name_en}].
 */
export function categoryOptions(tree, depth = 0, out = []) {
  for (const c of tree || []) {
    out.push({ code: c.code, depth, name_zh: c.name_zh, name_en: c.name_en });
    categoryOptions(c.children, depth + 1, out);
  }
  return out;
}

/** Chips whose codes the catalogue has (codes it lacks are dropped). */
export function availableChips(catalogue) {
  if (!catalogue || !catalogue.size) return CHIPS;
  const out = [];
  for (const c of CHIPS) {
    const any = c.any ? c.any.filter((x) => catalogue.has(x)) : null;
    const all = c.all ? c.all.filter((x) => catalogue.has(x)) : null;
    if ((any && any.length) || (all && all.length)) out.push({ ...c, any, all });
  }
  return out;
}

/** Amenity codes a chip stands for (to show on cards). */
export function chipCodes(chip) {
  return chip.any || chip.all || [];
}

/** Type codes of a tier choice ('all': null, no constraint). */
export function tierTypes(tier, types) {
  if (tier === 'all') return null;
  const want = tier === 'other' ? null : Number(tier);
  return (types || []).filter((x) => (x.tier ?? null) === want).map((x) => x.code);
}

/**
 * The alternatives for the chosen chips and tier:
 * [{amenities: [code...], any: [code...] | undefined, type: code | undefined,
 *   category: code | undefined}].
 * types: [{code, tier}] from /api/site-types; category: a service
 * category's code ('' or undefined: any), asked of the server with each
 * alternative.
 */
export function buildAlts(chips, selected, tier, types, category) {
  let sets = [{ all: [], any: undefined }];
  for (const chip of chips) {
    if (!selected.has(chip.id)) continue;
    if (chip.any && chip.any.length) {
      if (chip.any.length === 1) sets = sets.map((s) => ({ ...s, all: [...s.all, chip.any[0]] }));
      else if (!sets[0].any) sets = sets.map((s) => ({ ...s, any: chip.any }));
      else sets = sets.flatMap((s) => chip.any.map((c) => ({ ...s, all: [...s.all, c] })));
    } else {
      sets = sets.map((s) => ({ ...s, all: [...s.all, ...chip.all] }));
    }
  }
  let typeAlts = [undefined];
  const codes = tierTypes(tier, types);
  // A tier no type has: ask for a type no site has, so the answer is empty.
  if (codes) typeAlts = codes.length ? codes : ['-'];
  const alts = [];
  for (const s of sets)
    for (const ty of typeAlts)
      alts.push({ amenities: [...new Set(s.all)], any: s.any, type: ty, category: category || undefined });
  return alts;
}

/**
 * Whether a site (with amenities, open, type) passes the filters, checked
 * here. categorySites: the ids of the sites offering the chosen service
 * category (null: no category chosen).
 */
export function siteMatches(site, { chips, selected, openNow, tier, types, categorySites }) {
  if (categorySites && !categorySites.has(site.id)) return false;
  const have = new Set((site.amenities || []).filter((a) => a.count == null || a.count > 0).map((a) => a.code));
  for (const chip of chips) {
    if (!selected.has(chip.id)) continue;
    if (chip.any && chip.any.length ? !chip.any.some((c) => have.has(c)) : !chip.all.every((c) => have.has(c)))
      return false;
  }
  if (openNow && !site.open) return false;
  const codes = tierTypes(tier, types);
  if (codes && !codes.includes(site.type)) return false;
  return true;
}

// ---- the filter state in the URL ------------------------------------------------

/**
 * The filters as URL query parameters: amenity (chip ids), open, tier,
 * service (a service category's code), q (search), fav (favourites),
 * reports (the grid reports layer). Only what differs from the default is
 * written, so the plain map is "#/".
 */
export function filtersToQuery(f) {
  const q = new URLSearchParams();
  if (f.selected.size) q.set('amenity', [...f.selected].join(','));
  if (f.openNow) q.set('open', '1');
  if (f.tier && f.tier !== 'all') q.set('tier', f.tier);
  if (f.category) q.set('service', f.category);
  if (f.q) q.set('q', f.q);
  if (f.fav) q.set('fav', '1');
  if (f.reports) q.set('reports', '1');
  return q.toString();
}

/** The filters a URL query says (unknown chips and tiers, and malformed
 * category codes, are dropped; a well-formed code no category has is the
 * server's to refuse). */
export function filtersFromQuery(query, chips = CHIPS) {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query || '');
  const ids = new Set(chips.map((c) => c.id));
  const need = (q.get('amenity') || '').split(',').filter((x) => ids.has(x));
  const tier = q.get('tier');
  const category = q.get('service') || '';
  return {
    selected: new Set(need),
    openNow: q.get('open') === '1',
    tier: TIERS.includes(tier) ? tier : 'all',
    category: CATEGORY_CODE.test(category) ? category : '',
    q: (q.get('q') || '').slice(0, 60),
    fav: q.get('fav') === '1',
    reports: q.get('reports') === '1',
  };
}
