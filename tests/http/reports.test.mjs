// Grid reports (the report module): a courier reports road damage with a
// photo, another says "me too" instead of reporting it again, the grid's
// manager takes it to fixed, the reporter re-opens it (and cannot after 14
// days), an overdue report escalates to the grid's parent region, points
// are routed to the grid whose boundary holds them, and photos come back
// re-encoded without their EXIF (GPS included). Attackers: anonymous
// callers, a worker acting on another's report, a manager of another grid,
// a dispatcher of another department, replays and two requests at once.
//
// The test images are made here: a baseline JPEG written byte by byte
// (flat grey, so every 8x8 block is two bits) with a hand-built EXIF
// segment carrying GPS, make, model and an orientation; a PNG (pngjs) with
// an eXIf chunk added by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pngjs from 'pngjs';
import { startServer, ADMIN_TOKEN, assertError, expectStatus, rawRequest, realToken } from './lib/server.mjs';

const { PNG } = pngjs;

// ---- test images -------------------------------------------------------------

const MAKE = 'WarmTestPhone';
const MODEL = 'GridCam-9000';
// GPS 34°34'12.3456"N 119°11'98.7654"E, as EXIF rationals
const LAT = [[34, 1], [34, 1], [123456, 10000]];
const LON = [[119, 1], [11, 1], [987654, 10000]];

/** A little-endian TIFF block as EXIF has it: IFD0 (make, model,
 * orientation, a pointer to the GPS IFD) and a GPS IFD. */
function exifTiff(orientation = 1) {
  const buf = Buffer.alloc(512);
  let end = 8;
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  const ifd = (at, entries) => {
    buf.writeUInt16LE(entries.length, at);
    let data = at + 2 + entries.length * 12 + 4;
    entries.forEach(([tag, type, count, value], i) => {
      const e = at + 2 + i * 12;
      buf.writeUInt16LE(tag, e);
      buf.writeUInt16LE(type, e + 2);
      buf.writeUInt32LE(count, e + 4);
      if (typeof value === 'number') {
        if (type === 3) buf.writeUInt16LE(value, e + 8);
        else buf.writeUInt32LE(value, e + 8);
      } else if (value.length <= 4) {
        value.copy(buf, e + 8);
      } else {
        buf.writeUInt32LE(data, e + 8);
        value.copy(buf, data);
        data += value.length + (value.length & 1);
      }
    });
    buf.writeUInt32LE(0, at + 2 + entries.length * 12);
    return data;
  };
  const ascii = (s) => Buffer.from(`${s}\0`, 'latin1');
  const rationals = (rs) => {
    const b = Buffer.alloc(rs.length * 8);
    rs.forEach(([n, d], i) => { b.writeUInt32LE(n, i * 8); b.writeUInt32LE(d, i * 8 + 4); });
    return b;
  };
  const gpsAt = 200;
  end = ifd(8, [
    [0x010f, 2, MAKE.length + 1, ascii(MAKE)],
    [0x0110, 2, MODEL.length + 1, ascii(MODEL)],
    [0x0112, 3, 1, orientation],
    [0x8825, 4, 1, gpsAt],
  ]);
  assert.ok(end <= gpsAt);
  end = ifd(gpsAt, [
    [0x0001, 2, 2, ascii('N')],
    [0x0002, 5, 3, rationals(LAT)],
    [0x0003, 2, 2, ascii('E')],
    [0x0004, 5, 3, rationals(LON)],
  ]);
  return buf.subarray(0, end);
}

/** A baseline greyscale JPEG of flat mid-grey, width x height (multiples
 * of 8), with an EXIF APP1 segment. Every block's DC difference is 0 and
 * its AC coefficients end at once: with one-code Huffman tables that is
 * the two bits "00" per block. */
