// report.js - one report (#/reports/{id}), for whoever opens it: the
// public see its category, state, place, photos and public timeline (never
// who reported it); its reporter also re-opens it within 14 days of
// "fixed" and writes to the handlers; "me too" for other signed-in people
// while it is open; its handlers (the grid's managers, the department's
// dispatchers, region admins) move it through the workflow the API allows,
// confirm or reject it (grid managers), and write public or internal
// comments with photos. What the caller may do follows what the API
// answered for them: handlers get the reporter's id and contact, the
// reporter gets "mine" and "reopen_until".
//
// An action opens a form under its button; the phone's Back closes it
// (back.js) instead of leaving the report.
import { h, langText, textLang } from '../dom.js';
import { t, pick, formatWhen, lang } from '../i18n.js';
import { icon } from '../icons.js';
import * as session from '../session.js';
import * as api from '../api.js';
import { ApiError, idempotencyKey } from '../api.js';
import { field, bound, formAlert, button, errorMessage, errorLine, checkbox, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { openLayer, dropLayer } from '../back.js';
import { loadConfig } from '../config.js';
import { statusBadge, timeline, photoStrip, nextStatuses, mapDatum, MAX_PHOTOS, preparePhoto, photoErrorWord, photoIndex, OPEN_STATUSES } from './common.js';

const st = {
  id: null,
  report: null,
  categories: null,
  datum: 'wgs84',
  tiles: null,
  alert: '',
  note: '',
  busy: null,
  action: null, // the open form: {kind: 'status'|'comment'|'reopen'|'reject', to?}
  form: null, // {comment, note, internal, duplicate_of, photos: [], errors: {}, key}
  dismiss: null, // closes the open form's history entry
};

let mapEl = null;
let showMap = null;

async function load() {
  try {
    st.report = await session.call('GET', `/api/reports/${st.id}`, { params: { datum: st.datum } });
    st.alert = '';
  } catch (e) {
    st.report = null;
    st.alert = e instanceof ApiError && e.status === 404 ? t('rpNotFound') : errorMessage(e);
  }
}

const isHandler = (r) => r && 'reporter' in r;
const isMine = (r) => r && r.mine === true;

function isGridManagerOf() {
  return session.hasAnyRole(['grid_manager', 'region_admin', 'system_admin']);
}

// ---- the action forms ------------------------------------------------------------------

function openAction(action) {
  closeAction(false);
  st.action = action;
  st.form = { comment: '', note: '', internal: false, duplicate_of: '', photos: [], errors: {}, key: idempotencyKey() };
  st.note = '';
  st.alert = '';
  st.dismiss = openLayer(() => {
    // Back closed it.
    st.dismiss = null;
    st.action = null;
    st.form = null;
    redraw();
  });
  redraw();
  document.getElementById('rp-action-title')?.focus();
}

function closeAction(draw = true) {
  const d = st.dismiss;
  st.dismiss = null;
  st.action = null;
  st.form = null;
  d?.();
  if (draw) redraw();
}

async function run(path, json, doneWord) {
  st.busy = 'action';
  redraw();
  try {
    st.report = await session.call('POST', path, { json, headers: { 'Idempotency-Key': st.form.key } });
    const focusTo = 'rp-status-now';
    closeAction(false);
    st.note = t(doneWord);
    st.busy = null;
    redraw();
    document.getElementById(focusTo)?.focus();
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 0) st.form.key = idempotencyKey(); // nothing stored: a new request next
    const i = photoIndex(e.field);
    if (i >= 0 && st.form.photos[i]) st.form.photos[i].error = t(photoErrorWord(e));
    else if (e instanceof ApiError && ['comment', 'note', 'body', 'duplicate_of', 'internal'].includes(e.field)) st.form.errors[e.field === 'body' ? 'comment' : e.field] = errorMessage(e);
    else if (e instanceof ApiError && e.code === 'reopen_window_closed') st.form.errors.comment = t('rpReopenTooLate');
    else st.form.errors.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  focusProblem(document.getElementById('rp-action'));
}

/** Errors found here: draw them and focus the first; true when there were any. */
function refused(errors) {
  if (!Object.keys(errors).length) return false;
  redraw();
  focusProblem(document.getElementById('rp-action'));
  return true;
}

function submitAction(e) {
  e.preventDefault();
  const f = st.form;
  const a = st.action;
  f.errors = {};
  if (f.photos.some((p) => p.error)) f.errors.photos = t('rpPhotoFix');
  if (a.kind === 'status' && a.to === 'duplicate' && !/^\d+$/.test(f.duplicate_of)) f.errors.duplicate_of = t('rpDupNeeded');
  // A comment is needed to say whose it is, to reject, and for a reply.
  const needs = { not_ours: 'rpNotOursNeeded', reject: 'rpRejectNeeded', comment: 'rpSaySomething' }[a.kind === 'status' ? a.to : a.kind];
  if (needs && !f.comment.trim()) f.errors.comment = t(needs);
  if (refused(f.errors)) return;
  const photos = f.photos.length ? f.photos.map((p) => p.dataUrl) : undefined;
  const id = st.report.id;
  if (a.kind === 'status') {
    const body = { status: a.to, comment: f.comment.trim(), photos };
    if (f.note.trim()) body.note = f.note.trim();
    if (a.to === 'duplicate') body.duplicate_of = Number(f.duplicate_of);
    run(`/api/reports/${id}/status`, body, 'rpStatusDone');
  } else if (a.kind === 'comment') {
    run(`/api/reports/${id}/comments`, { body: f.comment.trim(), internal: Boolean(f.internal), photos }, 'rpCommentDone');
  } else if (a.kind === 'reopen') {
    run(`/api/reports/${id}/reopen`, { comment: f.comment.trim() }, 'rpReopenDone');
  } else if (a.kind === 'reject') {
    run(`/api/reports/${id}/reject`, { comment: f.comment.trim() }, 'rpRejectDone');
  }
}

async function confirmReport() {
  st.busy = 'confirm';
  st.alert = '';
  redraw();
  try {
    st.report = await session.call('POST', `/api/reports/${st.report.id}/confirm`, { json: {} });
    st.note = t('rpConfirmDone');
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.getElementById('rp-status-now')?.focus();
}

async function meToo() {
  st.busy = 'metoo';
  st.alert = '';
  redraw();
  try {
    const a = await session.call('POST', `/api/reports/${st.report.id}/me-too`);
    st.report.me_too = a.me_too;
    st.report.me_too_by_me = true;
    st.note = t('rpMeTooDone', { id: st.report.id });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'already_me_too') {
      st.report.me_too_by_me = true;
      st.note = t('rpMeTooDone', { id: st.report.id });
    } else st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
}

async function addPhotos(input) {
  const files = [...(input.files || [])];
  input.value = '';
  for (const f of files) {
    if (st.form.photos.length >= MAX_PHOTOS) break;
    const p = await preparePhoto(f);
    if (p.local) p.error = t(p.local);
    st.form.photos.push(p);
  }
  redraw();
}

function photoPicker() {
  const f = st.form;
  const input = h('input', { type: 'file', id: 'rp-act-photo', class: 'rp-file', accept: 'image/jpeg,image/png,image/webp,image/*', capture: 'environment', multiple: true, disabled: f.photos.length >= MAX_PHOTOS });
  input.addEventListener('change', () => addPhotos(input));
  return h(
    'div',
    { class: 'field', 'data-field': 'photos' },
    h('label', { class: 'btn btn-secondary btn-block rp-file-btn', for: 'rp-act-photo' }, h('span', { svg: icon('camera', 'icon') }), t('rpAddPhoto'), input),
    f.photos.length
      ? h(
          'ul',
          { class: 'rp-previews' },
          f.photos.map((p, i) =>
            h(
              'li',
              { class: `rp-preview${p.error ? ' rp-preview-bad' : ''}` },
              p.preview ? h('img', { src: p.preview, alt: t('rpPhotoN', { n: i + 1 }), width: 96, height: 96 }) : h('span', { class: 'rp-preview-none' }, p.name),
              p.error ? errorLine(`rp-act-photo-${i}-err`, p.error) : null,
              button(t('rpRemovePhoto', { n: i + 1 }), {
                cls: 'btn btn-secondary',
                id: `rp-act-photo-${i}-remove`,
                onclick: () => {
                  f.photos.splice(i, 1);
                  redraw();
                },
              }),
            ),
          ),
        )
      : null,
    f.errors.photos ? errorLine('rp-act-photos-err', f.errors.photos) : null,
  );
}

function actionForm() {
  const a = st.action;
  const f = st.form;
  if (!a) return null;
  const handler = isHandler(st.report);
  let title;
  if (a.kind === 'status') title = t('rpMoveTo', { to: t(`rpStatus_${a.to}`) });
  else if (a.kind === 'comment') title = t('rpWriteComment');
  else if (a.kind === 'reopen') title = t('rpReopen');
  else title = t('rpReject');
  const commentLabel = a.kind === 'status' ? t('rpPublicComment') : a.kind === 'reopen' ? t('rpReopenWhy') : a.kind === 'reject' ? t('rpRejectWhy') : t('rpComment');
  return h(
    'form',
    { class: 'panel rp-action', id: 'rp-action', novalidate: true, onsubmit: submitAction, 'aria-labelledby': 'rp-action-title', 'data-kind': a.kind, 'data-to': a.to || null },
    h('h3', { id: 'rp-action-title', tabindex: '-1' }, title),
    formAlert(f.errors.alert),
    a.kind === 'status' && a.to === 'duplicate'
      ? field({ id: 'rp-dup', label: t('rpDupOf'), hint: t('rpDupHint'), input: bound('input', f, 'duplicate_of', { inputmode: 'numeric', pattern: '[0-9]*' }), error: f.errors.duplicate_of, name: 'duplicate_of' })
      : null,
    field({ id: 'rp-act-comment', label: commentLabel, hint: a.kind === 'status' ? t('rpPublicHint') : null, input: bound('textarea', f, 'comment', { rows: 3, maxlength: 2000 }), error: f.errors.comment, name: 'comment' }),
    a.kind === 'status' ? field({ id: 'rp-act-note', label: t('rpInternalNote'), hint: t('rpInternalHint'), input: bound('textarea', f, 'note', { rows: 2, maxlength: 2000 }), error: f.errors.note, name: 'note' }) : null,
    a.kind === 'comment' && handler ? checkbox({ id: 'rp-act-internal', st: f, key: 'internal', label: t('rpInternalCheck') }) : null,
    a.kind === 'status' || a.kind === 'comment' ? photoPicker() : null,
    h(
      'div',
      { class: 'btn-row' },
      button(t('rpDo'), { cls: 'btn btn-primary', type: 'submit', id: 'rp-act-submit', busy: st.busy === 'action' }),
      button(t('rpCancel'), { cls: 'btn btn-secondary', id: 'rp-act-cancel', onclick: () => closeAction() }),
    ),
  );
}

// ---- drawing ---------------------------------------------------------------------------------

function answers(r) {
  const cat = (st.categories || []).find((c) => c.code === r.category);
  const entries = Object.entries(r.attributes || {});
  if (!entries.length) return null;
  return h(
    'dl',
    { class: 'rp-answers', id: 'report-answers' },
    entries.map(([code, v]) => {
      const q = cat && (cat.attributes || []).find((x) => x.code === code);
      const name = (key) => {
        const val = q && (q.values || []).find((x) => x.key === key);
        return val ? (lang() === 'en' && val.name_en ? val.name_en : val.name) : String(key);
      };
      const label = q ? (lang() === 'en' && q.description_en ? q.description_en : q.description) : code;
      return [h('dt', null, label), h('dd', null, Array.isArray(v) ? v.map(name).join('、') : name(v))];
    }),
  );
}

function handlerActions(r) {
  const me = session.me();
  const own = me && r.reporter === me.id;
  const rejected = r.verification === 'rejected';
  const buttons = rejected
    ? []
    : nextStatuses(r.status).map((to) =>
        button(t(`rpAct_${to}`), { cls: to === 'fixed' ? 'btn btn-primary' : 'btn btn-secondary', id: `rp-to-${to}`, onclick: () => openAction({ kind: 'status', to }) }),
      );
  const verify = r.verification === 'unconfirmed' && !own && isGridManagerOf();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rp-handle-title', id: 'rp-handle' },
    h('h3', { id: 'rp-handle-title' }, t('rpHandle')),
    h('p', { class: 'muted' }, t('rpHandleLead', { grid: pick(r.grid, 'name').text || r.grid.code, dept: pick(r, 'department_name').text })),
    verify
      ? h(
          'div',
          { class: 'btn-row' },
          button(t('rpConfirm'), { cls: 'btn btn-primary', id: 'rp-confirm', busy: st.busy === 'confirm', onclick: confirmReport }),
          OPEN_STATUSES.includes(r.status) ? button(t('rpReject'), { cls: 'btn btn-secondary', id: 'rp-reject', onclick: () => openAction({ kind: 'reject' }) }) : null,
        )
      : null,
    buttons.length ? h('div', { class: 'btn-row rp-actions' }, buttons) : null,
    button(t('rpWriteComment'), { cls: 'btn btn-secondary btn-block', id: 'rp-comment', onclick: () => openAction({ kind: 'comment' }) }),
    r.contact && (r.contact.name || r.contact.phone || r.contact.email)
      ? h('p', { class: 'muted', id: 'rp-contact' }, t('rpContact', { who: [r.contact.name, r.contact.phone, r.contact.email].filter(Boolean).join(' · ') }))
      : null,
  );
}

function reporterActions(r) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rp-mine-title', id: 'rp-mine' },
    h('h3', { id: 'rp-mine-title' }, t('rpYourReport')),
    r.reopen_until
      ? [
          h('p', { class: 'muted', id: 'rp-reopen-until' }, t('rpReopenUntil', { when: formatWhen(r.reopen_until) })),
          button(t('rpReopen'), { cls: 'btn btn-primary btn-block', id: 'rp-reopen', onclick: () => openAction({ kind: 'reopen' }) }),
        ]
      : null,
    button(t('rpWriteComment'), { cls: 'btn btn-secondary btn-block', id: 'rp-comment', onclick: () => openAction({ kind: 'comment' }) }),
  );
}

