// back.js - "Back closes what was opened". A page that opens something
// over itself (a confirmation, a code shown large, the camera) adds a
// history entry with the same address; the phone's Back button then
// closes that layer instead of leaving the page. Closing it on the page
// (its own button, Escape) goes back over the entry, so history is as it
// was. Only one layer is open at a time.

let layer = null; // {close} of the open layer
let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  window.addEventListener('popstate', () => {
    if (!layer) return;
    const l = layer;
    layer = null;
    l.close();
  });
}

/** Open a layer: close() is called when Back (or closeLayer) closes it. */
export function openLayer(close) {
  listen();
  if (layer) {
    // One replaces the other on the same history entry.
    const old = layer;
    layer = { close };
    old.close();
    return;
  }
  history.pushState({ whLayer: true }, '', location.href);
  layer = { close };
}

/** Close the open layer from the page (its button, Escape). */
export function closeLayer() {
  if (!layer) return;
  const l = layer;
  layer = null;
  if (history.state && history.state.whLayer) history.back();
  l.close();
}

/** Forget the open layer without touching history (the page is left). */
export function dropLayer() {
  layer = null;
}

export function layerOpen() {
  return layer !== null;
}
