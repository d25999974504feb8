// form.js - make or change a bookable service (#/manage/offerings/new,
// #/manage/offerings/{id}): kind, titles and descriptions in Chinese and
// English, where (a site the person reaches, or none: each time names its
// place) and whose (an organization), and its rules in plain choices -
// verification, the per-person limit, the cancellation cut-off, the
// waitlist and how long an offered place waits. A change sends only what
// changed; the site and organization are set once.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, checkbox, options, formAlert, button, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { go } from '../router.js';
import { tabs } from '../console.js';
import { ALL_KINDS, MANAGER_ROLES, rolesAllowed, whoFirst, kindWord, placeProblem, loadingPage, failedPage, crumbs, orgByCode } from '../bookings/common.js';
import { durationWords } from '../bookings/time.js';
import { reach, loadReach } from '../checkin/sites.js';
import { notes } from './notes.js';

const CUTOFFS = [0, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 259200, 604800];
const OFFER_TTLS = [1800, 3600, 7200, 14400, 43200, 86400, 172800];

const form = { id: null, v: null, orig: null, orgs: [], errors: {}, alert: '', busy: false };

function empty() {
  const site = reach.site || (reach.list && reach.list.length === 1 ? String(reach.list[0].id) : '');
  return {
    kind: 'appointment',
    title_zh: '',
    title_en: '',
    description_zh: '',
    description_en: '',
    site,
    org: !site && reach.orgs.length === 1 ? reach.orgs[0] : '',
    verification_required: false,
    per_person_limit: '1',
    cancel_cutoff_s: '3600',
    waitlist: false,
    offer_ttl_s: '7200',
    active: true,
  };
}

function fromOffering(o) {
  return {
    kind: o.kind,
    title_zh: o.title_zh || '',
    title_en: o.title_en || '',
    description_zh: o.description_zh || '',
    description_en: o.description_en || '',
    site: o.site ? String(o.site) : '',
    org: o.org || '',
    verification_required: Boolean(o.verification_required),
    per_person_limit: String(o.per_person_limit),
    cancel_cutoff_s: String(o.cancel_cutoff_s),
    waitlist: Boolean(o.waitlist),
    offer_ttl_s: String(o.offer_ttl_s),
    active: Boolean(o.active),
  };
}

function check(v) {
  const e = {};
  if (!v.title_zh.trim()) e.title_zh = t('ofErrTitle');
  const n = Number(v.per_person_limit);
  if (!Number.isInteger(n) || n < 1 || n > 20) e.per_person_limit = t('ofErrLimit');
  if (!form.id && !v.site && !v.org) e.site = t('ofErrWhere');
  return e;
}

/** Everything for a new one; what changed for an edit (never site or org). */
function body(v, orig) {
  const b = {
    kind: v.kind,
    title_zh: v.title_zh.trim(),
    title_en: v.title_en.trim(),
    description_zh: v.description_zh.trim(),
    description_en: v.description_en.trim(),
    verification_required: v.verification_required,
    per_person_limit: Number(v.per_person_limit),
    cancel_cutoff_s: Number(v.cancel_cutoff_s),
    waitlist: v.waitlist,
    offer_ttl_s: Number(v.offer_ttl_s),
  };
  if (!orig) {
    if (v.site) b.site = Number(v.site);
    if (v.org) b.org = v.org;
    return b;
  }
  b.active = v.active;
  const was = { ...body(orig, null), active: orig.active };
  const out = {};
  for (const k of Object.keys(b)) if (JSON.stringify(b[k]) !== JSON.stringify(was[k])) out[k] = b[k];
  return out;
}

const FIELDS = ['kind', 'title_zh', 'title_en', 'description_zh', 'description_en', 'site', 'org', 'service', 'per_person_limit', 'cancel_cutoff_s', 'offer_ttl_s', 'waitlist', 'verification_required', 'active'];