function jpegWithExif(width, height, orientation = 1) {
  const u16 = (n) => [(n >> 8) & 255, n & 255];
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(orientation)]);
  const blocks = (width / 8) * (height / 8);
  const bits = blocks * 2;
  const scan = Buffer.alloc(Math.ceil(bits / 8));
  if (bits % 8) scan[scan.length - 1] = (1 << (8 - (bits % 8))) - 1; // pad with ones
  const dht = (cls) => Buffer.from([0xff, 0xc4, ...u16(20), cls, 1, ...new Array(15).fill(0), 0x00]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    Buffer.from([0xff, 0xe0, ...u16(16), 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    Buffer.from([0xff, 0xe1, ...u16(exif.length + 2)]), exif,
    Buffer.from([0xff, 0xdb, ...u16(67), 0x00, ...new Array(64).fill(1)]),
    Buffer.from([0xff, 0xc0, ...u16(11), 8, ...u16(height), ...u16(width), 1, 1, 0x11, 0]),
    dht(0x00), dht(0x10),
    Buffer.from([0xff, 0xda, ...u16(8), 1, 1, 0x00, 0, 63, 0]),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** An RGBA PNG, half transparent, with an eXIf chunk (EXIF with GPS). */
function pngWithExif(width, height) {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([200, 40, 40, i % 2 ? 255 : 0], i * 4);
  const raw = PNG.sync.write(png);
  const ihdrEnd = 8 + 25; // signature, IHDR chunk
  return Buffer.concat([raw.subarray(0, ihdrEnd), pngChunk('eXIf', exifTiff()), raw.subarray(ihdrEnd)]);
}

/** A 1x1 PNG whose header claims width x height. */
function pngClaiming(width, height) {
  const raw = Buffer.from(PNG.sync.write(Object.assign(new PNG({ width: 1, height: 1 }), {})));
  const ihdr = Buffer.from(raw.subarray(8, 8 + 25));
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt32BE(crc32(ihdr.subarray(4, 21)), 21);
  return Buffer.concat([raw.subarray(0, 8), ihdr, raw.subarray(33)]);
}

/** The segments of a JPEG up to its scan: [{marker, data}]. */
function jpegSegments(buf) {
  assert.equal(buf.readUInt16BE(0), 0xffd8, 'a JPEG starts with SOI');
  const out = [];
  let i = 2;
  while (i < buf.length) {
    assert.equal(buf[i], 0xff, `a marker at ${i}`);
    const marker = buf.readUInt16BE(i);
    const len = buf.readUInt16BE(i + 2);
    out.push({ marker, data: buf.subarray(i + 4, i + 2 + len) });
    if (marker === 0xffda) break;
    i += 2 + len;
  }
  return out;
}

function jpegSize(buf) {
  const sof = jpegSegments(buf).find((s) => s.marker >= 0xffc0 && s.marker <= 0xffc3);
  return { height: sof.data.readUInt16BE(1), width: sof.data.readUInt16BE(3) };
}

/** Nothing of the photo's metadata left: no APP1 (EXIF, XMP), APP2
 * (ICC), APP13 (IPTC) or comment, and none of its bytes anywhere. */
function assertNoMetadata(buf) {
  const segs = jpegSegments(buf);
  const app = segs.filter((s) => (s.marker >= 0xffe1 && s.marker <= 0xffef) || s.marker === 0xfffe);
  assert.deepEqual(app.map((s) => s.marker.toString(16)), [], 'no APP1..APP15 or COM segments');
  for (const needle of ['Exif', MAKE, MODEL, 'http://ns.adobe.com']) {
    assert.equal(buf.indexOf(Buffer.from(needle, 'latin1')), -1, `${needle} is gone`);
  }
  const gps = Buffer.alloc(8);
  gps.writeUInt32LE(LAT[2][0], 0);
  gps.writeUInt32LE(LAT[2][1], 4);
  assert.equal(buf.indexOf(gps), -1, 'the GPS seconds are gone');
  gps.writeUInt32LE(LON[2][0], 0);
  gps.writeUInt32LE(LON[2][1], 4);
  assert.equal(buf.indexOf(gps), -1);
}

// ---- the world -------------------------------------------------------------------

// HZ-XN-01-G1 (demo): lon 119.1925..119.1975, lat 34.569..34.575
const IN_G1 = { lat: 34.572, lon: 119.194 };
let phoneSeq = 0;
const nextPhone = () => `1365555${String(++phoneSeq).padStart(4, '0')}`;

async function world() {
  const srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1' } });
  const admin = srv.client(ADMIN_TOKEN);
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  async function person(grant) {
    const tok = srv.user(nextPhone());
    const c = srv.client(tok);
    c.id = await idOf(tok);
    if (grant) expectStatus(await admin.post(`/api/users/${c.id}/roles`, grant), 201);
    return c;
  }
  const w = {
    srv, admin, person,
    reporter: await person(),
    other: await person(),
    manager: await person({ role: 'grid_manager', scope_kind: 'region', scope_ref: 'HZ-XN-01-G1' }),
    managerOut: await person({ role: 'grid_manager', scope_kind: 'region', scope_ref: 'HZ-HZ-01-G1' }),
    housing: await person({ role: 'dispatcher', scope_kind: 'department', scope_ref: 'housing' }),
    traffic: await person({ role: 'dispatcher', scope_kind: 'department', scope_ref: 'traffic' }),
    async advance(s) {
      expectStatus(await admin.post('/api/system/clock', { advance_s: s }), 200);
    },
    async report(by, body = {}, opts = {}) {
      const res = await by.post('/api/reports', {
        category: 'road_damage', position: IN_G1, description: '路面塌陷', attributes: { size: 'medium' }, ...body,
      }, opts);
      return res;
    },
  };
  return w;
}

const b64 = (buf) => buf.toString('base64');

// ---- tests -------------------------------------------------------------------------

test('report with a photo: EXIF (GPS, make, model) is gone, the photo shrunk and turned upright', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    // 2400 x 1200 with orientation 6 (rotate 90°): scaled by 5/8 while decoded
    // (the largest eighths that keep at most 1600 px), kept as 750 x 1500
    const photo = jpegWithExif(2400, 1200, 6);
    assert.ok(photo.indexOf(Buffer.from('Exif')) > 0, 'the test JPEG has EXIF');
    const res = await w.report(w.reporter, { photos: [b64(photo), `data:image/png;base64,${b64(pngWithExif(64, 48))}`] });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `/api/reports/${res.json.id}`);
    assert.equal(res.json.grid.code, 'HZ-XN-01-G1');
    assert.equal(res.json.department, 'housing');
    assert.equal(res.json.status, 'open');
    assert.equal(res.json.verification, 'unconfirmed');
    assert.equal(res.json.photos.length, 2);
    assert.equal(res.json.mine, true);
    assert.equal(res.json.reporter, undefined, 'the reporter does not see an id field meant for handlers');

    const got = await fetch(w.srv.base + res.json.photos[0]);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/jpeg');
    const clean = Buffer.from(await got.arrayBuffer());
    assertNoMetadata(clean);
    assert.deepEqual(jpegSize(clean), { width: 750, height: 1500 });

    const png = Buffer.from(await (await fetch(w.srv.base + res.json.photos[1])).arrayBuffer());
    assertNoMetadata(png);
    assert.deepEqual(jpegSize(png), { width: 64, height: 48 });

    // the public sees the report, never who made it
    const pub = expectStatus(await anon.get(`/api/reports/${res.json.id}`), 200).json;
    for (const k of ['reporter', 'contact', 'mine']) assert.equal(pub[k], undefined, k);
    assert.equal(pub.timeline[0].author, undefined);
    assert.equal(pub.timeline[0].author_role, 'reporter');
    const map = expectStatus(await anon.get('/api/reports?bbox=119.19,34.56,119.21,34.58&category=road_damage'), 200);
    assert.equal(map.headers.get('content-type'), 'application/geo+json');
    const f = map.json.features.find((x) => x.id === res.json.id);
    assert.deepEqual(f.geometry, { type: 'Point', coordinates: [IN_G1.lon, IN_G1.lat] });
    assert.equal(JSON.stringify(f).includes(String(w.reporter.id)) && 'reporter' in f.properties, false);
    assert.deepEqual(Object.keys(f.properties).filter((k) => /report|user|phone|contact/.test(k)), []);
    assert.equal((await anon.get('/api/reports?bbox=1,2,3')).status, 400);
    assert.equal((await anon.get('/api/reports?status=lost')).status, 400);

    // mine: listed for me, not for the other worker
    const mine = expectStatus(await w.reporter.get('/api/me/reports'), 200).json.items;
    assert.deepEqual(mine.map((x) => x.id), [res.json.id]);
    assert.deepEqual(expectStatus(await w.other.get('/api/me/reports'), 200).json.items, []);
    assertError(await anon.get('/api/me/reports'), 401, 'unauthorized');
  } finally {
    await w.srv.stop();
  }
});

test('photos: not an image 415, damaged 415, too many pixels 413, too big a body 413, bad base64 422, at most 3', async () => {
  const w = await world();
  try {
    const post = (photos) => w.report(w.reporter, { photos });
    assertError(await post([b64(Buffer.from('hello, not a photo'))]), 415, 'unsupported_photo', 'photos[0]');
    assertError(await post([b64(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))]), 415, 'unsupported_photo', 'photos[0]');
    assertError(await post([b64(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))]), 415, 'unsupported_photo');
    const cut = jpegWithExif(64, 64).subarray(0, 60);
    assertError(await post([b64(jpegWithExif(16, 16)), b64(cut)]), 415, 'unreadable_photo', 'photos[1]');
    assertError(await post([b64(pngClaiming(30000, 30000))]), 413, 'photo_too_large', 'photos[0]');
    assertError(await post(['@@not base64@@']), 422, 'invalid_field', 'photos[0]');
    assertError(await post([1]), 422, 'invalid_field', 'photos[0]');
    const small = b64(jpegWithExif(16, 16));
    assertError(await post([small, small, small, small]), 422, 'invalid_field', 'photos');
    // a report may carry 16 MiB (its photos), any other write the
    // server's 1 MiB: a body over its route's limit is refused on its
    // declared length, before any of it is read (the headers alone are sent)
    const declare = (path, bytes) => rawRequest(w.srv.port, [
      `POST ${path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`,
    ]);
    for (const [path, bytes] of [['/api/reports', 16 * 1024 * 1024 + 1], ['/api/reports/1/reopen', 1100 * 1024], ['/api/regions', 1100 * 1024]]) {
      const big = await declare(path, bytes);
      assert.equal(big.status, 413, path);
      assert.equal(JSON.parse(big.body.toString()).error.code, 'body_too_large', path);
    }
    // a 1.5 MB photo (2 MB of base64) is taken
    const photo = jpegWithExif(16, 16);
    const padded = Buffer.concat([photo, Buffer.alloc(1536 * 1024 - photo.length)]);
    const withBig = await post([b64(padded)]);
    assert.equal(withBig.status, 201, withBig.text);
    expectStatus(await post([small, small, small]), 201);
    // nothing half-made: only the two taken reports exist
    assert.equal(expectStatus(await w.reporter.get('/api/me/reports'), 200).json.items.length, 2);
  } finally {
    await w.srv.stop();
  }
});

