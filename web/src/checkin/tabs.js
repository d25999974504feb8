// tabs.js - the check-in pages' own two tabs: scan, today's bookings.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { SITE_STAFF_ROLES } from '../bookings/common.js';

/** The two tabs; providers (who cannot list a site's day) see none. */
export function subTabs(current) {
  if (!session.hasAnyRole(SITE_STAFF_ROLES)) return null;
  return h(
    'nav',
    { class: 'seg seg-mode', 'aria-label': t('ciPagesLabel') },
    h('a', { href: '#/checkin', id: 'ci-tab-scan', class: 'seg-btn', 'aria-current': current === 'scan' ? 'page' : null }, t('ciTabScan')),
    h('a', { href: '#/checkin/today', id: 'ci-tab-today', class: 'seg-btn', 'aria-current': current === 'today' ? 'page' : null }, t('ciTabToday')),
  );
}