async function save(ev) {
  ev.preventDefault();
  const f = form;
  f.alert = '';
  f.errors = check(f.v);
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('of-form'));
    return;
  }
  const b = body(f.v, f.orig);
  if (f.id && !Object.keys(b).length) {
    go(`/manage/offerings/${f.id}/slots`);
    return;
  }
  f.busy = true;
  redraw();
  try {
    const o = f.id ? await session.call('PATCH', `/api/offerings/${f.id}`, { json: b }) : await session.call('POST', '/api/offerings', { json: b });
    f.busy = false;
    notes.slots = t(f.id ? 'ofSaved' : 'ofCreated', { title: pick(o, 'title').text });
    form.v = null;
    go(`/manage/offerings/${o.id}/slots`);
    return;
  } catch (e) {
    f.busy = false;
    if (e instanceof ApiError && e.status === 401) return needSignIn(f.id ? `/manage/offerings/${f.id}` : '/manage/offerings/new');
    placeProblem(f, e, (x) => (FIELDS.includes(x) ? (x === 'service' ? null : x) : null), ['ofErr', 'bkErr']);
  }
  redraw();
  focusProblem(document.getElementById('of-form'));
}

function durationOptions(list, current) {
  const vals = list.includes(Number(current)) ? list : [...list, Number(current)].sort((a, b) => a - b);
  return options(
    vals.map((s) => [String(s), s === 0 ? t('ofCutoffNone') : t('ofBefore', { time: durationWords(s) })]),
    String(current),
  );
}

function page(isNew) {
  const f = form;
  const v = f.v;
  const text = (key, label, attrs = {}, hint) =>
    field({ id: `of-${key}`, name: key, label, hint, error: f.errors[key], input: bound('input', v, key, { type: 'text', ...attrs }) });
  const area = (key, label, attrs = {}, hint) =>
    field({ id: `of-${key}`, name: key, label, hint, error: f.errors[key], input: bound('textarea', v, key, { rows: '3', ...attrs }) });
  const siteSel = bound(
    'select',
    v,
    'site',
    { disabled: !isNew },
    h('option', { value: '' }, t('ofNoSite')),
    options(
      (reach.list || []).map((s) => [String(s.id), pick(s, 'name').text]),
      v.site,
    ),
  );
  // The place of an existing offering may be one the list does not have.
  if (v.site && !(reach.list || []).some((s) => String(s.id) === v.site)) siteSel.append(h('option', { value: v.site, selected: true }, `#${v.site}`));
  siteSel.value = v.site;
  const orgSel = bound('select', v, 'org', { disabled: !isNew }, h('option', { value: '' }, t('ofNoOrg')), options(f.orgs.map((o) => [o.code, pick(o, 'name').text]), v.org));
  if (v.org && !f.orgs.some((o) => o.code === v.org)) orgSel.append(h('option', { value: v.org, selected: true }, v.org));
  orgSel.value = v.org;
  const title = isNew ? t('ofNew') : t('ofEditTitle');
  return h(
    'div',
    { class: 'page' },
    tabs('/manage'),
    crumbs(isNew ? '#/manage' : `#/manage/offerings/${f.id}/slots`, isNew ? t('ofListTitle') : t('ofSlotsAndRosters')),
    pageTitle(title),
    h(
      'form',
      { class: 'form', id: 'of-form', novalidate: true, onsubmit: save },
      formAlert(f.alert),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'of-what-h' },
        h('h3', { id: 'of-what-h' }, t('ofWhat')),
        field({ id: 'of-kind', name: 'kind', label: t('ofKind'), error: f.errors.kind, input: bound('select', v, 'kind', {}, options(ALL_KINDS.map((k) => [k, kindWord(k)]), v.kind)) }),
        text('title_zh', t('ofTitleZh'), { maxlength: '200', lang: 'zh-CN', autocomplete: 'off' }),
        text('title_en', t('ofTitleEn'), { maxlength: '200', lang: 'en', autocomplete: 'off' }, t('ofOptional')),
        area('description_zh', t('ofDescZh'), { maxlength: '4000', lang: 'zh-CN' }, t('ofDescHint')),
        area('description_en', t('ofDescEn'), { maxlength: '4000', lang: 'en' }, t('ofOptional')),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'of-where-h' },
        h('h3', { id: 'of-where-h' }, t('ofWhereWho')),
        isNew ? h('p', { class: 'muted' }, t('ofWhereOnce')) : h('p', { class: 'muted' }, t('ofWhereFixed')),
        field({ id: 'of-site', name: 'site', label: t('ofSite'), hint: t('ofSiteHint'), error: f.errors.site, input: siteSel }),
        f.orgs.length || v.org ? field({ id: 'of-org', name: 'org', label: t('ofOrg'), hint: t('ofOrgHint'), error: f.errors.org, input: orgSel }) : null,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'of-rules-h' },
        h('h3', { id: 'of-rules-h' }, t('ofRules')),
        checkbox({ id: 'of-verification_required', st: v, key: 'verification_required', label: t('ofVerify'), error: f.errors.verification_required }),
        field({
          id: 'of-per_person_limit',
          name: 'per_person_limit',
          label: t('ofLimit'),
          hint: t('ofLimitHint'),
          error: f.errors.per_person_limit,
          input: bound('input', v, 'per_person_limit', { type: 'number', min: '1', max: '20', step: '1', inputmode: 'numeric' }),
        }),
        field({ id: 'of-cancel_cutoff_s', name: 'cancel_cutoff_s', label: t('ofCutoff'), error: f.errors.cancel_cutoff_s, input: bound('select', v, 'cancel_cutoff_s', {}, durationOptions(CUTOFFS, v.cancel_cutoff_s)) }),
        checkbox({ id: 'of-waitlist', st: v, key: 'waitlist', label: t('ofWaitlist'), error: f.errors.waitlist, onchange: () => redraw() }),
        v.waitlist
          ? field({
              id: 'of-offer_ttl_s',
              name: 'offer_ttl_s',
              label: t('ofOfferTtl'),
              hint: t('ofOfferTtlHint'),
              error: f.errors.offer_ttl_s,
              input: bound('select', v, 'offer_ttl_s', {}, options(OFFER_TTLS.concat(OFFER_TTLS.includes(Number(v.offer_ttl_s)) ? [] : [Number(v.offer_ttl_s)]).map((s) => [String(s), durationWords(s)]), v.offer_ttl_s)),
            })
          : null,
        isNew ? null : checkbox({ id: 'of-active', st: v, key: 'active', label: t('ofActive'), error: f.errors.active }),
      ),
      h(
        'div',
        { class: 'form-actions' },
        button(isNew ? t('ofCreate') : t('ofSave'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'of-save' }),
        h('a', { class: 'btn btn-secondary btn-block', href: isNew ? '#/manage' : `#/manage/offerings/${f.id}/slots` }, t('cancel')),
      ),
    ),
  );
}

