// The authorization matrix: every route the binary has (from
// `warmharbor routes`) x every kind of caller, anonymous and out of scope
// included, against the rule the route declares. A route this test has no
// sample request for fails the test, so a new route cannot go unchecked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCommand, ADMIN_TOKEN } from './lib/server.mjs';

const routes = runCommand(['routes']).stdout.trim().split('\n').map((l) => JSON.parse(l));

// Callers: the roles they hold and where.
// provider_in holds a grant on the organization of the sample service
// (ctx.orgIn); provider_out on another organization. grid_in manages the
// grid of the sample report (ctx.reportIn), grid_out another grid;
// dispatcher_in dispatches for the report's department, dispatcher_out
// for another.
const CALLERS = ['anonymous', 'worker', 'staff_in', 'staff_out', 'region_in', 'region_out',
  'provider_in', 'provider_out', 'grid_in', 'grid_out', 'dispatcher_in', 'dispatcher_out',
  'mentor_in', 'mentor_out', 'system_admin'];
const ROLES = {
  anonymous: [], worker: ['user'], staff_in: ['user', 'staff'], staff_out: ['user', 'staff'],
  region_in: ['user', 'region_admin'], region_out: ['user', 'region_admin'],
  provider_in: ['user', 'provider'], provider_out: ['user', 'provider'],
  grid_in: ['user', 'grid_manager'], grid_out: ['user', 'grid_manager'],
  dispatcher_in: ['user', 'dispatcher'], dispatcher_out: ['user', 'dispatcher'],
  mentor_in: ['user', 'mentor'], mentor_out: ['user', 'mentor'],
  system_admin: ['user', 'system_admin'],
};
const IN_SCOPE = new Set(['staff_in', 'region_in', 'provider_in', 'grid_in', 'dispatcher_in', 'mentor_in',
  'system_admin']);
// Who handles the sample report (its grid's managers, its department's
// dispatchers, admins reaching its grid), for routes whose handler makes
// that check itself (a department is no place the server's resolvers know).
const REPORT_HANDLERS = ['region_in', 'grid_in', 'dispatcher_in', 'system_admin'];

let seq = 0;
const uniq = (p) => `${p}${process.pid}${++seq}`;

/** A concrete request for a route; bodyScope: the handler checks a region
 * named in the body (only callers in scope may pass); allowOnly: the
 * handler checks the object's scope itself and these callers pass; form:
 * an application/x-www-form-urlencoded body. */
