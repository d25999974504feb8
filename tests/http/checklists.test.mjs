// Daily checks (the checklist module): checklists per site type kept by
// system admins, staff recording today's opening and closing checks, a
// failed item reporting its amenity's fault (the map shows it out of
// order), and which sites of a region skipped a day's checks. Attacks:
// anonymous callers, workers, staff of another site, region admins
// elsewhere, a replay, two checks at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, expectStatus, assertError } from './lib/server.mjs';

const ENV = { WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_TICK_S: '3600', WARMHARBOR_CONN_PER_ADDRESS: '0' };

async function setup() {
  const srv = await startServer({ demo: true, env: ENV });
  const admin = srv.client(ADMIN_TOKEN);
  const mk = async (extra) => {
    const res = await admin.post('/api/sites', {
      name_zh: '测试驿站', type: 'community_station', region: 'HZ-XN-01', position: { lat: 34.575, lon: 119.2 },
      opening_hours: '24/7', amenities: { microwave: true, first_aid: true, phone_charging: 2, drinking_water: true },
      ...extra,
    });
    assert.equal(res.status, 201, res.text);
    return res.json.id;
  };
  const site = await mk({});
  const shut = await mk({ name_zh: '停用驿站', opening_hours: 'off' });
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  const grant = async (tok, role, kind, ref) => {
    const res = await admin.post(`/api/users/${await idOf(tok)}/roles`, { role, scope_kind: kind, scope_ref: String(ref) });
    assert.equal(res.status, 201, res.text);
  };
  const t = {
    staff: srv.user('13966660001'), staff2: srv.user('13966660002'), staffOne: srv.user('13966660003'),
    worker: srv.user('13966660004'), regionIn: srv.user('13966660005'), regionOut: srv.user('13966660006'),
  };
  await grant(t.staff, 'staff', 'site', site);
  await grant(t.staff2, 'staff', 'site', site);
  await grant(t.staffOne, 'staff', 'site', 1);
  await grant(t.regionIn, 'region_admin', 'region', 'HZ-XN');
  await grant(t.regionOut, 'region_admin', 'region', 'HZ-HZ');
  const c = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, srv.client(v)]));
  return { srv, admin, site, shut, staffId: await idOf(t.staff), ...c };
}

/** Answers for every item of a checklist: all ok but those in fails. */
function answers(items, fails = {}) {
  return items.map((it) => (it.code in fails ? { code: it.code, ok: false, ...fails[it.code] } : { code: it.code, ok: true }));
}

test('checklists: system admins keep them per site type; everyone else may only read', async () => {
  const { srv, admin, staff, regionIn, worker } = await setup();
  try {
    const cs = expectStatus(await staff.get('/api/checklists/community_station'), 200).json;
    assert.equal(cs.site_type, 'community_station');
    assert.ok(cs.opening.length >= 4 && cs.closing.length >= 3);
    assert.deepEqual(cs.opening.find((i) => i.code === 'first_aid'),
      { code: 'first_aid', label_zh: '急救药箱已检查', label_en: 'First-aid kit checked', amenity: 'first_aid' });
    assertError(await worker.get('/api/checklists/community_station'), 403, 'forbidden');
    assert.equal((await srv.client().get('/api/checklists/warm_hut')).status, 401);

    const list = { items: [
      { code: 'clean', label_zh: '清洁', label_en: 'Clean' },
      { code: 'kit', label_zh: '药箱', amenity: 'first_aid' },
    ] };
    assertError(await staff.put('/api/checklists/warm_hut/opening', list), 403, 'forbidden');
    assertError(await regionIn.put('/api/checklists/warm_hut/opening', list), 403, 'forbidden');
    const put = expectStatus(await admin.put('/api/checklists/warm_hut/opening', list), 200).json;
    assert.deepEqual(put.opening, [
      { code: 'clean', label_zh: '清洁', label_en: 'Clean', amenity: null },
      { code: 'kit', label_zh: '药箱', label_en: '', amenity: 'first_aid' },
    ]);
    assert.ok(put.closing.length > 0, 'the closing checklist is left alone');

    assertError(await admin.put('/api/checklists/no_type/opening', list), 404, 'not_found');
    assertError(await admin.put('/api/checklists/warm_hut/midday', list), 404, 'not_found');
    assertError(await admin.get('/api/checklists/no_type'), 404, 'not_found');
    const bad = [
      [{}, 422, 'missing_field', 'items'],
      [{ items: {} }, 422, 'invalid_field', 'items'],
      [{ items: Array.from({ length: 31 }, (_, i) => ({ code: `c${i}`, label_zh: 'x' })) }, 422, 'too_many_items', 'items'],
      [{ items: [{ code: 'a', label_zh: 'x' }, { code: 'a', label_zh: 'y' }] }, 422, 'duplicate_item', 'items[1].code'],
      [{ items: [{ code: 'A b', label_zh: 'x' }] }, 422, 'invalid_field', 'items[0].code'],
      [{ items: [{ code: 'a' }] }, 422, 'missing_field', 'items[0].label_zh'],
      [{ items: [{ code: 'a', label_zh: 'x', amenity: 'unicorn' }] }, 422, 'unknown_amenity', 'items[0].amenity'],
      [{ items: [{ code: 'a', label_zh: 'x', when: 1 }] }, 422, 'unknown_field', 'items[0].when'],
      [{ items: ['a'] }, 422, 'invalid_field', 'items[0]'],
    ];
    for (const [body, status, code, field] of bad) assertError(await admin.put('/api/checklists/warm_hut/opening', body), status, code, field);
    assert.equal((await staff.get('/api/checklists/warm_hut')).json.opening.length, 2, 'a refused change changed nothing');
  } finally {
    await srv.stop();
  }
});

