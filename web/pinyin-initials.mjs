// pinyin-initials.mjs - the pinyin initials table the map's search uses
// ("nxyz" finds 暖新驿站), made at build time from the pinyin-pro package
// (web/build.mjs writes it to dist/pinyin-initials.json; the page fetches it
// on the first search and the service worker keeps it with the shell).
//
// The characters are those of GB 2312 (its 6,763 hanzi: the common ones
// and those of nearly every place name), each under every initial of its
// readings (长 under c and z). pinyin-pro's dictionary is half a megabyte,
// so it is not bundled: the table is ~20 KB.
//
// Format: {"v": 1, "initials": {"a": "啊阿…", "b": "…", …}}.
import { pinyin } from 'pinyin-pro';

/** The hanzi of GB 2312 (rows 0xB0-0xF7, cells 0xA1-0xFE), in its order. */
export function gb2312Hanzi() {
  const dec = new TextDecoder('gb18030');
  const out = [];
  for (let hi = 0xb0; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const c = dec.decode(new Uint8Array([hi, lo]));
      if (/^\p{Script=Han}$/u.test(c)) out.push(c);
    }
  }
  return out;
}

/** The table: for each initial letter, the characters that have it. */
export function pinyinInitialsTable(extra = '') {
  const chars = [...new Set([...gb2312Hanzi(), ...[...extra].filter((c) => /\p{Script=Han}/u.test(c))])];
  const byLetter = {};
  for (const c of chars) {
    const firsts = pinyin(c, { pattern: 'first', toneType: 'none', multiple: true, type: 'array' });
    for (const f of new Set(firsts.map((x) => String(x).toLowerCase()))) {
      if (!/^[a-z]$/.test(f)) continue;
      byLetter[f] = (byLetter[f] || '') + c;
    }
  }
  const initials = {};
  for (const k of Object.keys(byLetter).sort()) initials[k] = byLetter[k];
  return { v: 1, initials };
}
