// mentor.js - the mentor's pages: my hosts (#/mentoring/hosts), a host's
// dashboard (#/mentoring/hosts/:id; only the hosts assigned to me: the
// server refuses the others), a review of one session with concrete advice
// (#/mentoring/hosts/:id/sessions/:sid/review; the host gets an inbox
// notice), and my one-to-one times (#/mentoring/one-to-ones): open one,
// see who booked it.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, formAlert, button, errorMessage, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { ApiError, idempotencyKey } from '../api.js';
import { dashboard, dropDashboard, shortWhen } from './dashboard.js';

const st = { hosts: null, dash: null, dashFor: null, slots: null, alert: '', note: '', busy: false, errors: {} };
const review = { summary: '', advice: '' };
const offer = { site: '', starts_at: '', minutes: '60' };

/** Signed in, or sent to sign in; then true. Later drawings do not wait
 * (a redraw must be done when it returns: focus moves after it). */
function signedIn(path) {
  if (!session.me()) {
    needSignIn(path);
    return false;
  }
  return true;
}

function failed(e) {
  if (e instanceof ApiError && e.status === 401 && !session.me()) return;
  st.alert = errorMessage(e);
}

/**
 * Send a form: fn() makes the call (false: it went to another page). An
 * error about a field fieldOf() knows goes next to it, others on the form;
 * then focus goes to the problem.
 */
async function submit(root, fieldOf, fn) {
  st.errors = {};
  st.alert = '';
  st.note = '';
  st.busy = true;
  redraw();
  try {
    if ((await fn()) === false) return;
  } catch (e) {
    const key = e instanceof ApiError && e.field ? fieldOf(e.field) : null;
    if (key) st.errors[key] = errorMessage(e);
    else failed(e);
  }
  st.busy = false;
  redraw();
  focusProblem(root);
}

function backLink(href) {
  return h('a', { class: 'btn btn-secondary', href, id: 'mt-back' }, t('mtBack'));
}

export const hostsView = {
  title: () => t('mtHostsTitle'),
  async render(root, params, { first }) {
    if (first) await session.refresh().catch(() => null);
    if (!signedIn('/mentoring/hosts')) return;
    if (first) {
      st.alert = '';
      try {
        st.hosts = (await session.call('GET', '/api/mentoring/hosts')).items;
      } catch (e) {
        st.hosts = [];
        failed(e);
      }
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('mtHostsTitle')),
        h('p', { class: 'page-lead' }, t('mtHostsLead')),
        h('a', { class: 'btn btn-secondary btn-block', href: '#/mentoring/one-to-ones', id: 'mt-to-offers' }, t('mtToOffers')),
        formAlert(st.alert),
        st.hosts && st.hosts.length
          ? h(
              'ul',
              { class: 'people-list', id: 'mt-hosts' },
              st.hosts.map((x) =>
                h(
                  'li',
                  { class: 'person', id: `mt-host-${x.id}` },
                  h('h4', { class: 'person-name' }, x.name),
                  h('p', { class: 'person-meta' }, x.category ? t(`mtCat_${x.category}`) : '', ' · ', x.sessions ? t('mtHostLine', { n: x.sessions, when: shortWhen(x.last_session_at) }) : t('mtHostNever')),
                  h('a', { class: 'btn btn-primary btn-block', href: `#/mentoring/hosts/${x.id}`, id: `mt-open-${x.id}` }, t('mtOpen')),
                ),
              ),
            )
          : h('p', { class: 'muted', id: 'mt-hosts-none' }, t('mtHostsNone')),
      ),
    );
  },
};

async function loadDash(id) {
  st.alert = '';
  st.dash = null;
  st.dashFor = id;
  try {
    st.dash = await session.call('GET', `/api/mentoring/hosts/${id}/dashboard`);
  } catch (e) {
    failed(e);
  }
}

export const hostDashView = {
  title: () => (st.dash ? st.dash.host.name : t('mtHostsTitle')),
  async render(root, params, { first }) {
    const path = `/mentoring/hosts/${params.id}`;
    if (first) await session.refresh().catch(() => null);
    if (!signedIn(path)) return;
    if (first) await loadDash(params.id);
    const d = st.dash;
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        backLink('#/mentoring/hosts'),
        pageTitle(d ? d.host.name : t('mtHostsTitle')),
        formAlert(st.alert),
        formAlert(st.note, 'ok'),
        d ? dashboard(d, { reviewHref: (s) => `#/mentoring/hosts/${params.id}/sessions/${s.id}/review` }) : null,
      ),
    );
  },
  leave() {
    st.note = '';
    return dropDashboard();
  },
};