function sample(r, ctx) {
  const key = `${r.method} ${r.pattern}`;
  const params = {
    '/api/sites/{id}': ctx.siteIn, '/api/regions/{code}': 'HZ-XN-01', '/api/site-types/{code}': 'canteen',
    '/api/amenities/{code}': 'microwave', '/api/holidays/{date}': '2027-01-01', '/api/users/{id}': ctx.workerId,
    '/api/me/sessions/{id}': 999999, '/ogc/collections/{cid}': 'sites', '/api/faults/{id}': ctx.faultIn,
    '/api/me/inbox/{id}': 999999, '/api/feeds/{token}': 'no-such-feed', '/api/me/visits/{id}': 999999, '/api/checklists/{type}': 'warm_hut',
    '/api/services/{id}': ctx.serviceIn, '/api/organizations/{code}': ctx.orgIn,
    '/hsds/services/{id}': ctx.hsds?.service, '/hsds/organizations/{id}': ctx.hsds?.org,
    '/hsds/service_at_locations/{id}': ctx.hsds?.sal, '/hsds/taxonomies/{id}': ctx.hsds?.taxonomy,
    '/hsds/taxonomy_terms/{id}': ctx.hsds?.term,
    '/api/offerings/{id}': ctx.offeringIn, '/api/slots/{id}': ctx.slotIn, '/api/bookings/{id}': ctx.bookingIn,
    '/api/fairs/{id}': ctx.fairIn, '/api/fair-tickets/{id}': ctx.ticketIn, '/api/me/fair-tickets/{id}': ctx.ticketIn,
    '/api/volunteer/squads/{id}': ctx.squadIn, '/api/volunteer/activities/{id}': ctx.activityIn,
    '/api/volunteer/shifts/{id}': ctx.shiftIn, '/api/volunteer/hours/{id}': ctx.hoursIn,
    '/api/volunteer/certificates/{code}': 'ZZZZZZZZZZZZ',
    '/api/item-types/{code}': 'mx_item', '/api/loans/{id}': ctx.loanIn, '/api/me/reservations/{id}': 999999,
    '/api/me/lockers/{id}': 999999,
    '/api/reports/{id}': ctx.reportIn, '/api/report-photos/{id}': 999999, '/api/open311/keys/{id}': 999999,
    '/api/report-categories/{code}': 'mx_category', '/api/report-departments/{code}': 'mx_department',
    '/open311/v2/services/{code}': 'road_damage.json', '/open311/v2/requests/{id}': `${ctx.reportIn}.json`,
    '/open311/v2/tokens/{token}': 'no-such-token.xml', '/api/platforms/{code}': 'sf',
    '/api/childcare/programmes/{id}': ctx.programmeIn, '/api/childcare/children/{id}': ctx.childIn,
    '/api/childcare/enrolments/{id}': 999999,
    '/api/mentoring/platforms/{code}': 'mx_platform', '/api/mentoring/hosts/{id}': ctx.hostIn,
    '/api/mentoring/assignments/{id}': ctx.hostIn, '/api/mentoring/sessions/{id}': ctx.sessionIn,
    '/api/mentoring/one-to-ones/{id}': ctx.oneIn,
  };
  let path = r.pattern;
  for (const [prefix, v] of Object.entries(params)) {
    const head = prefix.slice(0, prefix.lastIndexOf('/'));
    if (path.startsWith(head + '/{')) path = path.replace(/\{[a-z_]+\}/, String(v));
  }
  path = path.replace('{booth}', String(ctx.boothIn)).replace('{gid}', '999999').replace('{fid}', String(ctx.siteIn)).replace('{site}', String(ctx.siteIn)).replace('{item}', 'gauze').replace('{kind}', 'opening')
    .replace('/{dir}/{file}', '/img/none.png').replace('/{file}', '/index.html');
  if (/\{/.test(path)) return null;
  // Cancelling a slot: a spare one, so the other calls still find theirs open.
  if (key === 'POST /api/slots/{id}/cancel') path = `/api/slots/${ctx.slotSpare}/cancel`;
  const soon = Date.now() + 3 * 86400e3 + (++seq) * 60e3;
  const tomorrow = new Date(Date.now() + (8 + 24) * 3600e3).toISOString().slice(0, 10);
  const bodies = {
    'POST /api/sites': { json: { name_zh: '矩阵站', type: 'warm_hut', region: 'HZ-XN-01', position: { lat: 34.57, lon: 119.2 } }, bodyScope: true },
    'POST /api/regions': { json: { code: uniq('MX-'), level: 'grid', name_zh: '矩阵', parent: 'HZ-XN-01' }, bodyScope: true },
    'POST /api/users/{id}/roles': { json: { role: 'staff', scope_kind: 'site', scope_ref: String(ctx.siteIn) }, bodyScope: true },
    'POST /api/users/{id}/verification': { json: { state: 'verified', site: ctx.siteIn }, bodyScope: true },
    'POST /api/sites/import': { csv: 'name_zh,type,lat,lon\n矩阵导入,warm_hut,34.6,119.2\n' },
    'POST /api/sites/{id}/status': { json: { amenities: [] } },
    'PUT /api/holidays/{date}': { json: { kind: 'holiday' } },
    'POST /api/sites/{id}/faults': { json: { amenity: ctx.amenityIn } },
    'POST /api/system/clock': { json: { advance_s: 0 } },
    'POST /api/users/{id}/notices': { json: { title_zh: '矩阵', title_en: 'matrix' } },
    'POST /api/organizations': { json: { code: uniq('mx-org-'), name_zh: '矩阵机构' } },
    'POST /api/services': { json: { organization: ctx.orgIn, category: 'legal_aid', name_zh: '矩阵服务' }, bodyScope: true },
    'PUT /api/services/{id}/locations/{site}': { json: { opening_hours: 'Mo-Fr 09:00-17:00' } },
    'POST /api/offerings': { json: { kind: 'workshop', title_zh: '矩阵活动', site: ctx.siteIn, org: ctx.orgIn }, bodyScope: true },
    'PATCH /api/offerings/{id}': { json: { title_en: 'matrix' } },
    'POST /api/offerings/{id}/slots': { json: { start: new Date(soon).toISOString(), end: new Date(soon + 1800e3).toISOString(), capacity: 2 } },
    'POST /api/offerings/{id}/slots/generate': { json: { from: tomorrow, to: tomorrow, days: Object.fromEntries(['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'].map((d) => [d, ['06:00-07:00']])), minutes: 30, capacity: 1 } },
    'PATCH /api/slots/{id}': { json: { capacity: 5 } },
    'POST /api/bookings': { json: { slot: ctx.slotSpare } },
    'POST /api/checkins': { json: { qr: 'not-a-code' } },
    'POST /api/fairs': {
      json: { site_id: ctx.siteIn, title_zh: '矩阵集市', starts_at: '2027-03-28T09:00:00+08:00', ends_at: '2027-03-28T16:00:00+08:00' },
      bodyScope: true,
    },
    'PATCH /api/fairs/{id}': { json: { title_en: 'Matrix fair' } },
    'POST /api/fairs/{id}/booths': { json: { name_zh: '矩阵', avg_service_min: 5 } },
    'PATCH /api/fairs/{id}/booths/{booth}': { json: { avg_service_min: 6 } },
    'POST /api/volunteer/squads': { json: { street: 'HZ-XN', name_zh: '矩阵志愿队' }, bodyScope: true },
    'POST /api/volunteer/squads/{id}/activities': {
      json: { title_zh: '矩阵志愿', site: ctx.siteIn, shifts: [{ start: new Date(soon).toISOString(), end: new Date(soon + 3600e3).toISOString(), capacity: 2 }] },
    },
    'POST /api/volunteer/shifts/{id}/check-in': { json: { qr: 'not-a-code' } },
    'POST /api/volunteer/shifts/{id}/check-out': { json: { qr: 'not-a-code' } },
    'PUT /api/points/rules': { json: { rules: [{ reason: 'report', coefficient_pct: 100, daily_cap: 50, place_cap: 2 }, { reason: 'volunteer_hour', daily_cap: 80 }] } },
    'PUT /api/item-types/{code}': { json: { name_zh: '矩阵', due_hours: 1 } },
    'POST /api/sites/{id}/stock': { json: { item: 'raincoat', add: 1 } },
    'POST /api/loans': { json: { site: ctx.siteIn, item: 'raincoat', user: ctx.workerId }, bodyScope: true },
    'POST /api/loans/{id}/return': { json: { site: ctx.siteIn }, bodyScope: true },
    'POST /api/loans/{id}/damaged': { json: { site: ctx.siteIn }, bodyScope: true },
    'POST /api/loans/{id}/lost': { json: { site: ctx.siteIn }, bodyScope: true },
    'POST /api/sites/{id}/reservations': { json: { item: 'livestream_light', ends_at: new Date(Date.now() + 3600_000).toISOString() } },
    'PUT /api/sites/{id}/lockers': { json: { fridge: 2 } },
    'POST /api/sites/{id}/lockers/claim': { json: { kind: 'fridge' } },
    'POST /api/sites/{id}/lockers/open': { json: { kind: 'fridge', number: 1, code: '000000' } },
    'POST /api/sites/{id}/visits/walk-in': { json: { kind: 'public' } },
    'PUT /api/sites/{id}/supplies/{item}': { json: { minimum: 1 } },
    'PUT /api/checklists/{type}/{kind}': { json: { items: [{ code: 'clean', label_zh: '清洁' }] } },
    'POST /api/reports': { json: { category: 'road_damage', position: { lat: 34.5721, lon: 119.1941 }, attributes: { size: 'small' } } },
    'POST /api/reports/{id}/status': { json: { status: 'acknowledged' }, allowOnly: REPORT_HANDLERS },
    'POST /api/reports/{id}/comments': { json: { body: '矩阵' }, allowOnly: REPORT_HANDLERS },
    'PUT /api/regions/{code}/boundary': { json: { type: 'Polygon', coordinates: [[[119.3, 34.7], [119.31, 34.7], [119.31, 34.71], [119.3, 34.7]]] } },
    'POST /api/open311/keys': { json: { name: 'matrix' } },
    'POST /open311/v2/requests.json': { form: { api_key: 'not-a-key', service_code: 'road_damage' } },
    'POST /open311/v2/requests.xml': { form: { api_key: 'not-a-key', service_code: 'road_damage' } },
    'POST /api/childcare/programmes': { json: { site: ctx.siteIn, title_zh: '矩阵托管', age_min: 6, age_max: 12, first_day: '2027-07-05', last_day: '2027-07-09', capacity: 2, consent_version: 'mx1', consent_zh: '矩阵同意书', timetable: [{ start: '09:00', end: '10:00', kind: 'homework', title_zh: '作业' }] }, bodyScope: true },
    'POST /api/childcare/programmes/{id}/attendance': { json: { child: ctx.childIn, action: 'in' } },
    'POST /api/childcare/enrolments': { json: { programme: ctx.programmeIn, children: [999999], consent: 'mx1' } },
    'POST /api/me/children': { json: { name: '矩阵', birth_date: '2018-01-01' } },
    // Mentoring: a host's data is their mentor's (mentor_in) and no one else's.
    'GET /api/mentoring/hosts/{id}/dashboard': { allowOnly: ['mentor_in'] },
    'POST /api/mentoring/sessions/{id}/reviews': { json: { summary: '矩阵', advice: ['矩阵'] }, allowOnly: ['mentor_in'] },
    'POST /api/mentoring/assignments': { json: { host: ctx.hostIn, mentor: ctx.mentorIn }, bodyScope: true },
    'DELETE /api/mentoring/assignments/{id}': { bodyScope: true },
    'PUT /api/mentoring/platforms/{code}': { json: { columns: { d: 'start', t: 'duration', v: 'viewers', p: 'peak', f: 'new_followers', o: 'orders', g: 'gmv' } } },
    'POST /api/mentoring/one-to-ones': { json: { site: ctx.siteIn, starts_at: new Date(soon).toISOString() } },
    'POST /api/platforms': { json: { code: uniq('mx-plat-'), name_zh: '矩阵平台' } }, 'PATCH /api/platforms/{code}': { json: { name_en: 'SF Express' } },
  };
  const b = bodies[key] || (['POST', 'PUT', 'PATCH'].includes(r.method) ? { json: {} } : {});
  return { path, ...b };
}

// Routes a squad's leader manages: no role grant makes a leader, so the
// handler decides after finding the object's squad. In the sample, the
// squad (on HZ-XN) is led by the worker.
const LEADER_ROUTES = new Set(['GET /api/volunteer/squads/{id}/members', 'POST /api/volunteer/squads/{id}/activities',
  'GET /api/volunteer/shifts/{id}/roster', 'POST /api/volunteer/shifts/{id}/check-in',
  'POST /api/volunteer/shifts/{id}/check-out', 'POST /api/volunteer/hours/{id}/confirm']);

// Children's data: the guardian (the worker) and the programme's listed
// staff whose staff grant reaches its site (staff_in); nobody else, system
// admins included.
const CHILD_ROUTES = {
  'GET /api/childcare/children/{id}': ['worker', 'staff_in'],
  'GET /api/childcare/programmes/{id}/roster': ['staff_in'],
  'POST /api/childcare/programmes/{id}/attendance': ['staff_in'],
};

function expected(r, caller, s) {
  if (r.public) return 'allow';
  const only = CHILD_ROUTES[`${r.method} ${r.pattern}`];
  if (only) return only.includes(caller) ? 'allow' : 'deny';
  if (LEADER_ROUTES.has(`${r.method} ${r.pattern}`) && caller !== 'anonymous')
    return ['worker', 'region_in', 'system_admin'].includes(caller) ? 'allow' : 'deny';
  if (caller === 'anonymous') return 'deny';
  if (caller === 'system_admin') return 'allow';
  if (!r.roles.some((x) => ROLES[caller].includes(x))) return 'deny';
  if (s.allowOnly) return s.allowOnly.includes(caller) ? 'allow' : 'deny';
  if ((r.scope !== 'any' || s.bodyScope) && !IN_SCOPE.has(caller)) return 'deny';
  // staff_in's grant is one site's: it reaches no region.
  if (r.scope === 'region' && caller === 'staff_in') return 'deny';
  return 'allow';
}

async function send(client, r, s) {
  if (r.pattern.endsWith('/events')) {
    const ctrl = new AbortController();
    const res = await fetch(client.base + s.path, { signal: ctrl.signal, headers: client.token ? { authorization: `Bearer ${client.token}` } : {} });
    ctrl.abort();
    return { status: res.status, json: null };
  }
  if (s.csv !== undefined) return client.postCsv(s.path, s.csv);
  // Open311 answers errors in its own shape (a list of code and description)
  const skipChecks = s.path.startsWith('/open311/');
  if (s.form !== undefined)
    return client.request(r.method, s.path, {
      body: new URLSearchParams(s.form).toString(), skipChecks,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  if (skipChecks) return client.request(r.method, s.path, { json: s.json, skipChecks });
  return client.request(r.method, s.path, { json: s.json });
}

test('every route has a sample request', () => {
  const missing = routes.filter((r) => !sample(r, { siteIn: 1, workerId: 1, faultIn: 1, amenityIn: 'seats', fairIn: 1, boothIn: 1, ticketIn: 1, squadIn: 1, activityIn: 1, shiftIn: 1, hoursIn: 1, loanIn: 1, reportIn: 1, programmeIn: 1, childIn: 1, hostIn: 1, mentorIn: 1, sessionIn: 1, oneIn: 1 })).map((r) => `${r.method} ${r.pattern}`);
  assert.deepEqual(missing, [], 'add a sample request for these routes');
  assert.ok(routes.length > 50);
});

for (const caller of CALLERS) {
  test(`authorization matrix: ${caller}`, async () => {
    const srv = await startServer({ demo: true });
    try {
      const admin = srv.client(ADMIN_TOKEN);
      const sites = (await admin.get('/api/sites?limit=1000')).json.items;
      const inSite = sites.find((s) => s.region && s.region.startsWith('HZ-XN-') && s.amenities.length);
      const siteIn = inSite.id;
      const amenityIn = inSite.amenities[0].code;
      // A fault at the in-scope site: its {id} is a fault's, not a site's.
      const fault = await admin.post(`/api/sites/${siteIn}/faults`, { amenity: amenityIn });
      assert.equal(fault.status, 201, fault.text);
      const faultIn = fault.json.id;
      // An open fair at the in-scope site, a booth, and a number taken at
      // its kiosk: their {id}s are a fair's and a ticket's.
      const fair = await admin.post('/api/fairs', {
        site_id: siteIn, title_zh: '矩阵集市', state: 'open', starts_at: '2027-03-28T09:00:00+08:00',
        ends_at: '2027-03-28T16:00:00+08:00', booths: [{ name_zh: '理发', avg_service_min: 10 }],
      });
      assert.equal(fair.status, 201, fair.text);
      const [fairIn, boothIn] = [fair.json.id, fair.json.booths[0].id];
      const ticket = await admin.post(`/api/fairs/${fairIn}/booths/${boothIn}/kiosk-tickets`, {});
      assert.equal(ticket.status, 201, ticket.text);
      const ticketIn = ticket.json.id;
      const siteOut = sites.find((s) => s.region && s.region.startsWith('HZ-HZ-')).id;
      // A service of the in-scope organization, offered at the in-scope
      // site; its {id} is a service's, its organization is ctx.orgIn.
      const orgIn = 'mx-org-in';
      for (const code of [orgIn, 'mx-org-out'])
        assert.equal((await admin.post('/api/organizations', { code, name_zh: code })).status, 201);
      const svc = await admin.post('/api/services', { organization: orgIn, category: 'legal_aid', name_zh: '矩阵样本' });
      assert.equal(svc.status, 201, svc.text);
      const serviceIn = svc.json.id;
      const loc = await admin.put(`/api/services/${serviceIn}/locations/${siteIn}`, { opening_hours: '24/7' });
      assert.equal(loc.status, 201, loc.text);
      const hsds = {
        service: svc.json.hsds_id, sal: loc.json.hsds_id,
        org: (await admin.get(`/api/organizations/${orgIn}`)).json.hsds_id,
        taxonomy: (await admin.get('/hsds/taxonomies')).json.contents[0].id,
        term: (await admin.get('/hsds/taxonomy_terms')).json.contents[0].id,
      };
      // An offering of the in-scope organization at the in-scope site, two
      // slots and a booking: their {id}s are not sites' ids.
      const offering = await admin.post('/api/offerings', { kind: 'workshop', title_zh: '矩阵', site: siteIn, org: orgIn });
      assert.equal(offering.status, 201, offering.text);
      const offeringIn = offering.json.id;
      const at = (h) => new Date(Date.now() + h * 3600e3).toISOString();
      const slots = await admin.post(`/api/offerings/${offeringIn}/slots`, { slots: [
        { start: at(48), end: at(49), capacity: 3 }, { start: at(50), end: at(51), capacity: 3 }] });
      assert.equal(slots.status, 201, slots.text);
      const [slotIn, slotSpare] = slots.json.items.map((x) => x.id);
      const booking = await srv.client(srv.user('13911110009')).post('/api/bookings', { slot: slotIn });
      assert.equal(booking.status, 201, booking.text);
      const bookingIn = booking.json.id;
      // A grid report in HZ-XN-01-G1 (road damage: the housing department's).
      const report = await admin.post('/api/reports', { category: 'road_damage', position: { lat: 34.572, lon: 119.194 }, attributes: { size: 'small' } });
      assert.equal(report.status, 201, report.text);
      const reportIn = report.json.id;
      const me = async (token) => (await srv.client(token).get('/api/me')).json.id;
      const workerToken = srv.user('13911110000');
      const workerId = await me(workerToken);
      // A volunteer squad on Xinnan Street led by the worker, an activity
      // with a shift today, and a volunteer checked in to it: their {id}s
      // are a squad's, an activity's, a shift's (a slot) and hours'.
      const squad = await admin.post('/api/volunteer/squads', { street: 'HZ-XN', name_zh: '矩阵队', leader: workerId });
      assert.equal(squad.status, 201, squad.text);
      const squadIn = squad.json.id;
      // Check-in opens on the shift's day (China time), so the shift
      // starts soon but before midnight there; in the last minute of a
      // day the setup waits for the next one.
      const leftToday = () => 86400e3 - ((Date.now() + 8 * 3600e3) % 86400e3);
      if (leftToday() < 60e3) await new Promise((done) => setTimeout(done, leftToday() + 1000));
      const shiftStart = new Date(Math.min(Date.now() + 180e3, Date.now() + leftToday() - 30e3)).toISOString();
      const act = await srv.client(workerToken).post(`/api/volunteer/squads/${squadIn}/activities`, {
        title_zh: '矩阵志愿', site: siteIn, shifts: [{ start: shiftStart, end: at(3), capacity: 3 }] });
      assert.equal(act.status, 201, act.text);
      const [activityIn, shiftIn] = [act.json.id, act.json.shifts[0].id];
      const volunteer = srv.client(srv.user('13911110008'));
      assert.equal((await volunteer.post(`/api/volunteer/squads/${squadIn}/join`)).status, 200);
      assert.equal((await volunteer.post(`/api/volunteer/shifts/${shiftIn}/signup`)).status, 201);
      const vqr = (await volunteer.get('/api/me/qr')).json.token;
      const hours = await srv.client(workerToken).post(`/api/volunteer/shifts/${shiftIn}/check-in`, { qr: vqr });
      assert.equal(hours.status, 201, hours.text);
      const hoursIn = hours.json.id;
      // A loan lent at the in-scope site: its {id} is a loan's.
      const loan = await admin.post('/api/loans', { site: siteIn, item: 'raincoat', user: workerId });
      assert.equal(loan.status, 201, loan.text);
      const loanIn = loan.json.id;
      // A childcare programme at the in-scope site running today, whose
      // listed staff is the person every other caller signs in as; the
      // worker's child enrolled in it: {id}s of a programme and a child.
      const otherToken = srv.user('13911110001');
      const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const prog = await admin.post('/api/childcare/programmes', {
        site: siteIn, title_zh: '矩阵托管', age_min: 6, age_max: 12, first_day: day, last_day: day, capacity: 4,
        consent_version: 'mx1', consent_zh: '矩阵同意书', timetable: [{ start: '09:00', end: '10:00', kind: 'homework', title_zh: '作业' }],
        staff: [await me(otherToken)],
      });
      assert.equal(prog.status, 201, prog.text);
      const programmeIn = prog.json.id;
      assert.equal((await admin.post(`/api/users/${workerId}/verification`, { state: 'verified', site: siteIn })).status, 200);
      const kid = await srv.client(workerToken).post('/api/me/children', { name: '矩阵孩子', birth_date: '2018-01-01', health_notes: '矩阵' });
      assert.equal(kid.status, 201, kid.text);
      const childIn = kid.json.id;
      const enr = await srv.client(workerToken).post('/api/childcare/enrolments', { programme: programmeIn, children: [childIn], consent: 'mx1' });
      assert.equal(enr.status, 201, enr.text);
      // A livestream host with a session, assigned to mentor_in (a mentor
      // on Xinnan Street); mentor_out mentors there too, not this host. A
      // one-to-one time of mentor_in's.
      const hostToken = srv.user('13911110007');
      const hostIn = await me(hostToken);
      assert.equal((await srv.client(hostToken).patch('/api/me', { occupation: 'livestream_host' })).status, 200);
      const sess = await srv.client(hostToken).post('/api/me/mentoring/sessions', {
        starts_at: at(-24), duration_min: 60, viewers: 100, peak: 10, new_followers: 1, orders: 2, gmv: 50 });
      assert.equal(sess.status, 201, sess.text);
      const sessionIn = sess.json.id;
      const mentorToken = srv.user('13911110006');
      const mentorIn = await me(mentorToken);
      assert.equal((await admin.post(`/api/users/${mentorIn}/roles`, { role: 'mentor', scope_kind: 'region', scope_ref: 'HZ-XN' })).status, 201);
      assert.equal((await admin.post('/api/mentoring/assignments', { host: hostIn, mentor: mentorIn })).status, 200);
      const one = await srv.client(mentorToken).post('/api/mentoring/one-to-ones', { site: siteIn, starts_at: at(72) });
      assert.equal(one.status, 201, one.text);
      const oneIn = one.json.id;
      let token = null;
      let phone = null;
      if (caller === 'mentor_in') {
        token = mentorToken;
        phone = '13911110006';
      } else if (caller === 'system_admin') {
        token = srv.adminToken;
        phone = '13800000000';
      }
      else if (caller !== 'anonymous') {
        phone = caller === 'worker' ? '13911110000' : '13911110001';
        token = caller === 'worker' ? workerToken : otherToken;
        const id = await me(token);
        const grant = {
          staff_in: { role: 'staff', scope_kind: 'site', scope_ref: String(siteIn) },
          staff_out: { role: 'staff', scope_kind: 'site', scope_ref: String(siteOut) },
          region_in: { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' },
          region_out: { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-HZ' },
          provider_in: { role: 'provider', scope_kind: 'organization', scope_ref: orgIn },
          provider_out: { role: 'provider', scope_kind: 'organization', scope_ref: 'mx-org-out' },
          grid_in: { role: 'grid_manager', scope_kind: 'region', scope_ref: 'HZ-XN-01-G1' },
          grid_out: { role: 'grid_manager', scope_kind: 'region', scope_ref: 'HZ-HZ-01-G1' },
          dispatcher_in: { role: 'dispatcher', scope_kind: 'department', scope_ref: 'housing' },
          dispatcher_out: { role: 'dispatcher', scope_kind: 'department', scope_ref: 'traffic' },
          mentor_out: { role: 'mentor', scope_kind: 'region', scope_ref: 'HZ-XN' },
        }[caller];
        if (grant) assert.equal((await admin.post(`/api/users/${id}/roles`, grant)).status, 201);
      }
      const client = srv.client(token);
      const ctx = { siteIn, workerId, faultIn, amenityIn, serviceIn, orgIn, hsds, fairIn, boothIn, ticketIn, offeringIn, slotIn, slotSpare, bookingIn, squadIn, activityIn, shiftIn, hoursIn, loanIn, reportIn, programmeIn, childIn, hostIn, mentorIn, sessionIn, oneIn };
      // Destructive calls last, so earlier ones still find their targets;
      // signing out last of all.
      const order = (r) => (r.pattern.startsWith('/api/auth/logout') ? 2 : r.method === 'DELETE' ? 1 : 0);
      const wrong = [];
      for (const r of [...routes].sort((a, b) => order(a) - order(b))) {
        const s = sample(r, ctx);
        // Signing out is tried with a session of its own, so it ends
        // nothing the other calls need.
        const c = r.pattern.startsWith('/api/auth/logout') && phone ? srv.client(srv.user(phone)) : client;
        const res = await send(c, r, s);
        const code = res.json?.error?.code;
        const denied = res.status === 401 || (res.status === 403 && ['forbidden', 'out_of_scope'].includes(code));
        const want = expected(r, caller, s);
        if ((want === 'deny') !== denied)
          wrong.push(`${r.method} ${s.path}: want ${want}, got ${res.status} ${code || ''}`);
      }
      assert.deepEqual(wrong, []);
    } finally {
      await srv.stop();
    }
  });
}