test('photos: over 8 MiB decoded is 413 photo_too_large (a report\'s body may be 16 MiB)', async () => {
  const srv = await startServer({ demo: true });
  try {
    const c = srv.client(srv.user('13655550999'));
    const photo = Buffer.alloc(8 * 1024 * 1024 + 1);
    photo.set([0xff, 0xd8, 0xff, 0xe0]);
    assertError(await c.post('/api/reports', {
      category: 'road_damage', position: IN_G1, attributes: { size: 'small' }, photos: [b64(photo)],
    }), 413, 'photo_too_large', 'photos[0]');
  } finally {
    await srv.stop();
  }
});

test('routing: the grid whose boundary holds the point, a shared edge to one grid, the nearest grid, 422 outside', async () => {
  const w = await world();
  try {
    const at = async (position) => w.report(w.reporter, { position });
    assert.equal(expectStatus(await at(IN_G1), 201).json.grid.code, 'HZ-XN-01-G1');
    // on the edge HZ-XN-01-G1 and HZ-XN-02-G1 share: the eastern one
    assert.equal(expectStatus(await at({ lat: 34.572, lon: 119.1975 }), 201).json.grid.code, 'HZ-XN-02-G1');
    // between two streets, inside the district: the nearest grid
    assert.equal(expectStatus(await at({ lat: 34.584, lon: 119.2 }), 201).json.grid.code, 'HZ-XN-02-G2');
    assertError(await at({ lat: 39.9042, lon: 116.4074 }), 422, 'outside_service_area', 'position');
    assertError(await at({ lat: 91, lon: 119 }), 422, 'invalid_field', 'position.lat');
    assertError(await at({ lat: 34.5, lon: 119, datum: 'osgb' }), 422, 'invalid_field', 'position.datum');
    assertError(await w.report(w.reporter, { position: undefined }), 422, 'missing_field', 'position');
    // a GCJ-02 point (what Amap shows) is stored as WGS-84 and given back in either
    const gcj = { lat: 34.570695, lon: 119.199567, datum: 'gcj02' };
    const r = expectStatus(await at(gcj), 201).json;
    assert.ok(Math.abs(r.position.lat - gcj.lat) > 1e-4 || Math.abs(r.position.lon - gcj.lon) > 1e-3, 'moved into WGS-84');
    const back = expectStatus(await w.srv.client().get(`/api/reports/${r.id}?datum=gcj02`), 200).json.position;
    assert.ok(Math.abs(back.lat - gcj.lat) < 1e-6 && Math.abs(back.lon - gcj.lon) < 1e-6, JSON.stringify(back));
    // categories and questions
    assertError(await w.report(w.reporter, { category: 'no_such' }), 422, 'unknown_category', 'category');
    assertError(await w.report(w.reporter, { attributes: {} }), 422, 'invalid_field', 'attributes.size');
    assertError(await w.report(w.reporter, { attributes: { size: 'huge' } }), 422, 'invalid_field', 'attributes.size');
    assertError(await w.report(w.reporter, { attributes: { size: 'small', colour: 'red' } }), 422, 'invalid_field', 'attributes.colour');
    assertError(await w.report(w.reporter, { description: 'a\u0007b' }), 422, 'invalid_field', 'description');
    assertError(await w.report(w.reporter, { description: 'x'.repeat(4001) }), 422, 'too_long', 'description');
    assertError(await w.report(w.reporter, { when: 1 }), 422, 'unknown_field');
    const cats = expectStatus(await w.srv.client().get('/api/report-categories'), 200).json.items;
    const road = cats.find((c) => c.code === 'road_damage');
    assert.equal(road.department.code, 'housing');
    assert.equal(road.sla_days, 5);
    assert.equal(road.attributes[0].code, 'size');
    assert.equal(cats.length, 6);
  } finally {
    await w.srv.stop();
  }
});

test('boundaries: admins set them (GeoJSON, any datum), region admins only in their subtree, bad geometry 422', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const g = expectStatus(await anon.get('/api/regions/HZ-XN-01-G1/boundary'), 200);
    assert.equal(g.headers.get('content-type'), 'application/geo+json');
    assert.equal(g.json.type, 'Feature');
    assert.equal(g.json.geometry.type, 'Polygon');
    assert.equal(g.json.properties.level, 'grid');
    assertError(await anon.get('/api/regions/HZ-XN-01/boundary'), 404, 'no_boundary');
    assertError(await anon.get('/api/regions/NOPE/boundary'), 404, 'not_found');

    const square = { type: 'Polygon', coordinates: [[[119.3, 34.7], [119.31, 34.7], [119.31, 34.71], [119.3, 34.71], [119.3, 34.7]]] };
    assertError(await anon.put('/api/regions/HZ-XN-01/boundary', square), 401, 'unauthorized');
    assertError(await w.reporter.put('/api/regions/HZ-XN-01/boundary', square), 403, 'forbidden');
    const xnAdmin = await w.person({ role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' });
    assertError(await xnAdmin.put('/api/regions/HZ-HZ-01/boundary', square), 403, 'out_of_scope');
    const put = expectStatus(await xnAdmin.put('/api/regions/HZ-XN-01/boundary', square), 200);
    assert.deepEqual(put.json.geometry, square);
    expectStatus(await anon.get('/api/regions/HZ-XN-01/boundary'), 200);
    // a Feature in GCJ-02: stored in WGS-84
    const feat = { type: 'Feature', properties: {}, geometry: square };
    const moved = expectStatus(await w.admin.put('/api/regions/HZ-XN-01/boundary?datum=gcj02', feat), 200).json;
    assert.notDeepEqual(moved.geometry.coordinates[0][0], square.coordinates[0][0]);
    assertError(await w.admin.put('/api/regions/HZ-XN-01/boundary', { type: 'Point', coordinates: [1, 2] }), 422, 'invalid_geometry', 'type');
    assertError(await w.admin.put('/api/regions/HZ-XN-01/boundary', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] }), 422, 'invalid_geometry', 'coordinates');
    assertError(await w.admin.put('/api/regions/HZ-XN-01/boundary', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }), 422, 'invalid_geometry', 'coordinates');
    assertError(await w.admin.put('/api/regions/HZ-XN-01/boundary?datum=x', square), 400, 'invalid_query', 'datum');
    expectStatus(await w.admin.del('/api/regions/HZ-XN-01/boundary'), 204);
    assertError(await w.admin.del('/api/regions/HZ-XN-01/boundary'), 404, 'no_boundary');
    // a region with reports cannot be deleted
    expectStatus(await w.report(w.reporter), 201);
    assert.equal((await w.admin.del('/api/regions/HZ-XN-01-G1')).status, 409);
  } finally {
    await w.srv.stop();
  }
});

