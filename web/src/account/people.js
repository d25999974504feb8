// people.js - what a person's data means in words: occupations, platforms,
// and where a role applies (site and region names, looked up once). Which
// roles exist, and where each may apply, the server says in /api/config
// (config.js); which platforms a worker can name, in /api/platforms (an
// admin keeps that list: a retired one is offered no more, but still
// shows, and stays chosen, on the accounts that name it).
import { t, pick } from '../i18n.js';
import { getJson } from '../api.js';

export const OCCUPATIONS = [
  'food_delivery',
  'courier',
  'ride_hailing',
  'truck_driver',
  'livestream_host',
  'domestic_worker',
  'other',
];

// The platforms as the server lists them ([{code, name_zh, name_en,
// retired}], in picking order); null until loaded.
let platforms = null;
let platformsPending = null;

/** Ask for the platform list (once; again after a failure). */
export function loadPlatforms() {
  if (!platformsPending) {
    platformsPending = getJson('/api/platforms')
      .then((r) => {
        platforms = r.items || [];
        return platforms;
      })
      .catch((e) => {
        platformsPending = null;
        throw e;
      });
  }
  return platformsPending;
}

/** [code, name] pairs to pick from: the offered platforms, and the
 * retired ones this person already names (so saving keeps them). */
export function platformChoices(mine) {
  const have = new Set(mine || []);
  return (platforms || []).filter((p) => !p.retired || have.has(p.code)).map((p) => [p.code, platformName(p.code)]);
}

/** The chosen codes as the API takes them: in the list's order. */
export function platformsValue(chosen) {
  const order = (platforms || []).map((p) => p.code);
  const known = order.filter((c) => chosen.has(c));
  return known.concat([...chosen].filter((c) => !order.includes(c))).join(',');
}

export function occupationName(code) {
  const k = `occ_${code}`;
  const w = t(k);
  return w === k ? code || '' : w;
}

export function platformName(code) {
  const p = (platforms || []).find((x) => x.code === code);
  return p ? pick(p, 'name').text : code;
}

// Names of the sites and regions roles point at: code/id -> {name_zh, name_en}.
const names = { site: new Map(), region: new Map() };

/** Fetch the names of the sites and regions these grants name (once each). */
export async function scopeNames(grants) {
  const jobs = [];
  for (const g of grants || []) {
    const kind = g.scope_kind;
    if ((kind !== 'site' && kind !== 'region') || names[kind].has(g.scope_ref)) continue;
    names[kind].set(g.scope_ref, null);
    const path = kind === 'site' ? `/api/sites/${encodeURIComponent(g.scope_ref)}` : `/api/regions/${encodeURIComponent(g.scope_ref)}`;
    jobs.push(
      getJson(path)
        .then((x) => names[kind].set(g.scope_ref, { name_zh: x.name_zh, name_en: x.name_en }))
        .catch(() => names[kind].delete(g.scope_ref)),
    );
  }
  await Promise.all(jobs);
}

/** Remember a name the page already has (a site picked from a search). */
export function knowName(kind, ref, obj) {
  if (names[kind]) names[kind].set(String(ref), { name_zh: obj.name_zh, name_en: obj.name_en });
}

/** "地点：某某驿站（#12）", "区域：路南街道", "部门：交通局", "全局". */
export function roleScopeText(g) {
  const kind = g.scope_kind;
  if (kind === 'global') return t('scope_global');
  const n = names[kind] && names[kind].get(String(g.scope_ref));
  const label = n ? pick(n, 'name').text : '';
  const ref = kind === 'site' ? `#${g.scope_ref}` : g.scope_ref;
  return t('scopeIs', { kind: t(`scope_${kind}`), what: label ? t('nameRef', { name: label, ref }) : ref });
}
