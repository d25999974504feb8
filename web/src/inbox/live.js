// live.js - my unread count and my inbox's event stream, open while
// someone is signed in (the bell in the header and the inbox page both
// listen). The stream is for me only: `notice` (the newest notice and the
// unread count), `unread` (the count after a read or delete), `reset`
// (missed events: ask again); on every (re)connection the count is
// asked again too.
import * as session from '../session.js';
import { openStream } from '../stream.js';

const state = { unread: 0, userId: null, stream: null };
const listeners = new Set();

function tell(kind, data) {
  for (const fn of listeners) fn(kind, data);
}

/** fn(kind, data): 'count' (the unread count changed), 'notice' (a new one, data), 'stale' (ask again). */
export function onInbox(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function unread() {
  return state.unread;
}

export function setUnread(n) {
  const v = Math.max(0, Number(n) || 0);
  if (v === state.unread) return;
  state.unread = v;
  tell('count', v);
}

async function fetchCount() {
  try {
    const r = await session.call('GET', '/api/me/inbox', { params: { limit: 1 } });
    setUnread(r.unread);
  } catch {
    /* the bell keeps what it knew */
  }
}

function connect() {
  state.stream?.stop();
  state.stream = openStream('/api/me/inbox/events', {
    on: {
      notice: (d) => {
        if (!d) return;
        setUnread(d.unread);
        tell('notice', d);
      },
      unread: (d) => {
        if (d) setUnread(d.unread);
        tell('stale');
      },
      reset: () => {
        fetchCount();
        tell('stale');
      },
    },
    open: () => {
      fetchCount();
      tell('stale');
    },
    // Refused (401 when the session is gone): try again only while signed in.
    closed: async () => {
      const me = await session.refresh({ force: true }).catch(() => session.me());
      return Boolean(me);
    },
  });
}

function disconnect() {
  state.stream?.stop();
  state.stream = null;
  state.userId = null;
  setUnread(0);
}

/** Once at start: follow who is signed in. */
export function startInbox() {
  session.onSessionChange((me) => {
    if (!me) {
      disconnect();
      return;
    }
    if (state.userId === me.id && state.stream) return; // the same person (a profile edit)
    state.userId = me.id;
    connect();
  });
}
