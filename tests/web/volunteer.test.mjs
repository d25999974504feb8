// volunteer.test.mjs - the volunteer pages in node (no browser): their
// routes, a word in Chinese and English for every error code the
// volunteer API answers (read from src/volunteer/volunteer_http.c), and
// "sign-ups paused" saying until when.
//
//   node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PAGES } from '../../web/src/pages.js';
import { buildRegistry } from '../../web/src/registry.js';
import { setWords, setLang, t } from '../../web/src/i18n.js';
import sharedWords from '../../web/src/words.js';
import { ApiError } from '../../web/src/api.js';
import { voProblem, hoursNumber } from '../../web/src/volunteer/common.js';

const registry = buildRegistry(PAGES, sharedWords);
setWords(registry.words);
globalThis.document ??= { documentElement: {} };
const ROOT = new URL('../../', import.meta.url);

test('the volunteer pages are routes; fixed paths come before the patterns', () => {
  const patterns = registry.routes.map((r) => r.pattern);
  for (const p of ['/volunteer', '/volunteer/me', '/volunteer/squads/:id', '/volunteer/squads/:id/new', '/volunteer/activities/:id', '/volunteer/shifts/:id', '/points'])
    assert.ok(patterns.includes(p), `route ${p}`);
  assert.ok(patterns.indexOf('/volunteer/me') < patterns.indexOf('/volunteer/squads/:id'));
});

test('every error code of the volunteer API has words of its own, in both languages', () => {
  const src = readFileSync(new URL('src/volunteer/volunteer_http.c', ROOT), 'utf8');
  const codes = new Set([...src.matchAll(/reply_error\(\s*r,\s*\d+,\s*"([a-z_]+)"/g)].map((m) => m[1]));
  for (const c of ['not_a_member', 'full', 'already_signed_up', 'invalid_qr', 'own_hours']) assert.ok(codes.has(c), `read ${c} from the source`);
  codes.add('signups_paused');
  for (const skip of ['not_found', 'internal', 'invalid_query', 'not_a_street', 'unknown_user', 'invalid_field', 'missing_field']) codes.delete(skip);
  for (const l of ['zh', 'en']) {
    for (const c of codes) assert.ok(registry.words[l][`voErr_${c}`], `voErr_${c} (${l})`);
  }
});

test('sign-ups paused says until when, in the page\'s language', () => {
  const e = new ApiError(403, 'signups_paused', 'paused', { details: { code: 'signups_paused', until: '2027-01-05T10:00:00+08:00' } });
  setLang('zh');
  assert.match(voProblem(e), /暂停到 1月5日 周二 10:00/);
  setLang('en');
  assert.match(voProblem(e), /paused until Tue 5 Jan 10:00/);
  assert.match(voProblem(new ApiError(403, 'signups_paused', 'paused')), /paused for now/);
  assert.equal(voProblem(new ApiError(409, 'already_checked_in', 'x', { field: 'qr' })), t('voErr_already_checked_in'));
  setLang('zh');
  assert.equal(hoursNumber(45), '0.8');
  assert.equal(hoursNumber(120), '2');
});
