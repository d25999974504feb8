// squads.js - the squads of a street (#/volunteer: the street of my squad,
// else the one last picked, else the first) and one squad
// (#/volunteer/squads/{id}): members, leader, activities with their
// shifts, join / leave (leaving asks first; Back closes the question),
// the squad's and the street's points leaders; its leader sees "new
// activity" and each shift's roster.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, formAlert } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { queryOf } from '../router.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { loadingPage, failedPage, crumbs } from '../bookings/common.js';
import { spanWords } from '../bookings/time.js';
import { myVolunteer, squadName, problemBlock } from './common.js';

const STREET_KEY = 'wh.voStreet';

// ---- the street's squads -------------------------------------------------------------

const list = { streets: [], street: '', squads: [], mine: null, error: null };

function savedStreet() {
  try {
    return localStorage.getItem(STREET_KEY) || '';
  } catch {
    return '';
  }
}

function saveStreet(code) {
  try {
    localStorage.setItem(STREET_KEY, code);
  } catch {
    /* not remembered */
  }
}

async function loadSquads() {
  list.error = null;
  try {
    list.squads = (await getJson('/api/volunteer/squads', { street: list.street })).items || [];
  } catch (e) {
    list.squads = [];
    list.error = e;
  }
}

async function loadList() {
  await session.refresh({ force: true }).catch(() => {});
  const [streets, mine] = await Promise.all([getJson('/api/regions', { level: 'street', limit: 500 }), myVolunteer()]);
  list.streets = streets.items || [];
  list.mine = mine;
  const wanted = queryOf(location.hash).get('street') || savedStreet() || (mine && mine.squads[0] && mine.squads[0].street) || '';
  list.street = list.streets.some((s) => s.code === wanted) ? wanted : list.streets[0] ? list.streets[0].code : '';
  await loadSquads();
}

function squadCard(s, mine) {
  const name = squadName(s);
  const my = mine && mine.squads.find((x) => x.id === s.id);
  return h(
    'li',
    { class: 'vo-card', 'data-squad': s.id },
    h(
      'a',
      { class: 'vo-card-link', href: `#/volunteer/squads/${s.id}`, id: `vo-squad-${s.id}` },
      h('span', { class: 'vo-card-title', lang: name.lang }, name.text),
      h('span', { class: 'vo-card-meta' }, t('voMembers', { n: s.members }), ' · ', s.leader ? t('voLeader', { name: s.leader }) : t('voNoLeader')),
      my ? h('span', { class: 'vo-tag' }, t(my.leading ? 'voImLeader' : 'voImIn')) : null,
    ),
  );
}

export function myLinks() {
  if (!session.me()) return null;
  return h(
    'p',
    { class: 'vo-links' },
    h('a', { class: 'btn btn-secondary', href: '#/volunteer/me', id: 'vo-to-me' }, t('voMyVolunteering')),
    h('a', { class: 'btn btn-secondary', href: '#/points', id: 'vo-to-points' }, t('voMyPoints')),
  );
}

function drawList(root) {
  const sel = h(
    'select',
    {
      class: 'select',
      onchange: async (e) => {
        list.street = e.target.value;
        saveStreet(list.street);
        await loadSquads();
        redraw();
      },
    },
    list.streets.map((s) => h('option', { value: s.code, selected: s.code === list.street }, pick(s, 'name').text)),
  );
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'vo-page' },
      pageTitle(t('voTitle')),
      h('p', { class: 'muted' }, t('voLead')),
      myLinks(),
      field({ id: 'vo-street', label: t('voStreet'), hint: t('voStreetHint'), input: sel }),
      list.error ? formAlert(failedText(list.error)) : null,
      list.squads.length
        ? h('ul', { class: 'vo-cards', id: 'vo-squads' }, list.squads.map((s) => squadCard(s, list.mine)))
        : list.error
          ? null
          : h('p', { class: 'muted', id: 'vo-no-squads' }, t('voNoSquads')),
    ),
  );
}

function failedText(e) {
  return e instanceof ApiError ? e.message || e.code : t('err_unknown');
}

