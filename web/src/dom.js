// dom.js - a small element builder. Text from data always goes in as text;
// only the app's own SVG strings go in through `svg`.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'svg') el.insertAdjacentHTML('afterbegin', v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'hidden') el.hidden = true;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A span with a data text and its language ({text, lang} from pick()). */
export function langText(p, cls) {
  return h('span', { class: cls, lang: p.lang }, p.text);
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

/** The language of a data text given in one language only (a name, a note): Chinese if it has Han characters. */
export function textLang(s) {
  return /[\u3400-\u9fff]/.test(String(s || '')) ? 'zh-CN' : 'en';
}
