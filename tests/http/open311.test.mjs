// Open311 GeoReport v2 at /open311/v2/, driven as FixMyStreet's Open311
// client drives it: XML answers read the way XML::Simple (ForceArray on
// the list elements) reads them, a form-encoded POST with api_key,
// jurisdiction_id and attribute[code], the new request read back by
// service_request_id (or its token). JSON answers are validated against
// the published schemas in /work/shared/standards/open311-georeport-v2/,
// with every object closed (additionalProperties: false), so nothing is
// said that the spec does not name, the reporter's identity above all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { startServer, ADMIN_TOKEN, expectStatus } from './lib/server.mjs';

const Ajv = AjvModule.default || AjvModule;
const addFormats = addFormatsModule.default || addFormatsModule;
// The published schemas: shared/ beside the checkout (as CI lays it), or
// the workplace's copy.
const SCHEMAS = process.env.WARMHARBOR_STANDARDS
  ? path.join(process.env.WARMHARBOR_STANDARDS, 'open311-georeport-v2')
  : [path.resolve(import.meta.dirname, '../../../shared/standards/open311-georeport-v2'), '/work/shared/standards/open311-georeport-v2'].find((d) => existsSync(d));

/** Every object schema closed, as upstream validates its examples. */
function closeObjects(s) {
  if (Array.isArray(s)) return s.map(closeObjects);
  if (!s || typeof s !== 'object') return s;
  const out = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, closeObjects(v)]));
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validators() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of ['request.json', 'requests.json', 'service.json', 'services.json', 'service-definition.json']) {
    ajv.addSchema({ ...closeObjects(JSON.parse(readFileSync(path.join(SCHEMAS, f), 'utf8'))), $id: f });
  }
  const v = (id) => {
    const fn = ajv.getSchema(id);
    return (data, what) => {
      const ok = fn(data);
      assert.ok(ok, `${what} does not validate against ${id}: ${ajv.errorsText(fn.errors)}\n${JSON.stringify(data).slice(0, 800)}`);
    };
  };
  return { request: v('request.json'), requests: v('requests.json'), services: v('services.json'), definition: v('service-definition.json') };
}

// ---- XML as XML::Simple reads it ----------------------------------------------

const LISTS = new Set(['service', 'attribute', 'value', 'request', 'error', 'endpoint', 'format']);

/** A small parser for the XML this API writes (elements and text, no
 * attributes): an element with children is an object, elements named in
 * LISTS are arrays, an empty element is null (SuppressEmpty => undef). */
function parseXml(text) {
  assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?>\n/);
  let i = text.indexOf('?>') + 2;
  const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const skip = () => { while (/\s/.test(text[i])) i++; };
  function element() {
    skip();
    const open = /^<([A-Za-z_][\w.-]*)(\/?)>/.exec(text.slice(i));
    assert.ok(open, `an element at ${i}: ${text.slice(i, i + 40)}`);
    i += open[0].length;
    const name = open[1];
    if (open[2]) return [name, null];
    if (text[i] !== '<' || text.startsWith(`</${name}>`, i)) {
      const end = text.indexOf(`</${name}>`, i);
      assert.ok(end >= 0, `</${name}>`);
      const raw = text.slice(i, end);
      assert.ok(!raw.includes('<'), `mixed content in ${name}`); // before &lt; is decoded
      const body = decode(raw);
      i = end + name.length + 3;
      return [name, body === '' ? null : body];
    }
    const obj = {};
    for (;;) {
      skip();
      if (text.startsWith(`</${name}>`, i)) {
        i += name.length + 3;
        return [name, obj];
      }
      const [k, v] = element();
      if (LISTS.has(k)) (obj[k] ||= []).push(v);
      else {
        assert.ok(!(k in obj), `${k} twice in ${name}`);
        obj[k] = v;
      }
    }
  }
  const [root, value] = element();
  skip();
  assert.equal(i, text.length, 'nothing after the root element');
  return { root, value };
}

// ---- the client -----------------------------------------------------------------

