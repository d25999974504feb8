// hours.js - OpenStreetMap opening_hours in plain words, for the common
// shapes the network uses ("Mo-Fr 08:30-18:00; Sa,Su 09:00-17:00; PH off",
// "24/7", "Mo-Su 18:00-02:00"). Anything else is shown as written.
import { t } from '../i18n.js';

const DAY_TOKEN = /^(Mo|Tu|We|Th|Fr|Sa|Su|PH)(-(Mo|Tu|We|Th|Fr|Sa|Su))?$/;
const TIME_RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function daysText(spec) {
  if (!spec) return t('daily');
  const parts = spec.split(',');
  const out = [];
  for (const p of parts) {
    const m = DAY_TOKEN.exec(p);
    if (!m) return null;
    if (m[1] === 'PH') {
      if (m[2]) return null;
      out.push(t('day_PH'));
    } else if (m[3]) {
      if (m[1] === 'Mo' && m[3] === 'Su') out.push(t('daily'));
      else out.push(t('dayRange', { a: t(`day_${m[1]}`), b: t(`day_${m[3]}`) }));
    } else out.push(t(`day_${m[1]}`));
  }
  return out.join(t('listSep'));
}

function timesText(spec) {
  if (spec === 'off' || spec === 'closed') return t('off');
  if (spec === '24/7' || spec === '00:00-24:00') return t('h24');
  const out = [];
  for (const r of spec.split(',')) {
    const m = TIME_RANGE.exec(r);
    if (!m) return null;
    const from = `${m[1]}:${m[2]}`;
    const to = `${m[3]}:${m[4]}`;
    const overnight = Number(m[3]) * 60 + Number(m[4]) <= Number(m[1]) * 60 + Number(m[2]);
    out.push(overnight ? t('overnight', { from, to }) : `${from}–${to}`);
  }
  return out.join(t('listSep'));
}

/**
 * [{days, times}] rows for an opening_hours string, or null when the
 * string is not one of the shapes understood here.
 */
export function hoursRows(oh) {
  if (!oh || typeof oh !== 'string') return null;
  const s = oh.trim();
  if (s === '24/7') return [{ days: t('daily'), times: t('h24') }];
  const rows = [];
  for (const rule of s.split(';')) {
    const r = rule.trim();
    if (!r) continue;
    const sp = r.indexOf(' ');
    let days = null;
    let times = null;
    if (sp < 0) {
      // Either a bare time range (every day) or bare days (open all day).
      times = timesText(r);
      if (times !== null) days = t('daily');
    } else {
      days = daysText(r.slice(0, sp));
      times = timesText(r.slice(sp + 1).trim());
    }
    if (days === null || times === null) return null;
    rows.push({ days, times });
  }
  return rows.length ? rows : null;
}
