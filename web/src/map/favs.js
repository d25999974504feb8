// favs.js - the places a worker saved, on this device (localStorage):
// ids with the names they had, newest first. Not in the account: that
// would need a server change; a phone is what a rider carries anyway.

const KEY = 'wh.favs';
const MAX = 50;
const listeners = new Set();

function read() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v.filter((x) => x && Number.isInteger(x.id)) : [];
  } catch {
    return [];
  }
}

function write(list) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
  } catch {
    /* private mode: kept for this visit only */
  }
  for (const fn of listeners) fn();
}

/** [{id, name_zh, name_en}], newest first. */
export function favourites() {
  return read();
}

export function isFavourite(id) {
  return read().some((x) => x.id === id);
}

/** Save or forget a site; returns whether it is saved now. */
export function toggleFavourite(site) {
  const list = read();
  const i = list.findIndex((x) => x.id === site.id);
  if (i >= 0) {
    list.splice(i, 1);
    write(list);
    return false;
  }
  list.unshift({ id: site.id, name_zh: site.name_zh || '', name_en: site.name_en || '' });
  write(list);
  return true;
}

export function onFavouritesChange(fn) {
  listeners.add(fn);
}
