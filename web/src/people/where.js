// where.js - the place where staff check the people they verify. The
// server records it with each verification and takes only a site the
// caller's grants reach (staff, region and system admins; ../reach.js).
// System admins may leave it out. The last place picked is remembered on
// this device, per person.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import { sitesReached, siteToPick, rememberSite } from '../reach.js';
import { field, options, formAlert, errorMessage } from '../forms.js';
import { redraw } from '../page.js';
import { cat, regionName } from '../catalogue.js';

const REMEMBER = 'wh.verifySite.'; // + the person's id

export const where = {
  list: null, // [{id, name_zh, name_en, region}] the caller reaches, or null while loading
  forUser: null,
  site: '', // the picked site's id, as text; '' for none
  error: '', // next to the picker (the page's check, or the server's)
  loadError: '',
};

/** The sites the signed-in person's grants reach, asked afresh (a console visit's first drawing). */
export async function loadWhere() {
  const m = session.me();
  where.error = '';
  where.loadError = '';
  if (!m) return;
  const grants = (m.roles || []).filter((g) => session.CONSOLE_ROLES.includes(g.role));
  const { list, error } = await sitesReached(grants);
  if (error) where.loadError = errorMessage(error);
  // Region by region in the catalogue's order, then by name.
  const order = new Map((cat.regions || []).map((r, i) => [r.code, i]));
  const rank = (s) => order.get(s.region) ?? Infinity;
  where.list = list.sort((a, b) => rank(a) - rank(b) || a.region.localeCompare(b.region) || a.name_zh.localeCompare(b.name_zh, 'zh') || a.id - b.id);
  where.site = siteToPick(where.list, { key: REMEMBER, userId: m.id, forUser: where.forUser, current: where.site, only: !session.isSystemAdmin() });
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
    rememberSite(REMEMBER, where.forUser, where.site);
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
