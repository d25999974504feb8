// where.js - the place where staff check the people they verify. The
// server records it with each verification and takes only a site the
// caller's grants reach (staff, region and system admins): a site grant is
// that site, a region grant every site in the region (GET
// /api/sites?region=, which includes the regions below it), a global grant
// every site. System admins may leave it out. The last place picked is
// remembered on this device, per person.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { field, options, formAlert, errorMessage } from '../forms.js';
import { redraw } from '../page.js';
import { cat, regionName } from '../catalogue.js';

const PAGE = 1000; // the most GET /api/sites gives at once
const REMEMBER = 'wh.verifySite.'; // + the person's id

export const where = {
  list: null, // [{id, name_zh, name_en, region}] the caller reaches, or null while loading
  forUser: null,
  site: '', // the picked site's id, as text; '' for none
  error: '', // next to the picker (the page's check, or the server's)
  loadError: '',
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
    /* storage blocked: picked again next time */
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

/** The sites the signed-in person's grants reach, asked afresh (a console visit's first drawing). */
export async function loadWhere() {
  const m = session.me();
  where.error = '';
  where.loadError = '';
  if (!m) return;
  const grants = (m.roles || []).filter((g) => session.CONSOLE_ROLES.includes(g.role));
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
    where.loadError = errorMessage(e);
  }
  // Region by region in the catalogue's order, then by name.
  const order = new Map((cat.regions || []).map((r, i) => [r.code, i]));
  const rank = (s) => order.get(s.region) ?? Infinity;
  where.list = [...byId.values()].sort((a, b) => rank(a) - rank(b) || a.region.localeCompare(b.region) || a.name_zh.localeCompare(b.name_zh, 'zh') || a.id - b.id);
  const has = (id) => where.list.some((s) => String(s.id) === id);
  if (where.forUser !== m.id || !has(where.site)) {
    const last = remembered(m.id);
    where.site = has(last) ? last : !session.isSystemAdmin() && where.list.length === 1 ? String(where.list[0].id) : '';
  }
  where.forUser = m.id;
}

/** "某某驿站 #12" for a site id, from the list when it is there. */
export function siteLabel(id) {
  const s = (where.list || []).find((x) => String(x.id) === String(id));
  return s ? `${pick(s, 'name').text} #${s.id}` : `#${id}`;
}

/** The site to send with a verification: a number, or undefined for none. */
export function pickedSite() {
  return where.site ? Number(where.site) : undefined;
}

/** The picker, above the search: one place for every verification made here. */
export function whereField() {
  const sys = session.isSystemAdmin();
  if (where.list === null) return h('p', { class: 'muted' }, t('loading'));
  const problem = where.loadError ? formAlert(where.loadError) : null;
  if (!where.list.length && !sys) return problem || h('p', { class: 'form-alert form-error', id: 'verify-site-empty' }, t('verifySiteEmpty'));
  const regions = [...new Set(where.list.map((s) => s.region))];
  const opt = (list) => options(list.map((s) => [String(s.id), `${pick(s, 'name').text} #${s.id}`]), where.site);
  const select = h(
    'select',
    { class: 'select' },
    h('option', { value: '', selected: !where.site }, t(sys ? 'verifySiteNone' : 'verifySiteChoose')),
    regions.length > 1
      ? regions.map((code) => h('optgroup', { label: code ? regionName(code) : t('verifySiteNoRegion') }, opt(where.list.filter((s) => s.region === code))))
      : opt(where.list),
  );
  select.value = where.site;
  select.addEventListener('change', () => {
    where.site = select.value;
    where.error = '';
    remember(where.forUser, where.site);
    redraw();
  });
  return [
    problem,
    field({
      id: 'verify-site',
      name: 'site',
      label: t('verifySite'),
      hint: t(sys ? 'verifySiteHintAdmin' : 'verifySiteHint'),
      error: where.error,
      input: select,
    }),
  ];
}
