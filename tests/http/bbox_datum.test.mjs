// Boxes given in GCJ-02 or BD-09 (?datum=): the whole world is the whole
// world in every datum, a city box holds the sites whose positions in that
// datum lie inside it, and a thin box stays thin (it must not turn into a
// box "across the antimeridian", i.e. nearly everything).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus } from './lib/server.mjs';

const DATUMS = ['wgs84', 'gcj02', 'bd09'];
// Near an edge the datum offset changes a little between the box's corners
// (see geo_bbox_convert): sites this close to an edge may go either way.
const EDGE_SLACK = 0.0005; // degrees, about 50 m

describe('bbox in every datum', () => {
  let srv;
  let anon;
  const live = {}; // datum -> the sites that are not removed, positions in that datum
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    for (const d of DATUMS) {
      const all = expectStatus(await anon.get(`/api/sites?status=any&limit=1000&datum=${d}`), 200).json;
      assert.ok(all.total < 1000);
      live[d] = all.items.filter((s) => s.status !== 'removed');
    }
    assert.ok(live.wgs84.length > 200);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  const total = async (q) => expectStatus(await anon.get(`/api/sites?${q}&limit=1`), 200).json.total;
  const idsIn = async (box, d) =>
    expectStatus(await anon.get(`/api/sites?bbox=${box.join(',')}&datum=${d}&limit=1000`), 200)
      .json.items.map((s) => s.id).sort((a, b) => a - b);

  it('the whole world holds every site, in every datum', async () => {
    for (const d of DATUMS) {
      assert.equal(await total(`bbox=-180,-90,180,90&datum=${d}`), live.wgs84.length, d);
      // and halves of it that touch the world's edges
      assert.equal(await total(`bbox=-180,0,180,90&datum=${d}`), live.wgs84.length, `${d} north`);
      assert.equal(await total(`bbox=0,-90,180,90&datum=${d}`), live.wgs84.length, `${d} east`);
      assert.equal(await total(`bbox=-180,-90,0,90&datum=${d}`), 0, `${d} west`);
      const cl = expectStatus(await anon.get(`/api/sites/clusters?bbox=-180,-90,180,90&zoom=3&datum=${d}`), 200).json;
      assert.equal(cl.clusters.reduce((a, c) => a + c.count, 0), live.wgs84.length, `${d} clusters`);
    }
  });

  it('a city box holds the sites whose positions in its datum are inside it', async () => {
    const box = [119.15, 34.57, 119.22, 34.61];
    const inside = (p, slack) => p.lon >= box[0] + slack && p.lon <= box[2] - slack &&
      p.lat >= box[1] + slack && p.lat <= box[3] - slack;
    for (const d of DATUMS) {
      const got = new Set(await idsIn(box, d));
      let shifted = 0;
      for (const s of live[d]) {
        const w = live.wgs84.find((x) => x.id === s.id).position;
        if (inside(s.position, EDGE_SLACK)) assert.ok(got.has(s.id), `${d}: site ${s.id} is inside`);
        else if (!inside(s.position, -EDGE_SLACK)) assert.ok(!got.has(s.id), `${d}: site ${s.id} is outside`);
        // a site the box would get wrong if its WGS-84 position were used
        if (inside(s.position, EDGE_SLACK) !== inside(w, -EDGE_SLACK) ||
            inside(w, EDGE_SLACK) !== inside(s.position, -EDGE_SLACK)) shifted++;
      }
      assert.ok(got.size > 10 && got.size < live[d].length, `${d}: ${got.size} sites in the box`);
      if (d !== 'wgs84') assert.ok(shifted > 0, `${d}: the box tells datum positions from WGS-84 ones`);
    }
  });

  it('a thin box stays thin in every datum', async () => {
    const s = live.wgs84[0];
    for (const d of DATUMS) {
      const p = live[d].find((x) => x.id === s.id).position;
      const box = [p.lon - 1e-6, p.lat - 0.05, p.lon + 1e-6, p.lat + 0.05];
      const n = await total(`bbox=${box.join(',')}&datum=${d}`);
      assert.ok(n < 10, `${d}: a 2e-6 degree wide box holds ${n} sites`);
      const pointBox = [p.lon, p.lat, p.lon, p.lat].join(',');
      assert.ok(await total(`bbox=${pointBox}&datum=${d}`) < 10, `${d}: a point box`);
    }
  });
});