export const squadsView = {
  title: () => t('voTitle'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voTitle')));
      try {
        await loadList();
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voTitle'), e));
        return;
      }
      if (!root.isConnected) return;
    }
    drawList(root);
  },
};

// ---- one squad ------------------------------------------------------------------------------

const sq = { squad: null, acts: [], mine: null, board: null, street: null, busy: false, note: '', problem: null, asking: false };

async function loadSquad(id) {
  Object.assign(sq, { squad: null, acts: [], board: null, street: null, note: '', problem: null, asking: false });
  await session.refresh({ force: true }).catch(() => {});
  const [s, mine] = await Promise.all([getJson(`/api/volunteer/squads/${encodeURIComponent(id)}`), myVolunteer()]);
  sq.squad = s;
  sq.mine = mine;
  sq.acts = await Promise.all((s.activities || []).map((a) => getJson(`/api/volunteer/activities/${a.id}`).catch(() => a)));
  if (session.me()) {
    const [b, st] = await Promise.all([
      session.call('GET', '/api/points/leaders', { params: { squad: s.id, limit: 10 } }).catch(() => null),
      session.call('GET', '/api/points/leaders', { params: { street: s.street, limit: 10 } }).catch(() => null),
    ]);
    sq.board = b;
    sq.street = st;
  }
}

/** Do I lead squad id (from /api/me/volunteer)? */
export function leads(mine, id) {
  return Boolean(mine && mine.squads.some((x) => x.id === id && x.leading));
}

async function joinOrLeave(join) {
  const s = sq.squad;
  if (!session.me()) {
    needSignIn(`/volunteer/squads/${s.id}`);
    return;
  }
  sq.busy = true;
  sq.problem = null;
  redraw();
  try {
    const r = await session.call('POST', `/api/volunteer/squads/${s.id}/${join ? 'join' : 'leave'}`);
    sq.squad = { ...s, members: r.members, member: r.member };
    sq.note = t(join ? 'voJoined' : 'voLeft');
    sq.mine = await myVolunteer();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      sq.busy = false;
      needSignIn(`/volunteer/squads/${s.id}`);
      return;
    }
    sq.problem = e;
  }
  sq.busy = false;
  redraw();
  document.getElementById(sq.problem ? 'vo-member-problem' : 'vo-member-note')?.focus();
}

function askLeave() {
  sq.asking = true;
  openLayer(() => {
    sq.asking = false;
    redraw();
    document.getElementById('vo-leave')?.focus();
  });
  redraw();
  document.getElementById('vo-leave-no')?.focus();
}

function leaveLayer() {
  if (!sq.asking) return null;
  return h(
    'div',
    { class: 'bk-layer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'vo-leave-h', id: 'vo-leave-layer', onkeydown: (e) => e.key === 'Escape' && closeLayer() },
    h(
      'div',
      { class: 'bk-dialog' },
      h('h3', { id: 'vo-leave-h' }, t('voLeaveAsk')),
      h('p', null, t('voLeaveAskLead')),
      h(
        'div',
        { class: 'bk-dialog-btns' },
        h('button', { type: 'button', class: 'btn btn-secondary', id: 'vo-leave-no', onclick: () => closeLayer() }, t('cancel')),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-danger',
            id: 'vo-leave-yes',
            onclick: () => {
              closeLayer();
              joinOrLeave(false);
            },
          },
          t('voLeaveYes'),
        ),
      ),
    ),
  );
}

export function boardPanel(id, title, board) {
  if (!board) return null;
  const items = board.items || [];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': `${id}-h`, id },
    h('h3', { id: `${id}-h` }, title),
    items.length
      ? h(
          'ol',
          { class: 'vo-board' },
          items.map((x) => h('li', null, h('span', { class: 'vo-rank' }, t('voRank', { n: x.rank })), h('span', { class: 'vo-board-name' }, x.display_name), h('strong', null, t('voPointsN', { n: x.points })))),
        )
      : h('p', { class: 'muted' }, t('voBoardEmpty')),
  );
}

