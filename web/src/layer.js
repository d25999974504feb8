// layer.js - "Back closes what was opened": a dialog or a confirmation a
// page opens adds a history entry (the same URL, so no route changes);
// the phone's Back button takes it off again and closes it. Closed on the
// page instead (a button, Escape), the entry is gone back over.

const stack = []; // {id, close}
let seq = 0;

function onPop(e) {
  const id = e.state && e.state.whLayer;
  // Every layer above the entry Back landed on is closed.
  while (stack.length && stack[stack.length - 1].id !== id) stack.pop().close();
}

let listening = false;

/**
 * Open a layer: close() is called when Back is pressed while it is open.
 * Returns dismiss(): call it when the page closes the layer itself (it
 * does not call close).
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

/** Whether a layer is open (a view leaving may want to know). */
export function layerOpen() {
  return stack.length > 0;
}
