// main.js - the shell: the header (language switch, the links the page
// modules declare), which page shows, and start-up. It holds no feature's
// routes or words: those come from the page modules listed in pages.js,
// put together by registry.js.
//
// A view (what a route shows) is an object:
//
//   title()                    words for the document title; none: the app's name alone
//   render(root, params, {first})  draws the page into root (a fresh element in
//                              <main id="view-page"> per visit); first: the visit's
//                              first drawing, which may wait for answers; later ones
//                              (after an answer, a language switch) must be synchronous
//   main: 'view-map'           instead of render: the view owns that <main> of index.html,
//   show(params, query), redraw()  is shown with show() (query: the URLSearchParams after
//                              "?" in the hash) and told of a language switch by redraw()
//   leave()                    the route changes to another view
//   skip: {word, target()}     the skip link's words and target (default: the page title)
//
// Page module hooks: start() once before the first route; retext() at
// start and after a language switch, for words in standing elements;
// cacheAgain() when the service worker first takes over.
import { initLang, setLang, lang, t, setWords, HTML_LANG } from './i18n.js';
import { h, $ } from './dom.js';
import { icon } from './icons.js';
import { route, startRouter } from './router.js';
import * as session from './session.js';
import { connectShell } from './page.js';
import { buildRegistry } from './registry.js';
import { PAGES } from './pages.js';
import sharedWords from './words.js';

const reg = buildRegistry(PAGES, sharedWords); // throws on a word or route defined twice
setWords(reg.words);

const el = {};
const navLinks = new Map(); // header link id -> {a, text}
let currentView = null;
let currentParams = {};
let pageRoot = null; // a fresh element per page visit: late answers of a page left behind land nowhere

const valueFor = (v, me) => (typeof v === 'function' ? v(me) : v);

// ---- the header ---------------------------------------------------------------

function buildNav() {
  for (const n of reg.nav) {
    const text = h('span', { id: `nav-${n.id}-text` });
    const a = h(
      'a',
      { id: `nav-${n.id}`, class: 'nav-link', href: '#/' },
      h('span', { id: `nav-${n.id}-icon`, class: 'nav-icon', 'aria-hidden': 'true', svg: icon(n.icon) }),
      text,
    );
    navLinks.set(n.id, { a, text });
    el.nav.append(a);
  }
}

/** The header's links (each for whom it declares), the current one marked. */
function renderNav() {
  const me = session.me();
  const section = reg.sectionOf(currentView || reg.home);
  for (const n of reg.nav) {
    const { a, text } = navLinks.get(n.id);
    a.href = `#${valueFor(n.href, me)}`;
    text.textContent = t(valueFor(n.word, me));
    a.hidden = !session.hasAnyRole(n.roles);
    if (n.id === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  el.skip.textContent = t(skipOf(currentView || reg.home).word);
}

function skipOf(view) {
  return view.skip || { word: 'skipToContent', target: () => $('#page-title') || el.viewPage };
}

function setTitle() {
  const v = currentView || reg.home;
  document.title = v.title ? `${v.title()} - ${t('appName')}` : t('appName');
}

/** Every word outside the current page: the header's, each module's standing ones. */
function applyStaticText() {
  document.documentElement.lang = HTML_LANG[lang()];
  setTitle();
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  el.lang.textContent = t('langButton');
  el.lang.lang = lang() === 'zh' ? 'en' : 'zh-CN';
  el.lang.setAttribute('aria-label', t('langButtonLabel'));
  el.nav.setAttribute('aria-label', t('navLabel'));
  renderNav();
  for (const p of reg.pages) p.retext?.();
}

// ---- which page shows ---------------------------------------------------------

/** Draw the current page again (after an answer, a language switch), keeping focus. */
function redrawPage() {
  if (!currentView || currentView.main || !pageRoot) return;
  const active = document.activeElement && document.activeElement.id;
  currentView.render(pageRoot, currentParams, { first: false });
  if (active && (!document.activeElement || document.activeElement === document.body))
    document.getElementById(active)?.focus();
}

function showRoute(m) {
  if (currentView && currentView !== m.view) currentView.leave?.();
  currentView = m.view;
  currentParams = m.params;
  const own = m.view.main || null;
  for (const r of reg.routes) if (r.view.main) document.getElementById(r.view.main).hidden = r.view.main !== own;
  el.viewPage.hidden = Boolean(own);
  document.body.classList.toggle('is-page', !own);
  renderNav();
  setTitle();
  if (own) {
    pageRoot = null;
    el.viewPage.replaceChildren();
    m.view.show?.(m.params, m.query || new URLSearchParams());
    return;
  }
  pageRoot = h('div', { class: 'page-root' });
  el.viewPage.replaceChildren(pageRoot);
  const root = pageRoot;
  window.scrollTo(0, 0);
  Promise.resolve(m.view.render(root, m.params, { first: true }))
    .catch(() => {
      /* the page shows its own errors */
    })
    .then(() => {
      if (root !== pageRoot) return;
      setTitle();
      const a = document.activeElement;
      if (!a || a === document.body || !el.viewPage.contains(a)) $('#page-title')?.focus();
    });
}

// ---- start-up ------------------------------------------------------------------

function bindEvents() {
  el.lang.addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    applyStaticText();
    if (currentView && !currentView.main) {
      redrawPage();
      setTitle();
      return;
    }
    currentView?.redraw?.();
  });
  // The skip link moves focus without touching the hash (the hash is the route).
  el.skip.addEventListener('click', (e) => {
    e.preventDefault();
    skipOf(currentView || reg.home)
      .target()
      ?.focus();
  });
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // First visit: the answers so far bypassed the worker.
    if (hadController) return;
    for (const p of reg.pages) p.cacheAgain?.();
  });
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    /* no offline support, the page still works */
  });
}

function startRoutes() {
  for (const r of reg.routes) route(r.pattern, r.view);
  connectShell({ redraw: redrawPage, tabs: reg.tabs });
  session.onSessionChange(renderNav);
  startRouter(showRoute);
  // Whether someone is signed in, for the header (asked only when a
  // session may exist).
  session.refresh().catch(() => {});
}

function start() {
  initLang();
  el.lang = $('#lang');
  el.skip = $('#skip');
  el.nav = $('#nav');
  el.viewPage = $('#view-page');
  $('#lang-icon').insertAdjacentHTML('afterbegin', icon('globe'));
  buildNav();
  for (const p of reg.pages) p.start?.();
  bindEvents();
  applyStaticText();
  startRoutes();
  registerServiceWorker();
}

start();
