// mine.js - my volunteering (#/volunteer/me): my squads, the confirmed
// hours in all and by squad, each shift worked with its state and points,
// my code for the leader to scan (shown large over the page; Back closes
// it), a link to the printable certificate. And my points (#/points):
// the balance, what expires at the end of this year, the history, and
// the leaders of my squad and my street.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import { formAlert } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { loadingPage, failedPage, problemWords } from '../bookings/common.js';
import { momentWords, dayWords, dayKey } from '../bookings/time.js';
import { qrSvg } from '../bookings/qr.js';
import { squadName, hoursNumber, minutesWords, hoursState } from './common.js';
import { boardPanel, myLinks } from './squads.js';

// ---- my volunteering ---------------------------------------------------------------------

const me = { data: null, code: { open: false, token: '', error: '' } };

async function fetchCode() {
  try {
    const r = await session.call('GET', '/api/me/qr');
    me.code.token = r.token;
    me.code.error = '';
  } catch (e) {
    me.code.error = problemWords(e);
  }
  if (me.code.open) redraw();
}

function openCode() {
  me.code.open = true;
  me.code.token = '';
  openLayer(() => {
    me.code.open = false;
    redraw();
    document.getElementById('vo-my-code')?.focus();
  });
  redraw();
  document.getElementById('vo-code-close')?.focus();
  fetchCode();
}

function codeLayer() {
  if (!me.code.open) return null;
  return h(
    'div',
    { class: 'bk-layer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'vo-code-h', id: 'vo-code-layer', onkeydown: (e) => e.key === 'Escape' && closeLayer() },
    h(
      'div',
      { class: 'bk-dialog' },
      h('h3', { id: 'vo-code-h' }, t('voShowMyCode')),
      me.code.error ? formAlert(me.code.error) : null,
      me.code.token
        ? [h('div', { class: 'bk-qr bk-qr-large', svg: qrSvg(me.code.token) }), h('p', { class: 'bk-code vo-code-text', id: 'vo-code-text' }, me.code.token)]
        : me.code.error
          ? null
          : h('p', { class: 'muted', role: 'status' }, t('loading')),
      h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'vo-code-close', onclick: () => closeLayer() }, t('voCloseCode')),
    ),
  );
}

function hoursItem(x, squads) {
  const s = squads.get(x.squad);
  const name = s ? squadName(s) : null;
  return h(
    'li',
    { class: 'vo-hours', 'data-hours': x.id, 'data-state': x.state },
    h('span', { class: 'vo-hours-when' }, x.checked_in_at ? momentWords(x.checked_in_at) : ''),
    name ? h('span', { class: 'vo-card-meta', lang: name.lang }, name.text) : null,
    h('span', null, t('voHoursLine', { time: x.minutes != null ? minutesWords(x.minutes) : '—', state: hoursState(x.state) })),
    x.state === 'confirmed' && x.points ? h('strong', { class: 'vo-points-got' }, t('voPointsGot', { n: x.points })) : null,
  );
}

function drawMe(root) {
  const d = me.data;
  const squads = new Map(d.squads.map((s) => [s.id, s]));
  const layer = codeLayer();
  root.replaceChildren(
    ...[
      h(
        'div',
        { class: 'page', id: 'vo-me', inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
        pageTitle(t('voMeTitle')),
        h(
          'section',
          { class: 'panel vo-total', 'aria-labelledby': 'vo-total-h' },
          h('h3', { id: 'vo-total-h' }, t('voTotal')),
          h('p', { class: 'vo-big', id: 'vo-total', 'data-minutes': d.total_minutes }, t('voTotalHours', { h: hoursNumber(d.total_minutes) })),
          d.totals.length
            ? h(
                'ul',
                { class: 'vo-totals', id: 'vo-totals' },
                d.totals.map((x) => h('li', null, h('span', { lang: pick(x, 'name').lang }, pick(x, 'name').text), ' ', h('strong', null, minutesWords(x.minutes)))),
              )
            : null,
          h('a', { class: 'btn btn-secondary btn-block', href: '/api/me/volunteer/certificate', target: '_blank', rel: 'noopener', id: 'vo-certificate' }, t('voCertificate')),
          h('p', { class: 'muted' }, t('voCertificateHint')),
        ),
        h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'vo-my-code', onclick: openCode }, t('voShowMyCode')),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'vo-my-squads-h' },
          h('h3', { id: 'vo-my-squads-h' }, t('voMySquads')),
          d.squads.length
            ? h(
                'ul',
                { class: 'vo-cards', id: 'vo-my-squads' },
                d.squads.map((s) =>
                  h(
                    'li',
                    { class: 'vo-card' },
                    h('a', { class: 'vo-card-link', href: `#/volunteer/squads/${s.id}` }, h('span', { class: 'vo-card-title', lang: squadName(s).lang }, squadName(s).text), s.leading ? h('span', { class: 'vo-tag' }, t('voImLeader')) : null),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, t('voNoMySquads')),
          h('a', { class: 'btn btn-secondary btn-block', href: '#/volunteer', id: 'vo-find' }, t('voFindSquads')),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'vo-hours-h' },
          h('h3', { id: 'vo-hours-h' }, t('voMyHours')),
          d.hours.length ? h('ul', { class: 'vo-hours-list', id: 'vo-hours' }, d.hours.map((x) => hoursItem(x, squads))) : h('p', { class: 'muted' }, t('voNoHours')),
        ),
        h('p', null, h('a', { class: 'btn btn-secondary btn-block', href: '#/points', id: 'vo-to-points' }, t('voMyPoints'))),
      ),
      layer,
    ].filter(Boolean),
  );
}

