// codelist.js - a console for a catalogue of codes with names in two
// languages and a few more fields (the site types, the amenities): the
// list, one form to add or change an entry (the code fixed once made,
// apart from a rename the API allows), delete after a confirmation (the
// API refuses an entry still in use, which is said in words). The
// catalogues the forms pick from (catalogue.js) are loaded afresh after a
// change.
import { h } from './dom.js';
import { t, pick } from './i18n.js';
import { getJson } from './api.js';
import * as session from './session.js';
import { field, bound, options, formAlert, button, rowActions, errorMessage, placeError, focusProblem } from './forms.js';
import { redraw, pageTitle } from './page.js';
import { checkFirst, allowed, tabs } from './console.js';
import { cat } from './catalogue.js';

const $id = (id) => document.getElementById(id);

/**
 * A view for one catalogue. spec: {path, api, idp, title, intro, extra:
 * [{key, label, choices: [[value, word]] | null, hint}], meta(item) -> text,
 * toBody(v) -> extra fields of the body, fromItem(item) -> extra values}.
 */
export function codeListView(spec) {
  const st = { items: null, alert: '', note: '', confirm: null, busy: '', errors: {}, v: null, editing: null };
  const empty = () => ({ code: '', name_zh: '', name_en: '', ...Object.fromEntries(spec.extra.map((x) => [x.key, x.initial ?? ''])) });
  const idp = spec.idp;

  async function load() {
    try {
      st.items = (await getJson(spec.api)).items || [];
    } catch (e) {
      st.items = [];
      st.alert = errorMessage(e);
    }
  }

  async function save(ev) {
    ev.preventDefault();
    const v = st.v;
    st.errors = {};
    st.alert = '';
    st.note = '';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v.code.trim())) st.errors.code = t('clErrCode');
    if (!v.name_zh.trim()) st.errors.name_zh = t('clErrName');
    if (Object.keys(st.errors).length) {
      redraw();
      focusProblem($id('view-page'));
      return;
    }
    const body = { code: v.code.trim(), name_zh: v.name_zh.trim(), name_en: v.name_en.trim(), ...spec.toBody(v) };
    st.busy = 'save';
    redraw();
    try {
      if (st.editing) await session.call('PATCH', `${spec.api}/${encodeURIComponent(st.editing)}`, { json: body });
      else await session.call('POST', spec.api, { json: body });
      st.note = t(st.editing ? 'clSaved' : 'clCreated', { name: body.name_zh });
      st.editing = null;
      st.v = empty();
      cat.types = null; // the forms' catalogues, loaded again when next needed
      await load();
    } catch (e) {
      placeError(st, e, Object.fromEntries(['code', 'name_zh', 'name_en', ...spec.extra.map((x) => x.key)].map((k) => [k, k])));
    }
    st.busy = '';
    redraw();
    if (Object.keys(st.errors).length) focusProblem($id('view-page'));
    else $id(`${idp}-msg`)?.focus();
  }

  async function remove(item) {
    st.busy = `del-${item.code}`;
    st.alert = '';
    st.note = '';
    redraw();
    try {
      await session.call('DELETE', `${spec.api}/${encodeURIComponent(item.code)}`);
      st.note = t('clDeleted', { name: pick(item, 'name').text });
      cat.types = null;
      await load();
    } catch (e) {
      st.alert = e.code === 'in_use' ? t('clInUse', { name: pick(item, 'name').text }) : errorMessage(e);
    }
    st.confirm = null;
    st.busy = '';
    redraw();
    $id(`${idp}-msg`)?.focus();
  }

  function row(item) {
    const name = pick(item, 'name');
    const id = `${idp}-${item.code}`;
    return h(
      'li',
      { class: 'console-card', 'data-code': item.code },
      h('h4', { id: `${id}-h`, lang: name.lang }, name.text),
      h('p', { class: 'muted' }, [item.code, spec.meta(item)].filter(Boolean).join(' · ')),
      rowActions({
        id,
        st,
        key: item.code,
        question: t('clDeleteQ', { name: name.text }),
        busy: st.busy === `del-${item.code}`,
        onYes: () => remove(item),
        draw: redraw,
        onEdit: () => {
          st.editing = item.code;
          st.v = { code: item.code, name_zh: item.name_zh, name_en: item.name_en || '', ...spec.fromItem(item) };
          st.errors = {};
          redraw();
          $id(`${idp}-name_zh`)?.focus();
        },
      }),
    );
  }

  function form() {
    const v = st.v;
    const text = (key, label, attrs, hint) => field({ id: `${idp}-${key}`, name: key, label, hint, error: st.errors[key], input: bound('input', v, key, { type: 'text', autocomplete: 'off', ...attrs }) });
    return h(
      'form',
      { class: 'form', id: `${idp}-form`, novalidate: true, onsubmit: save },
      text('code', t('clCode'), { maxlength: '64', spellcheck: 'false', lang: 'en' }, t('clCodeHint')),
      text('name_zh', t('nameZh'), { maxlength: '200', lang: 'zh-CN' }),
      text('name_en', t('nameEn'), { maxlength: '200', lang: 'en' }, t('optional')),
      spec.extra.map((x) =>
        x.choices
          ? field({ id: `${idp}-${x.key}`, name: x.key, label: x.label(), hint: x.hint?.(), error: st.errors[x.key], input: bound('select', v, x.key, {}, options(x.choices(), v[x.key])) })
          : text(x.key, x.label(), { maxlength: '64', spellcheck: 'false' }, x.hint?.()),
      ),
      h(
        'div',
        { class: 'btn-row' },
        button(t(st.editing ? 'clSave' : 'clAdd'), { type: 'submit', cls: 'btn btn-primary', id: `${idp}-save`, busy: st.busy === 'save' }),
        st.editing
          ? button(t('cancel'), {
              cls: 'btn btn-secondary',
              id: `${idp}-cancel`,
              onclick: () => {
                st.editing = null;
                st.v = empty();
                st.errors = {};
                redraw();
              },
            })
          : null,
      ),
    );
  }

  return {
    title: () => spec.title(),
    async render(root, params, { first }) {
      if (first && !(await checkFirst(root))) return;
      if (!allowed(root, spec.path, { roles: ['system_admin'], denied: 'clSystemOnly' })) return;
      if (first) {
        Object.assign(st, { alert: '', note: '', confirm: null, errors: {}, editing: null, v: empty() });
        root.replaceChildren(h('div', { class: 'page' }, pageTitle(spec.title()), h('p', { class: 'muted' }, t('loading'))));
        await load();
      }
      root.replaceChildren(
        h(
          'div',
          { class: 'page page-wide' },
          pageTitle(t('console')),
          tabs(spec.path),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': `${idp}-title` },
            h('h3', { id: `${idp}-title` }, spec.title()),
            h('p', { class: 'muted' }, spec.intro()),
            h('div', { id: `${idp}-msg`, tabindex: '-1' }, formAlert(st.alert), formAlert(st.note, 'ok')),
            h('p', { class: 'list-status', role: 'status' }, t('clShown', { n: (st.items || []).length })),
            h('ul', { class: 'console-list', id: `${idp}-list` }, (st.items || []).map(row)),
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': `${idp}-form-h` },
            h('h3', { id: `${idp}-form-h` }, st.editing ? t('clEditing', { code: st.editing }) : t('clNew')),
            form(),
          ),
        ),
      );
    },
  };
}
