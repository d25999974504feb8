// page.js - the amenity catalogue (热水, 充电, 卫生间, ...) for system
// admins, who alone may change it (POST/PATCH/DELETE /api/amenities).
import { t } from '../i18n.js';
import { codeListView } from '../codelist.js';

const words = {
  zh: {
    amenTab: '设施目录',
    amenIntro: '地点可以登记的设施。“能数的”要填数量（例如座位、充电口），其他的只有“有/没有”。还有地点在用的设施不能删除。',
    amenKind: '种类',
    amenKind_boolean: '有/没有',
    amenKind_counted: '能数的（填数量）',
    amenIcon: '图标名',
    amenIconHint: '选填，例如 water、bolt。',
  },
  en: {
    amenTab: 'Amenities',
    amenIntro: 'What a place can list. “Counted” ones take a number (seats, charging points); the others are there or not. An amenity still listed by a place cannot be deleted.',
    amenKind: 'Kind',
    amenKind_boolean: 'There or not',
    amenKind_counted: 'Counted (takes a number)',
    amenIcon: 'Icon name',
    amenIconHint: 'Optional, for example water, bolt.',
  },
};

const view = codeListView({
  path: '/amenities',
  api: '/api/amenities',
  idp: 'am',
  title: () => t('amenTab'),
  intro: () => t('amenIntro'),
  extra: [
    { key: 'kind', initial: 'boolean', label: () => t('amenKind'), choices: () => ['boolean', 'counted'].map((k) => [k, t(`amenKind_${k}`)]) },
    { key: 'icon', label: () => t('amenIcon'), hint: () => t('amenIconHint'), choices: null },
  ],
  meta: (x) => [t(`amenKind_${x.kind}`), x.icon].filter(Boolean).join(' · '),
  toBody: (v) => ({ kind: v.kind, icon: v.icon.trim() }),
  fromItem: (x) => ({ kind: x.kind, icon: x.icon || '' }),
});

export default {
  id: 'amenities',
  words,
  routes: { '/amenities': view },
  section: 'admin',
  tab: { id: 'tab-amenities', path: '/amenities', word: 'amenTab', roles: ['system_admin'] },
};
