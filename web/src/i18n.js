// i18n.js - the page's words in Chinese (first) and English, the current
// language, and the formatters that turn data into plain words.

import { zhAccount, enAccount } from './words-account.js';

const STORE_KEY = 'wh.lang';

const zh = {
  appName: '暖新地图',
  tagline: '骑手、快递员、司机的暖心歇脚点',
  langButton: 'English',
  langButtonLabel: '切换到英文 Switch to English',
  skipToList: '跳到地点列表',
  nearMe: '我的位置',
  locating: '正在定位…',
  locateFailed: '无法获取位置（{reason}）。可以在地图上点一下选定位置。',
  geoDenied: '未允许定位',
  geoUnavailable: '暂时无法定位',
  geoTimeout: '定位超时',
  geoUnsupported: '此浏览器不支持定位',
  pointDefault: '未定位：距离按{place}中心计算。点“我的位置”或在地图上点选。',
  pointGps: '距离按你的位置计算（误差约 {acc}）。',
  pointMap: '距离按你在地图上选的点计算。',
  placeFallback: '服务区',
  needsLabel: '我需要',
  chip_charge: '充电',
  chip_meal: '热饭',
  chip_rest: '休息',
  chip_toilet: '厕所',
  chip_rain: '雨具',
  chip_aid: '急救',
  chip_swap: '换电',
  openNow: '正在营业',
  tierLabel: '类型',
  tier_all: '全部类型',
  tier_1: '产业阵地',
  tier_2: '暖新驿站',
  tier_3: '暖新小屋',
  tier_other: '其他（食堂、换电点等）',
  tierName_1: '产业阵地',
  tierName_2: '暖新驿站',
  tierName_3: '暖新小屋',
  tierName_other: '其他',
  listHeading: '离你最近',
  listCount: '最近的 {n} 处',
  listEmpty: '附近没有符合条件的地点。试试少选几个条件。',
  listError: '地点没有加载出来。',
  retry: '重试',
  loading: '正在加载…',
  more: '显示更多',
  meters: '{n} 米',
  kilometers: '{n} 公里',
  open: '营业中',
  closed: '已关门',
  st_temporarily_closed: '暂停服务',
  st_closed: '已停用',
  st_planned: '筹建中',
  st_removed: '已撤销',
  st_partly_operational: '部分服务',
  closesAt: '{when} 关门',
  opensAt: '{when} 开门',
  open247: '24 小时',
  tomorrow: '明天',
  until: '预计 {when} 恢复',
  weekdays: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  dateFmt: '{m}月{d}日',
  close: '关闭',
  hours: '营业时间',
  amenities: '设施与服务',
  address: '地址',
  phone: '电话',
  call: '拨打 {phone}',
  navigate: '导航前往',
  nav_amap: '高德地图',
  nav_baidu: '百度地图',
  nav_tencent: '腾讯地图',
  capacity: '可容纳 {n} 人',
  about: '简介',
  available: '可用 {n}',
  working: '正常',
  broken: '暂不可用',
  updated: '{age}更新',
  stale: '可能过时',
  total: '共 {n}',
  justNow: '刚刚',
  minAgo: '{n} 分钟前',
  hourAgo: '{n} 小时前',
  dayAgo: '{n} 天前',
  day_Mo: '周一',
  day_Tu: '周二',
  day_We: '周三',
  day_Th: '周四',
  day_Fr: '周五',
  day_Sa: '周六',
  day_Su: '周日',
  day_PH: '节假日',
  daily: '每天',
  off: '休息',
  overnight: '{from}–次日 {to}',
  h24: '全天 24 小时',
  dayRange: '{a}至{b}',
  listSep: '、',
  offline: '可能不是最新：网络不可用，显示的是{age}保存的数据。',
  offlineNoTime: '可能不是最新：网络不可用，显示的是之前保存的数据。',
  tilesFailed: '地图底图加载不了，只显示地点。',
  noTiles: '未配置地图底图，只显示地点。',
  mapLabel: '地图：附近地点',
  clusterLabel: '这里有 {n} 个地点，点按放大',
  clusterOne: '1 个地点，点按查看',
  youAreHere: '你的位置',
  pickedPoint: '选定的位置',
  centrePoint: '中心点',
  siteRemoved: '这个地点已被移除。',
  mapPartial: '地图只显示了部分地点，放大可以看到更多。',
  legend: '图例',
  legendClosed: '空心虚线 = 已关门',
  liveNow: '实时',
  sheetLoading: '正在加载详情…',
  sheetError: '详情没有加载出来。',
  showOnMap: '在地图上看',
};