test('checklists: today\'s opening check, a failed item reporting its fault, one check a day', async () => {
  const { srv, site, staff, staff2, staffId } = await setup();
  try {
    const anon = srv.client();
    const day = expectStatus(await staff.get(`/api/sites/${site}/checklists`), 200).json;
    assert.equal(day.site_type, 'community_station');
    assert.equal(day.opening.done, false);
    assert.equal(day.opening.due, true, 'open round the clock: due from midnight');
    assert.equal(day.closing.due, false, 'it does not close today');
    assert.equal(day.opening.check, null);
    assert.ok(day.opening.items.every((i) => i.ok === null));
    assert.equal((await anon.get(`/api/sites/${site}/status`)).json.amenities.find((a) => a.code === 'microwave')?.working ?? true, true);

    const items = day.opening.items;
    const body = { kind: 'opening', note: '早班', items: answers(items, { microwave: { note: '不加热', report_fault: true }, notice: { note: '公示过期' } }) };
    const res = await staff.post(`/api/sites/${site}/checklists`, body);
    assert.equal(res.status, 201, res.text);
    const run = res.json;
    assert.equal(run.kind, 'opening');
    assert.equal(run.date, day.date);
    assert.equal(run.failed, 2);
    assert.equal(run.note, '早班');
    assert.deepEqual(run.checked_by, { id: staffId, name: '' });
    assert.deepEqual(run.items.map((i) => i.code), items.map((i) => i.code), 'in the checklist\'s order');
    const mw = run.items.find((i) => i.code === 'microwave');
    assert.equal(mw.ok, false);
    assert.equal(mw.note, '不加热');
    assert.ok(mw.fault_id > 0);
    assert.equal(run.items.find((i) => i.code === 'notice').fault_id, null);
    assert.equal(res.headers.get('location'), `/api/sites/${site}/checklists?date=${day.date}`);

    // The map shows the microwave out of order; the fault is the fault module's.
    const status = (await anon.get(`/api/sites/${site}/status`)).json;
    assert.equal(status.amenities.find((a) => a.code === 'microwave').working, false);
    const fault = expectStatus(await staff.get(`/api/faults/${mw.fault_id}`), 200).json;
    assert.equal(fault.amenity, 'microwave');
    assert.equal(fault.state, 'open');
    assert.match(fault.note, /微波炉正常：不加热/);

    assertError(await staff2.post(`/api/sites/${site}/checklists`, body), 409, 'already_checked', 'kind');
    const after = (await staff.get(`/api/sites/${site}/checklists`)).json;
    assert.equal(after.opening.done, true);
    assert.deepEqual(after.opening.check, run);

    // The closing check names the open fault rather than reporting it again.
    const closing = after.closing.items;
    assert.ok(!closing.some((i) => i.amenity === 'microwave'));
    const faultsBefore = (await staff.get(`/api/sites/${site}/faults?state=open`)).json.items.length;
    expectStatus(await srv.client(ADMIN_TOKEN).put('/api/checklists/community_station/closing', { items: [
      { code: 'clean', label_zh: '清洁' }, { code: 'microwave', label_zh: '微波炉', amenity: 'microwave' },
    ] }), 200);
    const c2 = expectStatus(await staff.post(`/api/sites/${site}/checklists`, {
      kind: 'closing', items: [{ code: 'clean', ok: true }, { code: 'microwave', ok: false, report_fault: true }],
    }), 201).json;
    assert.equal(c2.items[1].fault_id, mw.fault_id);
    assert.equal((await staff.get(`/api/sites/${site}/faults?state=open`)).json.items.length, faultsBefore);
  } finally {
    await srv.stop();
  }
});

