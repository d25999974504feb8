// desk.js - the fair's staff desk (#/fair/{id}/desk), for staff of the
// fair's site: pick a booth, call the next number, mark the one served
// done or skipped, give up a number for someone, and take a number for
// someone without a phone (with an optional name) on a slip to print.
// Whether the person may is the server's to say: a 403 is put in words.
import { h, textLang } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError, idempotencyKey } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, dropLayer } from '../back.js';
import { loadBoard, boardStream, fairWindow, clockTime, lineOf } from './data.js';

const BOOTH_KEY = 'wh.desk.booth';

const st = {
  id: null,
  board: null,
  site: null,
  boothId: null,
  called: [],
  waiting: [],
  loaded: false,
  error: '', // the page cannot be shown
  denied: '', // the server said no (403)
  alert: '',
  note: '',
  busy: null,
  confirm: null,
  dismissConfirm: null,
  kiosk: { name: '', busy: false, error: '' },
  slip: null, // the kiosk ticket shown on its slip
  dismissSlip: null,
  keys: {}, // action -> Idempotency-Key, kept while its answer is unknown
  live: 'connecting',
  stream: null,
  gen: 0,
};

let ticketsTimer = 0;

function savedBooth(fairId) {
  try {
    const v = JSON.parse(localStorage.getItem(BOOTH_KEY) || 'null');
    return v && v.fair === fairId ? v.booth : null;
  } catch {
    return null;
  }
}

function saveBooth(fairId, boothId) {
  try {
    localStorage.setItem(BOOTH_KEY, JSON.stringify({ fair: fairId, booth: boothId }));
  } catch {
    /* not remembered */
  }
}

function deniedText(e) {
  const place = st.site ? pick(st.site, 'name').text : t('deskThisSite');
  return e.code === 'out_of_scope' || e.status === 403 ? t('deskDenied', { site: place }) : errorMessage(e);
}

/** A staff write with an Idempotency-Key kept until its answer is known. */
async function staffPost(action, path, opts = {}) {
  st.keys[action] ||= idempotencyKey();
  try {
    const r = await session.call('POST', path, { ...opts, headers: { 'Idempotency-Key': st.keys[action] } });
    delete st.keys[action];
    return r;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 0) delete st.keys[action];
    throw e;
  }
}

// ---- answers ---------------------------------------------------------------------

let ticketsGen = 0;

async function loadTickets() {
  // Only the answer to the latest question counts (the booth may change meanwhile).
  const gen = ++ticketsGen;
  const base = `/api/fairs/${st.id}/booths/${st.boothId}/tickets`;
  try {
    const [called, waiting] = await Promise.all([
      session.call('GET', base, { params: { state: 'called' } }),
      session.call('GET', base, { params: { state: 'waiting' } }),
    ]);
    if (gen !== ticketsGen) return;
    st.called = called.items || [];
    st.waiting = waiting.items || [];
    st.denied = '';
    st.loaded = true;
  } catch (e) {
    if (gen !== ticketsGen) return;
    if (e instanceof ApiError && e.status === 401) {
      needSignIn(`/fair/${st.id}/desk`);
      return;
    }
    if (e instanceof ApiError && e.status === 403) st.denied = deniedText(e);
    else st.alert = errorMessage(e);
    st.loaded = true;
  }
}

function loadTicketsSoon() {
  clearTimeout(ticketsTimer);
  ticketsTimer = setTimeout(async () => {
    await loadTickets();
    redraw();
  }, 200);
}

async function refetchAll() {
  const id = st.id;
  try {
    const board = await loadBoard(id);
    if (id !== st.id) return null;
    st.board = board;
    await loadTickets();
    redraw();
    return board;
  } catch {
    return null;
  }
}

function startLive() {
  stopLive();
  st.stream = boardStream(st.id, {
    onBooth: (line) => {
      const i = st.board.booths.findIndex((b) => b.id === line.id);
      if (i >= 0) st.board.booths[i] = line;
      if (line.id === st.boothId) loadTicketsSoon();
      redraw();
    },
    onStale: refetchAll,
    state: (s) => {
      st.live = s;
      redraw();
    },
  });
}

function stopLive() {
  st.stream?.stop();
  st.stream = null;
  clearTimeout(ticketsTimer);
}

// ---- actions ---------------------------------------------------------------------

async function pickBooth(id) {
  st.boothId = id;
  saveBooth(st.id, id);
  st.called = [];
  st.waiting = [];
  st.loaded = false;
  st.alert = '';
  st.note = '';
  st.slip = null;
  redraw();
  await loadTickets();
  redraw();
}

