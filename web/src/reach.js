// reach.js - the sites a person's grants reach, for the staff pages that
// ask "where are you working": a site grant is that site, a region grant
// every site in the region (GET /api/sites?region=, which includes the
// regions below it), a global grant every site. The site picked last is
// remembered on this device, per person and per page (each page its own
// key). Used by the check-in pages (checkin/sites.js), the people
// console's place of verification (people/where.js) and the lending desk.
import { getJson } from './api.js';

const PAGE = 1000; // the most GET /api/sites gives at once

async function sitesIn(region) {
  const out = [];
  for (let offset = 0; ; offset += PAGE) {
    const r = await getJson('/api/sites', { region, limit: PAGE, offset });
    const items = r.items || [];
    out.push(...items);
    if (!items.length || out.length >= (r.total ?? 0)) return out;
  }
}

/**
 * The sites the grants reach, each once: {list: [{id, name_zh, name_en,
 * region}], error}. On a failure, error is it and list holds what was
 * found before.
 */
export async function sitesReached(grants) {
  const byId = new Map();
  const add = (s) => {
    if (s && s.id && !byId.has(s.id)) byId.set(s.id, { id: s.id, name_zh: s.name_zh, name_en: s.name_en, region: s.region || '' });
  };
  let error = null;
  try {
    await Promise.all(
      grants.map(async (g) => {
        if (g.scope_kind === 'site') add(await getJson(`/api/sites/${encodeURIComponent(g.scope_ref)}`).catch(() => null));
        else if (g.scope_kind === 'region') (await sitesIn(g.scope_ref)).forEach(add);
        else if (g.scope_kind === 'global') (await sitesIn()).forEach(add);
      }),
    );
  } catch (e) {
    error = e;
  }
  return { list: [...byId.values()], error };
}

function remembered(key, userId) {
  try {
    return localStorage.getItem(key + userId) || '';
  } catch {
    return '';
  }
}

/** Remember site (an id as text; '' forgets) as userId's pick on this page (key). */
export function rememberSite(key, userId, site) {
  try {
    if (site) localStorage.setItem(key + userId, site);
    else localStorage.removeItem(key + userId);
  } catch {
    /* storage blocked: picked again next time */
  }
}

/**
 * The site to have picked once list is loaded for userId: the one picked
 * (current, for the same person) while it is listed, else the one
 * remembered, else the only one there is (when only is true), else none ('').
 */
export function siteToPick(list, { key, userId, forUser, current, only = true }) {
  const has = (id) => list.some((s) => String(s.id) === id);
  if (forUser === userId && has(current)) return current;
  const last = remembered(key, userId);
  if (has(last)) return last;
  return only && list.length === 1 ? String(list[0].id) : '';
}
