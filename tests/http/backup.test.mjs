// `warmharbor backup` copies a live SQLite database: taken while the
// server runs and writes, the copy opens and holds what was committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, runCommand, ADMIN_TOKEN, STORE } from './lib/server.mjs';

test('an online backup holds every committed site (PostgreSQL: refers to pg_dump)', async () => {
  const srv = await startServer({ demo: true });
  if (STORE === 'pg') {
    const r = runCommand(['backup', '--db', srv.dbPath, path.join(srv.dir, 'copy.db')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pg_dump/);
    await srv.stop();
    return;
  }
  try {
    const admin = srv.client(ADMIN_TOKEN);
    const made = await admin.post('/api/sites', {
      name_zh: '备份测试站', type: 'warm_hut', position: { lat: 34.61, lon: 119.21 },
    });
    assert.equal(made.status, 201);
    const writes = Array.from({ length: 20 }, (_, i) =>
      admin.post('/api/sites', { name_zh: `并发站${i}`, type: 'canteen', position: { lat: 34.6, lon: 119.2 } }));
    const dest = path.join(srv.dir, 'copy.db');
    const r = runCommand(['backup', '--db', srv.dbPath, dest]);
    assert.equal(r.status, 0, r.stderr);
    await Promise.all(writes);
    const again = runCommand(['backup', '--db', srv.dbPath, dest]);
    assert.equal(again.status, 1, 'an existing file is never overwritten');
    const copy = await startServer({ dbPath: dest });
    try {
      const got = await copy.client().get(`/api/sites/${made.json.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.name_zh, '备份测试站');
    } finally {
      await copy.stop();
    }
  } finally {
    await srv.stop();
  }
});