test('nearby and me too: once per person, not on one\'s own, not on a closed report', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const rep = expectStatus(await w.report(w.reporter), 201).json;
    const near = (q) => anon.get(`/api/reports/nearby?lat=${IN_G1.lat + 0.0005}&lon=${IN_G1.lon}&category=road_damage${q || ''}`);
    const items = expectStatus(await near(), 200).json.items;
    const hit = items.find((x) => x.id === rep.id);
    assert.ok(hit, 'the new report is nearby');
    assert.ok(hit.distance_m > 40 && hit.distance_m < 70, `${hit.distance_m}`);
    assert.equal(hit.reporter, undefined);
    assert.deepEqual(expectStatus(await near('&radius_m=10'), 200).json.items, []);
    assert.equal(expectStatus(await anon.get(`/api/reports/nearby?lat=${IN_G1.lat}&lon=${IN_G1.lon}&category=street_light`), 200).json.items.find((x) => x.id === rep.id), undefined);
    assertError(await anon.get('/api/reports/nearby?lat=x&lon=1&category=road_damage'), 400, 'invalid_query', 'lat');
    assertError(await anon.get('/api/reports/nearby?lat=34&lon=119'), 400, 'invalid_query', 'category');
    assertError(await near('&radius_m=99999'), 400, 'invalid_query', 'radius_m');
    const signedIn = expectStatus(await w.other.get(`/api/reports/nearby?lat=${IN_G1.lat}&lon=${IN_G1.lon}&category=road_damage`), 200).json.items.find((x) => x.id === rep.id);
    assert.equal(signedIn.me_too_by_me, false);

    assertError(await anon.post(`/api/reports/${rep.id}/me-too`), 401, 'unauthorized');
    const one = expectStatus(await w.other.post(`/api/reports/${rep.id}/me-too`), 201);
    assert.deepEqual(one.json, { id: rep.id, me_too: 1 });
    assertError(await w.other.post(`/api/reports/${rep.id}/me-too`), 409, 'already_me_too');
    assertError(await w.reporter.post(`/api/reports/${rep.id}/me-too`), 409, 'own_report');
    assertError(await w.other.post('/api/reports/999999/me-too'), 404, 'not_found');
    // two at once from a third person: one counts
    const third = await w.person();
    const both = await Promise.all([1, 2].map(() => third.post(`/api/reports/${rep.id}/me-too`)));
    assert.deepEqual(both.map((r) => r.status).sort(), [201, 409]);
    assert.equal(expectStatus(await anon.get(`/api/reports/${rep.id}`), 200).json.me_too, 2);
    const mt = expectStatus(await w.other.get(`/api/reports/nearby?lat=${IN_G1.lat}&lon=${IN_G1.lon}&category=road_damage`), 200).json.items.find((x) => x.id === rep.id);
    assert.equal(mt.me_too_by_me, true);
    // closed: no more "me too"
    expectStatus(await w.manager.post(`/api/reports/${rep.id}/status`, { status: 'closed', comment: '已处理' }), 200);
    assertError(await (await w.person()).post(`/api/reports/${rep.id}/me-too`), 409, 'not_open');
    assert.equal(expectStatus(await near(), 200).json.items.find((x) => x.id === rep.id), undefined, 'closed ones are not offered');
  } finally {
    await w.srv.stop();
  }
});

test('workflow: the grid manager takes it to fixed with public and internal comments; the reporter hears of it and re-opens; 409 after 14 days', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const rep = expectStatus(await w.report(w.reporter), 201).json;
    const path = `/api/reports/${rep.id}`;
    // the manager's queue has it; another grid's manager's does not
    const q = expectStatus(await w.manager.get('/api/reports/queue'), 200).json.items;
    assert.ok(q.some((x) => x.id === rep.id));
    assert.ok(q.every((x) => x.grid.code === 'HZ-XN-01-G1'));
    assert.equal(q.find((x) => x.id === rep.id).reporter, w.reporter.id, 'handlers see who reported');
    assert.ok(!expectStatus(await w.managerOut.get('/api/reports/queue'), 200).json.items.some((x) => x.id === rep.id));
    assertError(await w.reporter.get('/api/reports/queue'), 403, 'forbidden');

    expectStatus(await w.manager.post(`${path}/confirm`, { comment: '已核实' }), 200);
    assertError(await w.manager.post(`${path}/confirm`, {}), 409, 'already_checked');
    const ack = expectStatus(await w.manager.post(`${path}/status`, { status: 'acknowledged', comment: '已受理' }), 200).json;
    assert.equal(ack.status, 'acknowledged');
    assertError(await w.manager.post(`${path}/status`, { status: 'acknowledged' }), 409, 'invalid_transition', 'status');
    assertError(await w.manager.post(`${path}/status`, { status: 'lost' }), 422, 'invalid_field', 'status');
    assertError(await w.manager.post(`${path}/status`, { status: 'duplicate' }), 422, 'missing_field', 'duplicate_of');
    assertError(await w.manager.post(`${path}/status`, { status: 'duplicate', duplicate_of: rep.id }), 422, 'unknown_report', 'duplicate_of');
    assertError(await w.manager.post(`${path}/status`, { status: 'not_ours' }), 422, 'missing_field', 'comment');
    expectStatus(await w.manager.post(`${path}/status`, { status: 'in_progress', note: '已通知住建局施工队' }), 200);
    const fixed = expectStatus(await w.manager.post(`${path}/status`, {
      status: 'fixed', comment: '已修补', photos: [b64(jpegWithExif(32, 32))],
    }), 200).json;
    assert.equal(fixed.status, 'fixed');
    assert.ok(fixed.fixed_at);
    const handlerView = fixed.timeline;
    assert.ok(handlerView.some((e) => e.internal && e.body === '已通知住建局施工队'));
    const fixEntry = handlerView.find((e) => e.status_to === 'fixed');
    assert.equal(fixEntry.author_role, 'grid_manager');
    assert.equal(fixEntry.photos.length, 1);
    assertNoMetadata(Buffer.from(await (await fetch(w.srv.base + fixEntry.photos[0])).arrayBuffer()));

    // the public and the reporter see public entries only
    const pub = expectStatus(await anon.get(path), 200).json;
    assert.ok(!pub.timeline.some((e) => e.internal || e.body === '已通知住建局施工队'));
    assert.deepEqual(pub.timeline.map((e) => e.kind), ['created', 'confirmed', 'status', 'status', 'status']);
    const mine = expectStatus(await w.reporter.get(path), 200).json;
    assert.ok(mine.reopen_until);
    assert.ok(!mine.timeline.some((e) => e.internal));
    // the reporter heard of each step in the inbox
    const notices = expectStatus(await w.reporter.get('/api/me/inbox?limit=50'), 200).json.items;
    assert.ok(notices.filter((n) => n.kind === 'report_update').length >= 3);
    assert.ok(notices.some((n) => (n.body_zh || '').includes('已修复')));

    // comments: the reporter publicly, handlers internally too
    expectStatus(await w.reporter.post(`${path}/comments`, { body: '谢谢' }), 200);
    assertError(await w.reporter.post(`${path}/comments`, { body: 'x', internal: true }), 422, 'invalid_field', 'internal');
    assertError(await w.other.post(`${path}/comments`, { body: '我也看到了' }), 403, 'out_of_scope');
    assertError(await w.reporter.post(`${path}/comments`, {}), 422, 'missing_field', 'body');
    expectStatus(await w.manager.post(`${path}/comments`, { body: '内部备注', internal: true }), 200);

    // the reporter re-opens: open again, with a new due date
    assertError(await w.other.post(`${path}/reopen`, {}), 403, 'not_your_report');
    const re = expectStatus(await w.reporter.post(`${path}/reopen`, { comment: '又塌了' }), 200).json;
    assert.equal(re.status, 'open');
    assert.equal(re.fixed_at, null);
    assert.equal(re.reopen_until, null);
    assertError(await w.reporter.post(`${path}/reopen`, {}), 409, 'not_fixed');
    // fixed again; 14 days later (and one more) it can no longer be re-opened
    expectStatus(await w.manager.post(`${path}/status`, { status: 'fixed', comment: '再次修补' }), 200);
    await w.advance(13 * 86400);
    const stillMine = expectStatus(await w.reporter.get(path), 200).json;
    assert.ok(stillMine.reopen_until);
    await w.advance(2 * 86400);
    assertError(await w.reporter.post(`${path}/reopen`, {}), 409, 'reopen_window_closed');
    expectStatus(await w.manager.post(`${path}/status`, { status: 'closed', comment: '办结' }), 200);
    assertError(await w.reporter.post(`${path}/reopen`, {}), 409, 'reopen_window_closed');
  } finally {
    await w.srv.stop();
  }
});