async function callNext() {
  st.busy = 'call';
  st.alert = '';
  st.note = '';
  redraw();
  try {
    const tk = await staffPost(`call:${st.boothId}`, `/api/fairs/${st.id}/booths/${st.boothId}/call-next`);
    st.note = t('deskCalled', { n: tk.number });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'queue_empty') st.note = t('deskQueueEmpty');
    else if (e instanceof ApiError && e.status === 403) st.denied = deniedText(e);
    else st.alert = errorMessage(e);
  }
  await loadTickets();
  st.busy = null;
  redraw();
  document.getElementById('desk-call-next')?.focus();
}

async function finish(tk, action) {
  st.busy = `${action}${tk.id}`;
  st.alert = '';
  st.note = '';
  redraw();
  try {
    await staffPost(`${action}:${tk.id}`, `/api/fair-tickets/${tk.id}/${action}`);
    st.note = t(`deskDid_${action}`, { n: tk.number });
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'not_called' || e.code === 'not_in_queue')) st.alert = t('deskNotNow', { n: tk.number });
    else st.alert = errorMessage(e);
  }
  await loadTickets();
  st.busy = null;
  if (st.confirm === tk.id) closeConfirm(false);
  redraw();
  document.getElementById(st.called.length ? `desk-done-${st.called[0].id}` : 'desk-call-next')?.focus();
}

function askCancel(tk) {
  st.confirm = tk.id;
  st.dismissConfirm = openLayer(() => {
    st.confirm = null;
    st.dismissConfirm = null;
    redraw();
    document.getElementById(`desk-cancel-${tk.id}`)?.focus();
  });
  redraw();
  document.getElementById(`desk-confirm-${tk.id}-q`)?.focus();
}

function closeConfirm(focus = true) {
  const id = st.confirm;
  st.confirm = null;
  st.dismissConfirm?.();
  st.dismissConfirm = null;
  redraw();
  if (focus && id != null) document.getElementById(`desk-cancel-${id}`)?.focus();
}

async function kioskTicket(ev) {
  ev.preventDefault();
  const k = st.kiosk;
  k.busy = true;
  k.error = '';
  redraw();
  try {
    const name = k.name.trim();
    const tk = await staffPost(`kiosk:${st.boothId}:${name}`, `/api/fairs/${st.id}/booths/${st.boothId}/kiosk-tickets`, { json: name ? { name } : {} });
    k.name = '';
    k.busy = false;
    openSlip(tk);
    loadTicketsSoon();
    return;
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'fair_not_open' || e.code === 'booth_closed')) k.error = t(`fairErr_${e.code}`);
    else if (e instanceof ApiError && e.status === 403) st.denied = deniedText(e);
    else k.error = errorMessage(e);
  }
  k.busy = false;
  redraw();
  document.getElementById('desk-kiosk-name')?.focus();
}

function openSlip(tk) {
  st.slip = tk;
  st.dismissSlip = openLayer(() => {
    st.slip = null;
    st.dismissSlip = null;
    redraw();
    document.getElementById('desk-kiosk-go')?.focus();
  });
  redraw();
  document.getElementById('desk-slip-title')?.focus();
}

function closeSlip() {
  st.slip = null;
  st.dismissSlip?.();
  st.dismissSlip = null;
  redraw();
  document.getElementById('desk-kiosk-go')?.focus();
}

// ---- drawing -------------------------------------------------------------------------

function who(tk) {
  if (tk.name) return h('span', { class: 'desk-who', lang: textLang(tk.name) }, tk.name);
  return h('span', { class: 'desk-who desk-who-none' }, t(tk.kiosk ? 'deskKioskNoName' : 'deskByPhone'));
}

