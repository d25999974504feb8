// harness.mjs - what every browser test needs: the real warmharbor server on
// a throwaway demo database, and headless Chromium (Debian's /usr/bin/chromium)
// with a fresh profile, driven by playwright-core.
//
//   WARMHARBOR_BIN      the binary (default build/default/warmharbor)
//   WARMHARBOR_WEB_DIR  serve web files from this folder instead of the
//                       copy embedded in the binary (front-end development)
//   CHROMIUM_PATH       the browser (default /usr/bin/chromium)
//   SCREENSHOT_DIR      where tests save screenshots (default: none saved)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BIN = process.env.WARMHARBOR_BIN || path.join(ROOT, 'build/default/warmharbor');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The bearer token of the system admin of the server started last (made
 * with `warmharbor user add --admin` and `token create`). A live binding:
 * read it after startServer. */
export let ADMIN_TOKEN = null;

export const CHROME_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const cleanups = new Set();
process.once('exit', () => {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
});

function serverEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('WARMHARBOR_')) delete env[k];
  env.WARMHARBOR_TILES_URL = 'none'; // no internet here: the map must not need tiles
  env.WARMHARBOR_ACCESS_LOG = '0';
  // Pages sign the test admin in with a password only; a system admin's
  // required second factor is tested with WARMHARBOR_ADMIN_TOTP: 'required'.
  env.WARMHARBOR_ADMIN_TOTP = 'offered';
  if (process.env.WARMHARBOR_WEB_DIR) env.WARMHARBOR_WEB_DIR = process.env.WARMHARBOR_WEB_DIR;
  return { ...env, ...extra };
}

/**
 * Start `warmharbor serve` on a fresh demo database; resolves to
 * {base, stderr, otp(), api(), stop()}. env: extra server environment
 * (WARMHARBOR_DEV: '1' to have one-time codes logged for otp()).
 */
export async function startServer({ env: extra = {} } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wh-browser-'));
  const db = path.join(dir, 'wh.db');
  const keyEnv = { WARMHARBOR_SECRET_FILE: path.join(dir, 'warmharbor.key') };
  const run = (args) => {
    const r = spawnSync(BIN, args, { env: serverEnv(keyEnv), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`warmharbor ${args[0]} failed: ${r.stderr || r.error}`);
    return r.stdout;
  };
  run(['demo', '--db', db]);
  run(['user', 'add', '--db', db, '--admin', '--password', 'browser-test-password', '13800000000']);
  ADMIN_TOKEN = run(['token', 'create', '--db', db, '13800000000']).trim();
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '4'], {
    env: serverEnv({ ...keyEnv, ...extra }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const kill = () => proc.kill('SIGKILL');
  cleanups.add(kill);
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port reported:\n${stderr}`)), 20000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = /"msg":"listening on [^"]*:(\d+) with \d+ threads"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`warmharbor exited (${code}):\n${stderr}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    /** Everything the server wrote to stderr so far (its JSON log lines). */
    get stderr() {
      return stderr;
    },
    /**
     * The one-time code last "sent" to phone, written after offset `since`
     * of stderr: with WARMHARBOR_DEV=1 the server logs
     * `dev sms to 139****0001: your warmharbor code is 123456`.
     * Waits for it up to timeout ms.
     */
    async otp(phone, { since = 0, timeout = 10000 } = {}) {
      const masked = `${phone.slice(0, 3)}\\*{4}${phone.slice(-4)}`;
      const re = new RegExp(`dev sms to ${masked}: your warmharbor code is (\\d{6})`, 'g');
      const end = Date.now() + timeout;
      for (;;) {
        const found = [...stderr.slice(since).matchAll(re)];
        if (found.length) return found[found.length - 1][1];
        if (Date.now() > end) throw new Error(`no code for ${phone} in the server's log (is WARMHARBOR_DEV=1 set?)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async api(p, opts = {}) {
      const res = await fetch(base + p, opts);
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async stop() {
      cleanups.delete(kill);
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 10000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A browser with a fresh profile and one page. Collects console errors and
 * uncaught exceptions in `errors`. options go to launchPersistentContext
 * (viewport, locale, geolocation, permissions, ...).
 */
export async function openBrowser(options = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'wh-chromium-'));
  const rmProfile = () => rmSync(profile, { recursive: true, force: true });
  cleanups.add(rmProfile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROME_ARGS,
    headless: true,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  const watch = (p) => {
    p.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()} ${JSON.stringify(msg.location())}`);
    });
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  watch(page);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => {});
      cleanups.delete(rmProfile);
      rmProfile();
    },
  };
}