test('who may act: anonymous, a worker on another\'s report, a manager of another grid, dispatchers by department', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const rep = expectStatus(await w.report(w.reporter), 201).json;
    const path = `/api/reports/${rep.id}`;
    assertError(await anon.post('/api/reports', { category: 'road_damage', position: IN_G1 }), 401, 'unauthorized');
    assertError(await anon.post(`${path}/status`, { status: 'fixed' }), 401, 'unauthorized');
    assertError(await w.other.post(`${path}/status`, { status: 'fixed' }), 403, 'forbidden');
    assertError(await w.reporter.post(`${path}/status`, { status: 'fixed' }), 403, 'forbidden');
    assertError(await w.other.post(`${path}/confirm`, {}), 403, 'forbidden');
    assertError(await w.other.post(`${path}/reopen`, {}), 403, 'not_your_report');
    // a manager of another grid: 403 out_of_scope, from the server's
    // resolver (confirm) and from the handler's check (status)
    assertError(await w.managerOut.post(`${path}/status`, { status: 'acknowledged' }), 403, 'out_of_scope');
    assertError(await w.managerOut.post(`${path}/confirm`, {}), 403, 'out_of_scope');
    assertError(await w.managerOut.post(`${path}/comments`, { body: 'x', internal: true }), 403, 'out_of_scope');
    assertError(await w.managerOut.post('/api/reports/999999/status', { status: 'fixed' }), 404, 'not_found');
    assertError(await w.managerOut.post('/api/reports/999999/confirm', {}), 404, 'not_found');
    // the handler view is only for handlers
    assert.equal(expectStatus(await w.managerOut.get(path), 200).json.reporter, undefined);
    assert.equal(expectStatus(await w.manager.get(path), 200).json.reporter, w.reporter.id);
    // road damage is housing's: its dispatcher acts, traffic's may not
    assertError(await w.traffic.post(`${path}/status`, { status: 'acknowledged' }), 403, 'out_of_scope');
    assert.ok(!expectStatus(await w.traffic.get('/api/reports/queue'), 200).json.items.some((x) => x.id === rep.id));
    assert.ok(expectStatus(await w.housing.get('/api/reports/queue'), 200).json.items.some((x) => x.id === rep.id));
    const ack = expectStatus(await w.housing.post(`${path}/status`, { status: 'acknowledged' }), 200).json;
    assert.equal(ack.timeline.at(-1).author_role, 'dispatcher');
    // dispatchers do not confirm (grid managers do)
    assertError(await w.housing.post(`${path}/confirm`, {}), 403, 'forbidden');
    // a grid manager's own report starts confirmed; they check others' only
    const own = expectStatus(await w.report(w.manager), 201).json;
    assert.equal(own.verification, 'confirmed');
    assertError(await w.manager.post(`/api/reports/${own.id}/confirm`, {}), 409, 'own_report');
    // a rejected report leaves the public's view, not its reporter's
    const junk = expectStatus(await w.report(w.other, { description: '误报' }), 201).json;
    assertError(await w.manager.post(`/api/reports/${junk.id}/reject`, {}), 422, 'missing_field', 'comment');
    const rej = expectStatus(await w.manager.post(`/api/reports/${junk.id}/reject`, { comment: '现场无破损' }), 200).json;
    assert.equal(rej.verification, 'rejected');
    assert.equal(rej.status, 'closed');
    assertError(await anon.get(`/api/reports/${junk.id}`), 404, 'not_found');
    expectStatus(await w.other.get(`/api/reports/${junk.id}`), 200);
    assertError(await w.manager.post(`/api/reports/${junk.id}/status`, { status: 'open' }), 409, 'report_rejected');
    const pubmap = expectStatus(await anon.get('/api/reports?limit=2000'), 200).json.features;
    assert.ok(!pubmap.some((f) => f.id === junk.id));
  } finally {
    await w.srv.stop();
  }
});

test('replay and races: an Idempotency-Key makes one report; two status changes at once, one wins', async () => {
  const w = await world();
  try {
    const key = { headers: { 'idempotency-key': randomUUID() } };
    const first = expectStatus(await w.report(w.reporter, {}, key), 201);
    const again = expectStatus(await w.report(w.reporter, {}, key), 201);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assertError(await w.report(w.reporter, { description: '另一个' }, key), 422, 'idempotency_key_reused', 'Idempotency-Key');
    assert.equal(expectStatus(await w.reporter.get('/api/me/reports'), 200).json.items.length, 1);

    const path = `/api/reports/${first.json.id}`;
    // both move it to fixed from open: the second finds it fixed already
    // (invalid_transition) or loses the one UPDATE (status_changed)
    const two = await Promise.all([
      w.manager.post(`${path}/status`, { status: 'fixed' }),
      w.housing.post(`${path}/status`, { status: 'fixed' }),
    ]);
    const codes = two.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 409], two.map((r) => r.text).join('\n'));
    const lost = two.find((r) => r.status === 409);
    assert.ok(['status_changed', 'invalid_transition'].includes(lost.json.error.code));
    const after = expectStatus(await w.manager.get(path), 200).json;
    assert.equal(after.timeline.filter((e) => e.kind === 'status').length, 1, 'one change was recorded');
  } finally {
    await w.srv.stop();
  }
});

