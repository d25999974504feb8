// data.js - what the fair's pages share: the board (every booth's line:
// now serving, next, counts, the wait for a newcomer), finding the
// current fair, the board's live stream, and times in words.
import { t } from '../i18n.js';
import { getJson } from '../api.js';
import { openStream } from '../stream.js';

/** The board's lines stay live this long after the fair ends (the server's FAIR_BOARD_AFTER_S). */
const BOARD_AFTER_MS = 6 * 3600 * 1000;

/** GET /api/fairs/{id}/board: {fair, booths: [line], generated_at}. */
export function loadBoard(id, signal) {
  return getJson(`/api/fairs/${encodeURIComponent(id)}/board`, undefined, { channel: 'fair', signal });
}

/** Whether the fair's board may still change (else its stream is refused: 409 fair_ended). */
export function boardIsLive(fair, now = Date.now()) {
  if (!fair) return false;
  if (fair.state === 'scheduled' || fair.state === 'open') return true;
  return fair.state === 'closed' && now < Date.parse(fair.ends_at) + BOARD_AFTER_MS;
}

/**
 * The fair to show at #/fair: the one open now, else the next one
 * coming, else the latest. Resolves to its id, or null when there is none.
 */
export async function currentFairId(now = Date.now()) {
  const open = await getJson('/api/fairs', { state: 'open', limit: 1 }, { channel: 'fair' });
  if (open.items && open.items.length) return open.items[0].id;
  const soon = await getJson('/api/fairs', { state: 'scheduled', limit: 20 }, { channel: 'fair' });
  const coming = (soon.items || [])
    .filter((f) => Date.parse(f.ends_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  if (coming.length) return coming[0].id;
  const any = await getJson('/api/fairs', { limit: 1 }, { channel: 'fair' });
  return any.items && any.items.length ? any.items[0].id : null;
}

/**
 * The board's live stream: `booth` replaces one booth's line (onBooth);
 * `fair`, `reload` and every reconnection mean: ask for everything again
 * (onStale). When the server refuses the stream, onStale is asked (it
 * resolves to the fresh board, or null); a fair that has ended stays a
 * static board, else the stream is tried again later.
 * state(s): 'connecting' | 'live' | 'down' | 'stopped'. Returns {stop()}.
 */
export function boardStream(id, { onBooth, onStale, state }) {
  return openStream(`/api/fairs/${encodeURIComponent(id)}/board/events`, {
    on: {
      booth: (line) => line && line.id != null && onBooth(line),
      fair: () => onStale(),
      reload: () => onStale(),
    },
    open: ({ again }) => {
      if (again) onStale();
    },
    closed: async () => {
      const board = await onStale();
      return !board || boardIsLive(board.fair);
    },
    state,
  });
}

// ---- times in words (China Standard Time, as every page shows them) --------------

const CST_MS = 8 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

function cstParts(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + CST_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), wd: d.getUTCDay(), hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
}

/** "12月27日 周日 09:00–16:00" for a fair's window. */
export function fairWindow(fair) {
  const a = cstParts(fair.starts_at);
  const b = cstParts(fair.ends_at);
  if (!a || !b) return '';
  const months = t('months');
  const date = (p) => t('dateFmt', { m: p.m + 1, d: p.d, mon: Array.isArray(months) ? months[p.m] : p.m + 1 });
  const day = `${date(a)} ${t('weekdays')[a.wd]}`;
  const sameDay = a.y === b.y && a.m === b.m && a.d === b.d;
  return sameDay ? `${day} ${a.hm}–${b.hm}` : `${day} ${a.hm} – ${date(b)} ${b.hm}`;
}

/** "09:12" for an ISO time, in China Standard Time. */
export function clockTime(iso) {
  const p = cstParts(iso);
  return p ? p.hm : '';
}

/** The booth's line from a board, or null. */
export function lineOf(board, boothId) {
  return (board && board.booths.find((b) => b.id === boothId)) || null;
}
