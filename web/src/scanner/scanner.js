// scanner.js - the one camera QR scanner every staff page uses (check-in,
// a shift's roster, the lending desk): a big button opens the camera as a
// layer over the page (Back, its own button or Escape closes it), frames
// are decoded by jsQR, and the first code read is handed to the page and
// the camera goes off. Where there is no camera, or it is not allowed, a
// note says so and the cursor goes to the page's typed-code field (the
// fallback; codeInput() draws one). The camera also goes off when the
// page is left (stop(), from the view's leave()), when the tab is hidden,
// and when its video is no longer on the page.
//
// The decoder is a separate script (/qr-reader.js, built from reader.js)
// fetched the first time a camera opens, so the app riders load does not
// carry it.
//
//   const sc = scanner({ prefix: 'ci', fallback: 'ci-code', onCode: (text) => ... });
//   sc.button({ disabled })  sc.note()  sc.layer()  sc.isOpen()  sc.stop()
//
// Element ids: {prefix}-camera (the button), {prefix}-camera-note,
// {prefix}-camera-layer, {prefix}-camera-title, {prefix}-video,
// {prefix}-camera-close.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { bound } from '../forms.js';
import { redraw } from '../page.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';

const SCAN_EVERY_MS = 150;
const MAX_SIDE = 720; // frames are scaled down to this before decoding

let decode = null; // jsQR, once loaded
let canvas = null; // shared: one camera is open at a time
let current = null; // the scanner whose camera is open or opening
let watching = false;

async function loadReader() {
  if (!decode) {
    const mod = await import('/qr-reader.js'); // left out of the bundle: see build.mjs
    decode = mod.default;
  }
  return decode;
}

/** Leaving the tab or the page turns the camera off. */
function watchPage() {
  if (watching) return;
  watching = true;
  const off = () => current && current.close();
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && off());
  window.addEventListener('pagehide', off);
}

/** A code as typed or read: its spaces and line breaks dropped (pages show codes in groups). */
export function cleanCode(raw) {
  return String(raw ?? '').replace(/\s+/g, '');
}

/** The typed-code fallback's field: a textarea bound to st[key], for long codes. */
export function codeInput(st, key, attrs = {}) {
  return bound('textarea', st, key, { rows: '2', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', class: 'input sc-code', ...attrs });
}

export function scanner({ prefix, onCode, fallback }) {
  const ids = {
    button: `${prefix}-camera`,
    note: `${prefix}-camera-note`,
    layer: `${prefix}-camera-layer`,
    title: `${prefix}-camera-title`,
    video: `${prefix}-video`,
    close: `${prefix}-camera-close`,
  };
  let state = 'off'; // 'off' | 'starting' | 'on'
  let note = '';
  let video = null; // one element for the page's life: a redraw moves it, never replaces it
  let stream = null;
  let timer = 0;
  let opening = 0; // counts opens: a start that finishes after a close (or a newer open) is dropped

  const focus = (id) => document.getElementById(id)?.focus();

  function videoEl() {
    if (!video) {
      video = h('video', { class: 'sc-video', id: ids.video, muted: true, playsinline: true, autoplay: true, 'aria-hidden': 'true' });
      video.muted = true;
    }
    return video;
  }

  function stopStream() {
    clearTimeout(timer);
    timer = 0;
    if (stream) for (const tr of stream.getTracks()) tr.stop();
    stream = null;
    if (video) video.srcObject = null;
  }

  /** The layer closed (Back, its button, Escape, a code read): the camera goes off. */
  function closed() {
    opening++;
    stopStream();
    state = 'off';
    if (current === self) current = null;
    redraw();
    focus(ids.button);
  }

  function fail(word) {
    note = t(word);
    redraw();
    focus(fallback);
  }

  async function open() {
    note = '';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      fail('scNoCamera');
      return;
    }
    watchPage();
    const mine = ++opening;
    state = 'starting';
    current = self;
    openLayer(closed);
    redraw();
    try {
      const [s] = await Promise.all([navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }), loadReader()]);
      if (mine !== opening) {
        for (const tr of s.getTracks()) tr.stop(); // closed while it started
        return;
      }
      stream = s;
      const v = videoEl();
      v.srcObject = s;
      await v.play().catch(() => {});
      if (mine !== opening) return;
      state = 'on';
      redraw();
      focus(ids.close);
      scanSoon();
    } catch (e) {
      if (mine !== opening) return;
      const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
      const none = e && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError');
      closeLayer();
      fail(denied ? 'scCameraDenied' : none ? 'scNoCamera' : 'scCameraFailed');
    }
  }

  function scanSoon() {
    clearTimeout(timer);
    timer = setTimeout(scanFrame, SCAN_EVERY_MS);
  }

  function scanFrame() {
    if (state !== 'on' || !stream || !video) return;
    if (!video.isConnected) {
      // The page was drawn without the layer (left, or another page): off.
      self.close();
      return;
    }
    const w0 = video.videoWidth;
    const h0 = video.videoHeight;
    if (video.readyState >= 2 && w0 && h0) {
      const k = Math.min(1, MAX_SIDE / Math.max(w0, h0));
      const w = Math.round(w0 * k);
      const hh = Math.round(h0 * k);
      if (!canvas) canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = hh;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, hh);
      const found = decode(ctx.getImageData(0, 0, w, hh).data, w, hh, { inversionAttempts: 'attemptBoth' });
      const code = found ? cleanCode(found.data) : '';
      if (code) {
        navigator.vibrate?.(80);
        closeLayer();
        onCode(code);
        return;
      }
    }
    scanSoon();
  }

  const self = {
    isOpen: () => state !== 'off',
    /** Close the camera from the page (its layer goes with it). */
    close() {
      if (state === 'off') return;
      closeLayer();
      if (state !== 'off') closed(); // the layer was not this one's
    },
    /** The page is left: camera off, no history touched, the note forgotten. */
    stop() {
      opening++;
      if (state !== 'off') dropLayer();
      stopStream();
      state = 'off';
      note = '';
      if (current === self) current = null;
    },
    button({ disabled = false, label = 'scOpenCamera', cls = 'btn btn-primary btn-block sc-camera-btn' } = {}) {
      return h('button', { type: 'button', class: cls, id: ids.button, disabled, onclick: open }, h('span', { svg: icon('scan') }), t(label));
    },
    note() {
      return note ? h('p', { class: 'note note-warn', id: ids.note, role: 'status' }, note) : null;
    },
    /** The camera over the page, or null; while it shows, the page should be inert. */
    layer() {
      if (state === 'off') return null;
      return h(
        'div',
        {
          class: 'sc-layer',
          id: ids.layer,
          role: 'dialog',
          'aria-modal': 'true',
          'aria-labelledby': ids.title,
          onkeydown: (e) => {
            if (e.key === 'Escape') closeLayer();
          },
        },
        h('h3', { id: ids.title, class: 'sc-camera-title' }, t(state === 'on' ? 'scAim' : 'scStarting')),
        h('div', { class: 'sc-frame' }, videoEl(), h('span', { class: 'sc-aim', 'aria-hidden': 'true' })),
        h('button', { type: 'button', class: 'btn btn-primary btn-block sc-close', id: ids.close, onclick: () => closeLayer() }, t('scCloseCamera')),
      );
    },
  };
  return self;
}