/** Wait until the list shows at least one site card (or fail with what it says). */
export async function waitForList(page, timeout = 15000) {
  await page.waitForSelector('#list li.card-li', { timeout }).catch(async (e) => {
    const status = await page.textContent('#list-status').catch(() => '?');
    throw new Error(`no site cards appeared (list status: ${status}): ${e.message}`);
  });
}

/** Ids of the cards in the list, in order. */
export function listIds(page) {
  return page.$$eval('#list li.card-li', (lis) => lis.map((li) => Number(li.dataset.id)));
}

/** Wait until the list's ids equal `want` (after a filter change). */
export async function waitForListIds(page, want, timeout = 15000) {
  const target = JSON.stringify(want);
  try {
    await page.waitForFunction(
      (t) =>
        JSON.stringify([...document.querySelectorAll('#list li.card-li')].map((li) => Number(li.dataset.id))) === t &&
        !document.querySelector('#list[aria-busy="true"]'),
      target,
      { timeout },
    );
  } catch {
    const got = await listIds(page);
    throw new Error(`list is ${JSON.stringify(got)}, expected ${target}`);
  }
}

/** axe-core's source, to inject into a page. */
export function axeSource() {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}

/** Run axe in the page; returns the serious and critical violations. */
export async function seriousViolations(page, context = 'document') {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline
  // scripts, no eval) does not stand in the way.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource());
  const res = await page.evaluate(async (ctx) => {
    const r = await window.axe.run(ctx === 'document' ? document : document.querySelector(ctx), {
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} :: ${n.failureSummary}`),
    }));
  }, context);
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Controls under root smaller than 48x48 CSS px (buttons, links shown as
 * buttons, inputs, selects, checkbox rows), as "tag#id.class WxH" strings.
 */
export function smallTargets(page, root = 'body') {
  return page.evaluate((sel) => {
    const out = [];
    const els = document.querySelector(sel).querySelectorAll(
      'button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"]), a.btn, a.nav-link, a.seg-btn, label.check, .page a',
    );
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (!r.width && !r.height) continue; // not shown
      if (r.width < 48 || r.height < 48) out.push(`${el.tagName}#${el.id}.${el.className} ${r.width}x${r.height}`);
    }
    return out;
  }, root);
}

/** [page width, viewport width]: the first must not exceed the second. */
export function pageWidth(page) {
  return page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
}

export async function screenshot(page, name, { full = false } = {}) {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return null;
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: Boolean(full) });
  return file;
}

/** The point the page measures from, as it sends it to the API. */
export async function pagePoint(page) {
  const p = await page.getAttribute('#list-section', 'data-point');
  if (!p) throw new Error('the page has no point yet');
  const [lat, lon] = p.split(',');
  return { lat, lon };
}

/**
 * What the list should show, asked of the API directly: one /near call per
 * alternative amenity list (the page's "any of" chips), merged nearest
 * first. alts: [[codes...], ...] ([[]] for no amenity filter).
 */
export async function expectedNear(srv, point, { alts = [[]], type, open, category, k = 20, datum = 'wgs84' } = {}) {
  const byId = new Map();
  for (const codes of alts) {
    const q = new URLSearchParams({ lat: point.lat, lon: point.lon, k: String(k), datum });
    if (codes.length) q.set('amenity', codes.join(','));
    if (type) q.set('type', type);
    if (category) q.set('service_category', category);
    if (open) q.set('open', '1');
    const r = await srv.api(`/api/sites/near?${q}`);
    if (r.status !== 200) throw new Error(`GET /api/sites/near?${q} -> ${r.status} ${r.text.slice(0, 200)}`);
    for (const s of r.json.items) if (!byId.has(s.id)) byId.set(s.id, s);
  }
  return [...byId.values()]
    .sort((a, b) => a.distance_m - b.distance_m || a.id - b.id)
    .slice(0, k);
}

/** A start time (ms) about `ahead_s` seconds from now that is still today in
 * China (UTC+8): check-in opens on a slot's day, so a slot starting just
 * after midnight could not be checked in before it. It is at least
 * `min_ahead_s` ahead (the test must book it before it starts): when today
 * has no room for that, it waits for the next day first. */
export async function soonToday(ahead_s, min_ahead_s) {
  const leftToday = () => 86400e3 - ((Date.now() + 8 * 3600e3) % 86400e3);
  if (leftToday() - 30e3 < min_ahead_s * 1000) await new Promise((done) => setTimeout(done, leftToday() + 1000));
  return Math.min(Date.now() + ahead_s * 1000, Date.now() + leftToday() - 30e3);
}
