// common.js - what the volunteer pages share: my squads (asked once per
// page), errors in plain words (voErr_<code> first, then the booking
// pages' and the shared ones), hours in words, a squad's name.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { problemWords } from '../bookings/common.js';
import { momentWords, durationWords } from '../bookings/time.js';

/** GET /api/me/volunteer, or null signed out (or when it fails). */
export async function myVolunteer() {
  if (!session.me()) return null;
  try {
    return await session.call('GET', '/api/me/volunteer');
  } catch {
    return null;
  }
}

/** An error in plain words; signups_paused says until when. */
export function voProblem(e) {
  if (e instanceof ApiError && e.code === 'signups_paused') {
    const until = e.details && e.details.until;
    return until ? t('voErr_signups_paused', { until: momentWords(until) }) : t('voErr_signups_paused_plain');
  }
  return problemWords(e, ['voErr', 'bkErr']);
}

/** "2 小时 15 分钟" of minutes (0: "0 分钟"). */
export function minutesWords(m) {
  if (!m) return t('bkMinutes', { n: 0 });
  return durationWords(m * 60);
}

/** Hours with one decimal: 2.3 */
export function hoursNumber(m) {
  return (Math.round(((m || 0) / 60) * 10) / 10).toString();
}

export function squadName(s) {
  return pick(s, 'name');
}

/** A problem block next to what failed. */
export function problemBlock(id, e) {
  return h('p', { class: 'field-error vo-problem', id, role: 'alert', tabindex: '-1' }, voProblem(e));
}

/** Hours' state in words. */
export function hoursState(st) {
  return t(`voH_${st}`);
}
