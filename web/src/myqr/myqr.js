// myqr.js - "my QR code" (#/me/qr): the code GET /api/me/qr seals for the
// signed-in person, drawn large, black on white with its quiet zone (a
// phone held up in sunlight), and as text to read out. It lasts `ttl`
// seconds; the page asks for the next one shortly before the end, and
// counts down meanwhile. The countdown runs from when the answer came
// with the server's ttl, not from expires_at, so a phone whose clock is
// wrong still renews in time.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { qrSvg } from '../bookings/qr.js';
import { countdown } from '../bookings/time.js';
import { groupCode } from '../bookings/common.js';

const qr = { token: '', until: 0, ttl: 0, error: '', retryAt: 0, fetching: false, shown: false, drawnStale: false };
let ticker = 0;
let wake = null; // the screen kept on while the code shows, where the browser allows it

/** How long before the end the next code is asked for (ms): 15 s, less for short codes. */
export function renewLead(ttl) {
  return Math.min(15000, Math.max(1000, (ttl * 1000) / 4));
}

async function fetchQr() {
  if (qr.fetching) return;
  qr.fetching = true;
  try {
    const r = await session.call('GET', '/api/me/qr');
    qr.token = r.token;
    qr.ttl = Number(r.ttl) || 0;
    qr.until = Date.now() + qr.ttl * 1000;
    qr.error = '';
  } catch (e) {
    qr.error = errorMessage(e);
    qr.retryAt = Date.now() + 5000;
  } finally {
    qr.fetching = false;
  }
  if (qr.shown) redraw();
}

function tick() {
  if (!qr.shown) return;
  const left = qr.until - Date.now();
  const el = document.getElementById('mq-left');
  if (el) el.textContent = countdown(qr.until) || '00:00';
  if (left <= 0 && qr.token && !qr.drawnStale) redraw();
  if (qr.fetching) return;
  // Failed: try again every few seconds (the button tries at once).
  if (qr.error) {
    if (Date.now() >= qr.retryAt) fetchQr();
  } else if (qr.token && left < renewLead(qr.ttl)) fetchQr();
}

async function keepScreenOn() {
  try {
    if (!wake && navigator.wakeLock) wake = await navigator.wakeLock.request('screen');
  } catch {
    wake = null;
  }
}

function stop() {
  clearInterval(ticker);
  ticker = 0;
  wake?.release().catch(() => {});
  wake = null;
}

export const myQrView = {
  title: () => t('mqTitle'),
  async render(root, params, { first }) {
    if (first) {
      qr.shown = false;
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('mqTitle')), h('p', { class: 'muted' }, t('loading'))));
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/me/qr');
        return;
      }
      if (!root.isConnected) return;
      qr.shown = true;
      qr.token = '';
      qr.error = '';
      await fetchQr();
      stop();
      ticker = setInterval(tick, 1000);
      keepScreenOn();
    }
    if (!session.me()) {
      needSignIn('/me/qr');
      return;
    }
    const stale = Boolean(qr.token) && qr.until <= Date.now();
    qr.drawnStale = stale;
    root.replaceChildren(
      h(
        'div',
        { class: 'page mq-page', id: 'mq-page' },
        pageTitle(t('mqTitle')),
        h('p', { class: 'page-lead' }, t('mqLead')),
        qr.error
          ? h(
              'div',
              { class: 'form-alert form-error', role: 'alert', id: 'mq-error' },
              h('p', null, qr.error),
              h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'mq-retry', onclick: () => fetchQr() }, t('mqRetry')),
            )
          : null,
        qr.token
          ? h(
              'section',
              { class: 'mq-card', 'aria-labelledby': 'page-title' },
              h('div', {
                class: `bk-qr mq-qr${stale ? ' mq-stale' : ''}`,
                id: 'mq-code',
                role: 'img',
                'aria-label': t('mqQrLabel'),
                'data-code': qr.token,
                svg: qrSvg(qr.token),
              }),
              stale
                ? h('p', { class: 'mq-when', id: 'mq-expired', role: 'status' }, t('mqExpired'))
                : h('p', { class: 'mq-when' }, t('mqRenews'), ' ', h('span', { id: 'mq-left', class: 'bk-countdown', role: 'timer', 'aria-live': 'off' }, countdown(qr.until))),
              h('p', { class: 'bk-code-line' }, t('mqCodeLabel'), ' ', h('code', { id: 'mq-text', class: 'bk-code' }, groupCode(qr.token))),
            )
          : qr.error
            ? null
            : h('p', { class: 'muted' }, t('loading')),
        h('p', { class: 'muted mq-hint' }, t('mqBright')),
      ),
    );
  },
  leave() {
    qr.shown = false;
    stop();
  },
};
