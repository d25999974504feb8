// page.js - the site types (驿站, 暖心驿站, 换电点, ...) for system admins,
// who alone may change them (POST/PATCH/DELETE /api/site-types).
import { t } from '../i18n.js';
import { codeListView } from '../codelist.js';

const words = {
  zh: {
    typesTab: '地点类型',
    typesIntro: '地图和表单里可选的地点类型。等级决定地图上图标的大小（1 最醒目）。还有地点在用的类型不能删除。',
    typeTier: '等级',
    typeTierHint: '1 到 3，选填。',
    typeTierNone: '不分等级',
    typeTierN: '等级 {n}',
  },
  en: {
    typesTab: 'Site types',
    typesIntro: 'The kinds of place the map and the forms offer. The tier sets how prominent the map’s icon is (1 the most). A type still used by a place cannot be deleted.',
    typeTier: 'Tier',
    typeTierHint: '1 to 3, optional.',
    typeTierNone: 'No tier',
    typeTierN: 'Tier {n}',
  },
};

const view = codeListView({
  path: '/sitetypes',
  api: '/api/site-types',
  idp: 'ty',
  title: () => t('typesTab'),
  intro: () => t('typesIntro'),
  extra: [
    {
      key: 'tier',
      label: () => t('typeTier'),
      hint: () => t('typeTierHint'),
      choices: () => [['', t('typeTierNone')], ...[1, 2, 3].map((n) => [String(n), t('typeTierN', { n })])],
    },
  ],
  meta: (x) => (x.tier ? t('typeTierN', { n: x.tier }) : ''),
  toBody: (v) => ({ tier: v.tier ? Number(v.tier) : null }),
  fromItem: (x) => ({ tier: x.tier ? String(x.tier) : '' }),
});

export default {
  id: 'sitetypes',
  words,
  routes: { '/sitetypes': view },
  section: 'admin',
  tab: { id: 'tab-sitetypes', path: '/sitetypes', word: 'typesTab', roles: ['system_admin'] },
};
