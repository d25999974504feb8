// reader.js - the QR decoder as a script of its own (/qr-reader.js, see
// web/build.mjs): scanner.js loads it when a camera first
// opens, so the app everyone loads does not carry it.
export { default } from 'jsqr';
