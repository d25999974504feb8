// detail.js - one service (#/services/{id}): what it is, who may use it,
// the documents to bring, where (each place with open now, the next
// change, its hours and one tap to navigate), fees, languages, and whom
// to call.
import { h, langText, textLang } from '../dom.js';
import { t, pick, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError } from '../api.js';
import { distanceM } from '../geo.js';
import { formAlert, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { apiDatum, districtCentre, knownFix } from '../point.js';
import { openLine, serviceTags, hoursBlock, navButtons, callButton } from './view.js';

const st = {
  id: null,
  service: null,
  org: null,
  sites: new Map(), // site id -> GET /api/sites/{id} (nav, phone)
  point: null,
  error: '',
  gen: 0,
};

const LANG_WORDS = { zh: 'svcLang_zh', en: 'svcLang_en' };

async function load(id) {
  const gen = ++st.gen;
  st.id = id;
  st.service = null;
  st.org = null;
  st.sites = new Map();
  st.error = '';
  try {
    const datum = await apiDatum();
    const fix = knownFix(datum);
    const [s, centre] = await Promise.all([
      getJson(`/api/services/${encodeURIComponent(id)}`, { datum }, { channel: 'services' }),
      fix ? Promise.resolve(fix) : districtCentre(datum).catch(() => null),
    ]);
    if (gen !== st.gen) return;
    st.service = s;
    st.point = centre ? { lat: centre.lat, lon: centre.lon, gps: Boolean(fix) } : null;
    redraw();
    // Whom to call, and the map apps' links of each place: not needed to
    // show the page, so they come as they come.
    const extra = [
      s.organization
        ? getJson(`/api/organizations/${encodeURIComponent(s.organization.code)}`, undefined, { channel: 'services' }).then((o) => {
            st.org = o;
          })
        : null,
      ...(s.locations || []).map((l) =>
        getJson(`/api/sites/${l.site.id}`, { datum }, { channel: 'services' }).then((site) => {
          st.sites.set(l.site.id, site);
        }),
      ),
    ].filter(Boolean);
    await Promise.allSettled(extra);
    if (gen !== st.gen) return;
  } catch (e) {
    if (gen !== st.gen) return;
    st.error = e instanceof ApiError && (e.status === 404 || e.status === 400) ? t('svcNotFound') : errorMessage(e);
  }
}

function section(id, heading, iconName, ...body) {
  return h(
    'section',
    { class: 'panel svc-sec', id, 'aria-labelledby': `${id}-h` },
    h('h3', { id: `${id}-h`, class: 'svc-sec-h' }, h('span', { svg: icon(iconName) }), heading),
    ...body,
  );
}

function locationsOrdered(s) {
  const locs = (s.locations || []).map((l) => ({
    ...l,
    distance_m: st.point ? distanceM(st.point, l.site.position) : null,
  }));
  if (st.point) locs.sort((a, b) => a.distance_m - b.distance_m);
  return locs;
}

function locationItem(l) {
  const site = l.site;
  const name = pick(site, 'name');
  const addr = pick(site, 'address');
  const note = pick(l, 'note');
  const detail = st.sites.get(site.id);
  return h(
    'li',
    { class: 'svc-loc', 'data-site': site.id },
    h(
      'div',
      { class: 'svc-loc-head' },
      h('h4', { class: 'svc-loc-name', lang: name.lang }, name.text),
      l.distance_m != null ? h('span', { class: 'svc-loc-dist' }, formatDistance(l.distance_m)) : '',
    ),
    openLine(l, site.status, 'svc-state state-big'),
    hoursBlock(l.opening_hours),
    note.text ? h('p', { class: 'svc-loc-note', lang: note.lang }, note.text) : '',
    addr.text ? h('p', { class: 'svc-loc-addr' }, h('span', { svg: icon('pin', 'icon icon-sm') }), langText(addr)) : '',
    detail ? navButtons(detail.nav, `loc-${site.id}`) : '',
    h('p', { class: 'svc-loc-more' }, h('a', { href: `#/services/site/${site.id}`, id: `svc-loc-${site.id}-all` }, t('svcAllHere'))),
  );
}

function contactBlock(s) {
  const org = st.org;
  const phone = s.phone || (org && org.phone) || '';
  const email = s.email || (org && org.email) || '';
  const url = s.url || (org && org.website) || '';
  const who = s.contact_name || (org && org.contact_name) || '';
  const orgName = pick(s.organization || {}, 'name');
  const web = /^https?:\/\//i.test(url) ? url : '';
  return section(
    'svc-contact',
    t('svcContact'),
    'phone',
    h('p', { class: 'svc-org', lang: orgName.lang }, orgName.text),
    who ? h('p', { class: 'muted' }, t('svcContactName'), h('span', { lang: textLang(who) }, who)) : '',
    callButton(phone, 'svc-call'),
    email || web
      ? h(
          'p',
          { class: 'svc-links' },
          email ? h('a', { href: `mailto:${email}`, class: 'svc-link' }, h('span', { svg: icon('mail', 'icon icon-sm') }), email) : '',
          web
            ? h('a', { href: web, class: 'svc-link', target: '_blank', rel: 'noopener noreferrer' }, h('span', { svg: icon('external', 'icon icon-sm') }), t('svcWebsite'))
            : '',
        )
      : '',
    !phone && !email && !web ? h('p', { class: 'muted' }, t('svcNoContact')) : '',
  );
}

function draw(root) {
  const crumbs = h(
    'p',
    { class: 'crumbs' },
    h('a', { href: '#/services', id: 'svc-back' }, h('span', { svg: icon('back', 'icon icon-sm') }), t('svcBackToList')),
  );
  if (st.error) {
    root.replaceChildren(h('div', { class: 'page svc-detail' }, crumbs, pageTitle(t('svcTitle')), formAlert(st.error)));
    return;
  }
  const s = st.service;
  if (!s) {
    root.replaceChildren(h('div', { class: 'page svc-detail' }, crumbs, pageTitle(t('svcTitle')), h('p', { role: 'status' }, t('loading'))));
    return;
  }
  const name = pick(s, 'name');
  const title = pageTitle(name.text);
  title.lang = name.lang;
  const cat = pick(s.category || {}, 'name');
  const org = pick(s.organization || {}, 'name');
  const desc = pick(s, 'description');
  const elig = pick(s, 'eligibility');
  const fees = pick(s, 'fees');
  const docs = s.required_documents || [];
  const locs = locationsOrdered(s);
  root.replaceChildren(
    h(
      'div',
      { class: 'page svc-detail', 'data-id': s.id },
      crumbs,
      title,
      h('p', { class: 'svc-sub' }, h('span', { lang: cat.lang }, cat.text), ' · ', h('span', { lang: org.lang }, org.text)),
      h('p', { class: 'svc-tags' }, serviceTags(s)),
      desc.text ? h('p', { class: 'svc-desc', lang: desc.lang }, desc.text) : '',
      section(
        'svc-docs',
        t('svcDocs'),
        'doc',
        docs.length
          ? h(
              'ul',
              { class: 'svc-docs' },
              docs.map((d) => {
                const p = pick({ t_zh: d.zh, t_en: d.en }, 't');
                return h('li', null, h('span', { class: 'svc-doc-icon', svg: icon('check', 'icon icon-sm') }), h('span', { lang: p.lang }, p.text));
              }),
            )
          : h('p', { class: 'muted' }, t('svcDocsNone')),
      ),
      section(
        'svc-who',
        t('svcWho'),
        'people',
        elig.text ? h('p', { lang: elig.lang }, elig.text) : h('p', { class: 'muted' }, t('svcWhoAnyone')),
        s.requires_verified ? h('p', { class: 'svc-verify-note' }, h('span', { svg: icon('shield', 'icon icon-sm') }), t('svcVerifyNote')) : '',
      ),
      section(
        'svc-where',
        t('svcWhere'),
        'pin',
        locs.length
          ? [
              st.point ? h('p', { class: 'muted' }, t(st.point.gps ? 'svcWhereFromYou' : 'svcWhereFromCentre')) : '',
              h('ul', { class: 'svc-locs' }, locs.map(locationItem)),
            ]
          : h('p', { class: 'muted' }, t('svcNoPlace')),
      ),
      section(
        'svc-fees',
        t('svcFeesLangs'),
        'yuan',
        h(
          'dl',
          { class: 'svc-facts' },
          h('div', null, h('dt', null, t('svcFees')), h('dd', { lang: fees.text ? fees.lang : null }, s.free ? t('svcFree') : fees.text || t('svcFeeAsk'))),
          h(
            'div',
            null,
            h('dt', null, t('svcLanguages')),
            h('dd', null, (s.languages || []).map((l) => (LANG_WORDS[l] ? t(LANG_WORDS[l]) : l)).join(t('listSep')) || '—'),
          ),
        ),
      ),
      contactBlock(s),
    ),
  );
}

export const serviceView = {
  title: () => (st.service ? pick(st.service, 'name').text : t('svcTitle')),
  async render(root, params, { first }) {
    if (first) {
      st.service = null;
      st.error = '';
      draw(root);
      await load(params.id);
      redraw();
      return;
    }
    draw(root);
  },
};
