// hours.js - the opening-hours editor's model and its OpenStreetMap text,
// both ways: a week of days (each closed or open at some times), how public
// holidays go (as the weekday they fall on, closed, or their own times), or
// open all the time. toOsm writes the text; toModel reads back the texts
// the editor can show ("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00; PH off",
// "24/7", later rules overriding earlier days as OSM has it) and gives null
// for anything else, which the experts' text field then keeps as typed.
// No DOM here: node tests it (tests/web/).

import { plainTimes } from '../offerings/pattern.js';

export const DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

const pad = (n) => String(n).padStart(2, '0');
const hm = (m) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

/** A model open all the time; and one open Mo-Fr 08:00-18:00 as a start. */
export function emptyModel() {
  const days = {};
  for (const d of DAYS) days[d] = d === 'Sa' || d === 'Su' ? [] : ['08:00-18:00'];
  return { always: false, days, ph: 'same', phTimes: [] };
}

/**
 * Times as typed for one day: "08:00-12:00, 14:00-20:00" (also "8-12",
 * full-width punctuation, "至"); an end at or before the start runs past
 * midnight ("22:00-06:00"). {windows: ["08:00-12:00", ...]} or
 * {error: 'format' | 'overlap', at: the part that is wrong}.
 */
export function parseTimes(text) {
  const norm = plainTimes(text);
  if (!norm) return { windows: [] };
  const windows = [];
  const spans = [];
  for (const p of norm.split(/[,，、;；\s]+/).filter(Boolean)) {
    const m = /^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$/.exec(p);
    if (!m) return { error: 'format', at: p };
    const a = Number(m[1]) * 60 + Number(m[2] || 0);
    const b = Number(m[3]) * 60 + Number(m[4] || 0);
    if (Number(m[1]) > 23 || Number(m[2] || 0) > 59 || Number(m[4] || 0) > 59 || b > 24 * 60 || a === b) return { error: 'format', at: p };
    const end = b <= a ? b + 24 * 60 : b;
    if (spans.some(([x, y]) => a < y && x < end)) return { error: 'overlap', at: p };
    spans.push([a, end]);
    windows.push(`${hm(a)}-${hm(b)}`);
  }
  return { windows };
}

/** Days with the same times, as OSM writes them: "Mo-Fr", "Sa,Su", "Mo,We-Fr". */
function daySpec(idx) {
  const out = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    if (j - i >= 2) out.push(`${DAYS[idx[i]]}-${DAYS[idx[j]]}`);
    else for (let k = i; k <= j; k++) out.push(DAYS[idx[k]]);
    i = j + 1;
  }
  return out.join(',');
}

/** The model as OpenStreetMap opening_hours text ('' when every day is closed). */
export function toOsm(model) {
  if (model.always) {
    return model.ph === 'off' ? '24/7; PH off' : model.ph === 'hours' && model.phTimes.length ? `24/7; PH ${model.phTimes.join(',')}` : '24/7';
  }
  const groups = new Map(); // times text -> [day index]
  DAYS.forEach((d, i) => {
    const w = model.days[d] || [];
    if (!w.length) return;
    const key = w.join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  });
  const rules = [...groups.entries()].sort((a, b) => a[1][0] - b[1][0]).map(([times, idx]) => (idx.length === 7 ? `Mo-Su ${times}` : `${daySpec(idx)} ${times}`));
  if (!rules.length) return '';
  if (model.ph === 'off') rules.push('PH off');
  else if (model.ph === 'hours' && model.phTimes.length) rules.push(`PH ${model.phTimes.join(',')}`);
  return rules.join('; ');
}

const TIME = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function daysOf(spec) {
  const out = [];
  for (const p of spec.split(',')) {
    const m = /^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$/.exec(p);
    if (!m) return null;
    const a = DAYS.indexOf(m[1]);
    const b = m[2] ? DAYS.indexOf(m[2]) : a;
    // Mo-Su and wrapping ranges (Fr-Mo) both as OSM reads them.
    for (let i = a; ; i = (i + 1) % 7) {
      out.push(DAYS[i]);
      if (i === b) break;
    }
  }
  return out;
}

function timesOf(spec) {
  if (spec === 'off' || spec === 'closed') return [];
  const out = [];
  for (const r of spec.split(',')) {
    const m = TIME.exec(r.trim());
    if (!m) return null;
    const p = parseTimes(r.trim());
    if (p.error) return null;
    out.push(p.windows[0]);
  }
  return out;
}

/** The model for an opening_hours text, or null when the editor cannot show it. */
export function toModel(text) {
  const s = String(text || '').trim().replace(/\s+/g, ' ');
  if (!s) return null;
  const model = { always: false, days: Object.fromEntries(DAYS.map((d) => [d, []])), ph: 'same', phTimes: [] };
  const rules = s.split(/\s*;\s*/).filter(Boolean);
  let first = true;
  for (const r of rules) {
    if (r === '24/7') {
      if (!first) return null;
      model.always = true;
      first = false;
      continue;
    }
    const sp = r.indexOf(' ');
    if (sp < 0) return null;
    const dayPart = r.slice(0, sp);
    const times = timesOf(r.slice(sp + 1).trim());
    if (times === null) return null;
    if (dayPart === 'PH') {
      model.ph = times.length ? 'hours' : 'off';
      model.phTimes = times;
    } else {
      if (model.always) return null;
      const days = daysOf(dayPart);
      if (!days) return null;
      for (const d of days) model.days[d] = times;
    }
    first = false;
  }
  if (model.always) {
    for (const d of DAYS) model.days[d] = ['00:00-24:00'];
    return model;
  }
  if (DAYS.every((d) => model.days[d].join() === '00:00-24:00')) model.always = true;
  return model;
}
