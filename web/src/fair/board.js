// board.js - the fair's "now serving" board for a big screen
// (#/fair/{id}/board): every booth's number being served and the next
// ones, in large type and high contrast, in Chinese with English beneath
// (a public screen: the page's language switch is not at hand). Live over
// the board's stream; after a reconnection everything is asked again; a
// fair that has ended shows its last board and says so.
import { h, textLang } from '../dom.js';
import { tIn } from '../i18n.js';
import { redraw } from '../page.js';
import { errorMessage } from '../forms.js';
import { ApiError } from '../api.js';
import { loadBoard, boardStream, boardIsLive, clockTime } from './data.js';

const FLASH_MS = 6000;

const st = {
  id: null,
  board: null,
  error: '',
  live: 'connecting',
  stream: null,
  flash: new Map(), // booth id -> until (ms): its number just changed
  announce: '',
  clock: 0,
  gen: 0,
};

/** Both languages: Chinese, and English beneath it. */
function both(key, params, cls = 'board-word') {
  return h('span', { class: cls }, h('span', { class: 'bw-zh', lang: 'zh-CN' }, tIn('zh', key, params)), h('span', { class: 'bw-en', lang: 'en' }, tIn('en', key, params)));
}

function setLine(line) {
  if (!st.board) return;
  const i = st.board.booths.findIndex((b) => b.id === line.id);
  if (i < 0) return;
  const was = st.board.booths[i];
  st.board.booths[i] = line;
  const newly = (line.serving || []).filter((n) => !(was.serving || []).includes(n));
  if (newly.length) {
    st.flash.set(line.id, Date.now() + FLASH_MS);
    st.announce = `${tIn('zh', 'boardCallSay', { booth: line.name_zh, n: newly.join('、') })}`;
    setTimeout(redraw, FLASH_MS + 50);
  }
  redraw();
}

async function refetch() {
  const id = st.id;
  try {
    const board = await loadBoard(id);
    if (id !== st.id) return null;
    st.board = board;
    st.error = '';
    redraw();
    return board;
  } catch (e) {
    return null;
  }
}

function start() {
  stop();
  if (!boardIsLive(st.board.fair)) {
    st.live = 'stopped';
    return;
  }
  st.stream = boardStream(st.id, {
    onBooth: setLine,
    onStale: refetch,
    state: (s) => {
      st.live = s;
      redraw();
    },
  });
  st.clock = setInterval(() => {
    const c = document.getElementById('board-clock');
    if (c) c.textContent = clockTime(new Date().toISOString());
  }, 15000);
}

function stop() {
  st.stream?.stop();
  st.stream = null;
  clearInterval(st.clock);
}

function liveLine() {
  const fair = st.board.fair;
  const live = boardIsLive(fair) && st.live !== 'stopped';
  // A fair that is over says so; while its board may still change (the
  // numbers left at closing time), it is live as well.
  const over = fair.state === 'closed' || fair.state === 'cancelled' ? both(`boardEnded_${fair.state}`) : fair.state === 'scheduled' ? both('boardNotYet') : '';
  const kind = !live ? 'ended' : st.live;
  return h(
    'div',
    { class: `board-live board-live-${kind}`, id: 'board-live', 'data-live': kind, 'data-state': fair.state },
    over,
    live ? both(st.live === 'live' ? 'boardLive' : 'boardReconnecting') : over ? '' : both('boardStatic'),
  );
}

function tile(line) {
  const serving = line.serving || [];
  const next = line.next || [];
  const flashing = (st.flash.get(line.id) || 0) > Date.now();
  return h(
    'li',
    { class: `board-booth${flashing ? ' board-flash' : ''}${line.open ? '' : ' board-booth-closed'}`, 'data-booth': line.id },
    h(
      'h3',
      { class: 'board-name' },
      h('span', { class: 'bw-zh', lang: textLang(line.name_zh) }, line.name_zh),
      line.name_en ? h('span', { class: 'bw-en', lang: 'en' }, line.name_en) : '',
    ),
    h(
      'div',
      { class: 'board-now' },
      both('boardServing', null, 'board-label'),
      h('p', { class: 'board-num', 'data-serving': serving.join(',') }, serving.length ? serving.join(' ') : '—'),
    ),
    h(
      'div',
      { class: 'board-next' },
      both('boardNext', null, 'board-label'),
      h('p', { class: 'board-next-nums', 'data-next': next.join(',') }, next.length ? next.join(' ') : '—'),
    ),
    h(
      'p',
      { class: 'board-wait' },
      !line.open ? both('boardBoothClosed') : line.counts.waiting ? both('boardWaiting', { n: line.counts.waiting, min: line.wait_min }) : both('boardNoQueue'),
    ),
  );
}

function draw(root) {
  if (st.error || !st.board) {
    root.replaceChildren(
      h('div', { class: 'board' }, h('h2', { id: 'page-title', class: 'board-title', tabindex: '-1' }, both('boardTitle')), h('p', { class: 'board-msg', role: st.error ? 'alert' : 'status' }, st.error || both('boardLoading'))),
    );
    return;
  }
  const fair = st.board.fair;
  root.replaceChildren(
    h(
      'div',
      { class: 'board', 'data-fair': fair.id },
      h(
        'header',
        { class: 'board-head' },
        h(
          'h2',
          { id: 'page-title', class: 'board-title', tabindex: '-1' },
          h('span', { class: 'bw-zh', lang: textLang(fair.title_zh) }, fair.title_zh),
          fair.title_en ? h('span', { class: 'bw-en', lang: 'en' }, fair.title_en) : '',
        ),
        h('div', { class: 'board-meta' }, h('p', { class: 'board-clock', id: 'board-clock' }, clockTime(new Date().toISOString())), liveLine()),
      ),
      h('ul', { class: 'board-grid', id: 'board-grid' }, st.board.booths.map(tile)),
      h('p', { class: 'visually-hidden', role: 'status', id: 'board-announce', lang: 'zh-CN' }, st.announce),
      h('p', { class: 'board-foot' }, h('a', { href: `#/fair/${fair.id}`, id: 'board-exit', class: 'board-exit' }, both('boardExit'))),
    ),
  );
}

export const boardView = {
  title: () => (st.board ? st.board.fair.title_zh : tIn('zh', 'boardTitle')),
  async render(root, params, { first }) {
    if (!first) {
      draw(root);
      return;
    }
    stop();
    document.body.classList.add('is-board');
    const gen = ++st.gen;
    st.id = params.id;
    st.board = null;
    st.error = '';
    st.announce = '';
    st.flash.clear();
    draw(root);
    try {
      st.board = await loadBoard(params.id);
    } catch (e) {
      if (gen !== st.gen) return;
      st.error = e instanceof ApiError && (e.status === 404 || e.status === 400) ? tIn('zh', 'fairNotFound') : errorMessage(e);
    }
    if (gen !== st.gen) return;
    draw(root);
    if (st.board) start();
  },
  leave() {
    stop();
    st.gen++;
    document.body.classList.remove('is-board');
  },
};