test('service level: working days; an overdue report shows as overdue and escalates to the parent region', async () => {
  const w = await world();
  try {
    // a missing manhole cover: one working day
    const rep = expectStatus(await w.report(w.reporter, { category: 'manhole_cover', attributes: { where: 'cycle_lane' } }), 201).json;
    assert.equal(rep.overdue, false);
    assert.equal(rep.escalated_to, null);
    const due = Date.parse(rep.due_at);
    assert.ok(due > Date.now() + 3600e3, rep.due_at);
    assert.match(rep.due_at, /T00:00:00\+08:00$/);
    const path = `/api/reports/${rep.id}`;
    await w.advance(Math.ceil((due - Date.now()) / 1000) + 3600);
    const late = expectStatus(await w.manager.get(path), 200).json;
    assert.equal(late.overdue, true);
    assert.equal(late.escalated_to, 'HZ-XN-01', 'to the grid\'s community');
    assert.ok(late.timeline.some((e) => e.kind === 'escalated' && e.internal && e.author_role === 'system'));
    assert.ok(!expectStatus(await w.srv.client().get(path), 200).json.timeline.some((e) => e.kind === 'escalated'));
    const esc = expectStatus(await w.manager.get('/api/reports/queue?escalated=1&overdue=1'), 200).json.items;
    assert.ok(esc.some((x) => x.id === rep.id));
    // the community's manager sees it in their queue too
    const community = await w.person({ role: 'grid_manager', scope_kind: 'region', scope_ref: 'HZ-XN-01' });
    assert.ok(expectStatus(await community.get('/api/reports/queue?escalated=1'), 200).json.items.some((x) => x.id === rep.id));
    assert.ok(expectStatus(await w.srv.client().get('/api/reports?overdue=1&limit=2000'), 200).json.features.some((f) => f.id === rep.id && f.properties.overdue));
    // escalated once, not again on the next tick
    await w.advance(86400);
    const again = expectStatus(await w.manager.get(path), 200).json;
    assert.equal(again.timeline.filter((e) => e.kind === 'escalated').length, 1);
    // fixed: no longer overdue
    expectStatus(await w.manager.post(`${path}/status`, { status: 'fixed' }), 200);
    assert.equal(expectStatus(await w.manager.get(path), 200).json.overdue, false);
  } finally {
    await w.srv.stop();
  }
});

test('categories and departments: system admins keep them; questions are checked', async () => {
  const w = await world();
  try {
    const cat = {
      name_zh: '共享单车乱停', name_en: 'Shared bikes parked badly', department: 'traffic', sla_days: 2,
      attributes: [{ code: 'count', datatype: 'number', required: true, description: '几辆' }],
    };
    assertError(await w.manager.put('/api/report-categories/bikes', cat), 403, 'forbidden');
    assertError(await w.admin.put('/api/report-categories/bikes', { ...cat, department: 'nope' }), 422, 'unknown_department', 'department');
    assertError(await w.admin.put('/api/report-categories/bikes', { ...cat, sla_days: 99 }), 422, 'invalid_field', 'sla_days');
    assertError(await w.admin.put('/api/report-categories/bikes', { ...cat, attributes: [{ code: 'x', datatype: 'singlevaluelist', required: true, description: 'd' }] }), 422, 'invalid_field', 'attributes[0].values');
    const made = expectStatus(await w.admin.put('/api/report-categories/bikes', cat), 200).json;
    assert.equal(made.attributes[0].order, 1);
    assert.equal(made.department.code, 'traffic');
    const rep = expectStatus(await w.report(w.reporter, { category: 'bikes', attributes: { count: 4 } }), 201).json;
    assert.equal(rep.department, 'traffic');
    expectStatus(await w.admin.put('/api/report-categories/bikes', { ...cat, active: false }), 200);
    assertError(await w.report(w.reporter, { category: 'bikes', attributes: { count: 4 } }), 422, 'unknown_category');
    assert.ok(!expectStatus(await w.srv.client().get('/api/report-categories'), 200).json.items.some((c) => c.code === 'bikes'));
    const dep = expectStatus(await w.admin.put('/api/report-departments/water', { name_zh: '水务局', name_en: 'Water' }), 200).json;
    assert.deepEqual(dep, { code: 'water', name_zh: '水务局', name_en: 'Water', demo: false });
    assert.ok(expectStatus(await w.srv.client().get('/api/report-departments'), 200).json.items.some((d) => d.code === 'water'));
  } finally {
    await w.srv.stop();
  }
});

test('personal data: my reports in my export; erasing me leaves the reports without my name', async () => {
  const w = await world();
  try {
    const rep = expectStatus(await w.report(w.reporter), 201).json;
    const other = expectStatus(await w.report(w.other, { position: { lat: 34.5722, lon: 119.1942 } }), 201).json;
    expectStatus(await w.reporter.post(`/api/reports/${other.id}/me-too`), 201);
    const exp = expectStatus(await w.reporter.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.report.reports.map((r) => r.id), [rep.id]);
    assert.deepEqual(exp.report.me_too, [other.id]);
    assert.ok(exp.report.timeline_entries.some((e) => e.report === rep.id && e.kind === 'created'));
    expectStatus(await w.reporter.del('/api/me?confirm=1'), 204);
    const seen = expectStatus(await w.manager.get(`/api/reports/${rep.id}`), 200).json;
    assert.equal(seen.reporter, null);
    assert.ok(seen.timeline.every((e) => e.author === null));
    assert.equal(expectStatus(await w.manager.get(`/api/reports/${other.id}`), 200).json.me_too, 1, 'the count stays');
  } finally {
    await w.srv.stop();
  }
});

// ---- points for confirmed reports; escalation notices -------------------------------

