// camera.mjs - a fake camera for Chromium: a Y4M video file showing a QR
// code, for --use-file-for-fake-video-capture (with
// --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream,
// getUserMedia answers with it and asks nobody). Chromium reads the file
// when the camera opens, so it may be written after the browser started.
// And the other way round: readShownQr decodes a QR code a page draws.
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

/** Write a few identical frames (size x size, black on white) of text as a QR code; blank: white only. */
export function writeQrVideo(file, text, { size = 480, frames = 5, blank = false } = {}) {
  const qr = blank ? { modules: { size: 0, data: [] } } : QRCode.create(String(text), { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const scale = Math.floor(size / (n + 8)) || 1;
  const offset = Math.floor((size - n * scale) / 2);
  const y = Buffer.alloc(size * size, 235); // white (video range)
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      if (qr.modules.data[r * n + c])
        for (let dy = 0; dy < scale; dy++) y.fill(16, (offset + r * scale + dy) * size + offset + c * scale, (offset + r * scale + dy) * size + offset + (c + 1) * scale);
  const chroma = Buffer.alloc((size / 2) * (size / 2), 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), y, chroma, chroma);
  writeFileSync(file, Buffer.concat(parts));
}

/** Chromium's switches for a fake camera that plays file. */
export function fakeCameraArgs(file) {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}

/** Decode the QR code drawn in sel with the app's own reader (/qr-reader.js, jsQR). */
export function readShownQr(page, sel) {
  return page.evaluate(async (sel) => {
    const svg = document.querySelector(`${sel} svg`).cloneNode(true);
    svg.setAttribute('width', '400');
    svg.setAttribute('height', '400');
    const img = new Image();
    img.src = `data:image/svg+xml;base64,${btoa(new XMLSerializer().serializeToString(svg))}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 400;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, 400, 400);
    const { default: jsQR } = await import('/qr-reader.js');
    const found = jsQR(ctx.getImageData(0, 0, 400, 400).data, 400, 400);
    return found ? found.data : null;
  }, sel);
}
