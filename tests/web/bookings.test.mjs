// bookings.test.mjs - the booking, check-in and providers' pages in node
// (no browser): their routes and tabs in the registry, their words for
// every state, kind, reason and error code the API has (in Chinese and
// English), the weekly pattern as people type it, and times in words.
//
//   node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PAGES } from '../../web/src/pages.js';
import { buildRegistry } from '../../web/src/registry.js';
import { setWords, setLang } from '../../web/src/i18n.js';
import sharedWords from '../../web/src/words.js';
import { parseWindows, generateBody, fieldOfGenerate, slotsPerDay, DAY_KEYS } from '../../web/src/offerings/pattern.js';
import { spanWords, dayWords, durationWords, countdown, todayKey, addDays } from '../../web/src/bookings/time.js';
import { checkInOpen, groupCode } from '../../web/src/bookings/common.js';
import { qrSvg } from '../../web/src/bookings/qr.js';

const registry = buildRegistry(PAGES, sharedWords);
setWords(registry.words);
const byId = (id) => PAGES.find((p) => p.id === id);
const ROOT = new URL('../../', import.meta.url);

// setLang also sets <html lang>: a stand-in document for node.
globalThis.document ??= { documentElement: {} };

test('the booking pages are in the registry: routes, the header link, the console tabs', () => {
  const patterns = registry.routes.map((r) => r.pattern);
  for (const p of ['/book', '/book/:kind', '/offerings/:id', '/slots/:id', '/bookings', '/bookings/calendar', '/bookings/:id', '/checkin', '/checkin/today', '/manage', '/manage/offerings/new', '/manage/offerings/:id', '/manage/offerings/:id/slots', '/manage/slots/:id'])
    assert.ok(patterns.includes(p), `route ${p}`);
  // Fixed paths come before the patterns that would take them.
  assert.ok(patterns.indexOf('/bookings/calendar') < patterns.indexOf('/bookings/:id'));
  assert.ok(patterns.indexOf('/manage/offerings/new') < patterns.indexOf('/manage/offerings/:id'));
  const nav = registry.nav.find((n) => n.id === 'book');
  assert.deepEqual([nav.href, nav.icon, nav.roles], ['/book', 'calendar', undefined], 'everyone sees "预约"');
  assert.deepEqual(
    registry.tabs.filter((x) => ['checkin', 'offerings'].includes(x.page)).map((x) => [x.path, x.roles.join()]),
    [
      ['/checkin', 'staff,provider,region_admin,system_admin'],
      ['/manage', 'staff,provider,region_admin,system_admin'],
    ],
  );
  // Their pages mark the header's console link, the worker's pages "预约".
  assert.equal(registry.sectionOf(byId('checkin').routes['/checkin']), 'admin');
  assert.equal(registry.sectionOf(byId('offerings').routes['/manage/slots/:id']), 'admin');
  assert.equal(registry.sectionOf(byId('bookings').routes['/bookings/:id']), 'book');
});

test('the booking modules give every word in Chinese and English, under their own prefixes', () => {
  for (const [id, prefix] of [['bookings', /^(bk|navBook$)/], ['checkin', /^ci/], ['offerings', /^of/]]) {
    const w = byId(id).words;
    assert.deepEqual(Object.keys(w.zh).sort(), Object.keys(w.en).sort(), `${id}: the same keys`);
    for (const k of Object.keys(w.zh)) assert.match(k, prefix, `${id}: ${k} starts with its prefix (keys are global)`);
    for (const l of ['zh', 'en']) for (const [k, v] of Object.entries(w[l])) assert.ok(String(v).trim(), `${id} ${l}:${k}`);
  }
});

test('words for every state, kind, cancel reason and map app the API has', () => {
  const zh = registry.words.zh;
  const en = registry.words.en;
  const need = [
    ...['held', 'confirmed', 'waitlisted', 'offered', 'cancelled', 'checked_in', 'no_show'].map((s) => `bkState_${s}`),
    ...['appointment', 'workshop', 'package', 'fair_booth', 'other'].map((k) => `bkKind_${k}`),
    ...['appointment', 'workshop', 'package'].map((k) => `bkKindTab_${k}`),
    ...['by_person', 'by_provider', 'hold_expired', 'offer_expired', 'slot_started'].map((r) => `bkReason_${r}`),
    ...['amap', 'baidu', 'tencent'].map((a) => `bkApp_${a}`),
    ...['confirmed', 'waitlisted', 'held'].map((s) => `bkJustBooked_${s}`),
    ...['cancel', 'accept', 'confirm'].map((s) => `bkDone_${s}`),
  ];
  for (const k of need) assert.ok(zh[k] && en[k], k);
  // The booking store's cancel reasons are all worded.
  const store = readFileSync(new URL('src/booking/booking_store.c', ROOT), 'utf8');
  for (const m of store.matchAll(/cancel_reason = '([a-z_]+)'/g)) assert.ok(zh[`bkReason_${m[1]}`], `reason ${m[1]}`);
});

