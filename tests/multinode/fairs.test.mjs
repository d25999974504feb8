// The fair's board across nodes: two warmharbor nodes on one PostgreSQL.
// A number taken on node A shows on node B's board stream within a
// second (the queue change travels as fair:queue:BOOTH through NOTIFY and
// node B's `changed` hook pushes the booth's line), a number called on B
// shows on A's, and takes made at once through both nodes still give
// every number exactly once.
//
// Needs WARMHARBOR_TEST_PG_DIR (tools/with_pg.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer, seedDemo, ADMIN_TOKEN } from '../http/lib/server.mjs';

const PGDIR = process.env.WARMHARBOR_TEST_PG_DIR;
assert.ok(PGDIR, 'run under tools/with_pg.sh (WARMHARBOR_TEST_PG_DIR is not set)');

let a, b, fair, staffTok;

before(async () => {
  const tool = path.resolve(import.meta.dirname, '../../tools/pg_cluster.sh');
  const r = spawnSync('sh', [tool, 'createdb', PGDIR, `wh_fairs_${process.pid}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const url = r.stdout.trim();
  seedDemo(url);
  [a, b] = await Promise.all([startServer({ dbPath: url }), startServer({ dbPath: url })]);
  fair = (await a.client().get('/api/fairs/1')).json;
  assert.equal(fair.state, 'open');
  staffTok = a.user('13944440001');
  const admin = a.client(ADMIN_TOKEN);
  const me = (await a.client(staffTok).get('/api/me')).json.id;
  const g = await admin.post(`/api/users/${me}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(fair.site_id) });
  assert.equal(g.status, 201, g.text);
});

after(async () => {
  await a?.stop('SIGTERM').catch(() => {});
  await b?.stop('SIGTERM').catch(() => {});
});

/** Read an SSE stream until pred(event, data) holds; null after ms. */
async function firstEvent(url, pred, ms) {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const found = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buf += dec.decode(value, { stream: true });
      for (const m of buf.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)) {
        const data = JSON.parse(m[2]);
        if (pred(m[1], data)) return data;
      }
    }
  })().catch(() => null);
  return {
    async wait() {
      const timer = setTimeout(() => ctrl.abort(), ms);
      const v = await found;
      clearTimeout(timer);
      ctrl.abort();
      return v;
    },
  };
}

test('a number taken on node A shows on node B\'s board within a second', async () => {
  const booth = fair.booths[0];
  const worker = a.client(a.user('13944440002'));
  // The stream is open on B before the take on A.
  const onB = await firstEvent(`${b.base}/api/fairs/${fair.id}/board/events`,
    (ev, d) => ev === 'booth' && d.id === booth.id && d.counts.taken > 0, 5000);
  const t0 = Date.now();
  const t = await worker.post(`/api/fairs/${fair.id}/booths/${booth.id}/tickets`);
  assert.equal(t.status, 201, t.text);
  const number = t.json.number;
  const line = await onB.wait();
  const took = Date.now() - t0;
  assert.ok(line, 'no booth event on node B');
  assert.deepEqual(line.next, [number]);
  assert.ok(took < 1000, `node B's board followed after ${took} ms`);
  assert.equal(line.counts.taken, number);
  // B's board JSON says the same.
  const board = (await b.client().get(`/api/fairs/${fair.id}/board`)).json;
  assert.ok(board.booths.find((x) => x.id === booth.id).next.includes(number));

  // Called on B, seen on A.
  const onA = await firstEvent(`${a.base}/api/fairs/${fair.id}/board/events`,
    (ev, d) => ev === 'booth' && d.id === booth.id && d.serving.includes(number), 5000);
  const called = await b.client(staffTok).post(`/api/fairs/${fair.id}/booths/${booth.id}/call-next`);
  assert.equal(called.status, 200, called.text);
  assert.equal(called.json.number, number);
  assert.ok(await onA.wait(), 'no serving event on node A');
});

test('takes at once through both nodes give every number exactly once', async () => {
  const booth = fair.booths[1];
  const staffA = a.client(staffTok);
  const staffB = b.client(staffTok);
  const takes = Array.from({ length: 100 }, (_, i) =>
    (i % 2 ? staffA : staffB).post(`/api/fairs/${fair.id}/booths/${booth.id}/kiosk-tickets`, {}));
  const answers = await Promise.all(takes);
  assert.deepEqual(answers.filter((r) => r.status !== 201).map((r) => r.text), []);
  const numbers = answers.map((r) => r.json.number).sort((x, y) => x - y);
  assert.deepEqual(numbers, Array.from({ length: 100 }, (_, i) => i + 1));
});