test('points: a confirmed report earns under the rules (coefficient, place cap, daily cap); a duplicate or rejection takes them back in the ledger', async () => {
  const w = await world();
  try {
    expectStatus(await w.admin.put('/api/points/rules', { rules: [
      { reason: 'report', coefficient_pct: 100, daily_cap: 50, place_cap: 2 },
      { reason: 'report:road_damage', coefficient_pct: 150 },
      { reason: 'volunteer_hour' },
    ] }), 200);
    const mine = async (c) => expectStatus(await c.get('/api/me/points?limit=100'), 200).json;
    const confirmed = async (body) => {
      const rep = expectStatus(await w.report(w.reporter, body), 201).json;
      expectStatus(await w.manager.post(`/api/reports/${rep.id}/confirm`, {}), 200);
      return rep;
    };
    // unconfirmed: nothing yet
    const first = expectStatus(await w.report(w.reporter), 201).json;
    assert.equal((await mine(w.reporter)).balance, 0);
    expectStatus(await w.manager.post(`/api/reports/${first.id}/confirm`, {}), 200);
    let me = await mine(w.reporter);
    assert.equal(me.balance, 15, 'road damage: 10 x 150%');
    assert.deepEqual(me.items.map((e) => [e.kind, e.reason, e.ref_type, e.ref_id, e.points]),
      [['award', 'report:road_damage', 'report', first.id, 15]]);
    // the same place again: the second award counts, the third is over the place cap
    const second = await confirmed();
    const third = await confirmed();
    assert.equal((await mine(w.reporter)).balance, 30);
    assert.ok(!(await mine(w.reporter)).items.some((e) => e.ref_id === third.id), 'no row for nothing');
    // elsewhere in the grid: counts again, up to the daily cap of 50
    const fourth = await confirmed({ position: { lat: 34.5705, lon: 119.1960 } });
    assert.equal((await mine(w.reporter)).balance, 45);
    await confirmed({ position: { lat: 34.5700, lon: 119.1930 }, category: 'manhole_cover', attributes: { where: 'cycle_lane' } });
    assert.equal((await mine(w.reporter)).balance, 50, 'capped at 50 a day');

    // marked a duplicate later: a reversing row with its reason, the award stays
    expectStatus(await w.manager.post(`/api/reports/${second.id}/status`, { status: 'duplicate', duplicate_of: first.id }), 200);
    me = await mine(w.reporter);
    assert.equal(me.balance, 35);
    const award = me.items.find((e) => e.kind === 'award' && e.ref_id === second.id);
    assert.ok(award, 'the award is never deleted');
    const back = me.items.find((e) => e.kind === 'reverse');
    assert.deepEqual([back.reason, back.ref_type, back.ref_id, back.points], ['report_duplicate', 'points', award.id, -15]);
    // opened again and marked a duplicate once more: taken back once only
    expectStatus(await w.manager.post(`/api/reports/${second.id}/status`, { status: 'open' }), 200);
    expectStatus(await w.manager.post(`/api/reports/${second.id}/status`, { status: 'duplicate', duplicate_of: first.id }), 200);
    assert.equal((await mine(w.reporter)).balance, 35);

    // a confirmed report rejected on a second look gives its points back
    const rej = expectStatus(await w.manager.post(`/api/reports/${fourth.id}/reject`, { comment: '现场无破损' }), 200).json;
    assert.equal(rej.verification, 'rejected');
    me = await mine(w.reporter);
    assert.equal(me.balance, 20);
    assert.ok(me.items.some((e) => e.kind === 'reverse' && e.reason === 'report_rejected' && e.points === -15));
    assertError(await w.manager.post(`/api/reports/${fourth.id}/reject`, { comment: '再次' }), 409, 'already_checked');
    // the history adds up to the balance
    assert.equal(me.items.reduce((s, e) => s + e.points, 0), me.balance);

    // a duplicate before anyone confirmed it earns nothing when confirmed
    const other = w.other;
    const dup = expectStatus(await w.report(other), 201).json;
    expectStatus(await w.manager.post(`/api/reports/${dup.id}/status`, { status: 'duplicate', duplicate_of: first.id }), 200);
    expectStatus(await w.manager.post(`/api/reports/${dup.id}/confirm`, {}), 200);
    assert.equal((await mine(other)).balance, 0);

    // a grid manager's own report starts confirmed and earns at once
    const own = expectStatus(await w.report(w.manager), 201).json;
    assert.equal(own.verification, 'confirmed');
    me = await mine(w.manager);
    assert.deepEqual(me.items.map((e) => [e.kind, e.ref_id, e.points]), [['award', own.id, 15]]);
  } finally {
    await w.srv.stop();
  }
});