test('checklists: every wrong answer is named', async () => {
  const { srv, admin, site, staff } = await setup();
  try {
    const items = (await staff.get(`/api/sites/${site}/checklists`)).json.opening.items;
    const post = (b) => staff.post(`/api/sites/${site}/checklists`, b);
    const all = answers(items);
    const noAmenity = items.find((i) => !i.amenity).code;
    const bad = [
      [{ items: all }, 'missing_field', 'kind'],
      [{ kind: 'noon', items: all }, 'invalid_field', 'kind'],
      [{ kind: 'opening' }, 'missing_field', 'items'],
      [{ kind: 'opening', items: 'all fine' }, 'invalid_field', 'items'],
      [{ kind: 'opening', items: all.slice(1) }, 'missing_item', 'items'],
      [{ kind: 'opening', items: [...all, { code: all[0].code, ok: true }] }, 'duplicate_item', `items[${all.length}].code`],
      [{ kind: 'opening', items: [...all, { code: 'dance', ok: true }] }, 'unknown_item', `items[${all.length}].code`],
      [{ kind: 'opening', items: [{ code: all[0].code }, ...all.slice(1)] }, 'missing_field', 'items[0].ok'],
      [{ kind: 'opening', items: [{ code: all[0].code, ok: 'yes' }, ...all.slice(1)] }, 'invalid_field', 'items[0].ok'],
      [{ kind: 'opening', items: all.map((a) => (a.code === noAmenity ? { ...a, ok: false, report_fault: true } : a)) },
        'amenity_not_at_site', `items[${all.findIndex((a) => a.code === noAmenity)}].report_fault`],
      [{ kind: 'opening', items: [{ ...all[0], report_fault: true }, ...all.slice(1)] }, 'invalid_field', 'items[0].report_fault'],
      [{ kind: 'opening', items: all, note: 'x'.repeat(501) }, 'too_long', 'note'],
      [{ kind: 'opening', items: all, by: 'me' }, 'unknown_field', 'by'],
    ];
    for (const [body, code, field] of bad) assertError(await post(body), 422, code, field);
    // An amenity the site lacks cannot be reported out of order there.
    const water = items.find((i) => i.amenity === 'drinking_water');
    if (water) {
      const other = await admin.post('/api/sites', {
        name_zh: '无水驿站', type: 'community_station', region: 'HZ-XN-01', position: { lat: 34.57, lon: 119.21 },
        opening_hours: '24/7', amenities: { microwave: true },
      });
      const r = await admin.post(`/api/sites/${other.json.id}/checklists`, {
        kind: 'opening', items: answers(items, { [water.code]: { report_fault: true } }),
      });
      assertError(r, 422, 'amenity_not_at_site');
    }
    // Nothing was recorded by any of these.
    assert.equal((await staff.get(`/api/sites/${site}/checklists`)).json.opening.done, false);
    // A type without a checklist of that kind.
    expectStatus(await admin.put('/api/checklists/community_station/closing', { items: [] }), 200);
    assertError(await post({ kind: 'closing', items: [] }), 422, 'no_checklist', 'kind');
    assertError(await staff.get(`/api/sites/${site}/checklists?date=2999-01-01`), 400, 'invalid_query', 'date');
    assertError(await staff.get(`/api/sites/${site}/checklists?date=yesterday`), 400, 'invalid_query', 'date');
    expectStatus(await staff.get(`/api/sites/${site}/checklists?date=2026-01-01`), 200);
  } finally {
    await srv.stop();
  }
});

test('checklists: staff of another site, workers and anonymous callers are refused; a replay records once; two at once, one', async () => {
  const { srv, site, staff, staff2, staffOne, worker, regionOut, regionIn } = await setup();
  try {
    const anon = srv.client();
    const items = (await staff.get(`/api/sites/${site}/checklists`)).json.opening.items;
    const body = { kind: 'opening', items: answers(items) };
    for (const call of [(c) => c.get(`/api/sites/${site}/checklists`), (c) => c.post(`/api/sites/${site}/checklists`, body)]) {
      assert.equal((await call(anon)).status, 401);
      assertError(await call(worker), 403, 'forbidden');
      assertError(await call(staffOne), 403, 'out_of_scope');
      assertError(await call(regionOut), 403, 'out_of_scope');
    }
    expectStatus(await regionIn.get(`/api/sites/${site}/checklists`), 200);

    const key = { headers: { 'idempotency-key': 'open-check-1' } };
    const first = expectStatus(await staff.post(`/api/sites/${site}/checklists`, body, key), 201);
    const again = expectStatus(await staff.post(`/api/sites/${site}/checklists`, body, key), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);

    // The closing check, by two staff at once: one is recorded.
    const closing = (await staff.get(`/api/sites/${site}/checklists`)).json.closing.items;
    const both = await Promise.all([staff, staff2].map((c) => c.post(`/api/sites/${site}/checklists`, { kind: 'closing', items: answers(closing) })));
    assert.deepEqual(both.map((r) => r.status).sort(), [201, 409]);
    assert.equal(both.find((r) => r.status === 409).json.error.code, 'already_checked');
  } finally {
    await srv.stop();
  }
});