function servingPanel() {
  return h(
    'section',
    { class: 'panel desk-now', 'aria-labelledby': 'desk-now-h' },
    h('h3', { id: 'desk-now-h' }, t('deskServing')),
    st.called.length
      ? h(
          'ul',
          { class: 'desk-called', id: 'desk-called' },
          st.called.map((tk) =>
            h(
              'li',
              { class: 'desk-called-li', 'data-id': tk.id, 'data-number': tk.number },
              h('p', { class: 'desk-called-num' }, t('fairNumber', { n: tk.number }), ' ', who(tk)),
              h('p', { class: 'muted' }, t('deskCalledAt', { time: clockTime(tk.called_at) })),
              h(
                'div',
                { class: 'btn-row' },
                button([h('span', { svg: icon('check') }), t('deskDone')], { id: `desk-done-${tk.id}`, cls: 'btn btn-primary', busy: st.busy === `done${tk.id}`, onclick: () => finish(tk, 'done') }),
                button(t('deskSkip'), { id: `desk-skip-${tk.id}`, cls: 'btn btn-secondary', busy: st.busy === `skip${tk.id}`, onclick: () => finish(tk, 'skip') }),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', id: 'desk-none-called' }, t('deskNoneCalled')),
    button([h('span', { svg: icon('callNext') }), t('deskCallNext')], { id: 'desk-call-next', cls: 'btn btn-primary btn-block desk-call', busy: st.busy === 'call', onclick: callNext }),
    h('p', { class: 'desk-note', role: 'status', id: 'desk-note' }, st.note),
  );
}

function waitingPanel() {
  return h(
    'section',
    { class: 'panel desk-queue', 'aria-labelledby': 'desk-queue-h' },
    h('h3', { id: 'desk-queue-h' }, t('deskWaiting', { n: st.waiting.length })),
    st.waiting.length
      ? h(
          'ol',
          { class: 'desk-waiting', id: 'desk-waiting' },
          st.waiting.map((tk) => {
            const confirming = st.confirm === tk.id;
            return h(
              'li',
              { class: 'desk-wait-li', 'data-id': tk.id, 'data-number': tk.number },
              h('div', { class: 'desk-wait-row' }, h('strong', { class: 'desk-wait-num' }, t('fairNumber', { n: tk.number })), who(tk), h('span', { class: 'muted' }, t('deskTakenAt', { time: clockTime(tk.taken_at) }))),
              confirming
                ? h(
                    'div',
                    { class: 'confirm', role: 'group', 'aria-labelledby': `desk-confirm-${tk.id}-q` },
                    h('p', { id: `desk-confirm-${tk.id}-q`, tabindex: '-1' }, t('deskCancelQ', { n: tk.number })),
                    h(
                      'div',
                      { class: 'btn-row' },
                      button(t('deskCancelYes'), { id: `desk-confirm-${tk.id}-yes`, cls: 'btn btn-danger', busy: st.busy === `cancel${tk.id}`, onclick: () => finish(tk, 'cancel') }),
                      button(t('fairGiveUpNo'), { id: `desk-confirm-${tk.id}-no`, cls: 'btn btn-secondary', onclick: () => closeConfirm() }),
                    ),
                  )
                : button(t('deskCancel'), { id: `desk-cancel-${tk.id}`, cls: 'btn btn-small btn-danger-outline', onclick: () => askCancel(tk) }),
            );
          }),
        )
      : h('p', { class: 'muted' }, t('deskNoneWaiting')),
  );
}

function kioskPanel() {
  const k = st.kiosk;
  return h(
    'section',
    { class: 'panel desk-kiosk', 'aria-labelledby': 'desk-kiosk-h' },
    h('h3', { id: 'desk-kiosk-h' }, t('deskKiosk')),
    h('p', { class: 'muted' }, t('deskKioskLead')),
    h(
      'form',
      { class: 'form', id: 'desk-kiosk-form', novalidate: true, onsubmit: kioskTicket },
      k.error ? formAlert(k.error) : '',
      field({
        id: 'desk-kiosk-name',
        name: 'name',
        label: t('deskKioskName'),
        hint: t('deskKioskNameHint'),
        input: bound('input', k, 'name', { type: 'text', maxlength: '60', autocomplete: 'off' }),
      }),
      button([h('span', { svg: icon('ticket') }), t('deskKioskGo')], { id: 'desk-kiosk-go', type: 'submit', cls: 'btn btn-primary', busy: k.busy }),
    ),
  );
}

function slipDialog() {
  const tk = st.slip;
  if (!tk) return '';
  const fair = st.board.fair;
  const booth = lineOf(st.board, tk.booth_id) || tk.booth;
  return h(
    'div',
    {
      class: 'desk-slip-wrap',
      onkeydown: (e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          closeSlip();
        }
      },
    },
    h(
      'div',
      { class: 'desk-slip', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'desk-slip-title', id: 'desk-slip' },
      h(
        'div',
        { class: 'slip', id: 'slip' },
        h('p', { class: 'slip-fair' }, fair.title_zh),
        h('h3', { class: 'slip-booth', id: 'desk-slip-title', tabindex: '-1' }, booth.name_zh, booth.name_en ? h('span', { class: 'slip-en', lang: 'en' }, booth.name_en) : ''),
        h('p', { class: 'slip-num', id: 'slip-num' }, String(tk.number)),
        tk.name ? h('p', { class: 'slip-name', lang: textLang(tk.name) }, tk.name) : '',
        h('p', { class: 'slip-wait' }, t('deskSlipWait', { n: tk.ahead ?? 0, min: tk.wait_min ?? 0 })),
        h('p', { class: 'slip-time' }, t('deskSlipTaken', { time: clockTime(tk.taken_at) })),
        h('p', { class: 'slip-hint' }, t('deskSlipHint')),
      ),
      h(
        'div',
        { class: 'btn-row desk-slip-btns' },
        button([h('span', { svg: icon('print') }), t('deskPrint')], { id: 'desk-print', cls: 'btn btn-primary', onclick: () => window.print() }),
        button(t('deskSlipClose'), { id: 'desk-slip-close', cls: 'btn btn-secondary', onclick: closeSlip }),
      ),
    ),
  );
}

function draw(root) {
  const title = pageTitle(t('deskTitle'));
  if (st.error) {
    root.replaceChildren(h('div', { class: 'page desk-page' }, title, formAlert(st.error)));
    return;
  }
  if (!st.board) {
    root.replaceChildren(h('div', { class: 'page desk-page' }, title, h('p', { role: 'status' }, t('loading'))));
    return;
  }
  const fair = st.board.fair;
  const ft = pick(fair, 'title');
  const select = h(
    'select',
    { class: 'select', onchange: (e) => pickBooth(Number(e.target.value)) },
    st.board.booths.map((b) => h('option', { value: b.id, selected: b.id === st.boothId }, `${pick(b, 'name').text} · ${t('fairPeople', { n: b.counts.waiting })}${b.open ? '' : ` · ${t('deskBoothNotTaking')}`}`)),
  );
  const line = lineOf(st.board, st.boothId);
  root.replaceChildren(
    h(
      'div',
      { class: `page desk-page${st.slip ? ' desk-has-slip' : ''}`, 'data-fair': fair.id },
      // Behind the slip, nothing can be reached until it is closed.
      h(
        'div',
        { class: 'desk-main', inert: st.slip ? true : null, 'aria-hidden': st.slip ? 'true' : null },
      title,
      h('p', { class: 'desk-fair' }, h('span', { lang: ft.lang }, ft.text), ' · ', fairWindow(fair), ' · ', t(`fairState_${fair.state}`)),
      h(
        'p',
        { class: 'fair-links' },
        h('a', { href: `#/fair/${fair.id}`, id: 'desk-fair-link' }, t('deskFairPage')),
        h('a', { href: `#/fair/${fair.id}/board`, id: 'desk-board-link' }, h('span', { svg: icon('screen', 'icon icon-sm') }), t('fairBoardLink')),
      ),
      st.denied
        ? formAlert(st.denied)
        : !st.board.booths.length
        ? h('p', { class: 'muted' }, t('deskNoBooths'))
        : [
            field({ id: 'desk-booth', name: 'booth', label: t('deskBooth'), input: select }),
            line && !line.open ? formAlert(t('deskBoothClosedNote'), 'error') : '',
            st.alert ? formAlert(st.alert) : '',
            st.loaded ? [servingPanel(), waitingPanel(), kioskPanel()] : h('p', { role: 'status' }, t('loading')),
          ],
      h('p', { class: `fair-live fair-live-${st.live}`, id: 'desk-live' }, t(st.live === 'live' ? 'fairLive' : st.live === 'stopped' ? 'fairStatic' : 'fairReconnecting')),
      ),
      slipDialog(),
    ),
  );
}

export const deskView = {
  title: () => t('deskTitle'),
  async render(root, params, { first }) {
    if (!first) {
      draw(root);
      return;
    }
    stopLive();
    const gen = ++st.gen;
    Object.assign(st, { id: params.id, board: null, site: null, error: '', denied: '', alert: '', note: '', loaded: false, called: [], waiting: [], slip: null, confirm: null });
    draw(root);
    try {
      await session.refresh({ force: true });
    } catch (e) {
      st.error = errorMessage(e);
      draw(root);
      return;
    }
    if (!session.me()) {
      needSignIn(`/fair/${params.id}/desk`);
      return;
    }
    if (!session.hasAnyRole(session.CONSOLE_ROLES)) {
      st.error = t('deskStaffOnly');
      draw(root);
      return;
    }
    try {
      st.board = await loadBoard(params.id);
    } catch (e) {
      if (gen !== st.gen) return;
      st.error = e instanceof ApiError && (e.status === 404 || e.status === 400) ? t('fairNotFound') : errorMessage(e);
      draw(root);
      return;
    }
    if (gen !== st.gen) return;
    st.site = await getJson(`/api/sites/${st.board.fair.site_id}`, undefined, { channel: 'fair' }).catch(() => null);
    const saved = savedBooth(st.board.fair.id);
    st.boothId = st.board.booths.some((b) => b.id === saved) ? saved : st.board.booths[0]?.id ?? null;
    if (st.boothId != null) await loadTickets();
    else st.loaded = true;
    if (gen !== st.gen) return;
    draw(root);
    startLive();
  },
  leave() {
    stopLive();
    st.gen++;
    // What was open over the page closes with it.
    dropLayer();
    st.confirm = null;
    st.dismissConfirm = null;
    st.slip = null;
    st.dismissSlip = null;
  },
};
