// CSV import (all rows or none, with a report per row and column) and
// export (every site, re-importable).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus, listAll } from './lib/server.mjs';
import { parseCsv, csvObjects, dropColumn, writeCsv } from './lib/csv.mjs';

const enc = encodeURIComponent;
const COLUMNS = [
  'id', 'name_zh', 'name_en', 'type', 'region', 'address_zh', 'address_en', 'lat', 'lon',
  'datum', 'phone', 'manager', 'description', 'capacity', 'status', 'status_reason',
  'status_until', 'public', 'opening_hours', 'amenities', 'photos',
];

async function countAll(client) {
  return expectStatus(await client.get('/api/sites?status=any&limit=1'), 200).json.total;
}

async function findOne(client, name) {
  const r = expectStatus(await client.get(`/api/sites?status=any&q=${enc(name)}`), 200);
  assert.equal(r.json.total, 1, `exactly one site named ${name}`);
  return r.json.items[0];
}

/** Copy the catalogue (types, amenities, regions) of one server to another. */
async function copyCatalogue(from, to) {
  for (const t of expectStatus(await from.get('/api/site-types'), 200).json.items)
    expectStatus(await to.post('/api/site-types', { code: t.code, name_zh: t.name_zh, name_en: t.name_en, tier: t.tier }), 201);
  for (const m of expectStatus(await from.get('/api/amenities'), 200).json.items)
    expectStatus(await to.post('/api/amenities', { code: m.code, name_zh: m.name_zh, name_en: m.name_en, icon: m.icon, kind: m.kind }), 201);
  for (const g of expectStatus(await from.get('/api/regions?limit=5000'), 200).json.items) // tree order
    expectStatus(await to.post('/api/regions', { code: g.code, parent: g.parent, level: g.level, name_zh: g.name_zh, name_en: g.name_en }), 201);
}

