// reader.js - the QR decoder as a script of its own (/qr-reader.js, see
// web/build.mjs): the staff scan page loads it when the camera first
// opens, so the app everyone loads does not carry it.
export { default } from 'jsqr';
