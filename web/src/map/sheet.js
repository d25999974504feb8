// sheet.js - the site sheet: a bottom sheet on phones, a side panel on wide
// screens. Name, tier, open state, the way there (one tap to a vendor's
// route, time on foot and by bike) and phone first (what a rider needs
// mid-shift), then amenities with live values, hours, address. A site can
// be saved on the device and shared: its address, and a QR code of it.
import { h, langText } from '../dom.js';
import { t, pick, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { hoursRows } from './hours.js';
import { tierBadge, stateLine, liveFor, liveValue, liveAge, etaLine } from './view.js';
import { isFavourite, toggleFavourite } from './favs.js';
import { renderSiteServices } from '../services/site.js';

const NAV = ['amap', 'baidu', 'tencent'];

export function createSheet(root, { onClose, siteUrl = (id) => `${location.origin}/#/site/${id}` }) {
  // The services offered at the open site: asked for once per site and
  // kept in one element, which every redraw (live updates) puts back.
  let services = null; // {id, box, ctrl}
  function servicesBlock() {
    if (!services || services.id !== site.id) {
      services?.ctrl.abort();
      const box = h('div', { class: 'sheet-services' });
      const ctrl = new AbortController();
      services = { id: site.id, box, ctrl };
      renderSiteServices(box, site.id, { heading: 'h3', signal: ctrl.signal }).catch(() => {});
    }
    return services.box;
  }

  let site = null;
  let ctx = null;
  let returnFocus = null;
  let note = '';
  let sharing = false; // the share panel is open
  let qr = { url: '', svg: '' }; // the QR code drawn for url
  let copied = false;

  const title = h('h2', { id: 'sheet-title', class: 'sheet-title', tabindex: '-1' });
  const closeBtn = h('button', {
    type: 'button',
    class: 'btn-icon sheet-close',
    svg: icon('close'),
    onclick: () => close(),
  });
  const body = h('div', { class: 'sheet-body' });
  root.replaceChildren(
    h('div', { class: 'sheet-handle', 'aria-hidden': 'true' }),
    h('div', { class: 'sheet-head' }, title, closeBtn),
    body,
  );
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });

  function amenityList() {
    const items = (site.amenities || []).map((a) => {
      const cat = ctx.catalogue.get(a.code);
      const name = cat ? pick(cat, 'name') : { text: a.code, lang: 'en' };
      const live = liveFor(site, a.code, ctx.ttl);
      const val = liveValue(live);
      const counted = cat ? cat.kind === 'counted' : a.count > 1;
      return h(
        'li',
        {
          class: `amen${live ? ' amen-has-live' : ''}${live && live.stale ? ' amen-stale' : ''}${live && live.working === false ? ' amen-bad' : ''}`,
          'data-code': a.code,
        },
        h('span', { class: 'amen-icon', svg: icon(cat ? cat.icon : 'dot') }),
        h(
          'span',
          { class: 'amen-text' },
          h('span', { class: 'amen-name', lang: name.lang }, name.text),
          counted && a.count ? h('span', { class: 'amen-total' }, t('total', { n: a.count })) : '',
        ),
        live
          ? h(
              'span',
              { class: 'amen-live' },
              val ? h('strong', { class: 'amen-val' }, val) : '',
              h('span', { class: 'amen-age' }, liveAge(live)),
              live.stale
                ? h('span', { class: 'amen-stale-mark', svg: icon('warn', 'icon icon-sm') }, t('stale'))
                : '',
            )
          : '',
      );
    });
    return h('ul', { class: 'amen-list' }, items);
  }

  function stateBlock() {
    return h(
      'div',
      { class: 'sheet-state' },
      stateLine(site, 'state state-big'),
      site.status_reason ? h('p', { class: 'state-reason' }, site.status_reason) : '',
    );
  }

  function navBlock() {
    const nav = site.nav || {};
    const links = NAV.filter((k) => nav[k]).map((k) =>
      h(
        'a',
        {
          class: `btn btn-nav nav-${k}`,
          href: nav[k],
          target: '_blank',
          rel: 'noopener noreferrer',
          'data-nav': k,
          'data-key': `nav-${k}`,
        },
        h('span', { svg: icon('nav') }),
        t(`nav_${k}`),
      ),
    );
    if (!links.length) return '';
    return h(
      'section',
      { class: 'sheet-sec', 'aria-labelledby': 'sheet-nav-h' },
      h('h3', { id: 'sheet-nav-h' }, t('navigate')),
      h('p', { class: 'nav-note' }, t('navNote')),
      h('div', { class: 'nav-btns' }, links),
    );
  }

  function actions() {
    const saved = isFavourite(site.id);
    return h(
      'div',
      { class: 'sheet-actions' },
      h(
        'button',
        {
          type: 'button',
          id: 'sheet-fav',
          class: `btn btn-secondary btn-fav${saved ? ' is-on' : ''}`,
          'aria-pressed': saved ? 'true' : 'false',
          'data-key': 'fav',
          onclick: () => {
            toggleFavourite(site);
            redraw();
          },
        },
        h('span', { svg: icon(saved ? 'starFilled' : 'star') }),
        saved ? t('favSaved') : t('favSave'),
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'sheet-share',
          class: 'btn btn-secondary',
          'aria-expanded': sharing ? 'true' : 'false',
          'aria-controls': 'share-panel',
          'data-key': 'share',
          onclick: () => {
            sharing = !sharing;
            copied = false;
            redraw();
            if (sharing) drawQr();
          },
        },
        h('span', { svg: icon('share') }),
        t('share'),
      ),
    );
  }

  /** The QR code of the site's address (qrcode, bundled; loaded on first use). */
  async function drawQr() {
    const url = siteUrl(site.id);
    if (qr.url === url && qr.svg) return;
    try {
      const QRCode = (await import('qrcode')).default;
      const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      qr = { url, svg };
      if (site && sharing && siteUrl(site.id) === url) redraw();
    } catch {
      /* no QR: the address is there to copy */
    }
  }

  function sharePanel() {
    if (!sharing) return '';
    const url = siteUrl(site.id);
    const name = pick(site, 'name').text;
    return h(
      'section',
      { class: 'sheet-sec share', id: 'share-panel', 'aria-labelledby': 'share-h' },
      h('h3', { id: 'share-h' }, t('shareTitle')),
      h('label', { for: 'share-url', class: 'share-label' }, t('shareLink')),
      h('input', { id: 'share-url', class: 'share-url', type: 'url', readonly: true, value: url, 'data-key': 'share-url' }),
      h(
        'div',
        { class: 'share-btns' },
        h(
          'button',
          {
            type: 'button',
            id: 'share-copy',
            class: 'btn btn-secondary',
            'data-key': 'share-copy',
            onclick: async () => {
              try {
                await navigator.clipboard.writeText(url);
              } catch {
                const input = root.querySelector('#share-url');
                input?.select();
                document.execCommand?.('copy');
              }
              copied = true;
              redraw();
            },
          },
          h('span', { svg: icon('copy') }),
          t('copyLink'),
        ),
        typeof navigator !== 'undefined' && navigator.share
          ? h(
              'button',
              {
                type: 'button',
                id: 'share-native',
                class: 'btn btn-secondary',
                'data-key': 'share-native',
                onclick: () => navigator.share({ title: name, text: name, url }).catch(() => {}),
              },
              h('span', { svg: icon('share') }),
              t('shareTo'),
            )
          : '',
      ),
      copied ? h('p', { class: 'share-done', role: 'status' }, t('copied')) : '',
      qr.url === url && qr.svg
        ? h('figure', { class: 'share-qr' },
            h('div', { class: 'qr', role: 'img', 'aria-label': t('qrLabel', { name }), svg: qr.svg }),
            h('figcaption', null, t('qrNote')))
        : '',
    );
  }

  function render() {
    const name = pick(site, 'name');
    title.textContent = name.text;
    title.lang = name.lang;
    closeBtn.setAttribute('aria-label', t('close'));
    closeBtn.title = t('close');
    const type = ctx.types.get(site.type);
    const typeName = type ? pick(type, 'name') : null;
    const rows = hoursRows(site.opening_hours);
    const addr = pick(site, 'address');
    const phone = (site.phone || '').trim();
    body.replaceChildren(
      h(
        'p',
        { class: 'sheet-sub' },
        tierBadge(site, typeName?.text),
        typeName && site.tier && typeName.text !== t(`tierName_${site.tier}`)
          ? h('span', { lang: typeName.lang }, typeName.text)
          : '',
        site.distance_m != null ? h('span', { class: 'sheet-dist' }, formatDistance(site.distance_m)) : '',
        site.distance_m != null ? etaLine(site.distance_m, 'eta sheet-eta') : '',
      ),
      stateBlock(),
      note ? h('p', { class: 'sheet-note', role: 'status' }, note) : '',
      navBlock(),
      actions(),
      sharePanel(),
      phone
        ? h(
            'section',
            { class: 'sheet-sec', 'aria-labelledby': 'sheet-phone-h' },
            h('h3', { id: 'sheet-phone-h' }, t('phone')),
            h(
              'a',
              { class: 'btn btn-call', href: `tel:${phone.replace(/[^0-9+]/g, '')}`, 'data-key': 'call' },
              h('span', { svg: icon('call') }),
              h('span', { 'aria-hidden': 'true' }, phone),
              h('span', { class: 'visually-hidden' }, t('call', { phone })),
            ),
          )
        : '',
      servicesBlock(),
      site.amenities && site.amenities.length
        ? h(
            'section',
            { class: 'sheet-sec', 'aria-labelledby': 'sheet-amen-h' },
            h('h3', { id: 'sheet-amen-h' }, t('amenities')),
            h('div', { class: 'sheet-amen' }, amenityList()),
          )
        : '',
      h(
        'section',
        { class: 'sheet-sec', 'aria-labelledby': 'sheet-hours-h' },
        h('h3', { id: 'sheet-hours-h' }, t('hours')),
        rows
          ? h(
              'dl',
              { class: 'hours' },
              rows.map((r) => h('div', { class: 'hours-row' }, h('dt', null, r.days), h('dd', null, r.times))),
            )
          : h('p', { class: 'hours-raw', lang: 'en' }, site.opening_hours || '—'),
      ),
      addr.text
        ? h(
            'section',
            { class: 'sheet-sec', 'aria-labelledby': 'sheet-addr-h' },
            h('h3', { id: 'sheet-addr-h' }, t('address')),
            langText(addr, 'sheet-addr'),
          )
        : '',
      site.description || site.capacity
        ? h(
            'section',
            { class: 'sheet-sec', 'aria-labelledby': 'sheet-about-h' },
            h('h3', { id: 'sheet-about-h' }, t('about')),
            site.description ? h('p', { lang: 'zh-CN' }, site.description) : '',
            site.capacity ? h('p', null, t('capacity', { n: site.capacity })) : '',
          )
        : '',
    );
  }

  function open(s, c, { focus = true } = {}) {
    const wasOpen = !root.hidden;
    if (!site || site.id !== s.id) sharing = false;
    site = s;
    ctx = c;
    note = '';
    if (!wasOpen) returnFocus = document.activeElement;
    root.hidden = false;
    document.body.classList.add('sheet-open');
    render();
    body.scrollTop = 0;
    if (focus) title.focus({ preventScroll: true });
  }

  /** Redraw in place: the scroll position and the focused link stay. */
  function redraw() {
    const key = body.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const scroll = body.scrollTop;
    render();
    body.scrollTop = scroll;
    if (key) root.querySelector(`[data-key="${key}"]`)?.focus({ preventScroll: true });
  }

  /** Newer data for the open site (details, a live update). */
  function update(s, c) {
    if (!site || s.id !== site.id) return;
    site = { ...site, ...s };
    if (c) ctx = c;
    redraw();
  }

  function setNote(text) {
    note = text;
    if (site) update(site);
  }

  function close() {
    if (root.hidden) return;
    root.hidden = true;
    document.body.classList.remove('sheet-open');
    const id = site && site.id;
    site = null;
    // Back to where the sheet was opened from; if that element was redrawn
    // meanwhile, to what the caller offers instead.
    const fallback = onClose?.(id);
    const target = returnFocus && returnFocus.isConnected ? returnFocus : fallback;
    returnFocus = null;
    target?.focus();
  }

  return {
    open,
    update,
    close,
    setNote,
    rerender: () => site && redraw(),
    get siteId() {
      return site ? site.id : null;
    },
  };
}
