// view.js - pieces both the list cards and the site sheet show: the tier
// badge, the open state, and amenity live values in words.
import { h } from '../dom.js';
import { t, openState, formatAge } from '../i18n.js';
import { markerSvg, icon } from '../icons.js';

export function tierBadge(site, typeName) {
  const tierWord = site.tier ? t(`tierName_${site.tier}`) : typeName || t('tierName_other');
  return h(
    'span',
    { class: `badge badge-t${site.tier || 0}` },
    h('span', { class: 'badge-shape', svg: markerSvg(site.tier, true) }),
    tierWord,
  );
}

const STATE_SVG = {
  open: '<svg class="st-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="6.5" fill="currentColor"/></svg>',
  closed:
    '<svg class="st-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M3.5 12.5l9-9" stroke="currentColor" stroke-width="2"/></svg>',
};

/** "● 营业中 · 22:00 关门" as an element (open/closed differ in icon, word and colour). */
export function stateLine(site, cls = 'state') {
  const st = openState(site);
  const kind = st.open ? 'open' : 'closed';
  return h(
    'span',
    { class: `${cls} state-${st.kind}` },
    h('span', { svg: STATE_SVG[kind] }),
    h('strong', null, st.label),
    st.detail ? ` · ${st.detail}` : '',
    st.extra ? h('span', { class: 'state-extra' }, ` · ${st.extra}`) : '',
  );
}

/** The live entry for an amenity code, with staleness worked out now. */
export function liveFor(site, code, ttlS) {
  const live = site.live;
  if (!live || !Array.isArray(live.amenities)) return null;
  const a = live.amenities.find((x) => x.code === code);
  if (!a) return null;
  const ttl = Number.isFinite(live.ttl) ? live.ttl : ttlS;
  const age = a.last_reported ? (Date.now() - Date.parse(a.last_reported)) / 1000 : Infinity;
  const stale = Boolean(a.stale) || (Number.isFinite(ttl) && ttl > 0 && age > ttl);
  return { ...a, stale };
}

/** "可用 3" / "暂不可用" / "正常" for a live entry, or '' when it says nothing. */
export function liveValue(a) {
  if (!a) return '';
  if (a.working === false) return t('broken');
  if (a.available !== null && a.available !== undefined) return t('available', { n: a.available });
  if (a.working === true) return t('working');
  return '';
}

export function liveAge(a) {
  return a && a.last_reported ? t('updated', { age: formatAge(a.last_reported) }) : '';
}

// ---- time to get there ----------------------------------------------------------

// Estimated from the straight-line distance, without a routing service:
// streets add about a third (1.3), a walker does 4.5 km/h, an e-bike in
// town 15 km/h.
const DETOUR = 1.3;
const WALK_M_PER_MIN = 75;
const RIDE_M_PER_MIN = 250;

/** Minutes on foot and by bike for a straight-line distance in metres. */
export function travelMinutes(distanceM) {
  if (distanceM == null || !Number.isFinite(distanceM)) return null;
  const m = distanceM * DETOUR;
  return {
    walk: Math.max(1, Math.round(m / WALK_M_PER_MIN)),
    ride: Math.max(1, Math.round(m / RIDE_M_PER_MIN)),
  };
}

export function formatMinutes(n) {
  if (n < 60) return t('durMin', { n });
  return t('durHour', { h: Math.floor(n / 60), m: n % 60 });
}

/** "步行约 6 分钟 · 骑行约 2 分钟" as an element, or '' without a distance. */
export function etaLine(distanceM, cls = 'eta') {
  const tm = travelMinutes(distanceM);
  if (!tm) return '';
  return h(
    'span',
    { class: cls },
    h('span', { class: 'eta-part eta-walk' }, h('span', { svg: icon('walk', 'icon icon-sm') }), t('etaWalk', { t: formatMinutes(tm.walk) })),
    h('span', { class: 'eta-part eta-ride' }, h('span', { svg: icon('ride', 'icon icon-sm') }), t('etaRide', { t: formatMinutes(tm.ride) })),
  );
}
