// fair.js - the monthly fair (#/fair/{id}; #/fair is the current one):
// its booths as cards with the queue and the wait, "take a number"
// (signed in; sign-in first otherwise, then back here), my numbers with
// my place and wait, live over the board's stream, and giving a number up.
import { h, langText, textLang } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError, idempotencyKey } from '../api.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, dropLayer } from '../back.js';
import { loadBoard, boardStream, currentFairId, fairWindow, lineOf } from './data.js';

const ACTIVE = new Set(['waiting', 'called']);
const STAFF = session.CONSOLE_ROLES;

const st = {
  id: null,
  board: null, // {fair, booths}
  site: null, // GET /api/sites/{site_id}: the place's name and address
  mine: [], // my tickets at this fair
  error: '', // the page could not be shown
  alert: '', // an answer about the whole page
  boothNote: {}, // booth id -> {text, kind}
  busy: null, // 'b<booth>' | 't<ticket>'
  confirm: null, // the ticket whose giving up is being confirmed
  dismiss: null, // closes the confirmation's history entry
  keys: {}, // booth id -> the Idempotency-Key of a number being taken
  live: 'connecting',
  stream: null,
  wantBooth: null, // the booth whose number was wanted before signing in
  announce: '',
  gen: 0,
};

const mineTimer = { id: 0 };

function myTicketAt(boothId) {
  return st.mine.find((x) => x.booth_id === boothId && ACTIVE.has(x.state)) || null;
}

// ---- answers -------------------------------------------------------------------

async function refreshMine() {
  if (!session.me()) {
    st.mine = [];
    return;
  }
  const id = st.id;
  try {
    const r = await session.call('GET', '/api/me/fair-tickets', { params: { limit: 50 } });
    if (id !== st.id) return;
    const before = new Map(st.mine.map((x) => [x.id, x.state]));
    st.mine = (r.items || []).filter((x) => x.fair_id === st.board?.fair.id || x.fair_id === Number(id));
    // A number just called: say so, out loud for screen readers, and buzz.
    for (const x of st.mine) {
      if (x.state === 'called' && before.get(x.id) === 'waiting') {
        st.announce = t('fairYourTurn', { number: x.number, booth: pick(x.booth, 'name').text });
        navigator.vibrate?.([300, 150, 300]);
      }
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) st.mine = [];
  }
}

function refreshMineSoon() {
  clearTimeout(mineTimer.id);
  mineTimer.id = setTimeout(async () => {
    await refreshMine();
    redraw();
  }, 250);
}

/** Everything again (a reconnection, a change of the fair): resolves to the board. */
async function refreshAll() {
  const id = st.id;
  try {
    const [board] = await Promise.all([loadBoard(id), refreshMine()]);
    if (id !== st.id) return null;
    st.board = board;
    redraw();
    return board;
  } catch {
    return null;
  }
}

function onBooth(line) {
  if (!st.board) return;
  const i = st.board.booths.findIndex((b) => b.id === line.id);
  if (i >= 0) st.board.booths[i] = line;
  if (myTicketAt(line.id)) refreshMineSoon();
  redraw();
}

function startLive() {
  stopLive();
  st.stream = boardStream(st.id, {
    onBooth,
    onStale: refreshAll,
    state: (s) => {
      if (st.live === s) return;
      st.live = s;
      redraw();
    },
  });
}

function stopLive() {
  st.stream?.stop();
  st.stream = null;
}

async function load(id) {
  const gen = ++st.gen;
  st.id = id;
  st.board = null;
  st.site = null;
  st.mine = [];
  st.error = '';
  st.alert = '';
  st.boothNote = {};
  st.confirm = null;
  st.announce = '';
  try {
    await session.refresh().catch(() => null);
    const [board] = await Promise.all([loadBoard(id), refreshMine()]);
    if (gen !== st.gen) return;
    st.board = board;
    st.mine = st.mine.filter((x) => x.fair_id === board.fair.id);
    getJson(`/api/sites/${board.fair.site_id}`, undefined, { channel: 'fair' })
      .then((s) => {
        if (gen !== st.gen) return;
        st.site = s;
        redraw();
      })
      .catch(() => {});
  } catch (e) {
    if (gen !== st.gen) return;
    st.error = e instanceof ApiError && (e.status === 404 || e.status === 400) ? t('fairNotFound') : errorMessage(e);
  }
}

// ---- taking and giving up a number ---------------------------------------------------

