// live.js - the Server-Sent Events stream of status and site changes.
// EventSource reconnects by itself after a dropped connection; when the
// server refuses the stream (an error answer) it gives up, so we try again
// later with a growing delay. After any reconnect the caller refreshes, to
// catch what was missed meanwhile.

export function connectLive({ onStatus, onSite, onReconnect }) {
  if (typeof EventSource === 'undefined') return () => {};
  let es = null;
  let retry = 0;
  let timer = 0;
  let everOpen = false;
  let stopped = false;

  function parse(e) {
    try {
      return JSON.parse(e.data);
    } catch {
      return null;
    }
  }

  function start() {
    if (stopped) return;
    es = new EventSource('/api/sites/events');
    es.addEventListener('open', () => {
      if (everOpen || retry) onReconnect?.();
      everOpen = true;
      retry = 0;
    });
    es.addEventListener('status', (e) => {
      const d = parse(e);
      if (d && d.site_id != null) onStatus?.(d);
    });
    es.addEventListener('site', (e) => {
      const d = parse(e);
      if (d && d.id != null) onSite?.(d);
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        clearTimeout(timer);
        timer = setTimeout(start, Math.min(120000, 5000 * 2 ** retry++));
      }
    });
  }

  const again = () => {
    if (es && es.readyState === EventSource.CLOSED) {
      clearTimeout(timer);
      retry = 0;
      start();
    }
  };
  window.addEventListener('online', again);
  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('online', again);
    es?.close();
  };
}
