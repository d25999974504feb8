// Calendar feeds: a person's bookings at a private URL (made, replaced,
// revoked, erased with the person) and a site's public events. Every feed
// is read back by two independent parsers: ical.js (npm) and libical (the
// C reference parser, through tests/tools/ical_check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import ICAL from 'ical.js';
import { startServer, ADMIN_TOKEN } from './lib/server.mjs';

const CHECK = process.env.WARMHARBOR_ICAL_CHECK ||
  path.resolve(import.meta.dirname, '../../build/default/tests/tools/ical_check');

/** Parse with both parsers; returns ical.js's VEVENTs. */
function parseBoth(text) {
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n'), 'CRLF line ends');
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
  const lib = spawnSync(CHECK, { input: text, encoding: 'utf8' });
  assert.equal(lib.status, 0, `libical: ${lib.stdout}${lib.stderr}`);
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.name, 'vcalendar');
  const events = cal.getAllSubcomponents('vevent');
  assert.match(lib.stdout, new RegExp(`^ok ${events.length} events`));
  return events.map((e) => new ICAL.Event(e));
}

const pathOf = (url) => new URL(url).pathname;

test('feeds: my bookings, replaced, revoked, cancelled ones marked', async () => {
  const srv = await startServer({ demo: true });
  try {
    const anon = srv.client();
    assert.equal((await anon.post('/api/me/calendar-feed')).status, 401);
    const worker = srv.client(srv.user('13944440001'));
    const slots = (await anon.get('/api/slots?available=1&limit=500')).json.items;
    const workshop = slots.find((s) => s.kind === 'workshop');
    assert.ok(workshop, 'the demo has workshops');
    const booked = await worker.post('/api/bookings', { slot: workshop.id });
    assert.equal(booked.status, 201, booked.text);

    assert.equal((await worker.get('/api/me/calendar-feed')).json.active, false);
    const made = await worker.post('/api/me/calendar-feed');
    assert.equal(made.status, 201);
    assert.match(made.json.url, /^http:\/\/.+\/api\/feeds\/[A-Za-z0-9_-]{20,}\/bookings\.ics$/);
    assert.ok(made.json.webcal.startsWith('webcal://'));
    const feed = await anon.get(pathOf(made.json.url));
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^text\/calendar/);
    let events = parseBoth(feed.text);
    assert.equal(events.length, 1);
    assert.ok(events[0].summary.includes(workshop.title_zh));
    assert.equal(events[0].startDate.toUnixTime(), Date.parse(workshop.start) / 1000);
    assert.equal(events[0].uid, `booking-${booked.json.id}@warmharbor`);
    assert.equal((await worker.get('/api/me/calendar-feed')).json.active, true);

    // Cancelled: still in the feed, marked, so calendar apps take it away.
    assert.equal((await worker.post(`/api/bookings/${booked.json.id}/cancel`)).status, 200);
    events = parseBoth((await anon.get(pathOf(made.json.url))).text);
    assert.equal(events[0].component.getFirstPropertyValue('status'), 'CANCELLED');

    // A new URL replaces the old; revoking ends it; a made-up one is 404.
    const again = await worker.post('/api/me/calendar-feed');
    assert.notEqual(again.json.url, made.json.url);
    assert.equal((await anon.get(pathOf(made.json.url))).status, 404);
    assert.equal((await anon.get(pathOf(again.json.url))).status, 200);
    assert.equal((await worker.del('/api/me/calendar-feed')).status, 204);
    assert.equal((await anon.get(pathOf(again.json.url))).status, 404);
    assert.equal((await anon.get('/api/feeds/not-a-token/bookings.ics')).status, 404);
  } finally {
    await srv.stop();
  }
});

test('feeds: the feed is personal data: exported, and gone with the person', async () => {
  const srv = await startServer({ demo: true });
  try {
    const worker = srv.client(srv.user('13944440002'));
    const made = await worker.post('/api/me/calendar-feed');
    const exported = await worker.get('/api/me/export');
    assert.equal(exported.json.feed.calendar_feed, 'active');
    assert.equal((await worker.del('/api/me?confirm=1')).status, 204);
    assert.equal((await srv.client().get(pathOf(made.json.url))).status, 404);
  } finally {
    await srv.stop();
  }
});

test('feeds: a site calendar lists its workshops, not desk appointments', async () => {
  const srv = await startServer({ demo: true });
  try {
    const anon = srv.client();
    const slots = (await anon.get('/api/slots?limit=500')).json.items;
    const site = slots.find((s) => s.kind === 'workshop').site;
    const res = await anon.get(`/api/sites/${site}/calendar.ics`);
    assert.equal(res.status, 200);
    const events = parseBoth(res.text);
    const workshops = slots.filter((s) => s.site === site && s.kind === 'workshop');
    assert.ok(events.length >= workshops.length && events.length > 0);
    const uids = new Set(events.map((e) => e.uid));
    for (const w of workshops) assert.ok(uids.has(`slot-${w.id}@warmharbor`));
    for (const a of slots.filter((s) => s.kind === 'appointment')) assert.ok(!uids.has(`slot-${a.id}@warmharbor`));
    assert.equal((await anon.get('/api/sites/999999/calendar.ics')).status, 404);
    // Texts with commas and semicolons survive both parsers.
    const admin = srv.client(ADMIN_TOKEN);
    const off = await admin.post('/api/offerings', { kind: 'workshop', title_zh: '培训：安全, 保险; 维修\\工具', site });
    assert.equal(off.status, 201, off.text);
    const start = new Date(Date.now() + 3 * 86400e3);
    const end = new Date(start.getTime() + 3600e3);
    const sl = await admin.post(`/api/offerings/${off.json.id}/slots`, { start: start.toISOString(), end: end.toISOString(), capacity: 5 });
    assert.equal(sl.status, 201, sl.text);
    const again = parseBoth((await anon.get(`/api/sites/${site}/calendar.ics`)).text);
    assert.ok(again.some((e) => e.summary === '培训：安全, 保险; 维修\\工具'));
  } finally {
    await srv.stop();
  }
});
