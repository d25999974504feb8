// Brute-force answers for the map's queries, to check the server's
// spatial index against: great-circle distance, a seeded random source,
// and the k nearest of a list of sites under the near route's filters.

const R = 6371008.8;
export function haversine(a, b) {
  const rad = Math.PI / 180;
  const dlat = (b.lat - a.lat) * rad, dlon = (b.lon - a.lon) * rad;
  const h = Math.sin(dlat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Deterministic pseudo-random numbers (mulberry32).
export function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The k nearest of sites (as /api/sites lists them) to p, ties by id.
 * only: a Set of ids to keep (e.g. a service category's sites). */
export function bruteNear(sites, p, k, { amenities = [], type, open, radius, only } = {}) {
  return sites
    .filter((s) => s.status !== 'removed')
    .filter((s) => !only || only.has(s.id))
    .filter((s) => amenities.every((a) => s.amenities.some((m) => m.code === a && m.count > 0)))
    .filter((s) => !type || s.type === type)
    .filter((s) => !open || s.open)
    .map((s) => ({ id: s.id, d: haversine(p, s.position) }))
    .filter((x) => !radius || x.d <= radius)
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .slice(0, k);
}

/** Assert that a near answer (items) agrees with bruteNear's (want):
 * same count, distances within 0.5 m, ids equal except among ties. */
export function assertNearEqual(assert, got, want, q) {
  assert.equal(got.length, want.length, `count for ${q}`);
  for (let j = 0; j < got.length; j++) {
    assert.ok(Math.abs(got[j].distance_m - want[j].d) < 0.5, `distance ${j} for ${q}`);
    // Where two sites are (nearly) equally far, either order is exact
    // for its own metric; elsewhere the ids must agree.
    const tie = (j > 0 && Math.abs(want[j].d - want[j - 1].d) < 0.5) ||
      (j + 1 < want.length && Math.abs(want[j + 1].d - want[j].d) < 0.5);
    if (!tie) assert.equal(got[j].id, want[j].id, `id ${j} for ${q}`);
    if (j > 0) assert.ok(got[j].distance_m >= got[j - 1].distance_m, 'sorted by distance');
  }
}
