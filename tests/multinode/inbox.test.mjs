// The inbox on two nodes sharing one PostgreSQL: a notice posted through
// node A reaches its person's event stream on node B (NOTIFY, then B's
// changed hook) and no other person's; and when both nodes run their
// timed work at the same moment, every notice is delivered by exactly one
// of them (the claim in inbox_store.c).
//
// Needs WARMHARBOR_TEST_PG_DIR (tools/with_pg.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer, runCommand, ADMIN_TOKEN } from '../http/lib/server.mjs';

const PGDIR = process.env.WARMHARBOR_TEST_PG_DIR;
assert.ok(PGDIR, 'run under tools/with_pg.sh (WARMHARBOR_TEST_PG_DIR is not set)');
const ENV = { WARMHARBOR_NOTIFY: 'log', WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_TICK_S: '3600' };

let a, b;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const tool = path.resolve(import.meta.dirname, '../../tools/pg_cluster.sh');
  const r = spawnSync('sh', [tool, 'createdb', PGDIR, `wh_inbox_${process.pid}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const url = r.stdout.trim();
  assert.equal(runCommand(['migrate', '--db', url]).status, 0);
  a = await startServer({ dbPath: url, env: ENV });
  b = await startServer({ dbPath: url, env: ENV });
});

after(async () => {
  await a?.stop('SIGTERM').catch(() => {});
  await b?.stop('SIGTERM').catch(() => {});
});

async function stream(url, token) {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal, headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const s = { raw: '', close: () => ctrl.abort() };
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        s.raw += dec.decode(value, { stream: true });
      }
    } catch {
      /* aborted */
    }
  })();
  s.waitFor = async (text) => {
    for (let i = 0; i < 200; i++) {
      if (s.raw.includes(text)) return;
      await sleep(10);
    }
    assert.fail(`"${text}" not on the stream within 2 s; got:\n${s.raw}`);
  };
  return s;
}

test('a notice posted on node A reaches its person\'s stream on node B, and nobody else\'s', async () => {
  const p = b.client(b.user('13966660001'));
  const q = b.client(b.user('13966660002'));
  const pid = (await p.get('/api/me')).json.id;
  const qid = (await q.get('/api/me')).json.id;
  const sp = await stream(`${b.base}/api/me/inbox/events`, p.token);
  const sq = await stream(`${b.base}/api/me/inbox/events`, q.token);
  try {
    await sleep(100);
    const adminA = a.client(ADMIN_TOKEN);
    const post = async (id, title) => {
      const res = await adminA.post(`/api/users/${id}/notices`, { title_zh: title, title_en: 'x' });
      assert.equal(res.status, 201, res.text);
    };
    await post(qid, '给Q的');
    await post(pid, '给P的');
    await sp.waitFor('给P的');
    await post(qid, '再给Q');
    await sq.waitFor('再给Q');
    assert.ok(sq.raw.includes('给Q的'));
    assert.ok(!sp.raw.includes('Q'), `P's stream on node B holds Q's notice:\n${sp.raw}`);
    assert.ok(!sq.raw.includes('给P'), `Q's stream on node B holds P's notice:\n${sq.raw}`);
  } finally {
    sp.close();
    sq.close();
  }
});

test('both nodes deliver at the same moment: every notice is sent once', async (t) => {
  const adminA = a.client(ADMIN_TOKEN);
  const people = [];
  for (const phone of ['13966660011', '13966660012', '13966660013'])
    people.push((await b.client(b.user(phone)).get('/api/me')).json.id);
  const ids = [];
  for (let i = 0; i < 120; i++) {
    const res = await adminA.post(`/api/users/${people[i % 3]}/notices`, { title_zh: `批量${i}`, title_en: 'x' });
    assert.equal(res.status, 201);
    ids.push(res.json.id);
  }
  const clocks = [a, b].map((n) => n.client(ADMIN_TOKEN));
  await Promise.all([0, 1, 2].flatMap(() => clocks.map((c) => c.post('/api/system/clock', { advance_s: 0 }))));
  const sent = new Map();
  const byNode = [0, 0];
  [a, b].forEach((n, k) => {
    for (const m of n.stderr.matchAll(/notify log: notice (\d+) to /g)) {
      sent.set(Number(m[1]), (sent.get(Number(m[1])) || 0) + 1);
      byNode[k]++;
    }
  });
  const twice = [...sent].filter(([, k]) => k > 1).map(([id]) => id);
  assert.deepEqual(twice, [], 'sent more than once');
  for (const id of ids) assert.equal(sent.get(id), 1, `notice ${id} was not sent`);
  t.diagnostic(`delivered by node A: ${byNode[0]}, node B: ${byNode[1]}`);
});
