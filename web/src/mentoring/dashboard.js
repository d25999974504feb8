// dashboard.js - a host's dashboard as both the host and their mentor see
// it: each figure's median beside the median of hosts in the same
// category, trend lines of GMV and viewers (ECharts, loaded when first
// drawn) with the category's weekly median and the flagged sessions, the
// same numbers as a table, and the mentor's reviews with their advice.
import { h, textLang } from '../dom.js';
import { t, formatWhen } from '../i18n.js';

const FIGURES = [
  ['viewers', 'mtViewers'],
  ['peak', 'mtPeak'],
  ['new_followers', 'mtFollowers'],
  ['orders', 'mtOrders'],
  ['gmv', 'mtGmv'],
  ['conversion', 'mtConversion'],
  ['duration_min', 'mtDuration'],
];

const LOW_WORDS = { viewers: 'mtViewers', orders: 'mtOrders', gmv: 'mtGmv' };

function num(v, digits = 0) {
  if (v === null || v === undefined) return '–';
  return Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** "2026-05-01T20:00:00+08:00" -> "05-01 20:00", as the server wrote it. */
export function shortWhen(iso) {
  return iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : '';
}

function figuresPanel(d, mine) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-figures-title' },
    h('h3', { id: 'mt-figures-title' }, t('mtDashTitle', { days: d.days })),
    d.host.category
      ? h('p', { class: 'muted', id: 'mt-category-hosts' }, `${t(`mtCat_${d.host.category}`)} · ${t('mtCategoryHosts', { n: d.category_hosts })}`)
      : h('p', { class: 'muted' }, t('mtNoCategory')),
    h('p', { id: 'mt-flagged', class: d.flagged ? 'mt-low' : null }, t('mtFlagged', { n: d.flagged })),
    h('p', { class: 'muted' }, t('mtBaselineRule')),
    h(
      'div',
      { class: 'mt-table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'mt-figures-title' },
      h(
        'table',
        { class: 'mt-table', id: 'mt-figures' },
        h('caption', { class: 'visually-hidden' }, t('mtDashTitle', { days: d.days })),
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, t('mtFigure')), h('th', { scope: 'col', class: 'mt-num' }, t(mine ? 'mtMine' : 'mtHostMedian')), h('th', { scope: 'col', class: 'mt-num' }, t('mtCategoryMedian'))),
        ),
        h(
          'tbody',
          null,
          FIGURES.map(([k, w]) =>
            h(
              'tr',
              { 'data-figure': k },
              h('th', { scope: 'row' }, t(w)),
              h('td', { class: 'mt-num' }, num(d.figures[k].host, 2)),
              h('td', { class: 'mt-num' }, num(d.figures[k].category, 2)),
            ),
          ),
        ),
      ),
    ),
  );
}

function trendPanel(d, key, titleWord, figWord) {
  const sessions = d.sessions;
  if (!sessions.length) return null;
  const mineData = sessions.map((s) => [s.starts_at, s[key]]);
  const low = sessions.filter((s) => s.low.includes(key)).map((s) => [s.starts_at, s[key]]);
  const category = d.category_weeks.map((w) => [w.week, w[key]]);
  const desc = t('mtChartDesc', { figure: t(figWord), n: sessions.length, low: low.length });
  const id = `mt-chart-${key}`;
  const box = h('div', { id, class: 'mt-chart', role: 'img', 'aria-label': desc });
  queueMicrotask(async () => {
    if (!box.isConnected) return;
    const { drawTrend } = await import('./chart.js');
    drawTrend(box, { mine: mineData, category, low, desc, names: { mine: t('mtChartMine'), category: t('mtChartCategory'), low: t('mtChartLow') } });
  });
  return h('section', { class: 'panel', 'aria-labelledby': `${id}-title` }, h('h3', { id: `${id}-title` }, t(titleWord)), box);
}

function sessionsPanel(d, reviewHref) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-sessions-title' },
    h('h3', { id: 'mt-sessions-title' }, t('mtSessions')),
    d.sessions.length
      ? h(
          'div',
          { class: 'mt-table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'mt-sessions-title' },
          h(
            'table',
            { class: 'mt-table', id: 'mt-sessions' },
            h('caption', { class: 'visually-hidden' }, t('mtSessions')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, t('mtDate')),
                h('th', { scope: 'col', class: 'mt-num' }, t('mtViewers')),
                h('th', { scope: 'col', class: 'mt-num' }, t('mtOrders')),
                h('th', { scope: 'col', class: 'mt-num' }, t('mtGmv')),
                h('th', { scope: 'col' }, t('mtChartLow')),
                reviewHref ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('mtWriteReview'))) : null,
              ),
            ),
            h(
              'tbody',
              null,
              [...d.sessions].reverse().map((s) =>
                h(
                  'tr',
                  { id: `mt-session-${s.id}`, 'data-low': s.low.join(' ') },
                  h('th', { scope: 'row' }, shortWhen(s.starts_at)),
                  h('td', { class: 'mt-num' }, num(s.viewers)),
                  h('td', { class: 'mt-num' }, num(s.orders)),
                  h('td', { class: 'mt-num' }, num(s.gmv, 2)),
                  h('td', { class: s.low.length ? 'mt-low' : null }, s.low.length ? t('mtLowTag', { what: s.low.map((k) => t(LOW_WORDS[k])).join('、') }) : t('mtOk')),
                  reviewHref ? h('td', null, h('a', { href: reviewHref(s), id: `mt-review-${s.id}`, class: 'btn btn-secondary' }, t('mtWriteReview'))) : null,
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', id: 'mt-no-sessions' }, t('mtNoSessions')),
  );
}

export function reviewsPanel(reviews) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-reviews-title' },
    h('h3', { id: 'mt-reviews-title' }, t('mtReviewsTitle')),
    reviews.length
      ? h(
          'ul',
          { class: 'people-list', id: 'mt-reviews' },
          reviews.map((r) =>
            h(
              'li',
              { class: 'mt-review', id: `mt-reviewed-${r.id}` },
              h('p', { class: 'person-meta' }, t('mtReviewOf', { when: shortWhen(r.session_starts_at), mentor: r.mentor ? r.mentor.name : '' }), ' · ', formatWhen(r.created_at)),
              h('p', { lang: textLang(r.summary) }, r.summary),
              h('h4', null, t('mtAdviceTitle')),
              h('ol', { class: 'mt-advice' }, r.advice.map((a) => h('li', { lang: textLang(a) }, a))),
            ),
          ),
        )
      : h('p', { class: 'muted', id: 'mt-no-reviews' }, t('mtNoReviews')),
  );
}

/** The whole dashboard; reviewHref(session) for a mentor's review links. */
export function dashboard(d, { mine = false, reviewHref = null } = {}) {
  return [
    figuresPanel(d, mine),
    trendPanel(d, 'gmv', 'mtTrendGmv', 'mtGmv'),
    trendPanel(d, 'viewers', 'mtTrendViewers', 'mtViewers'),
    sessionsPanel(d, reviewHref),
    reviewsPanel(d.reviews),
  ];
}

/** Forget the charts of a page that is leaving. */
export async function dropDashboard() {
  (await import('./chart.js')).dropCharts(null);
}
