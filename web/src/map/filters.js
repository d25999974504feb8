// filters.js - the "I need" chips, the tier choice, and how they become API
// queries. A chip needs all of its `all` codes, or any one of its `any`
// codes; chips combine with "and". "Any of" cannot be said in one call (the
// API's amenity=a,b means a and b), so a query is a list of alternatives,
// one call each, whose answers are merged.

export const CHIPS = [
  // Riders charge phones and e-bikes, drivers their cars: any one will do.
  { id: 'charge', icon: 'charge', any: ['phone_charging', 'ebike_charging', 'ev_charger'] },
  { id: 'meal', icon: 'meal', all: ['microwave'] },
  { id: 'rest', icon: 'rest', all: ['seats'] },
  { id: 'toilet', icon: 'toilet', all: ['toilet'] },
  { id: 'rain', icon: 'rain', all: ['rain_gear'] },
  { id: 'aid', icon: 'aid', all: ['first_aid'] },
  { id: 'swap', icon: 'swap', all: ['battery_swap'] },
];

export const TIERS = ['all', '1', '2', '3', 'other'];

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

/**
 * The alternatives for the chosen chips and tier:
 * [{amenities: [code...], type: code|undefined}].
 * types: [{code, tier}] from /api/site-types.
 */
export function buildAlts(chips, selected, tier, types) {
  let sets = [[]];
  for (const chip of chips) {
    if (!selected.has(chip.id)) continue;
    if (chip.any && chip.any.length) {
      sets = sets.flatMap((s) => chip.any.map((c) => [...s, c]));
    } else {
      sets = sets.map((s) => [...s, ...chip.all]);
    }
  }
  sets = sets.map((s) => [...new Set(s)]);
  let typeAlts = [undefined];
  if (tier !== 'all') {
    const want = tier === 'other' ? null : Number(tier);
    const codes = (types || []).filter((x) => (x.tier ?? null) === want).map((x) => x.code);
    // A tier no type has: ask for a type no site has, so the answer is empty.
    typeAlts = codes.length ? codes : ['-'];
  }
  const alts = [];
  for (const s of sets) for (const ty of typeAlts) alts.push({ amenities: s, type: ty });
  return alts;
}