async function take(line) {
  const fair = st.board.fair;
  if (!session.me()) {
    st.wantBooth = line.id;
    needSignIn(`/fair/${fair.id}`);
    return;
  }
  st.busy = `b${line.id}`;
  st.boothNote[line.id] = null;
  st.alert = '';
  redraw();
  // One key per number wanted: a retry after a lost answer is not a second number.
  st.keys[line.id] ||= idempotencyKey();
  try {
    const tk = await session.call('POST', `/api/fairs/${fair.id}/booths/${line.id}/tickets`, {
      headers: { 'Idempotency-Key': st.keys[line.id] },
    });
    delete st.keys[line.id];
    st.mine = [tk, ...st.mine.filter((x) => x.id !== tk.id)];
    st.announce = t('fairTaken', { number: tk.number, booth: pick(tk.booth, 'name').text, ahead: tk.ahead ?? 0, min: tk.wait_min ?? 0 });
    st.busy = null;
    redraw();
    document.getElementById(`fair-ticket-${tk.id}`)?.focus();
    refreshAll();
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 0) delete st.keys[line.id];
    if (e instanceof ApiError && e.status === 401) {
      st.busy = null;
      st.wantBooth = line.id;
      needSignIn(`/fair/${fair.id}`);
      return;
    }
    st.boothNote[line.id] = { text: takeError(e), kind: 'error' };
    if (e instanceof ApiError && e.code === 'already_queued') await refreshMine();
    if (e instanceof ApiError && (e.code === 'fair_not_open' || e.code === 'booth_closed')) refreshAll();
  }
  st.busy = null;
  redraw();
  document.getElementById(`fair-take-${line.id}`)?.focus();
}

function takeError(e) {
  if (e instanceof ApiError && ['already_queued', 'fair_not_open', 'booth_closed'].includes(e.code)) return t(`fairErr_${e.code}`);
  return errorMessage(e);
}

function askCancel(tk) {
  st.confirm = tk.id;
  st.dismiss = openLayer(() => {
    // Back pressed: the question goes away, nothing is given up.
    st.confirm = null;
    st.dismiss = null;
    redraw();
    document.getElementById(`fair-cancel-${tk.id}`)?.focus();
  });
  redraw();
  document.getElementById(`fair-confirm-${tk.id}-q`)?.focus();
}

function closeConfirm(tk, { focus = true } = {}) {
  st.confirm = null;
  st.dismiss?.();
  st.dismiss = null;
  redraw();
  if (focus) document.getElementById(`fair-cancel-${tk.id}`)?.focus();
}

async function cancel(tk) {
  st.busy = `t${tk.id}`;
  redraw();
  try {
    const after = await session.call('POST', `/api/me/fair-tickets/${tk.id}/cancel`);
    st.mine = st.mine.map((x) => (x.id === tk.id ? { ...x, ...after } : x));
    st.announce = t('fairGivenUp', { number: tk.number });
  } catch (e) {
    st.alert = e instanceof ApiError && e.code === 'not_in_queue' ? t('fairErr_not_in_queue') : errorMessage(e);
    await refreshMine();
  }
  st.busy = null;
  closeConfirm(tk, { focus: false });
  document.getElementById('fair-mine-h')?.focus();
  refreshAll();
}

// ---- drawing --------------------------------------------------------------------

function liveBadge() {
  const fair = st.board.fair;
  if (fair.state === 'cancelled' || (fair.state === 'closed' && st.live === 'stopped'))
    return h('span', { class: 'fair-live fair-live-off', id: 'fair-live' }, t('fairStatic'));
  const word = st.live === 'live' ? 'fairLive' : st.live === 'stopped' ? 'fairStatic' : 'fairReconnecting';
  return h(
    'span',
    { class: `fair-live fair-live-${st.live}`, id: 'fair-live', 'data-live': st.live },
    h('span', { svg: icon(st.live === 'live' ? 'live' : 'warn', 'icon icon-sm') }),
    t(word),
  );
}

function ticketCard(tk) {
  const booth = pick(tk.booth, 'name');
  const confirming = st.confirm === tk.id;
  const active = ACTIVE.has(tk.state);
  return h(
    'li',
    { class: `fair-ticket fair-ticket-${tk.state}`, id: `fair-ticket-${tk.id}`, tabindex: '-1', 'data-state': tk.state, 'data-booth': tk.booth_id },
    h(
      'div',
      { class: 'fair-ticket-head' },
      h('span', { class: 'fair-ticket-booth', lang: booth.lang }, booth.text),
      h('span', { class: 'fair-ticket-num' }, h('span', { class: 'visually-hidden' }, t('fairNumberIs')), t('fairNumber', { n: tk.number })),
    ),
    h(
      'p',
      { class: 'fair-ticket-state' },
      tk.state === 'waiting'
        ? [h('strong', null, t('fairAhead', { n: tk.ahead ?? 0 })), ' · ', t('fairWait', { n: tk.wait_min ?? 0 })]
        : h('strong', null, t(`fairTicket_${tk.state}`)),
    ),
    active && !confirming
      ? button(t('fairGiveUp'), { id: `fair-cancel-${tk.id}`, cls: 'btn btn-danger-outline', busy: st.busy === `t${tk.id}`, onclick: () => askCancel(tk) })
      : '',
    confirming
      ? h(
          'div',
          { class: 'confirm', role: 'group', 'aria-labelledby': `fair-confirm-${tk.id}-q` },
          h('p', { id: `fair-confirm-${tk.id}-q`, tabindex: '-1' }, t('fairGiveUpQ', { number: tk.number, booth: booth.text })),
          h(
            'div',
            { class: 'btn-row' },
            button(t('fairGiveUpYes'), { id: `fair-confirm-${tk.id}-yes`, cls: 'btn btn-danger', busy: st.busy === `t${tk.id}`, onclick: () => cancel(tk) }),
            button(t('fairGiveUpNo'), { id: `fair-confirm-${tk.id}-no`, cls: 'btn btn-secondary', onclick: () => closeConfirm(tk) }),
          ),
        )
      : '',
  );
}

