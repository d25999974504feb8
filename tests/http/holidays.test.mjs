// The holiday calendar: listing by year or range, PUT (insert or replace),
// DELETE, and the checks on dates and fields.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

describe('holidays', () => {
  let srv;
  let anon;
  let admin;
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('GET ?year= lists the year in date order', async () => {
    const r = expectStatus(await anon.get('/api/holidays?year=2026'), 200);
    assert.equal(r.json.total, 39);
    assert.equal(r.json.items.length, 39);
    const dates = r.json.items.map((h) => h.date);
    assert.deepEqual(dates, [...dates].sort());
    assert.ok(dates.every((d) => d.startsWith('2026-')));
    assert.deepEqual(r.json.items[0], {
      date: '2026-01-01', kind: 'holiday', as_weekday: 0, name_zh: '元旦', name_en: "New Year's Day",
    });
    const workday = r.json.items.find((h) => h.date === '2026-10-10');
    assert.deepEqual(workday, {
      date: '2026-10-10', kind: 'workday', as_weekday: 5, name_zh: '国庆节调休', name_en: 'National Day make-up workday',
    });
    assert.deepEqual(expectStatus(await anon.get('/api/holidays?year=2025'), 200).json, { items: [], total: 0 });
  });

  it('GET without arguments lists everything; from/to bound a range (inclusive)', async () => {
    assert.equal(expectStatus(await anon.get('/api/holidays'), 200).json.total, 39);
    const r = expectStatus(await anon.get('/api/holidays?from=2026-10-01&to=2026-10-03'), 200);
    assert.deepEqual(r.json.items.map((h) => h.date), ['2026-10-01', '2026-10-02', '2026-10-03']);
    const from = expectStatus(await anon.get('/api/holidays?from=2026-10-05'), 200);
    assert.deepEqual(from.json.items.map((h) => h.date), ['2026-10-05', '2026-10-06', '2026-10-07', '2026-10-10']);
    const to = expectStatus(await anon.get('/api/holidays?to=2026-01-03'), 200);
    assert.deepEqual(to.json.items.map((h) => h.date), ['2026-01-01', '2026-01-02', '2026-01-03']);
  });

  it('bad query arguments are 400 invalid_query naming the argument', async () => {
    assertError(await anon.get('/api/holidays?year=26x'), 400, 'invalid_query', 'year');
    assertError(await anon.get('/api/holidays?year=1899'), 400, 'invalid_query', 'year');
    assertError(await anon.get('/api/holidays?from=2026-02-30'), 400, 'invalid_query', 'from');
    assertError(await anon.get('/api/holidays?to=2026/10/01'), 400, 'invalid_query', 'to');
  });

  it('PUT inserts a holiday and a make-up workday, and replaces a day', async () => {
    const h = expectStatus(await admin.put('/api/holidays/2027-01-01', {
      kind: 'holiday', name_zh: '元旦', name_en: "New Year's Day",
    }), 200);
    assert.deepEqual(h.json, {
      date: '2027-01-01', kind: 'holiday', as_weekday: 0, name_zh: '元旦', name_en: "New Year's Day",
    });
    const w = expectStatus(await admin.put('/api/holidays/2027-01-02', { kind: 'workday', as_weekday: 5 }), 200);
    assert.deepEqual(w.json, { date: '2027-01-02', kind: 'workday', as_weekday: 5, name_zh: '', name_en: '' });
    const list = expectStatus(await anon.get('/api/holidays?year=2027'), 200);
    assert.deepEqual(list.json, { items: [h.json, w.json], total: 2 });
    // Replace: the day changes kind; still one entry.
    const r = expectStatus(await admin.put('/api/holidays/2027-01-02', { kind: 'holiday', name_en: 'Extra day' }), 200);
    assert.deepEqual(r.json, { date: '2027-01-02', kind: 'holiday', as_weekday: 0, name_zh: '', name_en: 'Extra day' });
    const after2 = expectStatus(await anon.get('/api/holidays?year=2027'), 200);
    assert.deepEqual(after2.json, { items: [h.json, r.json], total: 2 });
    // as_weekday 7 (Sunday) and 0 are accepted for workdays.
    expectStatus(await admin.put('/api/holidays/2027-02-06', { kind: 'workday', as_weekday: 7 }), 200);
    expectStatus(await admin.put('/api/holidays/2027-02-07', { kind: 'workday', as_weekday: 0 }), 200);
    assert.equal(expectStatus(await anon.get('/api/holidays?year=2027'), 200).json.total, 4);
    // Leap day.
    expectStatus(await admin.put('/api/holidays/2028-02-29', { kind: 'holiday' }), 200);
  });

  it('PUT validates the date and the fields', async () => {
    const cases = [
      ['2027-13-01', { kind: 'holiday' }, 400, 'invalid_path', 'date'],
      ['2027-02-29', { kind: 'holiday' }, 400, 'invalid_path', 'date'],
      ['20270301', { kind: 'holiday' }, 400, 'invalid_path', 'date'],
      ['2027-3-1', { kind: 'holiday' }, 400, 'invalid_path', 'date'],
      ['2027-03-01', { kind: 'festival' }, 422, 'invalid_field', 'kind'],
      ['2027-03-01', {}, 422, 'missing_field', 'kind'],
      ['2027-03-01', { kind: 'workday', as_weekday: 8 }, 422, 'invalid_field', 'as_weekday'],
      ['2027-03-01', { kind: 'workday', as_weekday: -1 }, 422, 'invalid_field', 'as_weekday'],
      ['2027-03-01', { kind: 'workday', as_weekday: '5' }, 422, 'invalid_field', 'as_weekday'],
      ['2027-03-01', { kind: 'holiday', as_weekday: 3 }, 422, 'invalid_field', 'as_weekday'],
      ['2027-03-01', { kind: 'holiday', note: 'x' }, 422, 'unknown_field', 'note'],
      ['2027-03-01', { kind: 'holiday', name_zh: '节'.repeat(67) }, 422, 'too_long', 'name_zh'],
    ];
    for (const [date, body, status, code, field] of cases) {
      const r = await admin.put(`/api/holidays/${date}`, body);
      assertError(r, status, code, field);
    }
    assert.deepEqual(expectStatus(await anon.get('/api/holidays?from=2027-03-01&to=2027-03-01'), 200).json,
      { items: [], total: 0 });
  });

  it('DELETE removes a day; 404 when absent; 400 for a bad date', async () => {
    const d = await admin.del('/api/holidays/2027-01-02');
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
    assertError(await admin.del('/api/holidays/2027-01-02'), 404, 'not_found', null);
    assertError(await admin.del('/api/holidays/someday'), 400, 'invalid_path', 'date');
    const list = expectStatus(await anon.get('/api/holidays?year=2027'), 200);
    assert.deepEqual(list.json.items.map((h) => h.date), ['2027-01-01', '2027-02-06', '2027-02-07']);
  });
});
