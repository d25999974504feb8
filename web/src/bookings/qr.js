// qr.js - a QR code as SVG, drawn from the qrcode package's matrix: black
// modules on white with the four-module quiet zone scanners need, crisp
// at any size (a phone held up in sunlight, a staff camera at arm's
// length). The text is only encoded, never put into the markup.
import QRCode from 'qrcode';

/** SVG markup of text as a QR code (error correction M). */
export function qrSvg(text) {
  const qr = QRCode.create(String(text), { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const bits = qr.modules.data;
  const quiet = 4;
  const size = n + 2 * quiet;
  let d = '';
  for (let y = 0; y < n; y++) {
    let x = 0;
    while (x < n) {
      if (!bits[y * n + x]) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < n && bits[y * n + x + run]) run++;
      d += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
      x += run;
    }
  }
  return `<svg class="qr-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
