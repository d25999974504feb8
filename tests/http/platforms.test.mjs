// Platforms a worker can name are data (issue 14, item 14): seeded with
// the delivery, courier, ride-hailing, freight and streaming platforms,
// kept by system admins (add, rename, retire; never deleted), checked on
// register and on PATCH /api/me; a retired platform is no longer offered
// but stays valid on the accounts that already name it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';
import { register } from './lib/accounts.mjs';

describe('platforms', () => {
  let srv, admin, anon;
  before(async () => {
    srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
    admin = srv.client(ADMIN_TOKEN);
    anon = srv.client();
  });
  after(async () => {
    await srv?.stop();
  });

  it('lists the seeded platforms to anyone, in picking order, "other" last', async () => {
    const items = expectStatus(await anon.get('/api/platforms'), 200).json.items;
    const byCode = new Map(items.map((p) => [p.code, p]));
    for (const [code, zh] of [['meituan', '美团'], ['eleme', '饿了么'], ['sf', '顺丰'], ['jd', '京东'], ['dada', '达达'],
      ['shansong', '闪送'], ['huolala', '货拉拉'], ['manbang', '满帮'], ['amap_taxi', '高德打车'], ['t3', 'T3出行'],
      ['didi', '滴滴'], ['douyin', '抖音'], ['kuaishou', '快手']]) {
      assert.equal(byCode.get(code)?.name_zh, zh, code);
      assert.equal(byCode.get(code).retired, false);
      assert.ok(byCode.get(code).name_en, `${code} has an English name`);
    }
    assert.equal(items.at(-1).code, 'other');
  });

  it('only system admins change the list', async () => {
    const staffTok = srv.user('13700000411');
    const worker = srv.client(staffTok);
    assertError(await anon.post('/api/platforms', { code: 'x1', name_zh: '某' }), 401, 'unauthorized');
    assertError(await worker.post('/api/platforms', { code: 'x1', name_zh: '某' }), 403, 'forbidden');
    assertError(await worker.patch('/api/platforms/sf', { name_zh: '改' }), 403, 'forbidden');
  });

  it('adds, renames and retires; bad input names its field', async () => {
    assertError(await admin.post('/api/platforms', { code: 'a,b', name_zh: '逗号' }), 422, 'invalid_field', 'code');
    assertError(await admin.post('/api/platforms', { code: 'ok1', name_zh: '' }), 422, 'missing_field', 'name_zh');
    assertError(await admin.post('/api/platforms', { code: 'ok1' }), 422, 'missing_field', 'name_zh');
    assertError(await admin.post('/api/platforms', { code: 'sf', name_zh: '顺丰2' }), 409, 'code_taken', 'code');
    const made = expectStatus(await admin.post('/api/platforms', { code: 'lalaxiang', name_zh: '啦啦象', name_en: 'Lalaxiang', position: 195 }), 201).json;
    assert.deepEqual(made, { code: 'lalaxiang', name_zh: '啦啦象', name_en: 'Lalaxiang', position: 195, retired: false });
    const renamed = expectStatus(await admin.patch('/api/platforms/lalaxiang', { name_zh: '啦啦象跑腿' }), 200).json;
    assert.equal(renamed.name_zh, '啦啦象跑腿');
    assert.equal(renamed.name_en, 'Lalaxiang');
    assertError(await admin.patch('/api/platforms/lalaxiang', { retired: 'yes' }), 422, 'invalid_field', 'retired');
    assertError(await admin.patch('/api/platforms/lalaxiang', { code: 'x' }), 422, 'unknown_field', 'code');
    assertError(await admin.patch('/api/platforms/nosuch', { name_zh: 'x' }), 404, 'not_found');
    const log = (await admin.get('/api/audit?limit=20')).json.items;
    assert.ok(log.some((e) => e.action === 'add_platform' && e.target_id === 'lalaxiang'));
    assert.ok(log.some((e) => e.action === 'change_platform' && e.target_id === 'lalaxiang'));
  });

  it('a retired platform stays on the accounts that name it, and cannot be newly chosen', async () => {
    expectStatus(await admin.post('/api/platforms', { code: 'oldco', name_zh: '旧平台', name_en: 'Oldco' }), 201);
    const res = expectStatus(await register(srv, '13700000412', { platforms: 'meituan,oldco' }), 201);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const csrf = res.json.csrf_token;
    const me = (json) => srv.client().patch('/api/me', json, { headers: { cookie, 'x-csrf-token': csrf } });

    const retired = expectStatus(await admin.patch('/api/platforms/oldco', { retired: true }), 200).json;
    assert.equal(retired.retired, true);
    assert.equal((await anon.get('/api/platforms')).json.items.find((p) => p.code === 'oldco').retired, true);

    // Keeping it, and adding an offered one, is fine.
    const kept = expectStatus(await me({ platforms: 'meituan,oldco,sf' }), 200).json;
    assert.deepEqual(kept.platforms, ['meituan', 'oldco', 'sf']);
    // Dropping it, then taking it back, is not: it is no longer offered.
    expectStatus(await me({ platforms: 'sf' }), 200);
    assertError(await me({ platforms: 'sf,oldco' }), 422, 'invalid_field', 'platforms');
    // Nobody can register with it, nor with an unknown code or a repeat.
    assertError(await register(srv, '13700000413', { platforms: 'oldco' }), 422, 'invalid_field', 'platforms');
    assertError(await register(srv, '13700000414', { platforms: 'nosuchapp' }), 422, 'invalid_field', 'platforms');
    assertError(await me({ platforms: 'sf,sf' }), 422, 'invalid_field', 'platforms');
    assertError(await me({ platforms: 'sf,' }), 422, 'invalid_field', 'platforms');
    // Brought back, it is offered again.
    expectStatus(await admin.patch('/api/platforms/oldco', { retired: false }), 200);
    assert.deepEqual(expectStatus(await me({ platforms: 'sf,oldco' }), 200).json.platforms, ['sf', 'oldco']);
  });
});