const en = {
  appName: 'Warm New Map',
  tagline: 'Rest stops for couriers, riders and drivers',
  langButton: '中文',
  langButtonLabel: 'Switch to Chinese 切换到中文',
  skipToList: 'Skip to the list of places',
  nearMe: 'Near me',
  locating: 'Locating…',
  locateFailed: 'Couldn’t get your location ({reason}). Tap the map to pick a point.',
  geoDenied: 'permission denied',
  geoUnavailable: 'position unavailable',
  geoTimeout: 'timed out',
  geoUnsupported: 'this browser cannot locate',
  pointDefault: 'No location yet: distances are from the centre of {place}. Tap “Near me” or tap the map.',
  pointGps: 'Distances from your location (±{acc}).',
  pointMap: 'Distances from the point you picked on the map.',
  placeFallback: 'the service area',
  needsLabel: 'I need',
  chip_charge: 'Charging',
  chip_meal: 'Hot meal',
  chip_rest: 'Rest',
  chip_toilet: 'Toilet',
  chip_rain: 'Rain gear',
  chip_aid: 'First aid',
  chip_swap: 'Battery swap',
  openNow: 'Open now',
  tierLabel: 'Type',
  tier_all: 'All types',
  tier_1: 'Industry hubs',
  tier_2: 'Community stations',
  tier_3: 'Warm Huts',
  tier_other: 'Other (canteens, swap points…)',
  tierName_1: 'Hub',
  tierName_2: 'Station',
  tierName_3: 'Warm Hut',
  tierName_other: 'Other',
  listHeading: 'Nearest',
  listCount: '{n} nearest',
  listEmpty: 'Nothing nearby matches. Try fewer filters.',
  listError: 'Couldn’t load places.',
  retry: 'Retry',
  loading: 'Loading…',
  more: 'Show more',
  meters: '{n} m',
  kilometers: '{n} km',
  open: 'Open',
  closed: 'Closed',
  st_temporarily_closed: 'Temporarily closed',
  st_closed: 'Closed for good',
  st_planned: 'Planned',
  st_removed: 'Removed',
  st_partly_operational: 'Partly open',
  closesAt: 'closes {when}',
  opensAt: 'opens {when}',
  open247: '24 hours',
  tomorrow: 'tomorrow',
  until: 'expected back {when}',
  weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  dateFmt: '{d} {mon}',
  months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  close: 'Close',
  hours: 'Opening hours',
  amenities: 'Amenities',
  address: 'Address',
  phone: 'Phone',
  call: 'Call {phone}',
  navigate: 'Navigate',
  nav_amap: 'Amap',
  nav_baidu: 'Baidu Maps',
  nav_tencent: 'Tencent Maps',
  capacity: 'Room for {n}',
  about: 'About',
  available: '{n} available',
  working: 'Working',
  broken: 'Out of order',
  updated: 'updated {age}',
  stale: 'may be out of date',
  total: '{n} in total',
  justNow: 'just now',
  minAgo: '{n} min ago',
  hourAgo: '{n} h ago',
  dayAgo: '{n} d ago',
  day_Mo: 'Mon',
  day_Tu: 'Tue',
  day_We: 'Wed',
  day_Th: 'Thu',
  day_Fr: 'Fri',
  day_Sa: 'Sat',
  day_Su: 'Sun',
  day_PH: 'Public holidays',
  daily: 'Daily',
  off: 'closed',
  overnight: '{from}–{to} (next day)',
  h24: 'Open 24/7',
  dayRange: '{a}–{b}',
  listSep: ', ',
  offline: 'May be out of date: no network, showing data saved {age}.',
  offlineNoTime: 'May be out of date: no network, showing saved data.',
  tilesFailed: 'The map background can’t load; showing places only.',
  noTiles: 'No map background configured; showing places only.',
  mapLabel: 'Map of nearby places',
  clusterLabel: '{n} places here, tap to zoom in',
  clusterOne: '1 place, tap to see it',
  youAreHere: 'Your location',
  pickedPoint: 'Picked point',
  centrePoint: 'Centre',
  siteRemoved: 'This place was removed.',
  mapPartial: 'The map shows only some places; zoom in to see more.',
  legend: 'Legend',
  legendClosed: 'Hollow, dashed = closed',
  liveNow: 'Live',
  sheetLoading: 'Loading details…',
  sheetError: 'Couldn’t load the details.',
  showOnMap: 'Show on map',
};

