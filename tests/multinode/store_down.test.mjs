// When the store does not answer, a caller with a valid session or token
// is not told it is signed out: the answer is 503 with Retry-After, never
// 401 (the web app signs a person out on 401). Before this was fixed, 18
// requests of a load test got 401 during a PostgreSQL restart.
//
// The database is made unreachable for this server alone (connections
// refused, its sessions ended), so the cluster other tests share runs on.
// Needs WARMHARBOR_TEST_PG_DIR (tools/with_pg.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer, seedDemo } from '../http/lib/server.mjs';

const PGDIR = process.env.WARMHARBOR_TEST_PG_DIR;
assert.ok(PGDIR, 'run under tools/with_pg.sh (WARMHARBOR_TEST_PG_DIR is not set)');
const tool = path.resolve(import.meta.dirname, '../../tools/pg_cluster.sh');

function sql(url, text) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('a valid token while the store is down gets 503 with Retry-After, never 401', async () => {
  const name = `wh_down_${process.pid}`;
  const r = spawnSync('sh', [tool, 'createdb', PGDIR, name], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const url = r.stdout.trim();
  const admin = spawnSync('sh', [tool, 'url', PGDIR], { encoding: 'utf8' }).stdout.trim();
  seedDemo(url);
  const srv = await startServer({ dbPath: url });
  try {
    const worker = srv.client(srv.user('13933330001'));
    assert.equal((await worker.get('/api/me')).status, 200);
    sql(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    sql(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    const seen = [];
    for (let i = 0; i < 10; i++) {
      const res = await worker.get('/api/me');
      seen.push(res.status);
      if (res.status === 503) assert.ok(res.headers.get('retry-after'), 'a 503 says when to retry');
    }
    assert.ok(!seen.includes(401), `no 401 while the store is down: ${seen}`);
    assert.ok(seen.includes(503), `the store being down is said: ${seen}`);
    const write = await worker.post('/api/auth/logout-all', undefined);
    assert.notEqual(write.status, 401);
    sql(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    let back = 0;
    for (let i = 0; i < 100 && back !== 200; i++) {
      back = (await worker.get('/api/me')).status;
      if (back !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(back, 200, 'signed in again once the store answers');
  } finally {
    await srv.stop();
  }
});
