// build.mjs - builds the Warm New Map into web/dist/:
//
//   index.html  app.js  app.css  sw.js  manifest.webmanifest  qr-reader.js
//   chunks/*.js  (code loaded when a page needs it: ECharts for the station page)
//   icon.svg  icon-192.png  icon-512.png  icon-maskable-512.png
//   pinyin-initials.json  (the search's pinyin initials, from pinyin-pro)
//   img/*  (images Leaflet's CSS refers to)
//
// Run from anywhere: `node web/build.mjs`. The output depends only on the
// sources and the locked packages (no timestamps), so two builds of the same
// tree give the same bytes. The service worker is not bundled with the app:
// it is web/src/sw.js with the version and the list of shell files filled in.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pinyinInitialsTable } from './pinyin-initials.mjs';

const WEB = import.meta.dirname;
const ROOT = path.dirname(WEB);
const SRC = path.join(WEB, 'src');
const DIST = path.join(WEB, 'dist');

const THEME = '#9a3412';

// Everything is built in memory first, then written file by file (each
// through a temporary name and a rename), and only then are files of older
// builds removed: a build running beside another one, or a server reading
// the folder meanwhile, never sees it half empty.
const out = new Map(); // path under dist ('/app.js') -> Buffer

// ---- the app: one script, one stylesheet --------------------------------------

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: [
    { in: path.join(SRC, 'main.js'), out: 'app' },
    { in: path.join(SRC, 'styles', 'app.css'), out: 'app' },
    // The QR decoder (jsQR, ~130 KB) for the staff scan page, which
    // imports it when the camera first opens: not in app.js, not precached.
    { in: path.join(SRC, 'checkin', 'reader.js'), out: 'qr-reader' },
  ],
  external: ['/qr-reader.js'],
  outdir: DIST,
  write: false,
  bundle: true,
  // Pages that need a big library load it when they open (the station
  // page's ECharts): split into chunks, so the map's app.js stays small.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome87', 'safari15', 'firefox90'],
  charset: 'utf8',
  legalComments: 'eof',
  loader: { '.png': 'file', '.svg': 'file' },
  assetNames: 'img/[name]-[hash]',
  logLevel: 'warning',
});
for (const f of result.outputFiles) {
  out.set(`/${path.relative(DIST, f.path).split(path.sep).join('/')}`, Buffer.from(f.contents));
}

// The app's script and stylesheet get names from their bytes, like the
// chunks (esbuild's [hash]: eight of A-Z and 0-9), so the server may let
// phones keep them for a year; index.html, always revalidated, names them.
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
function contentName(rel) {
  const digest = createHash('sha256').update(out.get(rel)).digest();
  let name = '';
  for (let i = 0; name.length < 8; i++) name += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[digest[i] & 31];
  const dot = rel.lastIndexOf('.');
  const to = `${rel.slice(0, dot)}-${name}${rel.slice(dot)}`;
  out.set(to, out.get(rel));
  out.delete(rel);
  return to;
}
const appJs = contentName('/app.js');
const appCss = contentName('/app.css');
const indexSource = readFileSync(path.join(SRC, 'index.html'), 'utf8');
for (const ref of ['"/app.js"', '"/app.css"']) {
  if (!indexSource.includes(ref)) throw new Error(`index.html does not refer to ${ref}`);
}
out.set(
  '/index.html',
  Buffer.from(indexSource.replace('"/app.js"', `"${appJs}"`).replace('"/app.css"', `"${appCss}"`)),
);
for (const f of out.keys()) {
  if (f.startsWith('/chunks/') && !HASHED.test(f)) throw new Error(`${f}: a chunk without a hash`);
}

// The search's pinyin initials ("nxyz" finds 暖新驿站): made here from
// pinyin-pro, whose dictionary is too big to send to a phone.
out.set('/pinyin-initials.json', Buffer.from(JSON.stringify(pinyinInitialsTable())));

// ---- icons: drawn here, as SVG and as PNG ------------------------------------

// A white house with a warm heart in its door, on the theme colour.
// Coordinates are in a 512 x 512 box.
const HOUSE = [
  [256, 92],
  [436, 236],
  [400, 236],
  [400, 420],
  [112, 420],
  [112, 236],
  [76, 236],
];

function heartPolygon(cx, cy, scale) {
  const pts = [];
  for (let i = 0; i < 96; i++) {
    const a = (i / 96) * 2 * Math.PI;
    const x = 16 * Math.sin(a) ** 3;
    const y = 13 * Math.cos(a) - 5 * Math.cos(2 * a) - 2 * Math.cos(3 * a) - Math.cos(4 * a);
    pts.push([cx + x * scale, cy - y * scale]);
  }
  return pts;
}
const HEART = heartPolygon(256, 318, 5.2);


/** The x intervals where the horizontal line at y is inside poly (even-odd). */
function spans(y, poly) {
  const xs = [];
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
  }
  return xs.sort((a, b) => a - b);
}

function inSpans(x, xs) {
  let inside = false;
  for (const v of xs) {
    if (x < v) break;
    inside = !inside;
  }
  return inside;
}

