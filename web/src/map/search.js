// search.js - find a place by its name, address or services, typed in
// Chinese, in English or as pinyin initials ("nxyz" finds 暖新驿站), with
// one character missing (or wrong) forgiven in longer queries.
//
// Where it runs: here, over the sites of the district around the point
// (one /api/sites?bbox= answer of at most 1,000 sites, which the service
// worker keeps for offline use). That is a district's worth (the demo
// has 243); a query scans every site with a small edit-distance table, a
// few hundred thousand steps. A city-wide or national search would need
// the server to index names and their initials instead.
//
// The initials come from pinyin-initials.json, made at build time from
// the pinyin-pro package (web/pinyin-initials.mjs).

// ---- the pinyin initials ------------------------------------------------------

let initials = null; // Map char -> letters ('长' -> 'cz')
let loading = null;

/** Take a table ({initials: {letter: chars}}), as the build writes it. */
export function setInitialsTable(table) {
  const m = new Map();
  for (const [letter, chars] of Object.entries((table && table.initials) || {}))
    for (const c of chars) m.set(c, (m.get(c) || '') + letter);
  initials = m;
}

/** Fetch the table once (the page asks on the first search). */
export function loadInitials() {
  if (initials) return Promise.resolve();
  if (!loading) {
    loading = fetch('/pinyin-initials.json')
      .then((r) => (r.ok ? r.json() : null))
      .then((tbl) => {
        if (tbl) setInitialsTable(tbl);
        else loading = null;
      })
      .catch(() => {
        loading = null; // offline before it was ever kept: try again later
      });
  }
  return loading;
}

// ---- text ------------------------------------------------------------------------

/** Lower case, full-width folded, without spaces and punctuation. */
export function normalise(s) {
  return String(s || '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function initialsOf(text) {
  return [...text].map((c) => (/[a-z0-9]/.test(c) ? c : (initials && initials.get(c)) || ''));
}

/**
 * The smallest number of edits (insert, delete, change one character)
 * that turn the query into some part of the text (Sellers' algorithm);
 * eq(i, j) says whether query character i can stand for text character j.
 * Stops early above max.
 */
function editsToPart(m, n, eq, max) {
  let prev = new Array(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    const cur = new Array(n + 1);
    cur[0] = i;
    let best = cur[0];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (eq(i - 1, j - 1) ? 0 : 1));
      if (cur[j] < best) best = cur[j];
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  let out = Infinity;
  for (const v of prev) if (v < out) out = v;
  return out;
}

/** How many mistakes a query of this kind and length may have. */
function tolerance(query, han) {
  const n = [...query].length;
  return han ? (n >= 3 ? 1 : 0) : n >= 4 ? 1 : 0;
}

const KIND_RANK = { name: 0, service: 1, address: 2, type: 3 };

// ---- the index ------------------------------------------------------------------

/**
 * What a site can be found by: {site, fields: [{kind, text, ini}]}.
 * ctx: {catalogue: Map code -> amenity, types: Map code -> type,
 * aliases: [{codes, any, words}]} - aliases are the chips' words ("雨具"
 * for a raincoat or an umbrella).
 */
export function indexSite(site, ctx) {
  const fields = [];
  const add = (kind, value) => {
    const text = normalise(value);
    if (text) fields.push({ kind, text, chars: [...text], ini: null });
  };
  add('name', site.name_zh);
  add('name', site.name_en);
  add('address', site.address_zh);
  add('address', site.address_en);
  const have = new Set((site.amenities || []).filter((a) => a.count == null || a.count > 0).map((a) => a.code));
  for (const code of have) {
    const cat = ctx.catalogue && ctx.catalogue.get(code);
    add('service', code.replace(/_/g, ' '));
    if (cat) add('service', cat.name_zh), add('service', cat.name_en);
  }
  for (const al of ctx.aliases || []) {
    if (al.codes.length && (al.any ? al.codes.some((c) => have.has(c)) : al.codes.every((c) => have.has(c))))
      for (const w of al.words) add('service', w);
  }
  const type = ctx.types && ctx.types.get(site.type);
  if (type) add('type', type.name_zh), add('type', type.name_en);
  return { site, fields };
}

/**
 * The best match of a query in an indexed site, or null:
 * {rank (smaller is better), kind, edits, pinyin}.
 */
export function matchSite(entry, query) {
  const q = normalise(query);
  if (!q) return null;
  const qc = [...q];
  const han = /\p{Script=Han}/u.test(q);
  const latin = /^[a-z0-9]+$/.test(q);
  const max = tolerance(q, han);
  let best = null;
  const consider = (kind, edits, pinyin) => {
    const rank = edits * 10 + (pinyin ? 5 : 0) + KIND_RANK[kind];
    if (!best || rank < best.rank) best = { rank, kind, edits, pinyin };
  };
  for (const f of entry.fields) {
    // The text itself.
    if (f.text.includes(q)) consider(f.kind, 0, false);
    else if (max) {
      const e = editsToPart(qc.length, f.chars.length, (i, j) => qc[i] === f.chars[j], max);
      if (e <= max) consider(f.kind, e, false);
    }
    // Pinyin initials: a query of letters against Chinese text.
    if (latin && initials && /\p{Script=Han}/u.test(f.text)) {
      if (!f.ini) f.ini = initialsOf(f.text);
      const pmax = qc.length >= 4 ? 1 : 0;
      if (qc.length >= 2) {
        const e = editsToPart(qc.length, f.ini.length, (i, j) => f.ini[j].includes(qc[i]), pmax);
        if (e <= pmax) consider(f.kind, e, true);
      }
    }
  }
  return best;
}

/** The sites matching a query, best first, then nearest (distance_m). */
export function search(index, query) {
  const out = [];
  for (const entry of index) {
    const m = matchSite(entry, query);
    if (m) out.push({ site: entry.site, m });
  }
  out.sort(
    (a, b) =>
      a.m.rank - b.m.rank ||
      (a.site.distance_m ?? Infinity) - (b.site.distance_m ?? Infinity) ||
      a.site.id - b.site.id,
  );
  return out.map((x) => x.site);
}