test('every error code the booking routes answer with has words on the pages that meet it', () => {
  const src = readFileSync(new URL('src/booking/booking_http.c', ROOT), 'utf8');
  const codes = new Set([...src.matchAll(/reply_error\(r, \d+, "([a-z_]+)"/g)].map((m) => m[1]));
  const zh = registry.words.zh;
  const has = (code, prefixes) => prefixes.some((p) => Object.keys(zh).some((k) => k === `${p}_${code}` || k.startsWith(`${p}_${code}_`))) || `err_${code}` in zh;
  const worker = ['full', 'already_booked', 'slot_cancelled', 'offering_closed', 'slot_past', 'verification_required', 'cancel_cutoff_passed', 'not_cancellable', 'not_offered', 'offer_expired', 'not_held', 'hold_expired', 'state_changed'];
  const staff = ['too_early', 'slot_ended', 'already_checked_in', 'not_confirmed', 'no_booking_today', 'invalid_qr', 'qr_expired', 'out_of_scope'];
  const provider = ['slot_exists', 'too_many_slots', 'capacity_below_taken', 'unknown_site', 'unknown_org', 'unknown_service', 'immutable_field', 'out_of_scope'];
  for (const c of [...worker, ...staff, ...provider]) assert.ok(codes.has(c), `booking_http.c answers ${c}`);
  for (const c of worker) assert.ok(has(c, ['bkErr']), `worker: ${c}`);
  for (const c of staff) assert.ok(has(c, ['ciErr', 'bkErr']), `staff: ${c}`);
  for (const c of provider) assert.ok(has(c, ['ofErr', 'bkErr']), `provider: ${c}`);
  // Every code is met by one page or another.
  const shared = new Set(['not_found', 'invalid_field', 'missing_field', 'unknown_field', 'invalid_query', 'forbidden']);
  for (const c of codes) assert.ok(shared.has(c) || has(c, ['bkErr', 'ciErr', 'ofErr']), `no words for ${c}`);
});

test('time windows as people type them', () => {
  assert.deepEqual(parseWindows('09:00-12:00, 14:00-17:30'), { windows: ['09:00-12:00', '14:00-17:30'] });
  assert.deepEqual(parseWindows(' 9:00–12:00，14：00 至 17:30 '), { windows: ['09:00-12:00', '14:00-17:30'] });
  assert.deepEqual(parseWindows('9-12 13-24'), { windows: ['09:00-12:00', '13:00-24:00'] });
  assert.deepEqual(parseWindows(''), { windows: [] });
  assert.deepEqual(parseWindows('9:00-8:00'), { error: 'order', at: '9:00-8:00' });
  assert.deepEqual(parseWindows('09:00-12:00, 11:00-13:00'), { error: 'overlap', at: '11:00-13:00' });
  assert.deepEqual(parseWindows('morning'), { error: 'format', at: 'morning' });
  assert.deepEqual(parseWindows('25:00-26:00'), { error: 'format', at: '25:00-26:00' });
  assert.deepEqual(parseWindows('10:00-24:30'), { error: 'format', at: '10:00-24:30' });
  assert.equal(slotsPerDay(['09:00-12:00', '14:00-17:30'], 15), 26);
  assert.equal(slotsPerDay(['09:00-09:50'], 15), 3, 'a rest shorter than a slot is left out');
});

test('the generate request from the form, and server fields back onto the form', () => {
  const v = { from: '2026-12-08', to: '2026-12-21', minutes: '15', capacity: '1', site: '', days: { mo: '9-12', tu: '', we: 'x', th: '', fr: '', sa: '', su: '' }, on: new Set(['mo']) };
  assert.deepEqual(generateBody(v), { body: { from: '2026-12-08', to: '2026-12-21', days: { mo: ['09:00-12:00'] }, minutes: 15, capacity: 1 } });
  assert.deepEqual(generateBody({ ...v, site: '14' }).body.site, 14);
  assert.deepEqual(generateBody({ ...v, on: new Set(['mo', 'we', 'tu']) }).errors, { day_we: ['format', 'x'], day_tu: ['empty', ''] });
  assert.deepEqual(generateBody({ ...v, on: new Set(), minutes: '3', capacity: '0', to: '2026-12-01' }).errors, {
    days: ['none', ''],
    minutes: ['range', ''],
    capacity: ['range', ''],
    to: ['order', ''],
  });
  assert.equal(fieldOfGenerate('days.mo[1]'), 'day_mo');
  assert.equal(fieldOfGenerate('days.monday'), 'days');
  assert.equal(fieldOfGenerate('days'), 'days');
  assert.equal(fieldOfGenerate('from'), 'from');
  assert.equal(fieldOfGenerate('colour'), null);
  assert.deepEqual(DAY_KEYS, ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su']);
});

test('times in words, in UTC+8 whatever the zone; countdowns and lengths', () => {
  const now = Date.parse('2026-12-07T10:00:00+08:00');
  setLang('zh');
  assert.equal(spanWords('2026-12-07T19:00:00+08:00', '2026-12-07T20:30:00+08:00', now), '今天 12月7日 周一 19:00–20:30');
  assert.equal(spanWords('2026-12-08T09:00:00+08:00', '2026-12-08T09:15:00+08:00', now), '明天 12月8日 周二 09:00–09:15');
  assert.equal(spanWords('2027-01-25T09:00:00+08:00', '2027-02-04T18:00:00+08:00', now), '1月25日 周一 09:00 – 2月4日 周四 18:00');
  assert.equal(spanWords('2026-12-09T23:00:00+08:00', '2026-12-10T00:00:00+08:00', now), '12月9日 周三 23:00–24:00');
  // A moment late in the evening UTC is the next morning in Lianyungang.
  assert.equal(dayWords('2026-12-08', Date.parse('2026-12-07T17:00:00Z')), '今天 12月8日 周二');
  assert.equal(durationWords(3600), '1 小时');
  assert.equal(durationWords(5400), '1 小时 30 分钟');
  assert.equal(durationWords(86400), '1 天');
  assert.equal(countdown(now + 3723e3, now), '1:02:03');
  assert.equal(countdown(now + 65e3, now), '01:05');
  assert.equal(countdown(now - 1, now), '');
  setLang('en');
  assert.equal(spanWords('2026-12-08T09:00:00+08:00', '2026-12-08T09:15:00+08:00', now), 'Tomorrow, Tue 8 Dec 09:00–09:15');
  assert.equal(durationWords(7200), '2 h');
  setLang('zh');
  assert.equal(todayKey(Date.parse('2026-12-31T16:30:00Z')), '2027-01-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
});

test('check-in opens on the slot\'s day and closes at its end; tickets read in groups', () => {
  const slot = { start: '2026-12-08T09:00:00+08:00', end: '2026-12-08T09:15:00+08:00' };
  assert.equal(checkInOpen(slot, Date.parse('2026-12-07T23:59:00+08:00')), false);
  assert.equal(checkInOpen(slot, Date.parse('2026-12-08T00:01:00+08:00')), true);
  assert.equal(checkInOpen(slot, Date.parse('2026-12-08T09:15:00+08:00')), false);
  assert.equal(groupCode('abcdefghijklmn'), 'abcdef ghijkl mn');
});

test('a ticket drawn as a QR code: SVG with a quiet zone, the text not in the markup', () => {
  const svg = qrSvg('x3RA0DmaLVzpD5XSKezVx_zjAPrJz97Z4AyySxZ-qxLJqfBuG-ElUJ_XHw');
  assert.match(svg, /^<svg class="qr-svg" [^>]*viewBox="0 0 (\d+) \1"/);
  const size = Number(/viewBox="0 0 (\d+)/.exec(svg)[1]);
  assert.equal((size - 8 - 17) % 4, 0, 'a QR code (17 + 4v modules) and four quiet modules each side');
  assert.ok(!svg.includes('x3RA0D'), 'the ticket is encoded, not written');
  assert.match(svg, /<path d="M4 4h7v1h-7z/, 'the finder pattern starts inside a four-module quiet zone');
});
