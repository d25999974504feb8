// sites.js - the sites a person's grants reach, for the staff pages to
// pick from: a site grant is that site, a region grant every site in the
// region (GET /api/sites?region=, which includes the regions below), a
// global grant every site. Only the roles given count (the check-in pages
// ask for staff and admins). The site picked last is remembered on this
// device, per person.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { field, options } from '../forms.js';
import { redraw } from '../page.js';
import { problemWords } from '../bookings/common.js';

const PAGE = 1000; // the most GET /api/sites gives at once
const REMEMBER = 'wh.checkinSite.'; // + the person's id

export const reach = {
  list: null, // [{id, name_zh, name_en, region}], or null before loading
  orgs: [], // organization codes the grants name (providers)
  global: false, // a global grant: everything
  forUser: null,
  forRoles: '',
  site: '', // the picked site's id as text; '' for none
  error: '',
};

function remembered(userId) {
  try {
    return localStorage.getItem(REMEMBER + userId) || '';
  } catch {
    return '';
  }
}

function remember(userId, site) {
  try {
    if (site) localStorage.setItem(REMEMBER + userId, site);
    else localStorage.removeItem(REMEMBER + userId);
  } catch {
    /* picked again next time */
  }
}

async function sitesIn(region) {
  const out = [];
  for (let offset = 0; ; offset += PAGE) {
    const r = await getJson('/api/sites', { region, limit: PAGE, offset });
    const items = r.items || [];
    out.push(...items);
    if (!items.length || out.length >= (r.total ?? 0)) return out;
  }
}

/** Load the sites the signed-in person's grants of roles reach (once per person). */
export async function loadReach(roles, { force = false } = {}) {
  const m = session.me();
  if (!m) return;
  if (!force && reach.list && reach.forUser === m.id && reach.forRoles === roles.join()) return;
  reach.error = '';
  const grants = (m.roles || []).filter((g) => roles.includes(g.role));
  reach.orgs = [...new Set(grants.filter((g) => g.scope_kind === 'organization').map((g) => g.scope_ref))];
  reach.global = grants.some((g) => g.scope_kind === 'global');
  const byId = new Map();
  const add = (s) => {
    if (s && s.id && !byId.has(s.id)) byId.set(s.id, { id: s.id, name_zh: s.name_zh, name_en: s.name_en, region: s.region || '' });
  };
  try {
    await Promise.all(
      grants.map(async (g) => {
        if (g.scope_kind === 'site') add(await getJson(`/api/sites/${encodeURIComponent(g.scope_ref)}`).catch(() => null));
        else if (g.scope_kind === 'region') (await sitesIn(g.scope_ref)).forEach(add);
        else if (g.scope_kind === 'global') (await sitesIn()).forEach(add);
      }),
    );
  } catch (e) {
    reach.error = problemWords(e);
  }
  reach.list = [...byId.values()].sort((a, b) => a.region.localeCompare(b.region) || a.name_zh.localeCompare(b.name_zh, 'zh') || a.id - b.id);
  const has = (id) => reach.list.some((s) => String(s.id) === id);
  if (reach.forUser !== m.id || !has(reach.site)) {
    const last = remembered(m.id);
    reach.site = has(last) ? last : reach.list.length === 1 ? String(reach.list[0].id) : '';
  }
  reach.forUser = m.id;
  reach.forRoles = roles.join();
}

/** The picked site (a number), or undefined. */
export function pickedSite() {
  return reach.site ? Number(reach.site) : undefined;
}

/** The name of a site of the list, with its language. */
export function reachName(id) {
  const s = (reach.list || []).find((x) => String(x.id) === String(id));
  return s ? pick(s, 'name') : null;
}

/**
 * The picker. any: the words of "no site picked" (e.g. "any of my
 * sites"), or null when a site must be picked.
 */
export function sitePicker({ id, label, hint, any, error, onchange }) {
  if (reach.list === null) return h('p', { class: 'muted' }, t('loading'));
  const select = h(
    'select',
    { class: 'select' },
    any || !reach.site ? h('option', { value: '' }, any || t('choose')) : null,
    options(
      reach.list.map((s) => [String(s.id), pick(s, 'name').text]),
      reach.site,
    ),
  );
  select.value = reach.site;
  select.addEventListener('change', () => {
    reach.site = select.value;
    remember(reach.forUser, reach.site);
    onchange?.();
    redraw();
  });
  return field({ id, name: 'site', label, hint, error: error || reach.error, input: select });
}
