// back.js - "Back closes what was opened", the one helper every page uses.
// A page that opens something over itself (a confirmation, a code shown
// large, the camera, a ticket slip) adds a history entry with the same
// address, so no route changes; the phone's Back button then closes that
// layer instead of leaving the page. Closed on the page instead (its own
// button, Escape), the entry is gone back over, so history is as it was.
//
// Layers stack: one opened over another gets an entry of its own, and each
// Back closes the top one. Every entry carries its layer's id (beside what
// the page keeps in history.state), so a Back that lands several entries
// down closes every layer above it.

const stack = []; // {id, close}, the top last
let seq = 0;
let listening = false;

function onPop(e) {
  const id = e.state && e.state.whLayer;
  while (stack.length && stack[stack.length - 1].id !== id) stack.pop().close();
}

/**
 * Open a layer: close() is called when Back closes it (or closeLayer,
 * while it is the top one). Returns dismiss(): the page has closed this
 * layer itself and redrawn; its entry is gone back over and close() is
 * not called.
 */
export function openLayer(close) {
  if (!listening) {
    window.addEventListener('popstate', onPop);
    listening = true;
  }
  const id = `l${++seq}`;
  history.pushState({ ...(history.state || {}), whLayer: id }, '', location.href);
  stack.push({ id, close });
  return () => {
    const i = stack.findIndex((l) => l.id === id);
    if (i < 0) return;
    stack.splice(i, 1);
    if (history.state && history.state.whLayer === id) history.back();
  };
}

/** Close the top layer from the page (its button, Escape): its entry is
 * gone back over and its close() is called. */
export function closeLayer() {
  const l = stack.pop();
  if (!l) return;
  if (history.state && history.state.whLayer === l.id) history.back();
  l.close();
}

/** Forget the open layers without touching history (the page is left). */
export function dropLayer() {
  stack.length = 0;
}

/** Whether a layer is open. */
export function layerOpen() {
  return stack.length > 0;
}