/** The organizations the person may name: their grants' (all for system admins). */
async function loadOrgs() {
  if (reach.global) {
    const r = await getJson('/api/organizations', { limit: 500 }).catch(() => ({ items: [] }));
    return r.items || [];
  }
  return (await Promise.all(reach.orgs.map((c) => orgByCode(c)))).filter(Boolean);
}

export const offeringFormView = {
  title: () => (form.id ? t('ofEditTitle') : t('ofNew')),
  async render(root, params, { first }) {
    const isNew = !params.id;
    const path = isNew ? '/manage/offerings/new' : `/manage/offerings/${params.id}`;
    const title = isNew ? t('ofNew') : t('ofEditTitle');
    if (first) {
      if (!(await whoFirst(root, title))) return;
      if (!rolesAllowed(root, path, MANAGER_ROLES, { title })) return;
      Object.assign(form, { errors: {}, alert: '', busy: false });
      root.replaceChildren(loadingPage(title));
      try {
        await loadReach(MANAGER_ROLES);
        form.orgs = await loadOrgs();
        if (isNew) {
          if (form.id !== null || !form.v) {
            form.id = null;
            form.orig = null;
            form.v = empty();
          }
        } else {
          const o = await getJson(`/api/offerings/${encodeURIComponent(params.id)}`);
          form.id = o.id;
          form.orig = fromOffering(o);
          form.v = fromOffering(o);
        }
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(title, e, crumbs('#/manage', t('ofListTitle'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!rolesAllowed(root, path, MANAGER_ROLES, { title })) return;
    if (!form.v) return;
    root.replaceChildren(page(isNew));
  },
};