export const reviewView = {
  title: () => t('mtReviewTitle'),
  async render(root, params, { first }) {
    const path = `/mentoring/hosts/${params.id}/sessions/${params.sid}/review`;
    if (first) await session.refresh().catch(() => null);
    if (!signedIn(path)) return;
    if (first) {
      st.errors = {};
      st.note = '';
      if (st.dashFor !== params.id || !st.dash) await loadDash(params.id);
    }
    const s = st.dash && st.dash.sessions.find((x) => String(x.id) === String(params.sid));
    const send = () =>
      submit(root, (f) => (/^advice/.test(f) ? 'advice' : f === 'summary' ? 'summary' : null), async () => {
        const advice = review.advice.split('\n').map((x) => x.trim()).filter(Boolean);
        await session.call('POST', `/api/mentoring/sessions/${params.sid}/reviews`, {
          json: { summary: review.summary.trim(), advice },
          headers: { 'Idempotency-Key': idempotencyKey() },
        });
        review.summary = '';
        review.advice = '';
        st.busy = false;
        await loadDash(params.id);
        st.note = t('mtReviewSent');
        go(`/mentoring/hosts/${params.id}`);
        return false;
      });
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        backLink(`#/mentoring/hosts/${params.id}`),
        pageTitle(t('mtReviewTitle')),
        formAlert(st.alert),
        s
          ? h('p', { class: 'page-lead', id: 'mt-review-session' },
            `${shortWhen(s.starts_at)} · ${t('mtViewers')} ${s.viewers} · ${t('mtOrders')} ${s.orders} · ${t('mtGmv')} ${s.gmv}`)
          : null,
        h(
          'form',
          { class: 'form panel', id: 'mt-review-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); send(); } },
          field({ id: 'mt-summary', label: t('mtSummary'), error: st.errors.summary, name: 'summary', input: bound('textarea', review, 'summary', { rows: '3', maxlength: '2000' }) }),
          field({ id: 'mt-advice', label: t('mtAdvice'), hint: t('mtAdviceHint'), error: st.errors.advice, name: 'advice', input: bound('textarea', review, 'advice', { rows: '5' }) }),
          button(t('mtSend'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'mt-send-review', busy: st.busy }),
        ),
      ),
    );
  },
};

async function loadSlots() {
  try {
    st.slots = (await session.call('GET', '/api/mentoring/one-to-ones')).items;
  } catch (e) {
    st.slots = [];
    failed(e);
  }
}

export const offersView = {
  title: () => t('mtOffersTitle'),
  async render(root, params, { first }) {
    if (first) await session.refresh().catch(() => null);
    if (!signedIn('/mentoring/one-to-ones')) return;
    if (first) {
      st.alert = '';
      st.note = '';
      st.errors = {};
      await loadSlots();
    }
    const send = () =>
      submit(root, (f) => (f in offer ? f : null), async () => {
        const when = offer.starts_at.length === 16 ? `${offer.starts_at}:00` : offer.starts_at;
        // The wall time with this device's offset (the city's, on a phone there).
        const off = -new Date(when).getTimezoneOffset();
        const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
        await session.call('POST', '/api/mentoring/one-to-ones', {
          json: { site: Number(offer.site), starts_at: `${when}${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`, minutes: Number(offer.minutes) },
          headers: { 'Idempotency-Key': idempotencyKey() },
        });
        st.note = t('mtOffered');
        await loadSlots();
      });
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        backLink('#/mentoring/hosts'),
        pageTitle(t('mtOffersTitle')),
        h('p', { class: 'page-lead' }, t('mtOfferLead')),
        formAlert(st.alert),
        formAlert(st.note, 'ok'),
        h(
          'form',
          { class: 'form panel', id: 'mt-offer-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); send(); } },
          field({ id: 'mt-o-site', label: t('mtSite'), hint: t('mtSiteHint'), error: st.errors.site, name: 'site', input: bound('input', offer, 'site', { type: 'number', inputmode: 'numeric', min: '1' }) }),
          field({ id: 'mt-o-start', label: t('mtStartLocal'), error: st.errors.starts_at, name: 'starts_at', input: bound('input', offer, 'starts_at', { type: 'datetime-local' }) }),
          field({ id: 'mt-o-minutes', label: t('mtMinutes'), error: st.errors.minutes, name: 'minutes', input: bound('input', offer, 'minutes', { type: 'number', inputmode: 'numeric', min: '15', max: '240' }) }),
          button(t('mtOffer'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'mt-offer', busy: st.busy }),
        ),
        st.slots && st.slots.length
          ? h(
              'ul',
              { class: 'people-list', id: 'mt-offers' },
              st.slots.map((s) =>
                h(
                  'li',
                  { class: 'person', id: `mt-offer-${s.id}` },
                  h('h4', { class: 'person-name' }, `${shortWhen(s.starts_at)} – ${s.ends_at.slice(11, 16)}`),
                  h('p', { class: 'person-meta' }, s.site.name_zh || '', ' · ', s.host ? t('mtBookedBy', { name: s.host.name || '' }) : t('mtFree')),
                ),
              ),
            )
          : h('p', { class: 'muted', id: 'mt-offers-none' }, t('mtOffersNone')),
      ),
    );
  },
};
