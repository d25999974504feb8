// sites.js - the sites a person's grants reach (../reach.js), for the
// staff pages to pick from. Only the roles given count (the check-in pages
// ask for staff and admins). The site picked last is remembered on this
// device, per person.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import { sitesReached, siteToPick, rememberSite } from '../reach.js';
import { field, options } from '../forms.js';
import { redraw } from '../page.js';
import { problemWords } from '../bookings/common.js';

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

/** Load the sites the signed-in person's grants of roles reach (once per person). */
export async function loadReach(roles, { force = false } = {}) {
  const m = session.me();
  if (!m) return;
  if (!force && reach.list && reach.forUser === m.id && reach.forRoles === roles.join()) return;
  reach.error = '';
  const grants = (m.roles || []).filter((g) => roles.includes(g.role));
  reach.orgs = [...new Set(grants.filter((g) => g.scope_kind === 'organization').map((g) => g.scope_ref))];
  reach.global = grants.some((g) => g.scope_kind === 'global');
  const { list, error } = await sitesReached(grants);
  if (error) reach.error = problemWords(error);
  reach.list = list.sort((a, b) => a.region.localeCompare(b.region) || a.name_zh.localeCompare(b.name_zh, 'zh') || a.id - b.id);
  reach.site = siteToPick(reach.list, { key: REMEMBER, userId: m.id, forUser: reach.forUser, current: reach.site });
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
    rememberSite(REMEMBER, reach.forUser, reach.site);
    onchange?.();
    redraw();
  });
  return field({ id, name: 'site', label, hint, error: error || reach.error, input: select });
}
