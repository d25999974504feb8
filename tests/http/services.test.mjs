// The one-stop service catalogue (the service module): lists and filters
// on the demo data, nearest first, one service with its locations open
// now or not, a site's services for the map's sheet, organizations and
// the category tree; every write with each error code and field; who may
// write (system admins, and providers whose grant names the
// organization), with an attacker's tries: anonymous, a worker, staff of
// the site, a provider of another organization on every service number,
// a provider moving a service into another organization; Idempotency-Key.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

const enc = encodeURIComponent;
const ISO_CN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CENTRE = '新南社区暖新驿站';
// Monday 2026-11-30, 10:00 in Lianyungang; and National Day, a Thursday.
const MONDAY_10 = '2026-11-30T10:00:00+08:00';
const NATIONAL_DAY_10 = '2026-10-01T10:00:00+08:00';

describe('services', () => {
  let srv;
  let anon;
  let admin;
  let centre; // the Xinnan community centre's site
  let all; // every demo service

  const idOf = async (token) => (await srv.client(token).get('/api/me')).json.id;
  /** A signed-in person holding the given grant (or none). */
  async function person(phone, grant) {
    const token = srv.user(phone);
    if (grant) expectStatus(await admin.post(`/api/users/${await idOf(token)}/roles`, grant), 201);
    return srv.client(token);
  }
  const provider = (phone, org) => person(phone, { role: 'provider', scope_kind: 'organization', scope_ref: org });
  const byName = (zh) => all.find((s) => s.name_zh === zh);

  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
    const sites = expectStatus(await anon.get(`/api/sites?q=${enc(CENTRE)}&limit=50`), 200).json.items;
    centre = sites.find((s) => s.name_zh === CENTRE);
    assert.ok(centre, 'the demo has the Xinnan community station');
    all = expectStatus(await anon.get('/api/services?limit=100'), 200).json.items;
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  describe('reads', () => {
    it('lists the demo catalogue in id order, zh and en side by side', async () => {
      assert.equal(all.length, 31);
      const res = expectStatus(await anon.get('/api/services?limit=5&offset=5'), 200);
      assert.equal(res.json.total, 31);
      assert.deepEqual(res.json.items.map((s) => s.id), all.slice(5, 10).map((s) => s.id));
      const ids = all.map((s) => s.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      const s = all[0];
      for (const k of ['name_zh', 'name_en', 'description_zh', 'description_en', 'eligibility_zh',
        'eligibility_en', 'fees_zh', 'fees_en', 'phone', 'email', 'url', 'contact_name', 'status'])
        assert.equal(typeof s[k], 'string', k);
      assert.match(s.hsds_id, UUID);
      assert.equal(typeof s.free, 'boolean');
      assert.equal(typeof s.requires_verified, 'boolean');
      assert.ok(Array.isArray(s.languages));
      assert.match(s.created_at, ISO_CN);
      assert.deepEqual(Object.keys(s.organization).sort(), ['code', 'name_en', 'name_zh']);
      assert.deepEqual(Object.keys(s.category).sort(), ['code', 'name_en', 'name_zh']);
      assert.equal(s.required_documents, undefined, 'lists leave the documents to the detail');
      assert.ok(all.some((x) => x.requires_verified) && all.some((x) => !x.free));
    });

    it('category= takes the subtree; an unknown one is 400', async () => {
      const life = expectStatus(await anon.get('/api/services?category=daily_life&limit=100'), 200).json;
      assert.deepEqual(new Set(life.items.map((s) => s.category.code)), new Set(['haircut', 'repair', 'meals']));
      assert.equal(life.total, all.filter((s) => ['haircut', 'repair', 'meals', 'daily_life'].includes(s.category.code)).length);
      const cuts = expectStatus(await anon.get('/api/services?category=haircut'), 200).json;
      assert.deepEqual(cuts.items.map((s) => s.name_zh), ['爱心义剪']);
      assertError(await anon.get('/api/services?category=no_such'), 400, 'invalid_query', 'category');
      assertError(await anon.get(`/api/services?category=${enc('a b')}`), 400, 'invalid_query', 'category');
    });

    it('q= matches Chinese and English names and descriptions, case-insensitively', async () => {
      const zh = expectStatus(await anon.get(`/api/services?q=${enc('义剪')}`), 200).json;
      assert.deepEqual(zh.items.map((s) => s.name_zh), ['爱心义剪']);
      const en = expectStatus(await anon.get('/api/services?q=HAIRCUT'), 200).json;
      assert.deepEqual(en.items.map((s) => s.name_zh), ['爱心义剪']);
      const desc = expectStatus(await anon.get(`/api/services?q=${enc('心电图')}`), 200).json;
      assert.deepEqual(desc.items.map((s) => s.name_zh), ['新就业群体免费健康体检']);
      const descEn = expectStatus(await anon.get('/api/services?q=punctures'), 200).json;
      assert.deepEqual(descEn.items.map((s) => s.name_zh), ['电动车应急维修']);
      // LIKE wildcards are plain characters.
      assert.equal(expectStatus(await anon.get(`/api/services?q=${enc('%')}`), 200).json.total, 0);
      assertError(await anon.get(`/api/services?q=${'x'.repeat(201)}`), 400, 'invalid_query', 'q');
    });

    it('site=, organization= and status= filter; bad values are 400', async () => {
      const riders = expectStatus(await anon.get(`/api/sites?q=${enc('外卖骑手综合服务中心')}`), 200).json.items[0];
      const at = expectStatus(await anon.get(`/api/services?site=${riders.id}&limit=100`), 200).json;
      assert.ok(at.total >= 4);
      assert.ok(at.items.some((s) => s.name_zh === '电动车应急维修'));
      const legal = expectStatus(await anon.get('/api/services?organization=hz-legal-aid'), 200).json;
      assert.deepEqual(legal.items.map((s) => s.organization.code), ['hz-legal-aid', 'hz-legal-aid']);
      assert.equal(expectStatus(await anon.get('/api/services?status=defunct'), 200).json.total, 0);
      assertError(await anon.get('/api/services?status=closed'), 400, 'invalid_query', 'status');
      assertError(await anon.get('/api/services?organization=nobody'), 400, 'invalid_query', 'organization');
      assertError(await anon.get('/api/services?site=0'), 400, 'invalid_query', 'site');
      assertError(await anon.get('/api/services?site=abc'), 400, 'invalid_query', 'site');
      assertError(await anon.get('/api/services?limit=0'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/services?limit=101'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/services?offset=-1'), 400, 'invalid_query', 'offset');
    });

    it('near= answers nearest first with distance_m and the nearest site', async () => {
      const here = `${centre.position.lat},${centre.position.lon}`;
      const res = expectStatus(await anon.get(`/api/services?near=${here}&limit=100`), 200).json;
      assert.equal(res.total, 31, 'every demo service has a location');
      const d = res.items.map((s) => s.distance_m);
      assert.deepEqual(d, [...d].sort((a, b) => a - b));
      assert.equal(res.items[0].distance_m, 0);
      assert.equal(res.items[0].nearest_site.id, centre.id);
      const far = res.items.at(-1);
      assert.ok(far.distance_m > 1000, 'the livestream base is kilometres away');
      // Paging keeps the order.
      const page = expectStatus(await anon.get(`/api/services?near=${here}&limit=5&offset=26`), 200).json;
      assert.deepEqual(page.items.map((s) => s.id), res.items.slice(26).map((s) => s.id));
      // With a category, only its services; by the livestream base, its
      // mentoring comes first.
      const base = expectStatus(await anon.get(`/api/sites?q=${enc('海州直播电商基地')}`), 200).json.items[0];
      const ls = expectStatus(await anon.get(`/api/services?near=${base.position.lat},${base.position.lon}&category=livestream_mentoring`), 200).json;
      assert.equal(ls.total, 2);
      assert.ok(ls.items.every((s) => s.distance_m === 0 && s.nearest_site.id === base.id));
      // GCJ-02 input (what Amap gives) lands on the same place.
      const shown = expectStatus(await anon.get(`/api/sites/${centre.id}?datum=gcj02`), 200).json.position;
      const gcj = expectStatus(await anon.get(`/api/services?near=${shown.lat},${shown.lon}&datum=gcj02&limit=1`), 200).json;
      assert.equal(gcj.items[0].nearest_site.id, centre.id);
      assert.ok(gcj.items[0].distance_m <= 1);
      for (const bad of ['34.5', '34.5,', '91,119', '34,181', 'a,b', '34.5;119.2'])
        assertError(await anon.get(`/api/services?near=${enc(bad)}`), 400, 'invalid_query', 'near');
      assertError(await anon.get(`/api/services?near=${here}&datum=bd10`), 400, 'invalid_query', 'datum');
    });

    it('one service: documents and its locations, each open at ?at= or not', async () => {
      const s = byName('灵活就业人员社保参保登记');
      const res = expectStatus(await anon.get(`/api/services/${s.id}?at=${enc(MONDAY_10)}`), 200).json;
      assert.deepEqual(res.required_documents, [
        { zh: '身份证', en: 'ID card' },
        { zh: '户口簿或居住证', en: 'Household register or residence permit' },
      ]);
      assert.equal(res.locations.length, 1);
      const loc = res.locations[0];
      assert.equal(loc.site.id, centre.id);
      assert.equal(loc.site.name_en, 'Xinnan Community Warm New Station');
      assert.equal(loc.opening_hours, 'Mo-Fr 08:30-12:00,14:00-17:30; PH off');
      assert.equal(loc.open, true);
      assert.equal(loc.next_change, '2026-11-30T12:00:00+08:00');
      assert.match(loc.hsds_id, UUID);
      // PH off: closed on National Day (the demo calendar's holiday).
      const holiday = expectStatus(await anon.get(`/api/services/${s.id}?at=${enc(NATIONAL_DAY_10)}`), 200).json;
      assert.equal(holiday.locations[0].open, false);
      assert.equal(holiday.locations[0].next_change, '2026-10-08T08:30:00+08:00');
      // A summer-only service is closed in November and opens in July.
      const summer = expectStatus(await anon.get(`/api/services/${byName('暑期爱心托管班').id}?at=${enc(MONDAY_10)}`), 200).json;
      assert.equal(summer.locations.length, 3);
      assert.ok(summer.locations.every((l) => !l.open && l.next_change === '2027-07-01T08:00:00+08:00'));
      // Positions in the datum asked for.
      const gcj = expectStatus(await anon.get(`/api/services/${s.id}?datum=gcj02`), 200).json;
      assert.equal(gcj.locations[0].site.position.datum, 'gcj02');
      assert.notEqual(gcj.locations[0].site.position.lat, loc.site.position.lat);
      assertError(await anon.get(`/api/services/${s.id}?at=yesterday`), 400, 'invalid_query', 'at');
      assertError(await anon.get('/api/services/999999'), 404, 'not_found');
      assertError(await anon.get('/api/services/abc'), 404, 'not_found');
      assertError(await anon.get('/api/services/01'), 404, 'not_found');
    });

    it("a site's services for the map's sheet, open or not, by category", async () => {
      const res = expectStatus(await anon.get(`/api/sites/${centre.id}/services?at=${enc(MONDAY_10)}`), 200).json;
      assert.equal(res.site.id, centre.id);
      assert.equal(res.site.name_zh, CENTRE);
      assert.equal(res.items.length, 28, 'the Warm New Map of Xinnan');
      for (const s of res.items) {
        assert.equal(typeof s.opening_hours, 'string');
        assert.equal(typeof s.open, 'boolean');
        assert.ok(s.next_change === null || ISO_CN.test(s.next_change));
      }
      assert.equal(res.items.find((s) => s.name_zh === '灵活就业人员社保参保登记').open, true);
      assert.equal(res.items.find((s) => s.name_zh === '爱心义剪').open, false, 'Saturdays only');
      const kids = expectStatus(await anon.get(`/api/sites/${centre.id}/services?category=childcare`), 200).json;
      assert.equal(kids.items.length, 3);
      assertError(await anon.get(`/api/sites/${centre.id}/services?category=nope`), 400, 'invalid_query', 'category');
      assertError(await anon.get('/api/sites/999999/services'), 404, 'not_found');
      const empty = expectStatus(await anon.get('/api/sites/1/services'), 200).json;
      assert.deepEqual(empty.items, []);
    });

    it('organizations with their services, and the category tree', async () => {
      const orgs = expectStatus(await anon.get('/api/organizations'), 200).json;
      assert.equal(orgs.total, 10);
      const codes = orgs.items.map((o) => o.code);
      assert.deepEqual(codes, [...codes].sort());
      const one = expectStatus(await anon.get('/api/organizations/hz-legal-aid'), 200).json;
      assert.equal(one.name_en, 'Haizhou Legal Aid Centre');
      assert.match(one.hsds_id, UUID);
      assert.equal(one.services.length, 2);
      const found = expectStatus(await anon.get(`/api/organizations?q=${enc('工会')}`), 200).json;
      assert.deepEqual(found.items.map((o) => o.code), ['hz-trade-union']);
      assertError(await anon.get('/api/organizations/nobody'), 404, 'not_found');
      assertError(await anon.get('/api/organizations?limit=501'), 400, 'invalid_query', 'limit');
      const tree = expectStatus(await anon.get('/api/service-categories'), 200).json.items;
      assert.deepEqual(tree.map((c) => c.code), ['social_security', 'legal_aid', 'labour_disputes',
        'jobs_hr', 'skills_training', 'health', 'childcare', 'livestream_mentoring', 'trade_union',
        'daily_life', 'volunteering']);
      const life = tree.find((c) => c.code === 'daily_life');
      assert.deepEqual(life.children.map((c) => c.code), ['haircut', 'repair', 'meals']);
      assert.equal(life.name_zh, '生活服务');
      assert.equal(life.children[0].name_en, 'Haircut');
      assert.match(life.hsds_id, UUID);
    });
  });

  describe('writes', () => {
    it('organizations: create (system admins), conflicts, each field fault, patch', async () => {
      const res = expectStatus(await admin.post('/api/organizations', {
        code: 'test-clinic', name_zh: '测试诊所', name_en: 'Test clinic', email: 'desk@clinic.cn',
        website: 'https://clinic.cn', phone: '0518-1234567', contact_name: '王医生',
      }), 201);
      assert.equal(res.headers.get('location'), '/api/organizations/test-clinic');
      assert.deepEqual(res.json.services, []);
      assertError(await admin.post('/api/organizations', { code: 'test-clinic', name_zh: '再来' }), 409, 'organization_exists', 'code');
      const faults = [
        [{ name_zh: '无码' }, 'missing_field', 'code'],
        [{ code: 'a b', name_zh: 'x' }, 'invalid_field', 'code'],
        [{ code: 'x'.repeat(65), name_zh: 'x' }, 'too_long', 'code'],
        [{ code: 'ok-1' }, 'missing_field', 'name_zh'],
        [{ code: 'ok-1', name_zh: 'x', email: 'nobody' }, 'invalid_field', 'email'],
        [{ code: 'ok-1', name_zh: 'x', website: 'clinic.cn' }, 'invalid_field', 'website'],
        [{ code: 'ok-1', name_zh: 'x', phone: 'call us' }, 'invalid_field', 'phone'],
        [{ code: 'ok-1', name_zh: 'x'.repeat(201) }, 'too_long', 'name_zh'],
        [{ code: 'ok-1', name_zh: 'x', boss: 'me' }, 'unknown_field', 'boss'],
        [{ code: 7, name_zh: 'x' }, 'invalid_field', 'code'],
      ];
      for (const [body, code, field] of faults)
        assertError(await admin.post('/api/organizations', body), 422, code, field);
      const patched = expectStatus(await admin.patch('/api/organizations/test-clinic', { name_en: 'Test Clinic', email: null }), 200).json;
      assert.equal(patched.name_en, 'Test Clinic');
      assert.equal(patched.email, '');
      assert.equal(patched.name_zh, '测试诊所');
      expectStatus(await admin.patch('/api/organizations/test-clinic', { code: 'test-clinic' }), 200);
      assertError(await admin.patch('/api/organizations/test-clinic', { code: 'renamed' }), 422, 'invalid_field', 'code');
      assertError(await admin.patch('/api/organizations/test-clinic', { name_zh: '' }), 422, 'missing_field', 'name_zh');
      assertError(await admin.patch('/api/organizations/nobody', {}), 404, 'not_found');
    });

    it('services: create, each field fault, patch, locations, delete', async () => {
      const body = {
        organization: 'test-clinic', category: 'health_check', name_zh: '骑手体检日',
        name_en: 'Riders health day', languages: ['zh', 'en'], free: true,
        required_documents: [{ zh: '身份证', en: 'ID card' }, { zh: '骑手证' }],
      };
      const res = expectStatus(await admin.post('/api/services', body), 201);
      const id = res.json.id;
      assert.equal(res.headers.get('location'), `/api/services/${id}`);
      assert.deepEqual(res.json.languages, ['zh', 'en']);
      assert.deepEqual(res.json.required_documents, [{ zh: '身份证', en: 'ID card' }, { zh: '骑手证', en: '' }]);
      assert.deepEqual(res.json.locations, []);
      assert.equal(res.json.status, 'active');
      assert.match(res.json.hsds_id, UUID);

      const faults = [
        [{ ...body, organization: undefined }, 'missing_field', 'organization'],
        [{ ...body, organization: 'nobody' }, 'unknown_organization', 'organization'],
        [{ ...body, category: undefined }, 'missing_field', 'category'],
        [{ ...body, category: 'astrology' }, 'unknown_category', 'category'],
        [{ ...body, name_zh: '' }, 'missing_field', 'name_zh'],
        [{ ...body, name_zh: '名'.repeat(67) }, 'too_long', 'name_zh'],
        [{ ...body, description_en: 'x'.repeat(4001) }, 'too_long', 'description_en'],
        [{ ...body, email: 'a@b' }, 'invalid_field', 'email'],
        [{ ...body, url: 'https://x.cn/a b' }, 'invalid_field', 'url'],
        [{ ...body, phone: '12' }, 'invalid_field', 'phone'],
        [{ ...body, status: 'closed' }, 'invalid_field', 'status'],
        [{ ...body, free: 'yes' }, 'invalid_field', 'free'],
        [{ ...body, requires_verified: 1 }, 'invalid_field', 'requires_verified'],
        [{ ...body, languages: 'zh' }, 'invalid_field', 'languages'],
        [{ ...body, languages: ['zh', 'EN'] }, 'invalid_field', 'languages[1]'],
        [{ ...body, languages: ['zh', 'zh'] }, 'invalid_field', 'languages'],
        [{ ...body, languages: [] }, 'missing_field', 'languages'],
        [{ ...body, required_documents: 'ID' }, 'invalid_field', 'required_documents'],
        [{ ...body, required_documents: [{ en: 'ID card' }] }, 'missing_field', 'required_documents[0].zh'],
        [{ ...body, required_documents: [{ zh: '证', note: 'x' }] }, 'unknown_field', 'required_documents[0].note'],
        [{ ...body, required_documents: ['身份证'] }, 'invalid_field', 'required_documents[0]'],
        [{ ...body, required_documents: Array(21).fill({ zh: '证' }) }, 'invalid_field', 'required_documents'],
        [{ ...body, price: 3 }, 'unknown_field', 'price'],
      ];
      for (const [b, code, field] of faults)
        assertError(await admin.post('/api/services', b), 422, code, field);
      assertError(await admin.post('/api/services', '[1]'), 400, 'invalid_json');

      // Patch: only what is named changes; null clears a text.
      const p = expectStatus(await admin.patch(`/api/services/${id}`, {
        description_zh: '每月一次', fees_zh: '免费', status: 'temporarily_closed',
      }), 200).json;
      assert.equal(p.description_zh, '每月一次');
      assert.equal(p.name_en, 'Riders health day');
      assert.equal(p.required_documents.length, 2);
      const cleared = expectStatus(await admin.patch(`/api/services/${id}`, { description_zh: null, required_documents: null, status: 'active' }), 200).json;
      assert.equal(cleared.description_zh, '');
      assert.deepEqual(cleared.required_documents, []);
      assertError(await admin.patch(`/api/services/${id}`, { category: 'nope' }), 422, 'unknown_category', 'category');
      assertError(await admin.patch('/api/services/999999', {}), 404, 'not_found');

      // Locations: PUT creates (201) then replaces (200).
      const put = expectStatus(await admin.put(`/api/services/${id}/locations/${centre.id}?at=${enc(MONDAY_10)}`, {
        opening_hours: 'Mo 09:00-11:00', note_zh: '二楼', note_en: 'First floor',
      }), 201).json;
      assert.equal(put.site.id, centre.id);
      assert.equal(put.open, true);
      assert.equal(put.next_change, '2026-11-30T11:00:00+08:00');
      const again = expectStatus(await admin.put(`/api/services/${id}/locations/${centre.id}`, { opening_hours: 'Tu 09:00-11:00' }), 200).json;
      assert.equal(again.opening_hours, 'Tu 09:00-11:00');
      assert.equal(again.note_zh, '', 'a PUT replaces the whole location');
      assert.equal(again.hsds_id, put.hsds_id);
      const detail = expectStatus(await anon.get(`/api/services/${id}`), 200).json;
      assert.deepEqual(detail.locations.map((l) => l.site.id), [centre.id]);
      const onSheet = expectStatus(await anon.get(`/api/sites/${centre.id}/services`), 200).json;
      assert.ok(onSheet.items.some((s) => s.id === id));
      const loc = `/api/services/${id}/locations/${centre.id}`;
      assertError(await admin.put(loc, { opening_hours: 'Mo 9-5' }), 422, 'invalid_opening_hours', 'opening_hours');
      assertError(await admin.put(loc, {}), 422, 'missing_field', 'opening_hours');
      assertError(await admin.put(loc, { opening_hours: '' }), 422, 'missing_field', 'opening_hours');
      assertError(await admin.put(loc, { opening_hours: '24/7', note_zh: 'x'.repeat(501) }), 422, 'too_long', 'note_zh');
      assertError(await admin.put(loc, { opening_hours: '24/7', floor: 2 }), 422, 'unknown_field', 'floor');
      assertError(await admin.put(`/api/services/${id}/locations/999999`, { opening_hours: '24/7' }), 404, 'not_found');
      assertError(await admin.put(`/api/services/999999/locations/${centre.id}`, { opening_hours: '24/7' }), 404, 'not_found');
      assertError(await admin.put(`${loc}?at=soon`, { opening_hours: '24/7' }), 400, 'invalid_query', 'at');

      expectStatus(await admin.del(loc), 204);
      assertError(await admin.del(loc), 404, 'not_found');
      expectStatus(await admin.del(`/api/services/${id}`), 204);
      assertError(await anon.get(`/api/services/${id}`), 404, 'not_found');
      assertError(await admin.del(`/api/services/${id}`), 404, 'not_found');
      // The newest service's number (and so its HSDS id) is not given out
      // again: a UUID names one service for good.
      const next = expectStatus(await admin.post('/api/services', body), 201).json;
      assert.ok(next.id > id, `${next.id} after ${id}`);
      assert.notEqual(next.hsds_id, res.json.hsds_id);
      expectStatus(await admin.del(`/api/services/${next.id}`), 204);
    });

    it('a service that offerings name cannot be deleted: 409 service_in_use, nothing lost', async () => {
      const svc = expectStatus(await admin.post('/api/services', {
        organization: 'test-clinic', category: 'health_check', name_zh: '预约体检', languages: ['zh'],
      }), 201).json;
      const off = expectStatus(await admin.post('/api/offerings', {
        kind: 'appointment', title_zh: '体检预约', site: centre.id, service: svc.id,
      }), 201).json;
      assert.equal(off.service, svc.id);
      assertError(await admin.del(`/api/services/${svc.id}`), 409, 'service_in_use');
      // Nothing changed: the service and the offering's link are there.
      expectStatus(await anon.get(`/api/services/${svc.id}`), 200);
      assert.equal(expectStatus(await anon.get(`/api/offerings/${off.id}`), 200).json.service, svc.id);
      // Unlinked, the service goes; a later link to it is refused.
      expectStatus(await admin.patch(`/api/offerings/${off.id}`, { service: null }), 200);
      expectStatus(await admin.del(`/api/services/${svc.id}`), 204);
      assertError(await admin.patch(`/api/offerings/${off.id}`, { service: svc.id }), 422, 'unknown_service', 'service');
      assert.equal(expectStatus(await anon.get(`/api/offerings/${off.id}`), 200).json.service, null);
    });

    it('deleting a site takes its service locations with it', async () => {
      const site = expectStatus(await admin.post('/api/sites', {
        name_zh: '临时驿站', type: 'community_station', position: { lat: 34.58, lon: 119.21 },
      }), 201).json;
      const s = byName('爱心义剪');
      expectStatus(await admin.put(`/api/services/${s.id}/locations/${site.id}`, { opening_hours: 'Su 09:00-12:00' }), 201);
      assert.equal(expectStatus(await anon.get(`/api/services/${s.id}`), 200).json.locations.length, 2);
      expectStatus(await admin.del(`/api/sites/${site.id}`), 204);
      assert.equal(expectStatus(await anon.get(`/api/services/${s.id}`), 200).json.locations.length, 1);
    });
  });

  describe('who may write', () => {
    let legal; // a provider of hz-legal-aid
    let ownId; // one of its services
    before(async () => {
      legal = await provider('13955550001', 'hz-legal-aid');
      ownId = byName('律师值班法律咨询').id;
    });

    it('anonymous callers are 401, workers and staff 403 forbidden', async () => {
      const worker = await person('13955550002');
      const staff = await person('13955550003', { role: 'staff', scope_kind: 'site', scope_ref: String(centre.id) });
      const regionAdmin = await person('13955550004', { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ' });
      const writes = [
        ['POST', '/api/services', { organization: 'hz-legal-aid', category: 'legal_aid', name_zh: 'x' }],
        ['PATCH', `/api/services/${ownId}`, {}],
        ['DELETE', `/api/services/${ownId}`],
        ['PUT', `/api/services/${ownId}/locations/${centre.id}`, { opening_hours: '24/7' }],
        ['DELETE', `/api/services/${ownId}/locations/${centre.id}`],
        ['POST', '/api/organizations', { code: 'x-org', name_zh: 'x' }],
        ['PATCH', '/api/organizations/hz-legal-aid', {}],
      ];
      for (const [method, path, json] of writes) {
        assertError(await anon.request(method, path, { json }), 401, 'unauthorized');
        for (const c of [worker, staff, regionAdmin])
          assertError(await c.request(method, path, { json }), 403, 'forbidden');
      }
      assert.equal(expectStatus(await anon.get(`/api/services/${ownId}`), 200).json.locations.length, 3, 'nothing changed');
    });

    it("a provider of one organization is out of scope on every other organization's service, whatever its number", async () => {
      const mine = new Set(all.filter((s) => s.organization.code === 'hz-legal-aid').map((s) => s.id));
      assert.equal(mine.size, 2);
      for (const s of all) {
        const res = await legal.patch(`/api/services/${s.id}`, {});
        if (mine.has(s.id)) expectStatus(res, 200);
        else assertError(res, 403, 'out_of_scope');
        if (mine.has(s.id)) continue;
        assertError(await legal.del(`/api/services/${s.id}`), 403, 'out_of_scope');
        assertError(await legal.put(`/api/services/${s.id}/locations/${centre.id}`, { opening_hours: '24/7' }), 403, 'out_of_scope');
        assertError(await legal.del(`/api/services/${s.id}/locations/${centre.id}`), 403, 'out_of_scope');
      }
      // A number that names no service is 404 for everyone: nothing to reach.
      assertError(await legal.patch('/api/services/999999', {}), 404, 'not_found');
      // Every other organization too.
      for (const code of ['hz-social-security', 'hz-trade-union', 'test-clinic'])
        assertError(await legal.patch(`/api/organizations/${code}`, { name_en: 'taken over' }), 403, 'out_of_scope');
      assertError(await legal.patch('/api/organizations/nobody', {}), 404, 'not_found');
      assertError(await legal.post('/api/organizations', { code: 'mine-too', name_zh: 'x' }), 403, 'forbidden');
      // Nothing of theirs changed.
      const union = expectStatus(await anon.get('/api/organizations/hz-trade-union'), 200).json;
      assert.equal(union.name_en, 'Haizhou District Federation of Trade Unions');
      assert.equal(expectStatus(await anon.get('/api/services?limit=100'), 200).json.total, 31);
    });

    it('a provider creates and runs services of its own organization only', async () => {
      const created = expectStatus(await legal.post('/api/services', {
        organization: 'hz-legal-aid', category: 'legal_consultation', name_zh: '夜间法律咨询',
      }), 201).json;
      expectStatus(await legal.put(`/api/services/${created.id}/locations/${centre.id}`, { opening_hours: 'We 19:00-21:00' }), 201);
      expectStatus(await legal.patch(`/api/services/${created.id}`, { name_en: 'Evening legal advice' }), 200);
      expectStatus(await legal.patch('/api/organizations/hz-legal-aid', { contact_name: '值班律师' }), 200);
      // Another organization in the body, or moving a service there.
      assertError(await legal.post('/api/services', {
        organization: 'hz-trade-union', category: 'trade_union', name_zh: '冒名服务',
      }), 403, 'out_of_scope');
      assertError(await legal.patch(`/api/services/${created.id}`, { organization: 'hz-trade-union' }), 403, 'out_of_scope', 'organization');
      assert.equal(expectStatus(await anon.get(`/api/services/${created.id}`), 200).json.organization.code, 'hz-legal-aid');
      // A provider granted on a site, not an organization, reaches no service.
      const siteProvider = await person('13955550005', { role: 'provider', scope_kind: 'site', scope_ref: String(centre.id) });
      assertError(await siteProvider.patch(`/api/services/${created.id}`, {}), 403, 'out_of_scope');
      assertError(await siteProvider.post('/api/services', {
        organization: 'hz-legal-aid', category: 'legal_aid', name_zh: 'x',
      }), 403, 'out_of_scope');
      // A system admin may move it.
      expectStatus(await admin.patch(`/api/services/${created.id}`, { organization: 'test-clinic' }), 200);
      assertError(await legal.patch(`/api/services/${created.id}`, {}), 403, 'out_of_scope');
      expectStatus(await admin.del(`/api/services/${created.id}`), 204);
    });

    it('Idempotency-Key: a retried create is answered again, never done twice', async () => {
      const key = { headers: { 'idempotency-key': 'svc-create-1' } };
      const body = { organization: 'hz-legal-aid', category: 'legal_aid', name_zh: '重试的服务' };
      const first = expectStatus(await legal.post('/api/services', body, key), 201);
      const retry = expectStatus(await legal.post('/api/services', body, key), 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(retry.json, first.json);
      const other = await legal.post('/api/services', { ...body, name_zh: '另一个' }, key);
      assertError(other, 422, 'idempotency_key_reused', 'Idempotency-Key');
      const found = expectStatus(await anon.get(`/api/services?q=${enc('重试的服务')}`), 200).json;
      assert.equal(found.total, 1);
      // Two at once with one key: one service.
      const k2 = { headers: { 'idempotency-key': 'svc-create-2' } };
      const b2 = { ...body, name_zh: '并发的服务' };
      const both = await Promise.all([1, 2].map(() => legal.post('/api/services', b2, k2)));
      const statuses = both.map((r) => r.status).sort();
      assert.equal(statuses[0], 201, `${statuses}`);
      assert.ok([201, 409].includes(statuses[1]), `${statuses}`);
      assert.equal(expectStatus(await anon.get(`/api/services?q=${enc('并发的服务')}`), 200).json.total, 1);
      // Organizations too.
      const ok = { headers: { 'idempotency-key': 'org-create-1' } };
      const o1 = expectStatus(await admin.post('/api/organizations', { code: 'retry-org', name_zh: '重试' }, ok), 201);
      const o2 = expectStatus(await admin.post('/api/organizations', { code: 'retry-org', name_zh: '重试' }, ok), 201);
      assert.deepEqual(o2.json, o1.json);
    });
  });
});