function activityBlock(a, leader) {
  const title = pick(a, 'title');
  const shifts = a.shifts || [];
  return h(
    'li',
    { class: 'vo-act', 'data-activity': a.id },
    h('a', { class: 'vo-card-link', href: `#/volunteer/activities/${a.id}`, id: `vo-act-${a.id}` }, h('span', { class: 'vo-card-title', lang: title.lang }, title.text), h('span', { class: 'vo-card-meta' }, t('voShiftsN', { n: shifts.length }))),
    shifts.length
      ? h(
          'ul',
          { class: 'vo-shift-mini' },
          shifts.map((s) =>
            h(
              'li',
              null,
              h('span', null, spanWords(s.start, s.end)),
              leader ? h('a', { class: 'btn btn-secondary btn-small vo-roster-link', href: `#/volunteer/shifts/${s.id}`, id: `vo-roster-${s.id}` }, t('voRoster')) : null,
            ),
          ),
        )
      : null,
  );
}

function drawSquad(root) {
  const s = sq.squad;
  const name = squadName(s);
  const leader = leads(sq.mine, s.id);
  const member = Boolean(s.member);
  const layer = leaveLayer();
  root.replaceChildren(
    ...[
      h(
        'div',
        { class: 'page', id: 'vo-squad-page', 'data-squad': s.id, inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
        crumbs('#/volunteer', t('voBackToSquads')),
        pageTitle(h('span', { lang: name.lang }, name.text)),
        h('p', { class: 'vo-facts' }, h('span', { id: 'vo-members' }, t('voMembers', { n: s.members })), ' · ', h('span', { id: 'vo-leader' }, s.leader ? t('voLeader', { name: s.leader }) : t('voNoLeader'))),
        sq.note ? h('p', { class: 'form-ok', id: 'vo-member-note', role: 'status', tabindex: '-1' }, sq.note) : null,
        sq.problem ? problemBlock('vo-member-problem', sq.problem) : null,
        !session.me()
          ? h('p', null, h('span', { class: 'muted' }, t('voSignInToJoin')), ' ', h('a', { class: 'btn btn-primary', href: '#/login', id: 'vo-sign-in', onclick: (e) => (e.preventDefault(), needSignIn(`/volunteer/squads/${s.id}`)) }, t('voSignIn')))
          : member
            ? leader
              ? h('p', { class: 'vo-tag', id: 'vo-leader-tag' }, t('voImLeader'))
              : h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'vo-leave', 'aria-busy': sq.busy ? 'true' : null, disabled: sq.busy, onclick: askLeave }, t('voLeave'))
            : h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'vo-join', 'aria-busy': sq.busy ? 'true' : null, disabled: sq.busy, onclick: () => joinOrLeave(true) }, sq.busy ? t('working_') : t('voJoin')),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'vo-acts-h' },
          h('h3', { id: 'vo-acts-h' }, t('voActivities')),
          sq.acts.length ? h('ul', { class: 'vo-cards', id: 'vo-acts' }, sq.acts.map((a) => activityBlock(a, leader))) : h('p', { class: 'muted' }, t('voNoActivities')),
          leader ? h('a', { class: 'btn btn-primary btn-block', href: `#/volunteer/squads/${s.id}/new`, id: 'vo-new-activity' }, t('voNewActivity')) : null,
        ),
        boardPanel('vo-board-squad', t('voBoardSquad'), sq.board),
        boardPanel('vo-board-street', t('voBoardStreet'), sq.street),
        myLinks(),
      ),
      layer,
    ].filter(Boolean),
  );
}

export const squadView = {
  title: () => (sq.squad ? squadName(sq.squad).text : t('voSquadTitle')),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voSquadTitle'), crumbs('#/volunteer', t('voBackToSquads'))));
      try {
        await loadSquad(params.id);
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voSquadTitle'), e, crumbs('#/volunteer', t('voBackToSquads'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!sq.squad) return;
    drawSquad(root);
  },
  leave() {
    dropLayer();
    sq.asking = false;
  },
};