const DICTS = { zh: { ...zh, ...zhAccount }, en: { ...en, ...enAccount } };
export const HTML_LANG = { zh: 'zh-CN', en: 'en' };

let current = 'zh';

export function initLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    /* storage may be blocked */
  }
  current = saved === 'en' ? 'en' : 'zh';
  return current;
}

export function lang() {
  return current;
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(STORE_KEY, current);
  } catch {
    /* not remembered, still switched */
  }
  document.documentElement.lang = HTML_LANG[current];
}

/** The word for key, with {name} placeholders filled from params. */
export function t(key, params) {
  const d = DICTS[current];
  let s = key in d ? d[key] : DICTS.zh[key];
  if (s === undefined) return key;
  if (params && typeof s === 'string')
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

/**
 * A data text in the current language: {text, lang} where lang is the
 * HTML language of the text actually shown (Chinese when English is
 * missing), so screen readers pronounce it right.
 */
export function pick(obj, base) {
  const zhText = obj[`${base}_zh`] || '';
  const enText = obj[`${base}_en`] || '';
  if (current === 'en' && enText) return { text: enText, lang: 'en' };
  if (zhText) return { text: zhText, lang: 'zh-CN' };
  return { text: enText, lang: 'en' };
}

export function formatDistance(m) {
  if (m == null || !Number.isFinite(m)) return '';
  if (m < 1000) return t('meters', { n: Math.max(10, Math.round(m / 10) * 10) });
  const km = m < 10000 ? (m / 1000).toFixed(1) : String(Math.round(m / 1000));
  return t('kilometers', { n: km });
}

export function formatAccuracy(m) {
  return formatDistance(Math.max(10, m));
}

/** "3 分钟前" / "3 min ago" for an ISO time. */
export function formatAge(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '';
  const s = Math.max(0, (now - then) / 1000);
  if (s < 60) return t('justNow');
  if (s < 3600) return t('minAgo', { n: Math.floor(s / 60) });
  if (s < 86400) return t('hourAgo', { n: Math.floor(s / 3600) });
  return t('dayAgo', { n: Math.floor(s / 86400) });
}

// Times are shown in China Standard Time (UTC+8) whatever the phone's zone.
const CST_MS = 8 * 3600 * 1000;
const DAY_MS = 86400 * 1000;
const pad = (n) => String(n).padStart(2, '0');

function cst(ms) {
  const d = new Date(ms + CST_MS);
  return {
    day: Math.floor((ms + CST_MS) / DAY_MS),
    hm: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    wd: d.getUTCDay(),
    m: d.getUTCMonth(),
    d: d.getUTCDate(),
  };
}

/** "22:00", "明天 09:00", "周一 09:00", "12月15日 09:00" for an ISO time. */
export function formatWhen(iso, now = Date.now()) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const a = cst(now);
  const b = cst(ms);
  const diff = b.day - a.day;
  if (diff <= 0) return b.hm;
  if (diff === 1) return `${t('tomorrow')} ${b.hm}`;
  if (diff < 7) return `${t('weekdays')[b.wd]} ${b.hm}`;
  return `${formatDate(b)} ${b.hm}`;
}

function formatDate(b) {
  const months = t('months');
  return t('dateFmt', { m: b.m + 1, d: b.d, mon: Array.isArray(months) ? months[b.m] : b.m + 1 });
}

/**
 * The open state of a site in plain words:
 * {open: bool, label: "营业中", detail: "22:00 关门", kind: 'open'|'closed'|'paused'}.
 */
export function openState(site, now = Date.now()) {
  const st = site.status;
  if (st === 'temporarily_closed' || st === 'closed' || st === 'planned' || st === 'removed') {
    const label = t(`st_${st}`);
    let detail = '';
    if (st === 'temporarily_closed' && site.status_until)
      detail = t('until', { when: formatWhen(site.status_until, now) });
    return { open: false, label, detail, kind: 'paused' };
  }
  const partly = st === 'partly_operational' ? t('st_partly_operational') : '';
  if (site.open) {
    const detail = site.next_change
      ? t('closesAt', { when: formatWhen(site.next_change, now) })
      : t('open247');
    return { open: true, label: t('open'), detail, extra: partly, kind: 'open' };
  }
  const detail = site.next_change ? t('opensAt', { when: formatWhen(site.next_change, now) }) : '';
  return { open: false, label: t('closed'), detail, extra: partly, kind: 'closed' };
}