function mineSection() {
  if (!session.me()) {
    return h(
      'section',
      { class: 'panel fair-mine', id: 'fair-mine', 'aria-labelledby': 'fair-mine-h' },
      h('h3', { id: 'fair-mine-h', tabindex: '-1' }, t('fairMine')),
      h('p', null, t('fairSignInFirst')),
      h('a', { class: 'btn btn-secondary', href: '#/login', id: 'fair-sign-in', onclick: (e) => {
        e.preventDefault();
        needSignIn(`/fair/${st.board.fair.id}`);
      } }, t('fairSignIn')),
    );
  }
  const active = st.mine.filter((x) => ACTIVE.has(x.state));
  const past = st.mine.filter((x) => !ACTIVE.has(x.state));
  return h(
    'section',
    { class: 'panel fair-mine', id: 'fair-mine', 'aria-labelledby': 'fair-mine-h' },
    h('h3', { id: 'fair-mine-h', tabindex: '-1' }, t('fairMine')),
    active.length ? h('ul', { class: 'fair-tickets', id: 'fair-tickets' }, active.map(ticketCard)) : h('p', { class: 'muted', id: 'fair-none-mine' }, t('fairNoneMine')),
    past.length
      ? h(
          'ul',
          { class: 'fair-past', 'aria-label': t('fairPast') },
          past.map((x) => h('li', { 'data-state': x.state }, `${pick(x.booth, 'name').text} ${t('fairNumber', { n: x.number })} · ${t(`fairTicket_${x.state}`)}`)),
        )
      : '',
  );
}

function boothCard(line, fair) {
  const name = pick(line, 'name');
  const mine = myTicketAt(line.id);
  const taking = fair.state === 'open' && line.open;
  const note = st.boothNote[line.id];
  let action;
  if (mine) {
    action = h('a', { class: 'btn btn-secondary fair-have', href: `#fair-ticket-${mine.id}`, id: `fair-take-${line.id}`, onclick: (e) => {
      e.preventDefault();
      document.getElementById(`fair-ticket-${mine.id}`)?.focus();
    } }, h('span', { svg: icon('ticket') }), t('fairHave', { n: mine.number }));
  } else if (taking) {
    action = button([h('span', { svg: icon('ticket') }), t('fairTake')], {
      id: `fair-take-${line.id}`,
      cls: 'btn btn-primary fair-take',
      busy: st.busy === `b${line.id}`,
      onclick: () => take(line),
    });
    action.setAttribute('aria-describedby', `fair-booth-${line.id}-name fair-booth-${line.id}-wait`);
  } else {
    action = h('p', { class: 'fair-closed-note' }, t(fair.state === 'open' ? 'fairBoothClosed' : `fairNoNumbers_${fair.state}`));
  }
  const serving = line.serving || [];
  return h(
    'li',
    { class: `fair-booth${line.open ? '' : ' fair-booth-closed'}`, 'data-booth': line.id, id: `fair-booth-${line.id}` },
    h('h4', { class: 'fair-booth-name', id: `fair-booth-${line.id}-name`, lang: name.lang }, name.text),
    line.organization ? h('p', { class: 'fair-booth-org', lang: textLang(line.organization) }, line.organization) : '',
    h(
      'dl',
      { class: 'fair-stats', id: `fair-booth-${line.id}-wait` },
      h('div', null, h('dt', null, t('fairServing')), h('dd', { class: 'fair-serving' }, serving.length ? serving.join(t('listSep')) : '—')),
      h('div', null, h('dt', null, t('fairQueue')), h('dd', { class: 'fair-queue', 'data-waiting': line.counts.waiting }, t('fairPeople', { n: line.counts.waiting }))),
      h('div', null, h('dt', null, t('fairWaitLabel')), h('dd', { class: 'fair-wait' }, line.counts.waiting ? t('fairWait', { n: line.wait_min }) : t('fairNoWait'))),
    ),
    action,
    // A booth with timed slots (an offering of the booking engine) can be booked for a time instead.
    line.offering && (fair.state === 'open' || fair.state === 'scheduled')
      ? h('a', { class: 'btn btn-secondary fair-book', href: `#/offerings/${line.offering}`, id: `fair-book-${line.id}` }, h('span', { svg: icon('calendar') }), t('fairBookTime'))
      : '',
    note ? formAlert(note.text, note.kind) : '',
  );
}

