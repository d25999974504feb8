// stream.js - a Server-Sent Events stream that keeps itself open: the
// fair's board and the inbox use it (the map has its own, map/live.js).
//
// EventSource reconnects by itself after a dropped connection; when the
// server answers with an error (401, 409, 503) it gives up. Then `closed`
// is asked what to do: it may look at why (is the fair over? still signed
// in?) and resolve to false to stop, else the stream is tried again later
// with a growing delay. `open` is called on every (re)connection with
// {again}, so the caller can refetch what it may have missed.

const MAX_DELAY_MS = 120000;

/**
 * url: the stream; on: {event: fn(data)} (data parsed as JSON, null when
 * not JSON); open({again}); closed() -> bool | Promise<bool> (true: try
 * again); state(s) with s 'connecting' | 'live' | 'down' | 'stopped'.
 * Returns {stop()}.
 */
export function openStream(url, { on = {}, open, closed, state } = {}) {
  if (typeof EventSource === 'undefined') {
    state?.('stopped');
    return { stop() {} };
  }
  let es = null;
  let retry = 0;
  let timer = 0;
  let everOpen = false;
  let stopped = false;

  const say = (s) => {
    if (!stopped || s === 'stopped') state?.(s);
  };

  function parse(e) {
    try {
      return JSON.parse(e.data);
    } catch {
      return null;
    }
  }

  function start() {
    if (stopped) return;
    say('connecting');
    es = new EventSource(url);
    es.addEventListener('open', () => {
      const again = everOpen || retry > 0;
      everOpen = true;
      retry = 0;
      say('live');
      open?.({ again });
    });
    for (const [name, fn] of Object.entries(on)) es.addEventListener(name, (e) => fn(parse(e)));
    es.addEventListener('error', () => {
      if (stopped) return;
      if (es.readyState !== EventSource.CLOSED) {
        say('connecting'); // EventSource is trying again by itself
        return;
      }
      es.close();
      say('down');
      Promise.resolve(closed ? closed() : true)
        .catch(() => true)
        .then((again) => {
          if (stopped) return;
          if (!again) {
            stop();
            return;
          }
          clearTimeout(timer);
          timer = setTimeout(start, Math.min(MAX_DELAY_MS, 3000 * 2 ** retry++));
        });
    });
  }

  const online = () => {
    if (!stopped && es && es.readyState === EventSource.CLOSED) {
      clearTimeout(timer);
      retry = 0;
      start();
    }
  };

  function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('online', online);
    es?.close();
    state?.('stopped');
  }

  window.addEventListener('online', online);
  start();
  return { stop };
}
