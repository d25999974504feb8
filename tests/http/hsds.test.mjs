// The catalogue's HSDS 3.0 API (/hsds/): every document every route
// answers is validated against the published HSDS 3.0 schemas (the copy
// in the shared standards folder, WARMHARBOR_STANDARDS to point
// elsewhere) with ajv, additionalProperties set to false on every object
// as upstream validates its own examples; the routes, their page wrappers
// and item schemas are taken from the HSDS openapi.json. Paging is walked
// to the end; ids are checked against an independent computation of the
// name-based UUIDs; filters, schedules and parameter errors.
//
// Two deliberate readings of openapi.json where it contradicts itself:
// it gives /service_at_locations/{id} the service schema although it
// describes the answer as the fully nested service_at_location, so that
// route is checked against compiled/service_at_location.json; and its
// lists take full=true ("return fully nested ...") while their items
// schema is the one-to-one *_list.json, so with full=true (or
// full_service=true) the items are checked against the fully nested
// compiled schema instead.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

const Ajv2020 = Ajv2020Module.default || Ajv2020Module;
const addFormats = addFormatsModule.default || addFormatsModule;

// The published schemas: shared/ beside the checkout (as CI lays it), or
// the workplace's copy.
const STANDARDS = process.env.WARMHARBOR_STANDARDS ||
  [path.resolve(import.meta.dirname, '../../../shared/standards'), '/work/shared/standards'].find((d) => existsSync(d));
const HSDS = path.join(STANDARDS, 'hsds-3.0');
// The schemas' own address, which openapi.json's $refs use.
const BASE = 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/';
const NAMESPACE = '39e0b7e9-8d48-4d19-83a4-10966bbee350';
const enc = encodeURIComponent;

/** Every object schema gets additionalProperties: false (unless set). */
function closeObjects(node) {
  if (Array.isArray(node)) {
    node.forEach(closeObjects);
    return node;
  }
  if (node && typeof node === 'object') {
    if ((node.type === 'object' || node.properties) && node.additionalProperties === undefined)
      node.additionalProperties = false;
    for (const v of Object.values(node)) closeObjects(v);
  }
  return node;
}

function loadValidator() {
  assert.ok(existsSync(path.join(HSDS, 'openapi.json')), `the HSDS 3.0 schemas are not at ${HSDS}`);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const read = (rel) => JSON.parse(readFileSync(path.join(HSDS, rel), 'utf8'));
  for (const f of readdirSync(HSDS).filter((n) => n.endsWith('.json') && n !== 'openapi.json'))
    ajv.addSchema({ ...closeObjects(read(f)), $id: BASE + f });
  for (const f of readdirSync(path.join(HSDS, 'compiled')).filter((n) => n.endsWith('.json')))
    ajv.addSchema({ ...closeObjects(read(`compiled/${f}`)), $id: `${BASE}compiled/${f}` });
  const api = read('openapi.json');
  const page = api.components.schemas.Page;
  // path -> the schema of its 200 answer
  const schemas = {};
  for (const [p, item] of Object.entries(api.paths)) {
    const s = item.get.responses['200'].content['application/json'].schema;
    if (s.allOf) {
      schemas[p] = {
        type: 'object',
        additionalProperties: false,
        required: [...Object.keys(page.properties), 'contents'],
        properties: { ...page.properties, contents: { type: 'array', items: { $ref: s.properties.contents.items.$ref } } },
      };
    } else if (s.$ref) {
      schemas[p] = { $ref: s.$ref };
    } else {
      schemas[p] = closeObjects({ ...structuredClone(s), required: ['version'] });
    }
  }
  assert.equal(schemas['/service_at_locations/{id}'].$ref, `${BASE}compiled/service.json`,
    'openapi.json still gives this route the service schema (see the top)');
  schemas['/service_at_locations/{id}'] = { $ref: `${BASE}compiled/service_at_location.json` };
  // Lists asked for fully nested items.
  for (const [p, item] of [['/services', 'service'], ['/organizations', 'organization'],
    ['/service_at_locations', 'service_at_location']]) {
    schemas[`${p}#full`] = structuredClone(schemas[p]);
    schemas[`${p}#full`].properties.contents.items = { $ref: `${BASE}compiled/${item}.json` };
  }
  const compiled = Object.fromEntries(Object.entries(schemas).map(([p, s]) => [p, ajv.compile(s)]));
  return { paths: Object.keys(api.paths), compiled };
}

