// pattern.js - the weekly pattern of desk appointments as people type it
// and as POST /api/offerings/{id}/slots/generate takes it. Windows are
// typed "09:00-12:00, 14:00-17:30" (also "9:00–12:00", full-width
// punctuation, "至"); the API takes ["09:00-12:00", "14:00-17:30"] per
// weekday key. No DOM here: node tests it (tests/web/).

export const DAY_KEYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];

const pad = (n) => String(n).padStart(2, '0');

/** Typed times with full-width colons, dashes and "至" made plain. */
export function plainTimes(text) {
  return String(text || '')
    .replace(/[：]/g, ':')
    .replace(/[–—~～至到]/g, '-')
    .replace(/\s*-\s*/g, '-')
    .trim();
}

/**
 * Parse typed windows: {windows: ["09:00-12:00", ...]} in the order typed,
 * or {error: 'format' | 'order' | 'overlap', at: the text that is wrong}.
 */
export function parseWindows(text) {
  const norm = plainTimes(text);
  if (!norm) return { windows: [] };
  const parts = norm.split(/[,，、;；\s]+/).filter(Boolean);
  const windows = [];
  const spans = [];
  for (const p of parts) {
    const m = /^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$/.exec(p);
    if (!m) return { error: 'format', at: p };
    const a = Number(m[1]) * 60 + Number(m[2] || 0);
    const b = Number(m[3]) * 60 + Number(m[4] || 0);
    if (Number(m[1]) > 23 || Number(m[2] || 0) > 59 || Number(m[4] || 0) > 59 || b > 24 * 60) return { error: 'format', at: p };
    if (b <= a) return { error: 'order', at: p };
    if (spans.some(([x, y]) => a < y && x < b)) return { error: 'overlap', at: p };
    spans.push([a, b]);
    windows.push(`${pad(Math.floor(a / 60))}:${pad(a % 60)}-${pad(Math.floor(b / 60))}:${pad(b % 60)}`);
  }
  return { windows };
}

/** How many slots of `minutes` the windows make in a day (a rest shorter than that is left out). */
export function slotsPerDay(windows, minutes) {
  if (!(minutes > 0)) return 0;
  let n = 0;
  for (const w of windows) {
    const [a, b] = w.split('-').map((x) => {
      const [hh, mm] = x.split(':').map(Number);
      return hh * 60 + mm;
    });
    n += Math.floor((b - a) / minutes);
  }
  return n;
}

/**
 * The request body from the form's values: {from, to, minutes, capacity,
 * site?, days: {key: text}, on: Set of keys}. Returns {body} or {errors:
 * {formKey: [code, detail]}} (day_<key>, days, minutes, capacity, from, to).
 */
export function generateBody(v) {
  const errors = {};
  const days = {};
  for (const k of DAY_KEYS) {
    if (!v.on.has(k)) continue;
    const r = parseWindows(v.days[k]);
    if (r.error) errors[`day_${k}`] = [r.error, r.at];
    else if (!r.windows.length) errors[`day_${k}`] = ['empty', ''];
    else days[k] = r.windows;
  }
  if (!v.on.size) errors.days = ['none', ''];
  const minutes = Number(v.minutes);
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) errors.minutes = ['range', ''];
  const capacity = Number(v.capacity);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100000) errors.capacity = ['range', ''];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.from || '')) errors.from = ['missing', ''];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.to || '')) errors.to = ['missing', ''];
  else if (!errors.from && v.to < v.from) errors.to = ['order', ''];
  if (Object.keys(errors).length) return { errors };
  const body = { from: v.from, to: v.to, days, minutes, capacity };
  if (v.site) body.site = Number(v.site);
  return { body };
}

/** The form key a server error's field names: "days.mo[1]" -> "day_mo". */
export function fieldOfGenerate(field) {
  const m = /^days\.([a-z]+)/.exec(field || '');
  if (m) return DAY_KEYS.includes(m[1]) ? `day_${m[1]}` : 'days';
  return ['from', 'to', 'minutes', 'capacity', 'site', 'days'].includes(field) ? field : null;
}
