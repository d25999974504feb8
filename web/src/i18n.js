// i18n.js - the current language, the word for a key in it, and the
// formatters that turn data into plain words. The words themselves live
// with the code that shows them (words.js, <feature>/words.js).

const STORE_KEY = 'wh.lang';

// The words of every page, merged by the registry (registry.js) from
// words.js and each feature's words.js; set once at start-up.
let DICTS = { zh: {}, en: {} };

export function setWords(dicts) {
  DICTS = dicts;
}

export const HTML_LANG = { zh: 'zh-CN', en: 'en' };
/** The languages every word is given in, Chinese first. */
export const LANGS = Object.keys(HTML_LANG);

let current = 'zh';

export function initLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    /* storage may be blocked */
  }
  current = saved === 'en' ? 'en' : 'zh';
  return current;
}

export function lang() {
  return current;
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(STORE_KEY, current);
  } catch {
    /* not remembered, still switched */
  }
  document.documentElement.lang = HTML_LANG[current];
}

/** The word for key, with {name} placeholders filled from params. */
export function t(key, params) {
  return tIn(current, key, params);
}

/** The word for key in language l whatever the page's (a board shows both). */
export function tIn(l, key, params) {
  const d = DICTS[l] || DICTS.zh;
  let s = key in d ? d[key] : DICTS.zh[key];
  if (s === undefined) return key;
  if (params && typeof s === 'string')
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

/**
 * A data text in the current language: {text, lang} where lang is the
 * HTML language of the text actually shown (Chinese when English is
 * missing), so screen readers pronounce it right.
 */
export function pick(obj, base) {
  const zhText = obj[`${base}_zh`] || '';
  const enText = obj[`${base}_en`] || '';
  if (current === 'en' && enText) return { text: enText, lang: 'en' };
  if (zhText) return { text: zhText, lang: 'zh-CN' };
  return { text: enText, lang: 'en' };
}

export function formatDistance(m) {
  if (m == null || !Number.isFinite(m)) return '';
  if (m < 1000) return t('meters', { n: Math.max(10, Math.round(m / 10) * 10) });
  const km = m < 10000 ? (m / 1000).toFixed(1) : String(Math.round(m / 1000));
  return t('kilometers', { n: km });
}

export function formatAccuracy(m) {
  return formatDistance(Math.max(10, m));
}

/** "3 分钟前" / "3 min ago" for an ISO time. */
export function formatAge(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '';
  const s = Math.max(0, (now - then) / 1000);
  if (s < 60) return t('justNow');
  if (s < 3600) return t('minAgo', { n: Math.floor(s / 60) });
  if (s < 86400) return t('hourAgo', { n: Math.floor(s / 3600) });
  return t('dayAgo', { n: Math.floor(s / 86400) });
}

// Times are shown in China Standard Time (UTC+8) whatever the phone's zone.
const CST_MS = 8 * 3600 * 1000;
const DAY_MS = 86400 * 1000;
const pad = (n) => String(n).padStart(2, '0');

function cst(ms) {
  const d = new Date(ms + CST_MS);
  return {
    day: Math.floor((ms + CST_MS) / DAY_MS),
    hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    wd: d.getUTCDay(),
    m: d.getUTCMonth(),
    d: d.getUTCDate(),
  };
}

/** "22:00", "明天 09:00", "周一 09:00", "12月15日 09:00" for an ISO time. */
export function formatWhen(iso, now = Date.now()) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const a = cst(now);
  const b = cst(ms);
  const diff = b.day - a.day;
  if (diff <= 0) return b.hm;
  if (diff === 1) return `${t('tomorrow')} ${b.hm}`;
  if (diff < 7) return `${t('weekdays')[b.wd]} ${b.hm}`;
  return `${formatDate(b)} ${b.hm}`;
}

function formatDate(b) {
  const months = t('months');
  return t('dateFmt', { m: b.m + 1, d: b.d, mon: Array.isArray(months) ? months[b.m] : b.m + 1 });
}

/**
 * The open state of a site in plain words:
 * {open: bool, label: "营业中", detail: "22:00 关门", kind: 'open'|'closed'|'paused'}.
 */
export function openState(site, now = Date.now()) {
  const st = site.status;
  if (st === 'temporarily_closed' || st === 'closed' || st === 'planned' || st === 'removed') {
    const label = t(`st_${st}`);
    let detail = '';
    if (st === 'temporarily_closed' && site.status_until)
      detail = t('until', { when: formatWhen(site.status_until, now) });
    return { open: false, label, detail, kind: 'paused' };
  }
  const partly = st === 'partly_operational' ? t('st_partly_operational') : '';
  if (site.open) {
    const detail = site.next_change
      ? t('closesAt', { when: formatWhen(site.next_change, now) })
      : t('open247');
    return { open: true, label: t('open'), detail, extra: partly, kind: 'open' };
  }
  const detail = site.next_change ? t('opensAt', { when: formatWhen(site.next_change, now) }) : '';
  return { open: false, label: t('closed'), detail, extra: partly, kind: 'closed' };
}