/** The name-based UUIDv8 (SHA-256, RFC 9562) the server derives. */
function uuid8(name) {
  const ns = Buffer.from(NAMESPACE.replaceAll('-', ''), 'hex');
  const h = createHash('sha256').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

describe('HSDS 3.0', () => {
  let srv;
  let anon;
  let admin;
  let v; // validators by openapi path
  let validated = 0;
  const seen = new Set(); // openapi paths answered and validated

  /** GET, expect 200, validate against the openapi path's schema. */
  async function check(route, url) {
    const res = expectStatus(await anon.get(url), 200);
    assert.match(res.headers.get('content-type'), /json/);
    const full = /[?&]full(_service)?=true/.test(url) && v.compiled[`${route}#full`];
    const validate = full || v.compiled[route];
    if (!validate(res.json))
      assert.fail(`${url} does not match the HSDS schema of ${route}:\n` +
        JSON.stringify(validate.errors.slice(0, 8), null, 1) + `\n${res.text.slice(0, 1500)}`);
    validated++;
    seen.add(route);
    return res.json;
  }

  /** Walk every page of a list; check the wrapper; return every item. */
  async function walk(route, url, perPage = 7) {
    const sep = url.includes('?') ? '&' : '?';
    const items = [];
    let total = null;
    for (let page = 1; ; page++) {
      const p = await check(route, `${url}${sep}page=${page}&per_page=${perPage}`);
      if (total === null) total = p.total_items;
      assert.equal(p.total_items, total, `${url}: total_items stays`);
      assert.equal(p.total_pages, Math.ceil(total / perPage));
      assert.equal(p.page_number, page);
      assert.equal(p.size, p.contents.length);
      assert.equal(p.first_page, page === 1);
      assert.equal(p.last_page, page >= p.total_pages);
      assert.equal(p.empty, p.contents.length === 0);
      items.push(...p.contents);
      if (p.last_page) break;
      assert.equal(p.size, perPage, 'a page before the last is full');
    }
    assert.equal(items.length, total, `${url}: the pages hold every item`);
    assert.equal(new Set(items.map((x) => x.id)).size, items.length, `${url}: no item twice`);
    return items;
  }

  before(async () => {
    v = loadValidator();
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
    // Every optional field set once: contacts, e-mail, web site, a fee, a
    // language without a known name, hours past midnight and around the clock.
    expectStatus(await admin.post('/api/organizations', {
      code: 'hsds-full', name_zh: '全字段机构', name_en: 'Every Field Org', description_en: 'Only English',
      phone: '0518-1234567', email: 'desk@example.org', website: 'https://example.org/about?x=1#top',
      contact_name: '李老师',
    }), 201);
    const s = expectStatus(await admin.post('/api/services', {
      organization: 'hsds-full', category: 'meals', name_zh: '深夜食堂', name_en: 'Night canteen',
      description_zh: '夜班骑手的热饭', url: 'https://example.org/night', email: 'night@example.org',
      phone: '0518-7654321', contact_name: '王师傅', free: false, fees_zh: '每份8元', fees_en: '8 yuan a meal',
      languages: ['zh', 'en', 'yue', 'xq'], requires_verified: true, status: 'temporarily_closed',
      required_documents: [{ zh: '骑手证', en: 'Rider card' }],
    }), 201).json;
    const sites = expectStatus(await anon.get('/api/sites?limit=3'), 200).json.items;
    expectStatus(await admin.put(`/api/services/${s.id}/locations/${sites[0].id}`, { opening_hours: 'Mo-Su 22:00-04:00', note_en: 'Back door' }), 201);
    expectStatus(await admin.put(`/api/services/${s.id}/locations/${sites[1].id}`, { opening_hours: '24/7' }), 201);
    expectStatus(await admin.put(`/api/services/${s.id}/locations/${sites[2].id}`, { opening_hours: 'off' }), 201);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('the root says which HSDS it is', async () => {
    const root = await check('/', '/hsds');
    assert.equal(root.version, '3.0');
    assert.equal((await check('/', '/hsds/')).version, '3.0');
  });

  it('every page of every list validates, in both languages, nested or not', async () => {
    const services = await walk('/services', '/hsds/services');
    assert.equal(services.length, 32);
    await walk('/services', '/hsds/services?lang=en');
    await walk('/services', '/hsds/services?full=true', 10);
    await walk('/services', '/hsds/services?full=true&lang=en', 10);
    const orgs = await walk('/organizations', '/hsds/organizations', 4);
    assert.equal(orgs.length, 11);
    await walk('/organizations', '/hsds/organizations?full=true', 4);
    await walk('/organizations', '/hsds/organizations?full_service=true&lang=en', 4);
    const sals = await walk('/service_at_locations', '/hsds/service_at_locations', 9);
    const api = expectStatus(await anon.get('/api/services?limit=100'), 200).json.items;
    let locations = 0;
    for (const s of api) locations += expectStatus(await anon.get(`/api/services/${s.id}`), 200).json.locations.length;
    assert.equal(sals.length, locations, 'one service_at_location per service and site');
    await walk('/service_at_locations', '/hsds/service_at_locations?full=true&lang=en', 9);
    const taxonomies = await walk('/taxonomies', '/hsds/taxonomies');
    assert.equal(taxonomies.length, 1);
    const terms = await walk('/taxonomy_terms', '/hsds/taxonomy_terms', 5);
    assert.equal(terms.length, 20);
    await walk('/taxonomy_terms', '/hsds/taxonomy_terms?lang=en', 50);
    // Past the last page: an empty page, still a valid one.
    const beyond = await check('/services', '/hsds/services?page=99&per_page=10');
    assert.deepEqual(beyond.contents, []);
    assert.equal(beyond.empty, true);
    assert.equal(beyond.last_page, true);
    assert.equal(beyond.total_items, 32);
  });

  it('every single document validates', async () => {
    const services = (await check('/services', '/hsds/services?per_page=500')).contents;
    for (const s of services) {
      for (const lang of ['zh', 'en']) {
        const full = await check('/services/{id}', `/hsds/services/${s.id}?lang=${lang}`);
        assert.equal(full.id, s.id);
        for (const sal of full.service_at_locations)
          await check('/service_at_locations/{id}', `/hsds/service_at_locations/${sal.id}?lang=${lang}`);
      }
    }
    for (const o of (await check('/organizations', '/hsds/organizations?per_page=500')).contents) {
      await check('/organizations/{id}', `/hsds/organizations/${o.id}`);
      await check('/organizations/{id}', `/hsds/organizations/${o.id}?full_service=true&lang=en`);
    }
    for (const t of (await check('/taxonomies', '/hsds/taxonomies')).contents)
      await check('/taxonomies/{id}', `/hsds/taxonomies/${t.id}`);
    for (const t of (await check('/taxonomy_terms', '/hsds/taxonomy_terms?per_page=500')).contents)
      await check('/taxonomy_terms/{id}', `/hsds/taxonomy_terms/${t.id}?lang=en`);
    assert.deepEqual([...seen].sort(), [...v.paths].sort(), 'every path of openapi.json was answered and validated');
    assert.ok(validated > 200, `${validated} documents validated`);
  });

  it('ids are name-based UUIDs anyone can recompute from our ids and codes', async () => {
    const api = expectStatus(await anon.get('/api/services?limit=100'), 200).json.items;
    const hsds = (await check('/services', '/hsds/services?per_page=500')).contents;
    assert.deepEqual(hsds.map((s) => s.id), api.map((s) => uuid8(`service:${s.id}`)));
    assert.deepEqual(api.map((s) => s.hsds_id), hsds.map((s) => s.id));
    const org = await check('/organizations/{id}', `/hsds/organizations/${uuid8('organization:hz-legal-aid')}`);
    assert.equal(org.name, '海州区法律援助中心');
    assert.equal(org.alternate_name, 'Haizhou Legal Aid Centre');
    const term = await check('/taxonomy_terms/{id}', `/hsds/taxonomy_terms/${uuid8('taxonomy_term:haircut')}`);
    assert.equal(term.code, 'haircut');
    assert.equal(term.parent_id, uuid8('taxonomy_term:daily_life'));
    assert.equal(term.taxonomy_id, uuid8('taxonomy:warmharbor-service-categories'));
    const s = api[0];
    const detail = expectStatus(await anon.get(`/api/services/${s.id}`), 200).json;
    const site = detail.locations[0].site.id;
    const salId = uuid8(`service_at_location:${s.id}:${site}`);
    const sal = await check('/service_at_locations/{id}', `/hsds/service_at_locations/${salId}`);
    assert.equal(sal.location_id, uuid8(`location:${site}`));
    assert.equal(sal.service.id, uuid8(`service:${s.id}`));
    // Upper case is the same UUID; anything else names nothing.
    await check('/services/{id}', `/hsds/services/${uuid8(`service:${s.id}`).toUpperCase()}`);
    for (const p of ['services', 'organizations', 'service_at_locations', 'taxonomies', 'taxonomy_terms']) {
      assertError(await anon.get(`/hsds/${p}/${uuid8('nothing')}`), 404, 'not_found');
      assertError(await anon.get(`/hsds/${p}/1`), 404, 'not_found');
      assertError(await anon.get(`/hsds/${p}/not-a-uuid`), 404, 'not_found');
    }
  });

  it('filters: taxonomy term (with its subtree), taxonomy, organization, search, modified_after', async () => {
    const life = uuid8('taxonomy_term:daily_life');
    const byTerm = await check('/services', `/hsds/services?taxonomy_term_id=${life}&per_page=100`);
    const ours = expectStatus(await anon.get('/api/services?category=daily_life&limit=100'), 200).json;
    assert.equal(byTerm.total_items, ours.total);
    assert.ok(byTerm.total_items >= 5);
    const haircut = await check('/services', `/hsds/services?taxonomy_term_id=${uuid8('taxonomy_term:haircut')}`);
    assert.deepEqual(haircut.contents.map((s) => s.name), ['爱心义剪']);
    const tax = uuid8('taxonomy:warmharbor-service-categories');
    assert.equal((await check('/services', `/hsds/services?taxonomy_id=${tax}`)).total_items, 32);
    assert.equal((await check('/services', `/hsds/services?taxonomy_id=${uuid8('x')}`)).total_items, 0);
    assert.equal((await check('/services', `/hsds/services?taxonomy_term_id=${uuid8('x')}`)).total_items, 0);
    assert.equal((await check('/services', '/hsds/services?taxonomy_term_id=nope')).total_items, 0);
    const legal = uuid8('organization:hz-legal-aid');
    assert.equal((await check('/services', `/hsds/services?organization_id=${legal}`)).total_items, 2);
    assert.equal((await check('/service_at_locations', `/hsds/service_at_locations?organization_id=${legal}`)).total_items, 4);
    assert.equal((await check('/services', `/hsds/services?organization_id=${uuid8('y')}`)).total_items, 0);
    const cuts = await check('/services', `/hsds/services?search=${enc('义剪')}`);
    assert.equal(cuts.total_items, 1);
    const en = await check('/service_at_locations', '/hsds/service_at_locations?search=haircut&lang=en');
    assert.equal(en.total_items, 1);
    assert.equal(en.contents[0].service.name, 'Free haircuts');
    assert.equal((await check('/services', '/hsds/services?modified_after=2000-01-01')).total_items, 32);
    assert.equal((await check('/services', '/hsds/services?modified_after=2999-01-01T00:00:00Z')).total_items, 0);
    const orgs = await check('/organizations', `/hsds/organizations?search=${enc('工会')}`);
    assert.deepEqual(orgs.contents.map((o) => o.name), ['海州区总工会']);
    const top = await check('/taxonomy_terms', '/hsds/taxonomy_terms?top_only=true&per_page=100');
    assert.equal(top.total_items, 11);
    assert.ok(top.contents.every((t) => t.parent_id === undefined));
    const kids = await check('/taxonomy_terms', `/hsds/taxonomy_terms?parent_id=${life}`);
    assert.deepEqual(kids.contents.map((t) => t.code), ['haircut', 'repair', 'meals']);
    assert.equal((await check('/taxonomy_terms', `/hsds/taxonomy_terms?taxonomy_id=${uuid8('z')}`)).total_items, 0);
    assert.equal((await check('/taxonomies', '/hsds/taxonomies?search=nothing')).total_items, 0);
  });

  it('shapes: languages, schedules from opening hours, fees and eligibility', async () => {
    const night = (await check('/services', `/hsds/services?search=${enc('深夜食堂')}&full=true`)).contents[0];
    assert.equal(night.status, 'temporarily closed');
    assert.equal(night.alternate_name, 'Night canteen');
    assert.equal(night.fees_description, '每份8元');
    assert.equal(night.cost_options, undefined, 'no free option for a paid service');
    assert.match(night.eligibility_description, /已认证/);
    assert.deepEqual(night.languages.map((l) => [l.code, l.name]), [['zh', '中文'], ['en', '英语'], ['yue', '粤语'], ['xq', undefined]]);
    assert.deepEqual(night.phones.map((p) => p.number), ['0518-7654321']);
    assert.deepEqual(night.contacts.map((c) => [c.name, c.email]), [['王师傅', 'night@example.org']]);
    assert.equal(night.attributes[0].taxonomy_term.code, 'meals');
    const byHours = Object.fromEntries(night.service_at_locations.map((x) => [x.schedules[0].description, x]));
    const overnight = byHours['Mo-Su 22:00-04:00'].schedules;
    assert.deepEqual(overnight.map((r) => [r.freq, r.byday, r.opens_at, r.closes_at, r.timezone]),
      [['WEEKLY', 'MO,TU,WE,TH,FR,SA,SU', '22:00+08:00', '04:00+08:00', 8]]);
    assert.equal(byHours['Mo-Su 22:00-04:00'].description, 'Back door', 'no Chinese note: the English one');
    assert.deepEqual(byHours['24/7'].schedules.map((r) => [r.byday, r.opens_at, r.closes_at]),
      [['MO,TU,WE,TH,FR,SA,SU', '00:00+08:00', '24:00+08:00']]);
    assert.deepEqual(byHours.off.schedules.map((r) => [r.freq, r.description]), [[undefined, 'off']]);
    const en = (await check('/services', `/hsds/services?search=night&lang=en&full=true`)).contents[0];
    assert.equal(en.name, 'Night canteen');
    assert.equal(en.alternate_name, '深夜食堂');
    assert.equal(en.fees_description, '8 yuan a meal');
    assert.equal(en.description, '夜班骑手的热饭', 'a text missing in English falls back to Chinese');
    assert.equal(en.service_at_locations.find((x) => x.description).description, 'Back door');
    // Demo hours: two rows a weekday, PH named in the notes; summer only
    // is described, not made weekly.
    const social = (await check('/services', `/hsds/services?search=${enc('灵活就业人员社保参保登记')}&full=true`)).contents[0];
    const rows = social.service_at_locations[0].schedules;
    assert.deepEqual(rows.map((r) => [r.byday, r.opens_at, r.closes_at]),
      [['MO,TU,WE,TH,FR', '08:30+08:00', '12:00+08:00'], ['MO,TU,WE,TH,FR', '14:00+08:00', '17:30+08:00']]);
    assert.ok(rows.every((r) => /PH|节假日/.test(r.notes)));
    assert.equal(social.fees_description, '免费');
    assert.deepEqual(social.cost_options.map((c) => [c.amount, c.currency]), [[0, 'CNY']]);
    const summer = (await check('/services', `/hsds/services?search=${enc('暑期爱心托管班')}&full=true`)).contents[0];
    for (const sal of summer.service_at_locations)
      assert.deepEqual(sal.schedules.map((r) => [r.freq, r.description]), [[undefined, 'Jul-Aug Mo-Fr 08:00-17:30; PH off']]);
    const loc = summer.service_at_locations[0].location;
    assert.equal(loc.location_type, 'physical');
    assert.equal(typeof loc.latitude, 'number');
    assert.equal(loc.external_identifier_type, 'warmharbor_site_id');
  });

  it('parameter errors are 400 with the one error shape', async () => {
    assertError(await anon.get('/hsds/services?page=0'), 400, 'invalid_query', 'page');
    assertError(await anon.get('/hsds/services?page=x'), 400, 'invalid_query', 'page');
    assertError(await anon.get('/hsds/services?per_page=501'), 400, 'invalid_query', 'per_page');
    assertError(await anon.get('/hsds/organizations?per_page=0'), 400, 'invalid_query', 'per_page');
    assertError(await anon.get('/hsds/services?format=ndjson'), 400, 'invalid_query', 'format');
    assertError(await anon.get('/hsds/service_at_locations?lang=fr'), 400, 'invalid_query', 'lang');
    assertError(await anon.get('/hsds/services?full=maybe'), 400, 'invalid_query', 'full');
    assertError(await anon.get('/hsds/organizations?full_service=2'), 400, 'invalid_query', 'full_service');
    assertError(await anon.get('/hsds/taxonomy_terms?top_only=yes'), 400, 'invalid_query', 'top_only');
    assertError(await anon.get('/hsds/services?modified_after=yesterday'), 400, 'invalid_query', 'modified_after');
    assertError(await anon.get(`/hsds/services?search=${'x'.repeat(201)}`), 400, 'invalid_query', 'search');
    // Read-only: no writes at all.
    const res = await admin.post('/hsds/services', {});
    assert.equal(res.status, 405);
  });
});