test('points: a rejection and a duplicate marking at once take the points back once; a replayed confirm awards once', async () => {
  const w = await world();
  try {
    const rep = expectStatus(await w.report(w.reporter), 201).json;
    const path = `/api/reports/${rep.id}`;
    const key = { headers: { 'idempotency-key': randomUUID() } };
    expectStatus(await w.manager.post(`${path}/confirm`, {}, key), 200);
    const replay = expectStatus(await w.manager.post(`${path}/confirm`, {}, key), 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const bal = async () => expectStatus(await w.reporter.get('/api/me/points'), 200).json;
    assert.equal((await bal()).balance, 10);
    const base = expectStatus(await w.report(w.other), 201).json;
    const two = await Promise.all([
      w.manager.post(`${path}/reject`, { comment: '误报' }),
      w.manager.post(`${path}/status`, { status: 'duplicate', duplicate_of: base.id }),
    ]);
    assert.deepEqual(two.map((r) => r.status).sort(), [200, 409], two.map((r) => r.text).join('\n'));
    const after = await bal();
    assert.equal(after.balance, 0);
    assert.equal(after.items.filter((e) => e.kind === 'reverse').length, 1);
    // not the reporter's to undo, nor another grid's manager's
    assertError(await w.reporter.post(`${path}/reject`, { comment: 'x' }), 403, 'forbidden');
    assertError(await w.managerOut.post(`${path}/reject`, { comment: 'x' }), 403, 'out_of_scope');
  } finally {
    await w.srv.stop();
  }
});

test('escalation: the parent region\'s admins and dispatchers and the grid\'s managers get a notice, once; the reporter sees "overdue"', async () => {
  const w = await world();
  try {
    const communityAdmin = await w.person({ role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN-01' });
    const communityDispatcher = await w.person({ role: 'dispatcher', scope_kind: 'region', scope_ref: 'HZ-XN-01' });
    const elsewhereAdmin = await w.person({ role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-HZ-01' });
    const rep = expectStatus(await w.report(w.reporter, { category: 'manhole_cover', attributes: { where: 'cycle_lane' } }), 201).json;
    // (the demo's own reports escalate too: only this one's notices count)
    const notices = async (c) => expectStatus(await c.get('/api/me/inbox?limit=100'), 200).json.items
      .filter((n) => n.kind === 'report_escalated' && n.link === `/#/reports/${rep.id}`);
    const path = `/api/reports/${rep.id}`;
    for (const c of [w.manager, communityAdmin, communityDispatcher]) assert.equal((await notices(c)).length, 0);
    await w.advance(Math.ceil((Date.parse(rep.due_at) - Date.now()) / 1000) + 3600);
    for (const c of [w.manager, communityAdmin, communityDispatcher]) {
      const got = await notices(c);
      assert.equal(got.length, 1, 'one notice each');
      assert.match(got[0].body_en, /HZ-XN-01/);
    }
    for (const c of [w.managerOut, elsewhereAdmin, w.reporter, w.housing]) assert.equal((await notices(c)).length, 0);
    // the reporter (and the public) see "overdue"; the escalation stays internal
    const seen = expectStatus(await w.reporter.get(path), 200).json;
    assert.equal(seen.overdue, true);
    assert.ok(seen.timeline.some((e) => e.kind === 'overdue' && !e.internal && e.author_role === 'system'));
    assert.ok(!seen.timeline.some((e) => e.kind === 'escalated'));
    // the next tick escalates nothing again: no second notice
    await w.advance(86400);
    assert.equal((await notices(communityAdmin)).length, 1);
    assert.equal(expectStatus(await w.manager.get(path), 200).json.timeline.filter((e) => e.kind === 'overdue').length, 1);
  } finally {
    await w.srv.stop();
  }
});

test('routing follows boundary and region changes at once (the grids in memory are rebuilt)', async () => {
  const w = await world();
  try {
    const at = async (position) => w.report(w.reporter, { position });
    // a new grid inside HZ-XN-01-G1's box, over IN_G1: overlapping, the lower id wins,
    // so while it has no boundary, nothing changes
    expectStatus(await w.admin.post('/api/regions', { code: 'HZ-XN-01-G9', parent: 'HZ-XN-01', level: 'grid', name_zh: '新网格' }), 201);
    assert.equal(expectStatus(await at(IN_G1), 201).json.grid.code, 'HZ-XN-01-G1');
    // a boundary of its own far from every other grid: reports there go to it at once
    const far = { lat: 34.5905, lon: 119.2605 };
    const square = { type: 'Polygon', coordinates: [[[119.26, 34.59], [119.261, 34.59], [119.261, 34.591], [119.26, 34.591], [119.26, 34.59]]] };
    const before = await at(far);
    expectStatus(await w.admin.put('/api/regions/HZ-XN-01-G9/boundary', square), 200);
    assert.equal(expectStatus(await at(far), 201).json.grid.code, 'HZ-XN-01-G9');
    // moved far away: the old place goes where it went before
    const moved = { type: 'Polygon', coordinates: [[[119.33, 34.59], [119.331, 34.59], [119.331, 34.591], [119.33, 34.591], [119.33, 34.59]]] };
    expectStatus(await w.admin.put('/api/regions/HZ-XN-01-G9/boundary', moved), 200);
    const again = await at(far);
    assert.equal(again.status, before.status);
    if (again.status === 201) assert.equal(again.json.grid.code, before.json.grid.code);
    assert.equal(expectStatus(await at({ lat: 34.5905, lon: 119.3305 }), 201).json.grid.code, 'HZ-XN-01-G9');
    // renamed: the new code at once
    expectStatus(await w.admin.patch('/api/regions/HZ-XN-01-G9', { code: 'HZ-XN-01-G8' }), 200);
    assert.equal(expectStatus(await at({ lat: 34.5905, lon: 119.3305 }), 201).json.grid.code, 'HZ-XN-01-G8');
    // a grid with no reports, deleted with its boundary: never routed to again
    expectStatus(await w.admin.post('/api/regions', { code: 'HZ-XN-01-G7', parent: 'HZ-XN-01', level: 'grid', name_zh: '临时网格' }), 201);
    const spot = { type: 'Polygon', coordinates: [[[119.36, 34.59], [119.361, 34.59], [119.361, 34.591], [119.36, 34.591], [119.36, 34.59]]] };
    expectStatus(await w.admin.put('/api/regions/HZ-XN-01-G7/boundary', spot), 200);
    assert.equal(expectStatus(await at({ lat: 34.5905, lon: 119.3605 }), 201).json.grid.code, 'HZ-XN-01-G7');
    // (it has a report now: another one, without, is deleted)
    expectStatus(await w.admin.post('/api/regions', { code: 'HZ-XN-01-G6', parent: 'HZ-XN-01', level: 'grid', name_zh: '临时网格' }), 201);
    const spot6 = { type: 'Polygon', coordinates: [[[119.39, 34.59], [119.391, 34.59], [119.391, 34.591], [119.39, 34.591], [119.39, 34.59]]] };
    expectStatus(await w.admin.put('/api/regions/HZ-XN-01-G6/boundary', spot6), 200);
    expectStatus(await w.admin.del('/api/regions/HZ-XN-01-G6'), 204);
    const gone = await at({ lat: 34.5905, lon: 119.3905 });
    assert.notEqual(gone.status, 500, gone.text);
    assert.ok(gone.status === 422 || gone.json.grid.code !== 'HZ-XN-01-G6', gone.text);
  } finally {
    await w.srv.stop();
  }
});

test('Open311 POST as multipart/form-data with a media photo: cleaned as the app\'s are; bad parts refused', async () => {
  const w = await world();
  try {
    const key = expectStatus(await w.admin.post('/api/open311/keys', { name: 'FixMyStreet (multipart)' }), 201).json;
    const fields = {
      api_key: key.key, service_code: 'road_damage', lat: String(IN_G1.lat), long: String(IN_G1.lon),
      description: '路面坑洼\r\n第二行', 'attribute[size]': 'small', email: 'a@example.org',
    };
    const form = (extra = {}, files = []) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries({ ...fields, ...extra })) fd.append(k, v);
      for (const [name, buf, fname, type] of files) fd.append(name, new Blob([buf], { type }), fname);
      return fd;
    };
    const post = (body, headers = {}) => fetch(`${w.srv.base}/open311/v2/requests.json`, { method: 'POST', body, headers });
    const photo = jpegWithExif(2400, 1200, 6);
    const res = await post(form({}, [['media', photo, 'pothole.jpg', 'image/jpeg']]));
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const id = JSON.parse(text)[0].service_request_id;
    const rep = expectStatus(await w.admin.get(`/api/reports/${id}`), 200).json;
    assert.equal(rep.source, 'open311');
    assert.equal(rep.description, '路面坑洼\r\n第二行');
    assert.equal(rep.contact.email, 'a@example.org');
    assert.equal(rep.photos.length, 1);
    const clean = Buffer.from(await (await fetch(w.srv.base + rep.photos[0])).arrayBuffer());
    assertNoMetadata(clean);
    assert.deepEqual(jpegSize(clean), { width: 750, height: 1500 });
    // Open311 points at the cleaned photo
    const pub = JSON.parse(await (await fetch(`${w.srv.base}/open311/v2/requests/${id}.json`)).text())[0];
    assert.match(pub.media_url, new RegExp(`${rep.photos[0]}$`));
    // without a file it is an ordinary form
    assert.equal((await post(form())).status, 200);

    const o311 = async (r, status, re) => {
      const body = await r.text();
      assert.equal(r.status, status, body);
      const err = JSON.parse(body);
      assert.ok(Array.isArray(err) && err[0].code === status && re.test(err[0].description), body);
    };
    await o311(await post(form({}, [['media', Buffer.from('GIF89a not ours'), 'x.gif', 'image/gif']])), 415, /^media:/);
    await o311(await post(form({}, [['media', Buffer.concat([photo.subarray(0, 400)]), 'cut.jpg', 'image/jpeg']])), 415, /^media:/);
    await o311(await post(form({}, [['media', photo, 'a.jpg', 'image/jpeg'], ['media', photo, 'b.jpg', 'image/jpeg']])), 400, /^media:/);
    await o311(await post(form({}, [['photo', photo, 'a.jpg', 'image/jpeg']])), 400, /^media:/);
    // the key is checked before any photo is decoded
    await o311(await post(form({ api_key: 'nope' }, [['media', photo, 'a.jpg', 'image/jpeg']])), 403, /api_key/);

    // broken bodies: the server's one error shape, 400 invalid_form naming the part
    const raw = (body, type) => post(body, { 'content-type': type });
    const bad = async (r, re) => {
      const j = await r.json();
      assert.equal(r.status, 400, JSON.stringify(j));
      assert.equal(j.error.code, 'invalid_form');
      assert.match(j.error.message, re);
    };
    await bad(await raw('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--\r\n', 'multipart/form-data'), /boundary/);
    await bad(await raw('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n', 'multipart/form-data; boundary=x'), /^part 1:/);
    await bad(await raw('--x\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--x--\r\n', 'multipart/form-data; boundary=x'), /form-data/);
    await bad(await raw('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nok\r\n--x\r\nContent-Disposition: form-data; name="b"\r\n\r\n\u0001\r\n--x--\r\n', 'multipart/form-data; boundary=x'), /^part 2:/);
    await bad(await raw('--x\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\nQQ==\r\n--x--\r\n', 'multipart/form-data; boundary=x'), /encoded/);
    const r415 = await raw('a=1', 'text/plain');
    assert.equal(r415.status, 415);
    assert.equal((await r415.json()).error.code, 'unsupported_media_type');
  } finally {
    await w.srv.stop();
  }
});
