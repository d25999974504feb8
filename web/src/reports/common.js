// common.js - what the grid report pages share: the words for a status,
// a report's card and timeline, photos made small enough to send (the
// server re-encodes and strips them again; this only keeps three of them
// under the server's body limit), and the map's datum.
import { h, langText, textLang } from '../dom.js';
import { t, pick, formatWhen, formatAge, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { loadConfig } from '../config.js';

export const STATUSES = ['open', 'acknowledged', 'in_progress', 'fixed', 'closed', 'duplicate', 'not_ours'];
export const OPEN_STATUSES = ['open', 'acknowledged', 'in_progress'];
export const MAX_PHOTOS = 3;
/** The roles that handle reports (the console's list and actions). */
export const HANDLER_ROLES = ['grid_manager', 'dispatcher', 'region_admin', 'system_admin'];

// What a handler may move a report to, as src/report/report.c allows.
const NEXT = {
  open: ['acknowledged', 'in_progress', 'fixed', 'closed', 'duplicate', 'not_ours'],
  acknowledged: ['in_progress', 'fixed', 'closed', 'duplicate', 'not_ours'],
  in_progress: ['fixed', 'closed', 'duplicate', 'not_ours'],
  fixed: ['closed', 'in_progress'],
  closed: ['open'],
  duplicate: ['open'],
  not_ours: ['open'],
};

export function nextStatuses(status) {
  return NEXT[status] || [];
}

/** The map's datum (the tiles'): positions are shown and sent in it. */
export async function mapDatum() {
  try {
    const cfg = await loadConfig();
    return cfg && cfg.tiles && cfg.tiles.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  } catch {
    return 'wgs84';
  }
}

export function statusBadge(r, id) {
  const cls = r.overdue ? 'rp-badge rp-overdue' : `rp-badge rp-st-${r.status}`;
  return h(
    'span',
    { class: cls, id, 'data-status': r.status },
    r.overdue ? h('span', { svg: icon('warn', 'icon icon-sm') }) : null,
    t(`rpStatus_${r.status}`),
    r.overdue ? ` · ${t('rpOverdue')}` : '',
  );
}

export function categoryName(r) {
  return pick(r, 'category_name');
}

/** One report in a list: its category, state, where and when; a link to its page. */
export function reportCard(r, { extra = null, distance = null } = {}) {
  return h(
    'li',
    { class: 'rp-card', id: `report-${r.id}`, 'data-id': r.id, 'data-status': r.status },
    h(
      'a',
      { class: 'rp-card-link', href: `#/reports/${r.id}` },
      h('span', { class: 'rp-card-title' }, langText(categoryName(r)), ` #${r.id}`),
      h(
        'span',
        { class: 'rp-card-meta' },
        statusBadge(r),
        distance != null ? ` · ${formatDistance(distance)}` : '',
        r.created_at ? ` · ${formatAge(r.created_at)}` : '',
        r.me_too ? ` · ${t('rpMeTooCount', { n: r.me_too })}` : '',
      ),
      r.description ? h('span', { class: 'rp-card-desc', lang: textLang(r.description) }, r.description) : null,
    ),
    extra,
  );
}

function entryText(e) {
  switch (e.kind) {
    case 'created':
      return t('rpTlCreated');
    case 'status':
      return t('rpTlStatus', { to: t(`rpStatus_${e.status_to}`) });
    case 'reopened':
      return t('rpTlReopened');
    case 'confirmed':
      return t('rpTlConfirmed');
    case 'rejected':
      return t('rpTlRejected');
    case 'escalated':
      return t('rpTlEscalated');
    default:
      return e.internal ? t('rpTlInternal') : t('rpTlComment');
  }
}

/** The timeline: who (by role, never by name) did what when, with comments and photos. */
export function timeline(list) {
  return h(
    'ol',
    { class: 'rp-timeline', id: 'report-timeline' },
    list.map((e) =>
      h(
        'li',
        { class: `rp-tl${e.internal ? ' rp-tl-internal' : ''}`, 'data-kind': e.kind, 'data-internal': e.internal ? 'true' : 'false' },
        h('p', { class: 'rp-tl-head' }, h('strong', null, entryText(e)), ` · ${t(`rpRole_${e.author_role}`)} · ${formatWhen(e.at)}`),
        e.body ? h('p', { class: 'rp-tl-body', lang: textLang(e.body) }, e.body) : null,
        e.photos && e.photos.length ? photoStrip(e.photos, t('rpTlPhoto')) : null,
      ),
    ),
  );
}

export function photoStrip(urls, alt) {
  return h(
    'ul',
    { class: 'rp-photos' },
    urls.map((u, i) => h('li', null, h('a', { href: u, target: '_blank', rel: 'noopener' }, h('img', { src: u, alt: `${alt} ${i + 1}`, loading: 'lazy', width: 96, height: 96 })))),
  );
}

// ---- photos before sending --------------------------------------------------

// The server takes a body of at most 1 MiB: three photos in base64 (4/3
// of their size) with the rest of the report stay under it at this size.
export const PHOTO_BUDGET = 220 * 1024;
const PHOTO_SIDE = 1600;

function readAsDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

function canvasBlob(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

/**
 * A photo ready to send: {dataUrl, preview, bytes, local}. Decoded here
 * and drawn again at most PHOTO_SIDE on a side as a JPEG no bigger than
 * PHOTO_BUDGET. A file the browser cannot decode is sent as it is (when
 * small enough) so that the server says what is wrong with it (415);
 * local: an error word when it cannot be sent at all.
 */
export async function preparePhoto(file) {
  let bitmap = null;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    bitmap = null;
  }
  if (!bitmap) {
    if (file.size > PHOTO_BUDGET) return { local: 'rpPhotoUnreadableBig', name: file.name };
    return { dataUrl: await readAsDataUrl(file), preview: null, bytes: file.size, name: file.name };
  }
  const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  let w = Math.max(1, Math.round(bitmap.width * scale));
  let hgt = Math.max(1, Math.round(bitmap.height * scale));
  let blob = null;
  for (let pass = 0; pass < 6; pass++) {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = hgt;
    c.getContext('2d').drawImage(bitmap, 0, 0, w, hgt);
    blob = await canvasBlob(c, pass < 2 ? 0.82 - pass * 0.12 : 0.7);
    if (blob && blob.size <= PHOTO_BUDGET) break;
    w = Math.max(1, Math.round(w * 0.75));
    hgt = Math.max(1, Math.round(hgt * 0.75));
  }
  bitmap.close?.();
  if (!blob || blob.size > PHOTO_BUDGET) return { local: 'rpPhotoTooBig', name: file.name };
  const dataUrl = await readAsDataUrl(blob);
  return { dataUrl, preview: dataUrl, bytes: blob.size, name: file.name };
}

/** The word for a photo's error from the API (413, 415, 422 on photos[i]). */
export function photoErrorWord(e) {
  if (e.status === 413) return 'rpPhotoTooBig';
  if (e.code === 'unreadable_photo') return 'rpPhotoUnreadable';
  if (e.status === 415) return 'rpPhotoNotImage';
  return 'rpPhotoBad';
}

/** The index of photos[i] in an API error's field, or -1. */
export function photoIndex(field) {
  const m = /^photos\[(\d+)\]$/.exec(field || '');
  return m ? Number(m[1]) : -1;
}
