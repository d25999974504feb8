// The site form's opening-hours editor: its model written as OSM text and
// read back, and what it cannot show (null: the experts' text is kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toOsm, toModel, parseTimes, emptyModel } from '../../web/src/sites/hours.js';

const week = (map) => ({ always: false, days: { Mo: [], Tu: [], We: [], Th: [], Fr: [], Sa: [], Su: [], ...map }, ph: 'same', phTimes: [] });

test('days with the same times are grouped the way OSM writes them', () => {
  const wd = ['08:00-20:00'];
  const we = ['09:00-18:00'];
  assert.equal(toOsm(week({ Mo: wd, Tu: wd, We: wd, Th: wd, Fr: wd, Sa: we, Su: we })), 'Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00');
  assert.equal(toOsm(week({ Mo: wd, We: wd, Th: wd, Fr: wd })), 'Mo,We-Fr 08:00-20:00');
  assert.equal(toOsm({ ...week({ Mo: wd, Tu: wd }), ph: 'off' }), 'Mo,Tu 08:00-20:00; PH off');
  assert.equal(toOsm({ ...week({ Sa: ['08:00-12:00', '14:00-18:00'] }), ph: 'hours', phTimes: ['10:00-16:00'] }), 'Sa 08:00-12:00,14:00-18:00; PH 10:00-16:00');
  const all = Object.fromEntries(['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'].map((d) => [d, ['18:00-02:00']]));
  assert.equal(toOsm(week(all)), 'Mo-Su 18:00-02:00');
  assert.equal(toOsm({ ...emptyModel(), always: true }), '24/7');
  assert.equal(toOsm({ ...emptyModel(), always: true, ph: 'off' }), '24/7; PH off');
  assert.equal(toOsm(week({})), '');
});

test('the texts the editor writes read back to the same model', () => {
  for (const text of ['Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00', 'Mo,We-Fr 08:00-20:00; PH off', 'Sa 08:00-12:00,14:00-18:00; PH 10:00-16:00', '24/7', '24/7; PH off', 'Mo-Su 18:00-02:00'])
    assert.equal(toOsm(toModel(text)), text, text);
});

test('later rules override earlier days, as OSM reads them', () => {
  const m = toModel('Mo-Su 08:00-20:00; Su off');
  assert.deepEqual(m.days.Su, []);
  assert.deepEqual(m.days.Sa, ['08:00-20:00']);
  assert.equal(toOsm(m), 'Mo-Sa 08:00-20:00');
  assert.equal(toModel('Mo-Su 00:00-24:00').always, true);
  assert.deepEqual(toModel('Fr-Mo 10:00-12:00').days.Su, ['10:00-12:00']);
});

test('what the editor cannot show is null', () => {
  for (const text of ['', 'sunrise-sunset', 'Mo-Fr 08:00-20:00 "call first"', 'Jan-Mar Mo 08:00-12:00', 'Mo[1] 09:00-12:00', 'Mo 8:00-12:00', 'Mo-Fr 08:00+', 'week 1-10 Mo 09:00-10:00'])
    assert.equal(toModel(text), null, text);
});

test('times as people type them', () => {
  assert.deepEqual(parseTimes('8-12，14:00至20:00'), { windows: ['08:00-12:00', '14:00-20:00'] });
  assert.deepEqual(parseTimes('22:00-06:00'), { windows: ['22:00-06:00'] });
  assert.deepEqual(parseTimes(''), { windows: [] });
  assert.deepEqual(parseTimes('8:00-12:00, 11:00-13:00'), { error: 'overlap', at: '11:00-13:00' });
  assert.deepEqual(parseTimes('25:00-26:00'), { error: 'format', at: '25:00-26:00' });
  assert.deepEqual(parseTimes('morning'), { error: 'format', at: 'morning' });
  assert.deepEqual(parseTimes('09:00-09:00'), { error: 'format', at: '09:00-09:00' });
});

test('random rules: never a throw; what the editor reads, it writes back stably', () => {
  const days = ['Mo', 'Tu-Th', 'Fr-Mo', 'Sa,Su', 'Mo-Su', 'PH', 'Mo,We,Fr', 'Xx', 'Jan'];
  const times = ['08:00-18:00', '09:00-12:00,14:00-18:00', 'off', '22:00-06:00', '00:00-24:00', '8:00-9:00', '10:00-09:00', 'sunrise-sunset'];
  let seed = 7;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let read = 0;
  for (let i = 0; i < 5000; i++) {
    const rules = Array.from({ length: 1 + rnd(4) }, () => (rnd(12) === 0 ? '24/7' : `${days[rnd(days.length)]} ${times[rnd(times.length)]}`));
    const text = rules.join('; ');
    const m = toModel(text);
    if (!m) continue;
    read++;
    const once = toOsm(m);
    if (!once) continue;
    assert.equal(toOsm(toModel(once)), once, `${text} -> ${once}`);
  }
  assert.ok(read > 500, `only ${read} read`);
});
