// view.js - CSV export and import of the sites. The import sends the file
// as it is and, when rows are refused, shows them in a table: row, column,
// what is wrong (in the page's language, from the API's stable codes), so
// they can be fixed in the spreadsheet and the file sent again. Nothing is
// saved until every row is right.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';

const $id = (id) => document.getElementById(id);
const MAX_BYTES = 8 * 1024 * 1024;

const st = { file: null, busy: false, alert: '', note: '', rows: null, truncated: false };

/** A refused row's problem in words: the code's word, else the server's text. */
export function problemWord(d) {
  const key = `csvErr_${d.code}`;
  const w = t(key);
  return w === key ? t('csvErrOther', { code: d.code }) : w;
}

async function upload(ev) {
  ev.preventDefault();
  st.alert = '';
  st.note = '';
  st.rows = null;
  const f = $id('csv-file')?.files?.[0];
  if (!f) {
    st.alert = t('csvChooseFirst');
    redraw();
    $id('csv-file')?.focus();
    return;
  }
  if (f.size > MAX_BYTES) {
    st.alert = t('csvTooBig');
    redraw();
    return;
  }
  st.busy = true;
  redraw();
  try {
    const text = await f.text();
    const r = await session.call('POST', '/api/sites/import', { text, contentType: 'text/csv; charset=utf-8' });
    st.note = t('csvImported', { n: r.imported });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'invalid_rows' && e.details && Array.isArray(e.details.details)) {
      st.rows = e.details.details;
      st.truncated = Boolean(e.details.truncated);
      st.alert = t('csvRefused', { n: st.rows.length });
    } else st.alert = errorMessage(e);
  }
  st.busy = false;
  redraw();
  $id('csv-result')?.focus();
}

function errorTable() {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'csv-errors-h' },
    h('h4', { id: 'csv-errors-h' }, t('csvErrorsTitle')),
    h(
      'table',
      { class: 'data-table', id: 'csv-errors' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('csvRow')), h('th', { scope: 'col' }, t('csvColumn')), h('th', { scope: 'col' }, t('csvProblem')))),
      h(
        'tbody',
        null,
        st.rows.map((d) =>
          h(
            'tr',
            { 'data-row': d.row, 'data-column': d.column || '', 'data-code': d.code },
            h('td', null, d.row ? String(d.row) : t('csvWholeFile')),
            h('td', { lang: 'en' }, d.column || '—'),
            h('td', null, problemWord(d)),
          ),
        ),
      ),
    ),
    st.truncated ? h('p', { class: 'muted' }, t('csvTruncated')) : null,
  );
}

export const csvView = {
  title: () => t('csvTab'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/csv', { roles: session.CONSOLE_ROLES })) return;
    if (first) Object.assign(st, { busy: false, alert: '', note: '', rows: null, truncated: false });
    const admin = session.isSystemAdmin();
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/csv'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'csv-export-h' },
          h('h3', { id: 'csv-export-h' }, t('csvExportTitle')),
          h('p', { class: 'muted' }, t('csvExportHint')),
          h('a', { class: 'btn btn-primary', href: '/api/sites/export', download: 'sites.csv', id: 'csv-export' }, t('csvExport')),
        ),
        admin
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'csv-import-h' },
              h('h3', { id: 'csv-import-h' }, t('csvImportTitle')),
              h('p', { class: 'muted' }, t('csvImportHint')),
              h(
                'form',
                { class: 'form', id: 'csv-form', novalidate: true, onsubmit: upload },
                h(
                  'div',
                  { class: 'field' },
                  h('label', { class: 'field-label', for: 'csv-file' }, t('csvFile')),
                  h('input', { type: 'file', id: 'csv-file', class: 'input', accept: '.csv,text/csv' }),
                ),
                button(t('csvImport'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'csv-import', busy: st.busy }),
              ),
              h('div', { id: 'csv-result', tabindex: '-1' }, formAlert(st.alert), formAlert(st.note, 'ok'), st.rows && st.rows.length ? errorTable() : null),
            )
          : h('p', { class: 'muted', id: 'csv-import-none' }, t('csvImportSystemOnly')),
      ),
    );
  },
};