async function world() {
  const srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1' } });
  const admin = srv.client(ADMIN_TOKEN);
  const base = `${srv.base}/open311/v2/`;
  async function get(p, { accept } = {}) {
    const res = await fetch(base + p, { headers: accept ? { 'accept-language': accept } : {} });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, headers: res.headers };
  }
  async function getJson(p) {
    const r = await get(p);
    assert.match(r.type, /^application\/json/, `${p}: ${r.text}`);
    return { ...r, json: JSON.parse(r.text) };
  }
  async function getXml(p) {
    const r = await get(p);
    assert.match(r.type, /^text\/xml/, `${p}: ${r.text}`);
    return { ...r, xml: parseXml(r.text) };
  }
  /** POST as FixMyStreet does: application/x-www-form-urlencoded. */
  async function post(p, fields, { type = 'application/x-www-form-urlencoded' } = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    }
    const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': type }, body: body.toString() });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text };
  }
  const key = expectStatus(await admin.post('/api/open311/keys', { name: 'FixMyStreet (test)' }), 201).json;
  return { srv, admin, get, getJson, getXml, post, key };
}

/** What FixMyStreet sends for a report (Open311.pm's parameters). */
function fmsReport(key, extra = {}) {
  return {
    api_key: key.key,
    jurisdiction_id: 'HZ',
    service_code: 'road_damage',
    lat: '34.572', long: '119.194',
    description: '路面塌陷\n\nhttps://fixmystreet.example/report/42',
    email: 'resident@example.org', first_name: 'Wang', last_name: 'Lei', phone: '13912345678',
    media_url: 'https://fixmystreet.example/photo/42.0.full.jpeg',
    'attribute[size]': 'large', 'attribute[blocks_traffic]': 'no',
    ...extra,
  };
}

function assertXmlError(res, status, pattern) {
  assert.equal(res.status, status, res.text);
  assert.match(res.type, /^text\/xml/);
  const { root, value } = parseXml(res.text);
  assert.equal(root, 'errors');
  assert.equal(value.error.length, 1);
  assert.equal(value.error[0].code, String(status));
  assert.match(value.error[0].description, pattern);
}

function assertJsonError(res, status, pattern) {
  assert.equal(res.status, status, res.text);
  assert.match(res.type, /^application\/json/);
  const list = JSON.parse(res.text);
  assert.ok(Array.isArray(list) && list.length === 1, res.text);
  assert.deepEqual(Object.keys(list[0]), ['code', 'description']);
  assert.equal(list[0].code, status);
  assert.match(list[0].description, pattern);
}

// ---- tests -------------------------------------------------------------------------