function signedInFirst(root, path, title) {
  if (session.me()) return true;
  needSignIn(path);
  root.replaceChildren(h('div', { class: 'page' }, pageTitle(title), h('p', null, t('voSignInFirst'))));
  return false;
}

export const myVolunteerView = {
  title: () => t('voMeTitle'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voMeTitle')));
      try {
        await session.refresh({ force: true });
        if (!signedInFirst(root, '/volunteer/me', t('voMeTitle'))) return;
        me.data = await session.call('GET', '/api/me/volunteer');
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voMeTitle'), e));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!me.data) return;
    drawMe(root);
  },
  leave() {
    dropLayer();
    me.code.open = false;
  },
};

// ---- my points -------------------------------------------------------------------------------

const pts = { data: null, squad: null, board: null, street: null };

function reasonWords(e) {
  if (e.kind === 'expire' || e.kind === 'expiry') return t('voReason_expiry');
  const key = `voReason_${String(e.reason || '').split(':')[0]}`;
  const w = t(key);
  return w === key ? t('voReason_other') : w;
}

function drawPoints(root) {
  const d = pts.data;
  const exp = d.expiring || {};
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'vo-points' },
      pageTitle(t('voPointsTitle')),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'vo-balance-h' },
        h('h3', { id: 'vo-balance-h' }, t('voBalance')),
        h('p', { class: 'vo-big', id: 'vo-balance', 'data-points': d.balance }, t('voPointsN', { n: d.balance })),
        h('p', { id: 'vo-expiring' }, exp.points ? t('voExpiring', { n: exp.points, when: dayWords(dayKey(Date.parse(exp.at) - 1000)) }) : t('voNoExpiring')),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'vo-history-h' },
        h('h3', { id: 'vo-history-h' }, t('voHistory')),
        (d.items || []).length
          ? h(
              'ul',
              { class: 'vo-ledger', id: 'vo-ledger' },
              d.items.map((e) =>
                h(
                  'li',
                  { 'data-reason': e.reason },
                  h('span', { class: 'vo-ledger-what' }, reasonWords(e)),
                  h('span', { class: 'vo-card-meta' }, e.at ? momentWords(e.at) : ''),
                  h('strong', { class: e.points < 0 ? 'vo-minus' : 'vo-plus' }, e.points > 0 ? `+${e.points}` : String(e.points)),
                ),
              ),
            )
          : h('p', { class: 'muted' }, t('voNoHistory')),
      ),
      boardPanel('vo-board-squad', pts.squad ? `${t('voBoardSquad')} · ${squadName(pts.squad).text}` : t('voBoardSquad'), pts.board),
      boardPanel('vo-board-street', pts.squad ? `${t('voBoardStreet')} · ${pick(pts.squad, 'street_name').text}` : t('voBoardStreet'), pts.street),
      myLinks(),
    ),
  );
}

export const pointsView = {
  title: () => t('voPointsTitle'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voPointsTitle')));
      try {
        await session.refresh({ force: true });
        if (!signedInFirst(root, '/points', t('voPointsTitle'))) return;
        const [d, v] = await Promise.all([session.call('GET', '/api/me/points', { params: { limit: 100 } }), session.call('GET', '/api/me/volunteer').catch(() => null)]);
        pts.data = d;
        pts.squad = v && v.squads[0] ? v.squads[0] : null;
        pts.board = null;
        pts.street = null;
        if (pts.squad) {
          const [b, s] = await Promise.all([
            session.call('GET', '/api/points/leaders', { params: { squad: pts.squad.id, limit: 10 } }).catch(() => null),
            session.call('GET', '/api/points/leaders', { params: { street: pts.squad.street, limit: 10 } }).catch(() => null),
          ]);
          pts.board = b;
          pts.street = s;
        }
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voPointsTitle'), e));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!pts.data) return;
    drawPoints(root);
  },
};
