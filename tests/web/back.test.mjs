// back.test.mjs - the one "Back closes what was opened" helper (web/src/
// back.js) against a small model of the browser's session history: Back
// closes the top layer, nested layers close one per Back, a Back that lands
// several entries down closes every layer above, closing on the page goes
// back over its entry, dismiss() does not call close, and the page's own
// history.state is kept.
//
//   node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';

// A session history: entries of {state}, an index, popstate on back().
const listeners = [];
const entries = [{ state: { whSite: 7 } }];
let index = 0;
globalThis.location = { href: 'http://x/#/site/7' };
globalThis.window = { addEventListener: (type, fn) => type === 'popstate' && listeners.push(fn) };
globalThis.history = {
  get state() {
    return entries[index].state;
  },
  pushState(state) {
    entries.splice(index + 1);
    entries.push({ state });
    index++;
  },
  go(n) {
    index += n;
    for (const fn of listeners) fn({ state: entries[index].state });
  },
  back() {
    this.go(-1);
  },
};

const { openLayer, closeLayer, dropLayer, layerOpen } = await import('../../web/src/back.js');

test('Back closes the top layer, then the next; the page keeps its state', () => {
  const closed = [];
  openLayer(() => closed.push('a'));
  openLayer(() => closed.push('b'));
  assert.equal(entries.length, 3);
  assert.equal(history.state.whSite, 7, 'the page state is kept in the entry');
  history.back();
  assert.deepEqual(closed, ['b']);
  assert.ok(layerOpen());
  history.back();
  assert.deepEqual(closed, ['b', 'a']);
  assert.equal(layerOpen(), false);
  assert.equal(index, 0);
});

test('a Back several entries down closes every layer above it', () => {
  const closed = [];
  openLayer(() => closed.push('a'));
  openLayer(() => closed.push('b'));
  openLayer(() => closed.push('c'));
  history.go(-3);
  assert.deepEqual(closed, ['c', 'b', 'a']);
  assert.equal(layerOpen(), false);
});

test('closed on the page: its entry is gone back over, close runs once', () => {
  const closed = [];
  openLayer(() => closed.push('a'));
  closeLayer();
  assert.deepEqual(closed, ['a']);
  assert.equal(index, 0);
  assert.equal(layerOpen(), false);
  closeLayer(); // nothing open: nothing happens
  assert.equal(index, 0);
});

test('dismiss() takes the entry away without calling close; dropLayer forgets', () => {
  const closed = [];
  const dismiss = openLayer(() => closed.push('a'));
  dismiss();
  assert.deepEqual(closed, []);
  assert.equal(index, 0);
  assert.equal(layerOpen(), false);
  dismiss(); // twice: nothing more
  assert.equal(index, 0);
  openLayer(() => closed.push('b'));
  dropLayer();
  assert.equal(layerOpen(), false);
  history.back(); // the page was left: nothing to close
  assert.deepEqual(closed, []);
});
