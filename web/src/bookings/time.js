// time.js - booking times in words. The API gives times with +08:00 and
// the district keeps China Standard Time, so days and hours are shown in
// UTC+8 whatever the phone's zone: "今天 12月8日 周二 09:00–09:15",
// "Tue 8 Dec 09:00–09:15". Also countdowns (an offer, a held seat) and
// lengths of time (a cancellation cut-off). No DOM here: node runs it.
import { t } from '../i18n.js';

const CST_MS = 8 * 3600e3;
const DAY_MS = 86400e3;
const pad = (n) => String(n).padStart(2, '0');

/** The parts of a moment in UTC+8; ms: a number or an ISO text. */
export function cst(at) {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const d = new Date(ms + CST_MS);
  return {
    ms,
    day: Math.floor((ms + CST_MS) / DAY_MS), // days since 1970-01-01 in UTC+8
    y: d.getUTCFullYear(),
    m: d.getUTCMonth(),
    d: d.getUTCDate(),
    wd: d.getUTCDay(),
    hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    key: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  };
}

/** "2026-12-08" of a moment (UTC+8). */
export function dayKey(at) {
  return cst(at).key;
}

/** Today in UTC+8, "2026-12-07". */
export function todayKey(now = Date.now()) {
  return cst(now).key;
}

/** A day key moved by n days. */
export function addDays(key, n) {
  const ms = Date.parse(`${key}T00:00:00Z`) + n * DAY_MS;
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Sunday .. 6 = Saturday of a day key. */
export function weekdayOf(key) {
  return new Date(`${key}T00:00:00Z`).getUTCDay();
}

function dateOnly(p) {
  const months = t('months');
  return t('dateFmt', { m: p.m + 1, d: p.d, mon: Array.isArray(months) ? months[p.m] : p.m + 1 });
}

/** "12月8日 周二" / "Tue 8 Dec" for a day key, with "今天" / "明天" before it when it is. */
export function dayWords(key, now = Date.now()) {
  const p = cst(Date.parse(`${key}T00:00:00+08:00`));
  const diff = p.day - cst(now).day;
  const base = t('bkDayFmt', { date: dateOnly(p), wd: t('weekdays')[p.wd] });
  if (diff === 0) return t('bkTodayIs', { day: base });
  if (diff === 1) return t('bkTomorrowIs', { day: base });
  return base;
}

/** "12月8日 周二 09:00" for a moment. */
export function momentWords(at, now = Date.now()) {
  const p = cst(at);
  return `${dayWords(p.key, now)} ${p.hm}`;
}

/** "09:00" of a moment. */
export function hm(at) {
  return cst(at).hm;
}

/** When a slot is: one day "12月8日 周二 09:00–09:15", or over days "1月25日 周一 09:00 – 2月4日 周四 18:00". */
export function spanWords(start, end, now = Date.now()) {
  const a = cst(start);
  const b = cst(end);
  if (a.key === b.key || (b.day === a.day + 1 && b.hm === '00:00')) return `${dayWords(a.key, now)} ${a.hm}–${b.hm === '00:00' && b.day !== a.day ? '24:00' : b.hm}`;
  return `${momentWords(start, now)} – ${momentWords(end, now)}`;
}

/** Whole minutes, hours or days of a length in seconds: "1 小时", "30 分钟", "1 天", "1 小时 30 分钟". */
export function durationWords(s) {
  s = Math.max(0, Math.round(s));
  if (s === 0) return t('bkNoTime');
  if (s % 86400 === 0) return t('bkDays', { n: s / 86400 });
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  if (!h) return t('bkMinutes', { n: Math.max(1, m) });
  if (!m) return t('bkHours', { n: h });
  return `${t('bkHours', { n: h })} ${t('bkMinutes', { n: m })}`;
}

/** A countdown to until (ms): "1:59:30" or "04:05"; '' once it has passed. */
export function countdown(until, now = Date.now()) {
  const left = Math.floor((until - now) / 1000);
  if (left <= 0) return '';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}