function inRoundRect(x, y, size, r) {
  if (x < 0 || y < 0 || x > size || y > size) return false;
  const cx = Math.min(Math.max(x, r), size - r);
  const cy = Math.min(Math.max(y, r), size - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const svgPoints = (poly, k = 1, d = 0) =>
  poly.map(([x, y]) => `${(x * k + d).toFixed(1)},${(y * k + d).toFixed(1)}`).join(' ');

function iconSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
<rect width="512" height="512" rx="112" fill="${THEME}"/>
<polygon points="${svgPoints(HOUSE)}" fill="#ffffff" stroke="#ffffff" stroke-width="8" stroke-linejoin="round"/>
<polygon points="${svgPoints(HEART)}" fill="${THEME}"/>
</svg>
`;
}

const WHITE = [255, 255, 255];
const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

/** RGBA pixels of the icon at size px; maskable: full bleed, content in the safe zone. */
function drawIcon(size, maskable) {
  const px = Buffer.alloc(size * size * 4);
  const theme = hex(THEME);
  const k = maskable ? 0.72 : 1; // content scale
  const d = (512 - 512 * k) / 2;
  const SS = 4;
  for (let py = 0; py < size; py++) {
    // Per sub-row, where the house and the heart are (scanline spans).
    const rows = [];
    for (let sy = 0; sy < SS; sy++) {
      const y = ((py + (sy + 0.5) / SS) / size) * 512;
      const uy = (y - d) / k;
      rows.push({ y, house: spans(uy, HOUSE), heart: spans(uy, HEART) });
    }
    for (let pxx = 0; pxx < size; pxx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const row of rows) {
        for (let sx = 0; sx < SS; sx++) {
          const x = ((pxx + (sx + 0.5) / SS) / size) * 512;
          if (!maskable && !inRoundRect(x, row.y, 512, 112)) continue;
          const ux = (x - d) / k;
          const c = inSpans(ux, row.house) && !inSpans(ux, row.heart) ? WHITE : theme;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
      const n = SS * SS;
      const o = (py * size + pxx) * 4;
      const cov = a / 255;
      px[o] = cov ? Math.round(r / cov) : 0;
      px[o + 1] = cov ? Math.round(g / cov) : 0;
      px[o + 2] = cov ? Math.round(b / cov) : 0;
      px[o + 3] = Math.round(a / n);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

out.set('/icon.svg', Buffer.from(iconSvg()));
out.set('/icon-192.png', png(192, drawIcon(192, false)));
out.set('/icon-512.png', png(512, drawIcon(512, false)));
out.set('/icon-maskable-512.png', png(512, drawIcon(512, true)));

// ---- manifest -------------------------------------------------------------------

const manifest = {
  name: '暖新地图 Warm New Map',
  short_name: '暖新地图',
  description: '骑手、快递员、司机附近的充电、热饭、休息、避雨地点。',
  lang: 'zh-CN',
  dir: 'ltr',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  orientation: 'portrait',
  background_color: '#ffffff',
  theme_color: THEME,
  icons: [
    { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
};
out.set('/manifest.webmanifest', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));

// ---- service worker: the shell list and a version from the files' bytes ----------

const files = [...out.keys()].sort();
for (const f of files) {
  if (f.split('/').length > 3) throw new Error(`${f}: the server serves at most one folder level`);
}
const hash = createHash('sha256');
for (const f of files) {
  hash.update(f);
  hash.update('\0');
  hash.update(out.get(f));
}
const swSource = readFileSync(path.join(SRC, 'sw.js'), 'utf8');
hash.update(swSource);
const version = hash.digest('hex').slice(0, 16);
// Loaded only by the pages that need them, never precached.
const LAZY = new Set(['/qr-reader.js']);
const shell = ['/', ...files.filter((f) => !LAZY.has(f))];
const sw = swSource
  .replace("'__VERSION__'", JSON.stringify(version))
  .replace('__SHELL__', JSON.stringify(shell));
out.set('/sw.js', Buffer.from(sw));

// ---- pre-compressed copies: brotli and gzip, made once here ----------------------
//
// The server sends FILE.br or FILE.gz in place of FILE to a client that
// accepts it (src/web/web_http.c); a copy that saves less than a tenth is
// not kept.
const COMPRESSIBLE = /\.(js|css|html|json|svg|webmanifest)$/;
for (const f of [...out.keys()]) {
  const data = out.get(f);
  if (!COMPRESSIBLE.test(f) || data.length < 1024) continue;
  const br = brotliCompressSync(data, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = gzipSync(data, { level: 9 });
  if (br.length < data.length * 0.9) out.set(`${f}.br`, br);
  if (gz.length < data.length * 0.9) out.set(`${f}.gz`, gz);
}

// ---- write, then drop what older builds left -----------------------------------

mkdirSync(DIST, { recursive: true });
for (const [rel, data] of out) {
  const full = path.join(DIST, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  let same = false;
  try {
    same = readFileSync(full).equals(data);
  } catch {
    same = false;
  }
  if (same) continue;
  const tmp = `${full}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, full);
}

function removeStale(dir, prefix) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const rel = `${prefix}/${name}`;
    if (name === '.stamp' && !prefix) continue;
    if (name.includes('.tmp-')) continue; // another build's file in flight
    if (statSync(full).isDirectory()) {
      removeStale(full, rel);
      if (!readdirSync(full).length) rmSync(full, { recursive: true, force: true });
    } else if (!out.has(rel)) rmSync(full, { force: true });
  }
}
removeStale(DIST, '');

console.log(`web/dist: ${out.size} files, version ${version}`);