function draw(root) {
  if (st.error) {
    root.replaceChildren(h('div', { class: 'page fair-page' }, pageTitle(t('fairTitle')), formAlert(st.error)));
    return;
  }
  if (!st.board) {
    root.replaceChildren(h('div', { class: 'page fair-page' }, pageTitle(t('fairTitle')), h('p', { role: 'status' }, t('loading'))));
    return;
  }
  const fair = st.board.fair;
  const title = pick(fair, 'title');
  const heading = pageTitle(title.text);
  heading.lang = title.lang;
  const place = st.site ? pick(st.site, 'name') : null;
  const addr = st.site ? pick(st.site, 'address') : null;
  const staff = session.hasAnyRole(STAFF);
  root.replaceChildren(
    h(
      'div',
      { class: 'page page-wide fair-page', 'data-fair': fair.id, 'data-state': fair.state },
      heading,
      h(
        'div',
        { class: 'fair-facts' },
        h('p', { class: 'fair-when' }, h('span', { svg: icon('clock', 'icon icon-sm') }), fairWindow(fair)),
        place ? h('p', { class: 'fair-where' }, h('span', { svg: icon('pin', 'icon icon-sm') }), h('span', null, langText(place), addr && addr.text ? [' · ', langText(addr)] : '')) : '',
        h('p', { class: 'fair-status' }, h('span', { class: `fair-state fair-state-${fair.state}` }, t(`fairState_${fair.state}`)), ' ', liveBadge()),
      ),
      h('p', { class: 'visually-hidden', role: 'status', id: 'fair-announce' }, st.announce),
      st.alert ? formAlert(st.alert) : '',
      mineSection(),
      h(
        'section',
        { class: 'fair-booths-sec', 'aria-labelledby': 'fair-booths-h' },
        h('h3', { id: 'fair-booths-h' }, t('fairBooths', { n: st.board.booths.length })),
        h('p', { class: 'muted' }, t('fairBoothsLead')),
        h('ul', { class: 'fair-booths', id: 'fair-booths' }, st.board.booths.map((b) => boothCard(b, fair))),
      ),
      h(
        'p',
        { class: 'fair-links' },
        h('a', { href: `#/fair/${fair.id}/board`, id: 'fair-board-link' }, h('span', { svg: icon('screen', 'icon icon-sm') }), t('fairBoardLink')),
        staff ? h('a', { href: `#/fair/${fair.id}/desk`, id: 'fair-desk-link' }, h('span', { svg: icon('call', 'icon icon-sm') }), t('fairDeskLink')) : '',
      ),
    ),
  );
}

export const fairView = {
  title: () => (st.board ? pick(st.board.fair, 'title').text : t('fairTitle')),
  async render(root, params, { first }) {
    if (!first) {
      draw(root);
      return;
    }
    stopLive();
    st.board = null;
    st.error = '';
    draw(root);
    await load(params.id);
    draw(root);
    if (!st.board) return;
    startLive();
    // Back from signing in to take a number: there is the button.
    if (st.wantBooth != null && session.me()) {
      const b = st.wantBooth;
      st.wantBooth = null;
      if (!myTicketAt(b)) {
        st.boothNote[b] = { text: t('fairNowTake'), kind: 'ok' };
        draw(root);
      }
      document.getElementById(`fair-take-${b}`)?.focus();
    }
  },
  leave() {
    stopLive();
    clearTimeout(mineTimer.id);
    // What was open over the page closes with it.
    dropLayer();
    st.confirm = null;
    st.dismiss = null;
  },
};

/** #/fair: the fair open now (or the next, or the latest), under its own URL. */
export const currentFairView = {
  title: () => t('fairTitle'),
  async render(root) {
    root.replaceChildren(h('div', { class: 'page fair-page' }, pageTitle(t('fairTitle')), h('p', { role: 'status' }, t('loading'))));
    try {
      const id = await currentFairId();
      if (id != null) {
        go(`/fair/${id}`, { replace: true });
        return;
      }
      root.replaceChildren(h('div', { class: 'page fair-page' }, pageTitle(t('fairTitle')), h('p', { id: 'fair-none' }, t('fairNone'))));
    } catch (e) {
      root.replaceChildren(h('div', { class: 'page fair-page' }, pageTitle(t('fairTitle')), formAlert(errorMessage(e))));
    }
  },
};
