// config.js - GET /api/config, asked once and shared: the map's tiles and
// datum, the status TTL, and the server's one role table (each role's name
// and the kinds of place a grant of it may be scoped to).
import { getJson } from './api.js';

let pending = null;

/** The config answer (asked once; again after a failure). */
export function loadConfig() {
  if (!pending) {
    pending = getJson('/api/config').catch((e) => {
      pending = null;
      throw e;
    });
  }
  return pending;
}

/**
 * The roles a person can be granted, in the server's order: [{name,
 * scopes: ['site', 'region', ...]}]. A role without scopes (every
 * signed-in person is a "user") cannot be granted.
 */
export function grantableRoles(config) {
  return ((config && config.roles) || [])
    .map((r) => ({ name: r.name, scopes: String(r.scopes || '').split(',').map((s) => s.trim()).filter(Boolean) }))
    .filter((r) => r.name && r.scopes.length);
}