function othersActions(r) {
  const me = session.me();
  if (!OPEN_STATUSES.includes(r.status)) return null;
  if (!me) return h('p', null, h('a', { class: 'btn btn-secondary btn-block', href: '#/login', id: 'rp-login-metoo' }, t('rpSignInMeToo')));
  if (r.me_too_by_me) return h('p', { class: 'rp-done', id: 'rp-metoo-done' }, h('span', { svg: icon('check', 'icon icon-sm') }), t('rpMeTooAlready'));
  return button(t('rpMeToo'), { cls: 'btn btn-primary btn-block', id: 'rp-metoo', busy: st.busy === 'metoo', onclick: meToo });
}

function draw(root) {
  const r = st.report;
  if (!r) {
    root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('rpReportTitle')), formAlert(st.alert), h('p', null, h('a', { class: 'btn btn-secondary', href: '#/' }, t('backToMap')))));
    return;
  }
  const handler = isHandler(r);
  const mine = isMine(r);
  if (!mapEl) mapEl = h('div', { class: 'rp-showmap', id: 'rp-showmap', role: 'region' });
  mapEl.setAttribute('aria-label', t('rpShowMapLabel'));
  const action = actionForm();
  root.replaceChildren(
    h(
      'div',
      { class: 'page rp-page', 'data-id': r.id },
      pageTitle([langText(pick(r, 'category_name')), ` #${r.id}`]),
      formAlert(st.alert),
      formAlert(st.note, 'ok'),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'rp-state-title' },
        h('h3', { id: 'rp-state-title', class: 'visually-hidden' }, t('rpState')),
        h('p', { class: 'rp-state', id: 'rp-status-now', tabindex: '-1' }, statusBadge(r, 'rp-status'), r.verification !== 'unconfirmed' ? h('span', { class: `rp-badge rp-v-${r.verification}`, id: 'rp-verification' }, t(`rpVerif_${r.verification}`)) : null),
        h(
          'dl',
          { class: 'rp-facts' },
          h('dt', null, t('rpGrid')),
          h('dd', { id: 'rp-grid' }, pick(r.grid, 'name').text || r.grid.code),
          h('dt', null, t('rpDept')),
          h('dd', null, pick(r, 'department_name').text),
          h('dt', null, t('rpReported')),
          h('dd', null, formatWhen(r.created_at)),
          OPEN_STATUSES.includes(r.status) && r.due_at ? [h('dt', null, t('rpDue')), h('dd', { id: 'rp-due' }, formatWhen(r.due_at))] : null,
          r.escalated_to ? [h('dt', null, t('rpEscalated')), h('dd', null, r.escalated_to)] : null,
          r.duplicate_of ? [h('dt', null, t('rpDupOfShort')), h('dd', null, h('a', { href: `#/reports/${r.duplicate_of}` }, `#${r.duplicate_of}`))] : null,
          h('dt', null, t('rpMeTooTitle')),
          h('dd', { id: 'rp-metoo-count' }, String(r.me_too)),
        ),
        r.description ? h('p', { class: 'rp-desc', id: 'rp-description-text', lang: textLang(r.description) }, r.description) : null,
        r.address ? h('p', { class: 'muted', lang: textLang(r.address) }, r.address) : null,
        answers(r),
        r.photos && r.photos.length ? photoStrip(r.photos, t('rpReportPhoto')) : null,
        mapEl,
        !mine && !handler ? othersActions(r) : null,
      ),
      handler ? handlerActions(r) : mine ? reporterActions(r) : null,
      action,
      h('section', { class: 'panel', 'aria-labelledby': 'rp-tl-title' }, h('h3', { id: 'rp-tl-title' }, t('rpTimeline')), timeline(r.timeline || [])),
      h(
        'p',
        { class: 'btn-row' },
        mine ? h('a', { class: 'btn btn-secondary', href: '#/reports/mine' }, t('rpMineLink')) : null,
        handler ? h('a', { class: 'btn btn-secondary', href: '#/admin/reports' }, t('rpConsoleLink')) : null,
        h('a', { class: 'btn btn-secondary', href: '#/?reports=1' }, t('rpOnMap')),
      ),
    ),
  );
  if (!showMap && r.position) {
    import('./pin.js')
      .then(({ createShowMap }) => {
        if (!mapEl || !mapEl.isConnected || showMap) return;
        showMap = createShowMap(mapEl, { tiles: st.tiles, point: r.position });
      })
      .catch(() => {});
  }
}

export const reportView = {
  title: () => (st.report ? `${pick(st.report, 'category_name').text} #${st.report.id}` : t('rpReportTitle')),
  async render(root, params, { first }) {
    if (first) {
      showMap?.remove();
      showMap = null;
      mapEl = null;
      closeAction(false);
      st.id = params.id;
      st.report = null;
      st.note = '';
      st.alert = '';
      if (!/^\d+$/.test(String(params.id))) {
        st.alert = t('rpNotFound');
      } else {
        await session.refresh().catch(() => null);
        st.datum = await mapDatum();
        st.tiles = (await loadConfig().catch(() => ({}))).tiles || null;
        const [cats] = await Promise.allSettled([api.getJson('/api/report-categories'), load()]);
        st.categories = cats.status === 'fulfilled' ? cats.value.items || [] : [];
      }
    }
    draw(root);
  },
  leave() {
    // The page is left: its form's history entry is not gone back over.
    dropLayer();
    st.dismiss = null;
    st.action = null;
    st.form = null;
    showMap?.remove();
    showMap = null;
    mapEl = null;
  },
};