test('checklists: which sites of a region skipped a day\'s checks', async () => {
  const { srv, admin, site, shut, staff, regionIn, regionOut, worker } = await setup();
  try {
    const today = (await staff.get(`/api/sites/${site}/checklists`)).json.date;
    const m = expectStatus(await regionIn.get('/api/regions/HZ-XN/checklists/missing'), 200).json;
    assert.equal(m.date, today);
    assert.equal(m.region.code, 'HZ-XN');
    const ours = m.sites.find((s) => s.site.id === site);
    assert.ok(ours, 'our station has not checked yet');
    assert.equal(ours.opening, 'missing');
    assert.equal(ours.closing, 'not_due');
    assert.equal(ours.site.region, 'HZ-XN-01');
    assert.ok(!m.sites.some((s) => s.site.id === shut), 'a site closed all day skips nothing');
    assert.ok(m.sites.every((s) => s.site.region.startsWith('HZ-XN')), 'only the subtree');
    assert.ok(m.done.opening > 0, 'the demo stations checked in');
    assert.equal(m.missing.opening, m.sites.filter((s) => s.opening === 'missing').length);

    const items = (await staff.get(`/api/sites/${site}/checklists`)).json.opening.items;
    expectStatus(await staff.post(`/api/sites/${site}/checklists`, { kind: 'opening', items: answers(items) }), 201);
    const after = (await regionIn.get('/api/regions/HZ-XN/checklists/missing')).json;
    assert.ok(!after.sites.some((s) => s.site.id === site));
    assert.equal(after.done.opening, m.done.opening + 1);
    assert.equal(after.missing.opening, m.missing.opening - 1);
    const onlyClosing = (await regionIn.get('/api/regions/HZ-XN/checklists/missing?kind=closing')).json;
    assert.ok(onlyClosing.sites.every((s) => s.opening === null && s.closing === 'missing'));

    // The next day both of yesterday's checks of the round-the-clock
    // station are past; the closing one was never made.
    expectStatus(await admin.post('/api/system/clock', { advance_s: 86400 }), 200);
    const y = (await regionIn.get(`/api/regions/HZ-XN-01/checklists/missing?date=${today}`)).json;
    const ours2 = y.sites.find((s) => s.site.id === site);
    assert.equal(ours2.opening, 'done');
    assert.equal(ours2.closing, 'missing');

    // Not before the station existed.
    const before = (await regionIn.get('/api/regions/HZ-XN-01/checklists/missing?date=2026-01-01')).json;
    assert.ok(!before.sites.some((s) => s.site.id === site));

    assertError(await regionIn.get('/api/regions/HZ-XN/checklists/missing?kind=noon'), 400, 'invalid_query', 'kind');
    assertError(await regionIn.get('/api/regions/HZ-XN/checklists/missing?date=2999-01-01'), 400, 'invalid_query', 'date');
    assertError(await regionOut.get('/api/regions/HZ-XN/checklists/missing'), 403, 'out_of_scope');
    assertError(await regionIn.get('/api/regions/HZ/checklists/missing'), 403, 'out_of_scope');
    assertError(await staff.get('/api/regions/HZ-XN-01/checklists/missing'), 403, 'forbidden');
    assertError(await worker.get('/api/regions/HZ-XN-01/checklists/missing'), 403, 'forbidden');
    assert.equal((await srv.client().get('/api/regions/HZ-XN-01/checklists/missing')).status, 401);
    assertError(await admin.get('/api/regions/NOPE/checklists/missing'), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('checklists: my checks are in my export; erasing me keeps them, not my name', async () => {
  const { srv, site, staff, staff2 } = await setup();
  try {
    const items = (await staff.get(`/api/sites/${site}/checklists`)).json.opening.items;
    const run = expectStatus(await staff.post(`/api/sites/${site}/checklists`, { kind: 'opening', items: answers(items), note: '正常' }), 201).json;
    const exp = expectStatus(await staff.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.checklist.checks.map((c) => [c.id, c.site_id, c.kind, c.note]), [[run.id, site, 'opening', '正常']]);
    expectStatus(await staff.del('/api/me?confirm=1'), 204);
    const day = (await staff2.get(`/api/sites/${site}/checklists`)).json;
    assert.equal(day.opening.done, true);
    assert.equal(day.opening.check.checked_by, null);
  } finally {
    await srv.stop();
  }
});
