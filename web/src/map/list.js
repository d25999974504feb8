// list.js - the list of places, nearest first. Each card is one big
// button: name, distance, tier, open state, and the amenities that matter
// for the chosen needs (with live values when there are any).
import { h, langText } from '../dom.js';
import { t, pick, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { tierBadge, stateLine, liveFor, liveValue, etaLine } from './view.js';
import { isFavourite } from './favs.js';

const MAX_TAGS = 4;

function amenityTags(site, ctx) {
  const have = new Map((site.amenities || []).map((a) => [a.code, a]));
  const codes = [];
  for (const c of ctx.wantedCodes) if (have.has(c) && !codes.includes(c)) codes.push(c);
  for (const c of ctx.highlightCodes) {
    if (codes.length >= MAX_TAGS) break;
    if (have.has(c) && !codes.includes(c)) codes.push(c);
  }
  return codes.slice(0, MAX_TAGS).map((code) => {
    const cat = ctx.catalogue.get(code);
    const name = cat ? pick(cat, 'name') : { text: code, lang: 'en' };
    const live = liveFor(site, code, ctx.ttl);
    const val = liveValue(live);
    return h(
      'span',
      { class: `tag${live && live.stale ? ' tag-stale' : ''}${live && live.working === false ? ' tag-bad' : ''}` },
      h('span', { svg: icon(cat ? cat.icon : 'dot', 'icon icon-sm') }),
      h('span', { lang: name.lang }, name.text),
      val ? h('span', { class: 'tag-live' }, val) : '',
    );
  });
}

export function siteCard(site, ctx) {
  const type = ctx.types.get(site.type);
  const typeName = type ? pick(type, 'name').text : '';
  const tags = amenityTags(site, ctx);
  return h(
    'li',
    { class: 'card-li', 'data-id': site.id },
    h(
      'button',
      {
        type: 'button',
        class: `card${ctx.selectedId === site.id ? ' card-selected' : ''}`,
        'aria-haspopup': 'dialog',
        onclick: () => ctx.onOpen(site.id),
      },
      h(
        'span',
        { class: 'card-top' },
        langText(pick(site, 'name'), 'card-name'),
        site.distance_m != null ? h('span', { class: 'card-dist' }, formatDistance(site.distance_m)) : '',
      ),
      site.distance_m != null ? etaLine(site.distance_m, 'eta card-eta') : '',
      h(
        'span',
        { class: 'card-meta' },
        tierBadge(site, typeName),
        stateLine(site),
        isFavourite(site.id) ? h('span', { class: 'card-fav', svg: icon('starFilled', 'icon icon-sm') }, t('favSaved')) : '',
      ),
      tags.length ? h('span', { class: 'card-tags' }, tags) : '',
    ),
  );
}

export function renderList(ol, sites, ctx) {
  // A card that had focus keeps it across the redraw.
  const focused = ol.contains(document.activeElement) ? document.activeElement.closest('li')?.dataset.id : null;
  ol.replaceChildren(...sites.map((s) => siteCard(s, ctx)));
  if (focused) ol.querySelector(`li[data-id="${focused}"] .card`)?.focus({ preventScroll: true });
}

/** Redraw one card in place (live update); false if it is not listed. */
export function updateCard(ol, site, ctx) {
  const li = ol.querySelector(`li[data-id="${site.id}"]`);
  if (!li) return false;
  const hadFocus = li.contains(document.activeElement);
  const fresh = siteCard(site, ctx);
  li.replaceWith(fresh);
  if (hadFocus) fresh.querySelector('button').focus();
  return true;
}