describe('sites CSV', () => {
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

  describe('import', () => {
    it('imports a valid file: Chinese, quoted commas and quotes, line breaks in a field, CRLF', async () => {
      const before = await countAll(anon);
      const csv =
        'name_zh,type,lat,lon,region,address_zh,amenities,public,description,name_en,opening_hours,capacity,phone\r\n' +
        '"暖新驿站,导入一号",community_station,34.6,119.2,HZ-XF-02,"幸福路""88""号, 东门",wifi;seats=2,yes,"第一行\r\n第二行",' +
        '"Station, One","Mo-Fr 09:00-12:00,14:00-18:00",10,0518-85123456\r\n' +
        '导入二号小屋,warm_hut,34.58,119.15,,苍梧绿园内,,0,,,24/7,,\r\n' +
        '\r\n' + // a blank line is skipped
        '导入三号食堂,canteen,34.57,119.14,HZ-XF,,microwave,true,,"Canteen ""Three""",Mo-Su 10:30-13:30,,\r\n';
      const r = expectStatus(await admin.postCsv('/api/sites/import', csv), 200);
      assert.deepEqual(r.json, { imported: 3 });
      assert.equal(await countAll(anon), before + 3);

      const one = await findOne(anon, '暖新驿站,导入一号');
      assert.equal(one.type, 'community_station');
      assert.equal(one.region, 'HZ-XF-02');
      assert.equal(one.address_zh, '幸福路"88"号, 东门');
      assert.equal(one.description, '第一行\r\n第二行');
      assert.equal(one.name_en, 'Station, One');
      assert.equal(one.opening_hours, 'Mo-Fr 09:00-12:00,14:00-18:00');
      assert.equal(one.capacity, 10);
      assert.equal(one.phone, '0518-85123456');
      assert.equal(one.public, true);
      assert.deepEqual(one.position, { lat: 34.6, lon: 119.2, datum: 'wgs84' });
      assert.deepEqual(one.amenities, [{ code: 'seats', count: 2 }, { code: 'wifi', count: 1 }]);
      assert.equal(one.status, 'operational');
      assert.equal(one.demo, false);

      const two = await findOne(anon, '导入二号小屋');
      assert.equal(two.region, null);
      assert.equal(two.public, false);
      assert.equal(two.capacity, null);
      assert.deepEqual(two.amenities, []);
      assert.equal(two.opening_hours, '24/7');

      const three = await findOne(anon, '导入三号食堂');
      assert.equal(three.name_en, 'Canteen "Three"');
      assert.deepEqual(three.amenities, [{ code: 'microwave', count: 1 }]);
      assert.equal(three.region, 'HZ-XF');
      assert.equal(three.public, true);
    });

    it('imports LF-only files, a BOM, text/plain, status, status_until and datum', async () => {
      const csv =
        '\uFEFFname_zh,type,lat,lon,datum,status,status_reason,status_until,photos\n' +
        '导入四号,warm_hut,34.601234,119.204567,gcj02,temporarily_closed,检修,2026-12-02T12:00:00+08:00,' +
        'https://img.example.com/1.jpg https://img.example.com/2.jpg\n';
      const r = expectStatus(await admin.request('POST', '/api/sites/import', {
        body: csv, headers: { 'content-type': 'text/plain; charset=utf-8' },
      }), 200);
      assert.deepEqual(r.json, { imported: 1 });
      const s = await findOne(anon, '导入四号');
      assert.equal(s.status, 'temporarily_closed');
      assert.equal(s.status_reason, '检修');
      assert.equal(s.status_until, '2026-12-02T12:00:00+08:00');
      assert.deepEqual(s.photos, ['https://img.example.com/1.jpg', 'https://img.example.com/2.jpg']);
      const g = expectStatus(await anon.get(`/api/sites/${s.id}?datum=gcj02`), 200).json;
      assert.ok(Math.abs(g.position.lat - 34.601234) <= 1e-6 && Math.abs(g.position.lon - 119.204567) <= 1e-6);
    });

    it('a row with an id updates that site', async () => {
      const s = await findOne(anon, '导入二号小屋');
      const csv = `id,name_zh,type,lat,lon,capacity\r\n${s.id},导入二号小屋（改）,warm_hut,34.5801,119.1501,7\r\n`;
      assert.deepEqual(expectStatus(await admin.postCsv('/api/sites/import', csv), 200).json, { imported: 1 });
      const g = expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json;
      assert.equal(g.name_zh, '导入二号小屋（改）');
      assert.equal(g.capacity, 7);
      assert.deepEqual(g.position, { lat: 34.5801, lon: 119.1501, datum: 'wgs84' });
    });

    it('a file with errors in several rows is refused whole, each row and column reported', async () => {
      const before = await countAll(anon);
      const exportBefore = expectStatus(await anon.get('/api/sites/export'), 200).text;
      const csv = [
        'name_zh,type,lat,lon,region,public,capacity,opening_hours,id,datum,status,status_reason,status_until',
        '好的一行,warm_hut,34.6,119.2,,1,,,,,,,', // row 2: valid, must not be stored
        ',warm_hut,34.6,119.2,,1,,,,,,,', // row 3
        '坏坐标,warm_hut,abc,200,,1,,,,,,,', // row 4: two errors
        '坏类型,no_such_type,34.6,119.2,,1,,,,,,,', // row 5
        '坏区域,warm_hut,34.6,119.2,NO-SUCH,1,,,,,,,', // row 6
        '坏公开,warm_hut,34.6,119.2,,maybe,,,,,,,', // row 7
        '坏容量,warm_hut,34.6,119.2,,1,many,,,,,,', // row 8
        '坏时间,warm_hut,34.6,119.2,,1,,Mo-Fr 08:00-18:00; PH offf,,,,,', // row 9
        '坏编号,warm_hut,34.6,119.2,,1,,,999999,,,,', // row 10
        '坏基准,warm_hut,34.6,119.2,,1,,,,utm,,,', // row 11
        '坏状态,warm_hut,34.6,119.2,,1,,,,,temporarily_closed,,', // row 12
        '坏截止,warm_hut,34.6,119.2,,1,,,,,,,soon', // row 13
        '又一好行,warm_hut,34.6,119.2,,1,,,,,,,', // row 14: valid
      ].join('\r\n') + '\r\n';
      const r = await admin.postCsv('/api/sites/import', csv);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'invalid_rows');
      assert.equal(typeof r.json.error.message, 'string');
      assert.equal(r.json.error.truncated, false);
      const got = r.json.error.details.map((d) => ({ row: d.row, column: d.column, code: d.code }));
      assert.deepEqual(got, [
        { row: 3, column: 'name_zh', code: 'missing_field' },
        { row: 4, column: 'lat', code: 'invalid_field' },
        { row: 4, column: 'lon', code: 'invalid_field' },
        { row: 5, column: 'type', code: 'unknown_type' },
        { row: 6, column: 'region', code: 'unknown_region' },
        { row: 7, column: 'public', code: 'invalid_field' },
        { row: 8, column: 'capacity', code: 'invalid_field' },
        { row: 9, column: 'opening_hours', code: 'invalid_opening_hours' },
        { row: 10, column: 'id', code: 'unknown_site' },
        { row: 11, column: 'datum', code: 'invalid_field' },
        { row: 12, column: 'status_reason', code: 'missing_field' },
        { row: 13, column: 'status_until', code: 'invalid_field' },
      ]);
      for (const d of r.json.error.details) {
        assert.deepEqual(Object.keys(d).sort(), ['code', 'column', 'message', 'row']);
        assert.ok(d.message.length > 0);
      }
      assert.match(r.json.error.details.find((d) => d.row === 9).message, /character 23/);
      // Nothing stored: not the valid rows either.
      assert.equal(await countAll(anon), before);
      assert.equal(expectStatus(await anon.get(`/api/sites?status=any&q=${enc('好的一行')}`), 200).json.total, 0);
      assert.equal(expectStatus(await anon.get(`/api/sites?status=any&q=${enc('又一好行')}`), 200).json.total, 0);
      assert.equal(expectStatus(await anon.get('/api/sites/export'), 200).text, exportBefore);
    });

    it('an unknown amenity is reported in the "amenities" column', async () => {
      const before = await countAll(anon);
      const csv = 'name_zh,type,lat,lon,amenities\r\n未知设施,warm_hut,34.6,119.2,wifi;zzz_unknown=2\r\n';
      const r = await admin.postCsv('/api/sites/import', csv);
      assert.equal(r.status, 422, r.text);
      const d = r.json.error.details;
      assert.equal(d.length, 1);
      assert.equal(d[0].row, 2);
      assert.equal(d[0].code, 'unknown_amenity');
      assert.equal(d[0].column, 'amenities', 'column names a CSV column');
      assert.equal(await countAll(anon), before);
    });

    it('many amenities: all stored in order, and the first unknown one named wherever it stands', async () => {
      const codes = (expectStatus(await anon.get('/api/amenities'), 200).json.items || []).map((a) => a.code).sort();
      assert.ok(codes.length >= 12, 'the demo catalogue has a dozen amenities');
      const many = codes.slice(0, 12);
      const cell = (list) => list.map((c, i) => `${c}=${i + 1}`).join(';');
      const before = await countAll(anon);
      // An unknown code in the second group of eight, another after it: the first is named.
      for (const at of [0, 7, 8, 10, 12]) {
        const list = [...many];
        list.splice(at, 0, 'zz_first_unknown');
        list.push('zz_second_unknown');
        const bad = `name_zh,type,lat,lon,amenities\r\n多设施,warm_hut,34.6,119.2,${cell(list)}\r\n`;
        const r = await admin.postCsv('/api/sites/import', bad);
        assert.equal(r.status, 422, r.text);
        const d = r.json.error.details;
        assert.equal(d.length, 1);
        assert.equal(d[0].code, 'unknown_amenity');
        assert.match(d[0].message, /zz_first_unknown/);
        assert.equal(await countAll(anon), before);
      }
      const ok = `name_zh,type,lat,lon,amenities\r\n十二设施,warm_hut,34.6,119.2,${cell(many)}\r\n`;
      expectStatus(await admin.postCsv('/api/sites/import', ok), 200);
      const got = expectStatus(await anon.get(`/api/sites?q=${enc('十二设施')}`), 200).json.items;
      assert.equal(got.length, 1);
      assert.deepEqual(
        [...got[0].amenities].sort((a, b) => (a.code < b.code ? -1 : 1)),
        many.map((code, i) => ({ code, count: i + 1 })),
      );
    });

    it('header problems: unknown, duplicate and missing columns', async () => {
      const before = await countAll(anon);
      const r = await admin.postCsv('/api/sites/import', 'name_zh,type,colour,type\r\n甲,warm_hut,red,warm_hut\r\n');
      assert.equal(r.status, 422);
      assert.deepEqual(r.json.error.details.map((d) => [d.row, d.column, d.code]), [
        [1, 'colour', 'unknown_column'],
        [1, 'type', 'duplicate_column'],
        [1, 'lat', 'missing_column'],
        [1, 'lon', 'missing_column'],
      ]);
      assert.equal(await countAll(anon), before);
    });

    it('CSV syntax errors are reported with the record number', async () => {
      const before = await countAll(anon);
      const unterminated = 'name_zh,type,lat,lon\r\n甲,warm_hut,34.6,119.2\r\n"乙,warm_hut,34.6,119.2\r\n';
      const r = await admin.postCsv('/api/sites/import', unterminated);
      assert.equal(r.status, 422);
      const last = r.json.error.details.at(-1);
      assert.equal(last.code, 'unterminated_quote');
      assert.equal(last.row, 3);
      assert.equal(last.column, null);
      const badUtf8 = Buffer.concat([
        Buffer.from('name_zh,type,lat,lon\r\n'),
        Buffer.from([0xe6, 0x9a, 0x2c]), // a cut-off UTF-8 sequence
        Buffer.from('warm_hut,34.6,119.2\r\n'),
      ]);
      const u = await admin.request('POST', '/api/sites/import', { body: badUtf8, headers: { 'content-type': 'text/csv' } });
      assert.equal(u.status, 422);
      assert.equal(u.json.error.details.at(-1).code, 'invalid_utf8');
      assert.equal(u.json.error.details.at(-1).row, 2);
      const quoteInside = await admin.postCsv('/api/sites/import', 'name_zh,type,lat,lon\r\n甲"乙,warm_hut,34.6,119.2\r\n');
      assert.equal(quoteInside.status, 422);
      assert.equal(quoteInside.json.error.details.at(-1).code, 'bad_quote');
      const headerOnly = expectStatus(await admin.postCsv('/api/sites/import', 'name_zh,type,lat,lon\r\n'), 200);
      assert.deepEqual(headerOnly.json, { imported: 0 });
      assert.equal(await countAll(anon), before);
    });

    it('the body must be CSV and not empty', async () => {
      assertError(await admin.request('POST', '/api/sites/import', {
        body: 'name_zh,type,lat,lon\r\n', headers: { 'content-type': 'application/json' },
      }), 415, 'unsupported_media_type', null);
      assertError(await admin.postCsv('/api/sites/import', ''), 400, 'empty_body', null);
      const blank = await admin.postCsv('/api/sites/import', '\r\n\r\n');
      assert.equal(blank.status, 422);
      assert.equal(blank.json.error.details[0].code, 'empty_csv');
    });
  });

  describe('export', () => {
    it('GET /api/sites/export is CSV of every site, removed ones too', async () => {
      const s = expectStatus(await admin.post('/api/sites', {
        name_zh: '导出测试,撤销', type: 'warm_hut', position: { lat: 34.61, lon: 119.21 }, status: 'removed',
        description: '含"引号"\n和换行', amenities: { seats: 3, wifi: true },
        photos: ['https://img.example.com/x.jpg', 'https://img.example.com/y.jpg'],
      }), 201).json;
      const r = expectStatus(await anon.get('/api/sites/export'), 200);
      assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(r.headers.get('content-disposition'), 'attachment; filename="sites.csv"');
      assert.ok(r.text.startsWith(COLUMNS.join(',') + '\r\n'));
      assert.ok(r.text.endsWith('\r\n'));
      const recs = parseCsv(r.text);
      assert.deepEqual(recs[0], COLUMNS);
      const all = await listAll(anon, '/api/sites?status=any');
      assert.equal(recs.length - 1, all.total);
      assert.deepEqual(recs.slice(1).map((x) => Number(x[0])), all.items.map((x) => x.id), 'ordered by id');
      for (const x of recs) assert.equal(x.length, COLUMNS.length);
      const row = csvObjects(r.text).find((o) => Number(o.id) === s.id);
      assert.deepEqual(row, {
        id: String(s.id),
        name_zh: '导出测试,撤销',
        name_en: '',
        type: 'warm_hut',
        region: '',
        address_zh: '',
        address_en: '',
        lat: '34.6100000',
        lon: '119.2100000',
        datum: 'wgs84',
        phone: '',
        manager: '',
        description: '含"引号"\n和换行',
        capacity: '',
        status: 'removed',
        status_reason: '',
        status_until: '',
        public: '0',
        opening_hours: '24/7',
        amenities: 'seats=3;wifi=1',
        photos: 'https://img.example.com/x.jpg https://img.example.com/y.jpg',
      });
      const demo1 = csvObjects(r.text).find((o) => o.id === '1');
      assert.equal(demo1.name_zh, '连云港站网约车候客区司机之家');
      assert.equal(demo1.type, 'industry_hub');
      const j = expectStatus(await anon.get('/api/sites/1'), 200).json;
      assert.equal(demo1.region, j.region);
      assert.equal(demo1.lat, j.position.lat.toFixed(7));
    });

    it('export -> import on the same server updates every site in place and changes nothing', async () => {
      const before = await countAll(anon);
      const first = expectStatus(await anon.get('/api/sites/export'), 200).text;
      const r = expectStatus(await admin.postCsv('/api/sites/import', first), 200);
      assert.deepEqual(r.json, { imported: before });
      assert.equal(await countAll(anon), before);
      const second = expectStatus(await anon.get('/api/sites/export'), 200).text;
      assert.equal(second, first);
    });

    it('export -> import into another server (without ids) gives the same sites', async () => {
      const other = await startServer({});
      try {
        const otherAdmin = other.client(ADMIN_TOKEN);
        await copyCatalogue(anon, otherAdmin);
        const exported = expectStatus(await anon.get('/api/sites/export'), 200).text;
        const n = parseCsv(exported).length - 1;
        const r = expectStatus(await otherAdmin.postCsv('/api/sites/import', dropColumn(exported, 'id')), 200);
        assert.deepEqual(r.json, { imported: n });
        const back = expectStatus(await otherAdmin.get('/api/sites/export'), 200).text;
        assert.equal(dropColumn(back, 'id'), dropColumn(exported, 'id'));
        // and the JSON views agree, field by field (ids and times aside)
        const strip = (s) => {
          const { id, created_at, updated_at, demo, live, ...rest } = s;
          return rest;
        };
        const at = `at=${enc('2026-12-24T12:00:00+08:00')}`;
        const a = (await listAll(anon, `/api/sites?status=any&${at}`)).items.map(strip);
        const b = (await listAll(otherAdmin, `/api/sites?status=any&${at}`)).items.map(strip);
        assert.deepEqual(b, a);
        other.assertHealthy();
      } finally {
        await other.stop();
      }
    });

    it('a site with long photo URLs (valid through JSON) survives export -> import', async () => {
      const photos = Array.from({ length: 6 }, (_, i) => `https://img.example.com/p${i}/${'a'.repeat(880)}.jpg`);
      const s = expectStatus(await admin.post('/api/sites', {
        name_zh: '多图站点', type: 'warm_hut', position: { lat: 34.6, lon: 119.2 }, photos,
      }), 201).json;
      assert.deepEqual(s.photos, photos);
      const exported = expectStatus(await anon.get('/api/sites/export'), 200).text;
      const r = await admin.postCsv('/api/sites/import', exported);
      assert.equal(r.status, 200, `re-import of the export refused: ${r.text.slice(0, 500)}`);
      assert.deepEqual(expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json.photos, photos);
    });
  });
});

// keep the writer used (for callers extending these tests)
void writeCsv;