test('open311: discovery, services and their definitions, in XML and JSON, valid against the schemas', async () => {
  const w = await world();
  const v = validators();
  try {
    const d = await w.getJson('discovery.json');
    assert.equal(d.status, 200);
    assert.equal(d.json.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.equal(d.json.endpoints[0].url, `${w.srv.base}/open311/v2`);
    assert.deepEqual(d.json.endpoints[0].formats, ['text/xml', 'application/json']);
    const dx = await w.getXml('discovery.xml');
    assert.equal(dx.xml.root, 'discovery');
    assert.deepEqual(dx.xml.value.endpoints.endpoint[0].formats.format, ['text/xml', 'application/json']);

    const s = await w.getJson('services.json');
    assert.equal(s.status, 200);
    v.services(s.json, 'services.json');
    const road = s.json.find((x) => x.service_code === 'road_damage');
    assert.deepEqual(road, {
      service_code: 'road_damage', service_name: '道路破损', description: '路面坑洼、塌陷、破损',
      metadata: true, type: 'realtime', keywords: '', group: 'roads',
    });
    const en = await w.get('services.json', { accept: 'en-GB,en;q=0.9' });
    assert.equal(JSON.parse(en.text).find((x) => x.service_code === 'road_damage').service_name, 'Road damage');
    // XML: <services><service>..., metadata as the strings true/false
    const sx = await w.getXml('services.xml?jurisdiction_id=HZ');
    assert.equal(sx.xml.root, 'services');
    assert.equal(sx.xml.value.service.length, s.json.length);
    const roadX = sx.xml.value.service.find((x) => x.service_code === 'road_damage');
    assert.equal(roadX.metadata, 'true');
    assert.equal(roadX.type, 'realtime');
    assert.equal(roadX.keywords, null);

    const def = await w.getJson('services/road_damage.json');
    v.definition(def.json, 'services/road_damage.json');
    assert.equal(def.json.service_code, 'road_damage');
    const size = def.json.attributes.find((a) => a.code === 'size');
    assert.deepEqual(size.values.map((x) => x.key), ['small', 'medium', 'large']);
    assert.equal(size.required, true);
    assert.equal(size.variable, true);
    assert.equal(size.order, 1);
    const hazard = await w.getJson('services/safety_hazard.json');
    v.definition(hazard.json, 'services/safety_hazard.json');
    assert.equal(hazard.json.attributes.find((a) => a.code === 'emergency').variable, false);
    const defX = await w.getXml('services/cycle_lane_blocked.xml');
    assert.equal(defX.xml.root, 'service_definition');
    const by = defX.xml.value.attributes.attribute.find((a) => a.code === 'by');
    assert.equal(by.datatype, 'multivaluelist');
    assert.equal(by.required, 'true');
    assert.deepEqual(by.values.value.map((x) => x.key), ['cars', 'stalls', 'works', 'other']);

    assertJsonError(await w.get('services/no_such.json'), 404, /service_code not found/);
    assertXmlError(await w.get('services/no_such.xml'), 404, /service_code not found/);
    assertJsonError(await w.get('services/road_damage.csv'), 404, /\.json or \.xml/);
    assertJsonError(await w.get('services/road_damage'), 404, /\.json or \.xml/);
    assertXmlError(await w.get('services.xml?jurisdiction_id=NOWHERE'), 404, /jurisdiction_id not found/);
    assert.equal((await w.get('services.csv')).status, 404);
  } finally {
    await w.srv.stop();
  }
});

test('open311: FixMyStreet posts a report (form, XML) and reads it back by service_request_id and by token', async () => {
  const w = await world();
  const v = validators();
  try {
    const res = await w.post('requests.xml', fmsReport(w.key));
    assert.equal(res.status, 200, res.text);
    const { root, value } = parseXml(res.text);
    assert.equal(root, 'service_requests');
    // what Open311.pm reads: $obj->{request}->[0]->{service_request_id}
    const id = value.request[0].service_request_id;
    assert.match(id, /^\d+$/);
    const token = value.request[0].token;
    assert.ok(token && token.length > 20);
    assert.match(value.request[0].service_notice, /5个工作日/);
    assert.equal(value.request[0].account_id, null);

    // read back, as XML and as JSON
    const one = await w.getXml(`requests/${id}.xml`);
    assert.equal(one.xml.root, 'service_requests');
    const r = one.xml.value.request[0];
    assert.equal(r.service_request_id, id);
    assert.equal(r.status, 'open');
    assert.equal(r.service_code, 'road_damage');
    assert.equal(r.agency_responsible, '住房和城乡建设局');
    assert.equal(r.description, '路面塌陷\n\nhttps://fixmystreet.example/report/42');
    assert.equal(Number(r.lat), 34.572);
    assert.equal(Number(r.long), 119.194);
    assert.equal(r.media_url, 'https://fixmystreet.example/photo/42.0.full.jpeg');
    for (const k of ['email', 'first_name', 'last_name', 'phone']) assert.equal(r[k], undefined, k);
    assert.ok(!one.text.includes('resident@example.org') && !one.text.includes('13912345678'), 'no contact details');

    const j = await w.getJson(`requests/${id}.json`);
    v.requests(j.json, `requests/${id}.json`);
    assert.equal(j.json.length, 1);
    v.request(j.json[0], 'a request');
    assert.equal(j.json[0].service_request_id, id);
    assert.match(j.json[0].requested_datetime, /\+08:00$/);
    assert.ok(Date.parse(j.json[0].expected_datetime) > Date.parse(j.json[0].requested_datetime));

    // by token: $obj->{request}->[0]->{service_request_id}
    const t = await w.getXml(`tokens/${token}.xml`);
    assert.equal(t.xml.value.request[0].service_request_id, id);
    assert.equal(t.xml.value.request[0].token, token);
    const tj = await w.getJson(`tokens/${token}.json`);
    assert.deepEqual(tj.json, [{ service_request_id: id, token }]);
    assertXmlError(await w.get('tokens/no-such-token.xml'), 404, /token not found/);
    assertJsonError(await w.get('requests/999999.json'), 404, /not found/);
    assertJsonError(await w.get('requests/abc.json'), 404, /not found/);

    // the report is a report like any other: its grid's handlers see who
    // sent it, the public does not
    const app = expectStatus(await w.admin.get(`/api/reports/${id}`), 200).json;
    assert.equal(app.source, 'open311');
    assert.equal(app.grid.code, 'HZ-XN-01-G1');
    assert.deepEqual(app.attributes, { size: 'large', blocks_traffic: 'no' });
    assert.deepEqual(app.contact, { name: 'Wang Lei', email: 'resident@example.org', phone: '13912345678' });
    assert.equal(app.timeline[0].author_role, 'open311');
    const pub = expectStatus(await w.srv.client().get(`/api/reports/${id}`), 200).json;
    assert.equal(pub.contact, undefined);

    // a JSON answer to a POST to requests.json, and a multivaluelist
    const res2 = await w.post('requests.json', fmsReport(w.key, {
      service_code: 'cycle_lane_blocked', 'attribute[size]': undefined, 'attribute[blocks_traffic]': undefined,
      'attribute[by][]': ['cars', 'stalls'],
    }));
    assert.equal(res2.status, 200, res2.text);
    const made = JSON.parse(res2.text);
    assert.equal(made.length, 1);
    assert.deepEqual(Object.keys(made[0]), ['service_request_id', 'token', 'service_notice', 'account_id']);
    const cy = expectStatus(await w.admin.get(`/api/reports/${made[0].service_request_id}`), 200).json;
    assert.deepEqual(cy.attributes, { by: ['cars', 'stalls'] });
    assert.equal(cy.department, 'traffic');
  } finally {
    await w.srv.stop();
  }
});

test('open311: errors as the spec lists them: api_key 403, missing or bad fields 400, outside 400, wrong body 415', async () => {
  const w = await world();
  try {
    const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
    const send = (extra, p = 'requests.xml') => w.post(p, clean(fmsReport(w.key, extra)));
    assertXmlError(await send({ api_key: undefined }), 403, /api_key/);
    assertXmlError(await send({ api_key: 'o311_guessed' }), 403, /api_key/);
    assertJsonError(await send({ api_key: 'o311_guessed' }, 'requests.json'), 403, /api_key/);
    assertXmlError(await send({ service_code: undefined }), 400, /service_code is required/);
    assertXmlError(await send({ service_code: 'no_such' }), 400, /service_code not found/);
    assertXmlError(await send({ lat: undefined }), 400, /lat and long/);
    assertXmlError(await send({ lat: 'north' }), 400, /lat and long/);
    assertXmlError(await send({ lat: '39.9042', long: '116.4074' }), 400, /outside/);
    assertXmlError(await send({ jurisdiction_id: 'HZ-HZ' }), 400, /jurisdiction/);
    assertXmlError(await send({ jurisdiction_id: 'NOWHERE' }), 404, /jurisdiction_id not found/);
    assertXmlError(await send({ 'attribute[size]': undefined }), 400, /attribute\[size\]: .*answered/);
    assertXmlError(await send({ 'attribute[size]': 'huge' }), 400, /attribute\[size\]/);
    assertXmlError(await send({ 'attribute[colour]': 'red' }), 400, /attribute\[colour\]/);
    assertXmlError(await send({ 'attribute[size': 'large' }), 400, /attribute\[code\]/);
    assertXmlError(await send({ media_url: 'javascript:alert(1)' }), 400, /media_url/);
    assertXmlError(await send({ description: 'x'.repeat(4001) }), 400, /description/);
    // the body must be a form: JSON is refused before the handler; multipart
    // (FixMyStreet's way to send a photo as media) is a form too
    const asJson = await fetch(`${w.srv.base}/open311/v2/requests.xml`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fmsReport(w.key)),
    });
    assert.equal(asJson.status, 415);
    const fd = new FormData();
    for (const [k, v] of Object.entries(fmsReport(w.key))) fd.append(k, v);
    const mp = await fetch(`${w.srv.base}/open311/v2/requests.xml`, { method: 'POST', body: fd });
    assert.equal(mp.status, 200, await mp.text());
    const broken = await fetch(`${w.srv.base}/open311/v2/requests.xml`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'api_key=%zz',
    });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).error.code, 'invalid_form');
    // the api_key may come in the query too, and a revoked key stops working
    const q = new URLSearchParams(clean(fmsReport(w.key, { api_key: undefined })));
    const viaQuery = await fetch(`${w.srv.base}/open311/v2/requests.json?api_key=${encodeURIComponent(w.key.key)}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q.toString(),
    });
    assert.equal(viaQuery.status, 200, await viaQuery.text());
    const keys = expectStatus(await w.admin.get('/api/open311/keys'), 200).json.items;
    assert.equal(keys.length, 1);
    assert.equal(keys[0].key, undefined, 'the key itself is shown once only');
    assert.ok(keys[0].last_used_at);
    expectStatus(await w.admin.del(`/api/open311/keys/${w.key.id}`), 204);
    assert.equal((await w.admin.del(`/api/open311/keys/${w.key.id}`)).status, 404);
    assertXmlError(await send({}), 403, /api_key/);
  } finally {
    await w.srv.stop();
  }
});

test('open311: GET requests with the spec\'s filters; rejected reports and identities are never published', async () => {
  const w = await world();
  const v = validators();
  try {
    const ids = [];
    for (const extra of [{}, { service_code: 'street_light', 'attribute[size]': undefined, 'attribute[blocks_traffic]': undefined }]) {
      const fields = Object.fromEntries(Object.entries(fmsReport(w.key, extra)).filter(([, x]) => x !== undefined));
      const res = await w.post('requests.json', fields);
      assert.equal(res.status, 200, res.text);
      ids.push(JSON.parse(res.text)[0].service_request_id);
    }
    const all = await w.getJson('requests.json');
    v.requests(all.json, 'requests.json');
    for (const r of all.json) v.request(r, `request ${r.service_request_id}`);
    assert.ok(ids.every((id) => all.json.some((r) => r.service_request_id === id)));
    assert.ok(all.json.some((r) => r.status === 'closed'), 'the demo has closed ones');
    const byCode = await w.getJson('requests.json?service_code=street_light');
    assert.ok(byCode.json.every((r) => r.service_code === 'street_light'));
    assert.ok(byCode.json.some((r) => r.service_request_id === ids[1]));
    const open = await w.getJson('requests.json?status=open');
    assert.ok(open.json.every((r) => r.status === 'open'));
    const closed = await w.getJson('requests.json?status=closed');
    assert.ok(closed.json.length > 0 && closed.json.every((r) => r.status === 'closed'));
    assert.equal((await w.getJson('requests.json?status=open,closed')).json.length, all.json.length);
    const list = await w.getXml(`requests.xml?service_request_id=${ids.join(',')}`);
    assert.deepEqual(list.xml.value.request.map((r) => r.service_request_id), ids);
    // a date range (90 days at most), as FixMyStreet polls
    const now = Date.now();
    const iso = (t) => new Date(t).toISOString();
    const recent = await w.getJson(`requests.json?start_date=${iso(now - 3600e3)}&end_date=${iso(now + 3600e3)}`);
    assert.deepEqual(recent.json.map((r) => r.service_request_id).sort(), [...ids].sort());
    assertJsonError(await w.get(`requests.json?start_date=${iso(now - 100 * 86400e3)}&end_date=${iso(now)}`), 400, /90 days/);
    assertJsonError(await w.get('requests.json?start_date=yesterday'), 400, /start_date/);
    assertJsonError(await w.get('requests.json?status=pending'), 400, /status/);
    assertJsonError(await w.get('requests.json?service_request_id=1;2'), 400, /service_request_id/);
    // jurisdiction: a region's subtree
    assert.ok((await w.getJson('requests.json?jurisdiction_id=HZ-XN')).json.some((r) => r.service_request_id === ids[0]));
    assert.ok(!(await w.getJson('requests.json?jurisdiction_id=HZ-HZ')).json.some((r) => r.service_request_id === ids[0]));
    assertJsonError(await w.get(`requests/${ids[0]}.json?jurisdiction_id=HZ-HZ`), 404, /not found/);
    // a report made in the app with a photo: media_url points at the cleaned photo
    const worker = w.srv.client(w.srv.user('13766660001'));
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const mine = expectStatus(await worker.post('/api/reports', {
      category: 'road_damage', position: { lat: 34.5721, lon: 119.1941 }, attributes: { size: 'small' }, photos: [png],
    }), 201).json;
    const withPhoto = (await w.getJson(`requests/${mine.id}.json`)).json[0];
    v.request(withPhoto, 'a request with a photo');
    assert.equal(withPhoto.media_url, `${w.srv.base}${mine.photos[0]}`);
    assert.equal((await fetch(withPhoto.media_url)).headers.get('content-type'), 'image/jpeg');
    // rejected: gone from Open311
    expectStatus(await w.admin.post(`/api/reports/${mine.id}/reject`, { comment: '误报' }), 200);
    assertJsonError(await w.get(`requests/${mine.id}.json`), 404, /not found/);
    assert.ok(!(await w.getJson('requests.json')).json.some((r) => r.service_request_id === String(mine.id)));
    assert.equal((await w.getJson(`requests.json?service_request_id=${mine.id}`)).json.length, 0);
    // the closed statuses map to closed, with our word in status_notes
    const path = `/api/reports/${ids[0]}`;
    expectStatus(await w.admin.post(`${path}/status`, { status: 'not_ours', comment: '属于供电公司' }), 200);
    const no = (await w.getJson(`requests/${ids[0]}.json`)).json[0];
    assert.equal(no.status, 'closed');
    assert.equal(no.status_notes, 'not our responsibility');
  } finally {
    await w.srv.stop();
  }
});

test('open311: a list shows each change to a report at once, the same in JSON, XML and the single request', async () => {
  // The lists are written straight out (no jansson tree): every member in
  // the spec's order, text escaped for JSON and XML alike, and whatever
  // the report's latest state is, as the single request shows it.
  const w = await world();
  const v = validators();
  try {
    const description = 'a "quoted" \\ back<slash> & <b>tags</b>\ttab\nline 路面 \u{1F6A7}';
    const address = "O'Brien Rd <3> & co";
    const res = await w.post('requests.json', fmsReport(w.key, { description, address_string: address }));
    assert.equal(res.status, 200, res.text);
    const id = JSON.parse(res.text)[0].service_request_id;
    const KEYS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description',
      'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime',
      'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url'];
    /** The report as each answer shows it: the list (JSON, XML), the single
     * request (JSON, XML); all four must agree. */
    async function views(query = '') {
      const listJson = await w.getJson(`requests.json${query}`);
      v.requests(listJson.json, 'requests.json');
      const item = listJson.json.find((r) => r.service_request_id === id);
      const one = (await w.getJson(`requests/${id}.json${query}`)).json[0];
      assert.deepEqual(item, one, 'the list and the single request agree');
      assert.deepEqual(Object.keys(item), KEYS, 'members in the spec\'s order');
      v.request(item, 'the item');
      // XML: the same values as text, nulls as empty elements
      const asText = Object.fromEntries(Object.entries(item).map(([k, x]) => [k, x === null ? null : String(x)]));
      const listXml = (await w.getXml(`requests.xml${query}`)).xml;
      assert.equal(listXml.root, 'service_requests');
      assert.equal(listXml.value.request.length, listJson.json.length);
      assert.deepEqual(listXml.value.request.find((r) => r.service_request_id === id), asText);
      assert.deepEqual((await w.getXml(`requests/${id}.xml${query}`)).xml.value.request[0], asText);
      // asked twice, the same bytes
      assert.equal((await w.get(`requests.json${query}`)).text, (await w.get(`requests.json${query}`)).text);
      return item;
    }
    const first = await views();
    assert.equal(first.description, description);
    assert.equal(first.address, address);
    assert.equal(first.status, 'open');
    assert.equal(first.status_notes, 'open');
    assert.equal(first.media_url, 'https://fixmystreet.example/photo/42.0.full.jpeg');
    // every status change shows in the very next list, JSON and XML
    const path = `/api/reports/${id}`;
    expectStatus(await w.admin.post(`${path}/status`, { status: 'in_progress', comment: '已派单' }), 200);
    const doing = await views();
    assert.equal(doing.status, 'open');
    assert.equal(doing.status_notes, 'in progress');
    assert.deepEqual({ ...doing, status_notes: 'open', updated_datetime: null },
      { ...first, updated_datetime: null }, 'nothing else changed');
    expectStatus(await w.admin.post(`${path}/status`, { status: 'fixed', comment: '已修复' }), 200);
    const fixed = await views();
    assert.equal(fixed.status, 'closed');
    assert.equal(fixed.status_notes, 'fixed');
    assert.ok((await w.getJson('requests.json?status=closed')).json.some((r) => r.service_request_id === id));
    assert.ok(!(await w.getJson('requests.json?status=open')).json.some((r) => r.service_request_id === id));
    // the English names, also straight out
    const en = await views('?lang=en');
    assert.equal(en.status_notes, 'fixed');
    assert.notEqual(en.service_name, fixed.service_name);
    // closed: the answer after it says so
    expectStatus(await w.admin.post(`${path}/status`, { status: 'closed', comment: '关闭' }), 200);
    assert.equal((await views()).status_notes, 'closed');
  } finally {
    await w.srv.stop();
  }
});
