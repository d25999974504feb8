// maplayer.js - the grid reports as a layer of the Warm New Map (its
// "问题上报" chip, "?reports=1" in the URL): the public reports in the map's
// box, not yet closed, each a marker linking to its page. The API's map
// answer (GeoJSON, WGS-84) carries no reporter; positions are turned into
// the map's datum here as the rest of the map does (geo.js). Leaflet comes
// with pin.js, loaded the first time the layer shows.
import * as api from '../api.js';
import { wgs84ToGcj02 } from '../geo.js';

const SHOWN = 'open,acknowledged,in_progress,fixed';
let layer = null;
let gen = 0;

/** Show (on) or clear the layer on Leaflet map lmap for bbox (in datum). */
export async function showReportsLayer(lmap, { on, bbox, datum }) {
  const mine = ++gen;
  if (!on) {
    layer?.clear();
    if (lmap) lmap.getContainer().dataset.reports = 'off';
    return;
  }
  try {
    const [{ reportsLayer }, fc] = await Promise.all([import('./pin.js'), api.getJson('/api/reports', { bbox, datum, status: SHOWN, limit: 500 })]);
    if (mine !== gen) return;
    if (!layer || layer.map !== lmap) {
      layer?.remove();
      layer = reportsLayer(lmap);
      layer.map = lmap;
    }
    const features = (fc.features || []).map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = datum === 'gcj02' ? wgs84ToGcj02(lat, lon) : { lat, lon };
      return { ...f, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } };
    });
    layer.show(features);
    lmap.getContainer().dataset.reports = String(features.length);
  } catch {
    /* no reports layer this time: the map still works */
  }
}
