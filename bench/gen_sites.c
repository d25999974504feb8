/*
 * gen_sites.c - synthetic site networks spread like China's cities.
 *
 * 90% of the sites belong to a city chosen in proportion to its
 * population and lie at a gaussian distance from its centre, with a spread
 * that grows with the square root of the population (5 km for a town of
 * half a million, 23 km for Shanghai). The other 10% are a rural
 * background: a city chosen in proportion to the square root of its
 * population and a spread of 60 to 150 km, which reaches the countryside
 * and the emptier west. Types, tiers and amenities follow a network where
 * most sites are small community stations and a few are fully equipped
 * hubs. The city table below is approximate (written from general
 * knowledge, rounded to 0.01 degree), which is all a benchmark needs.
 */
#include <math.h>
#include <stdlib.h>

#include "gen_sites.h"

static const double gen_pi = 3.14159265358979323846;

/* clang-format off */
const struct gen_city gen_cities[] = {
    /* municipalities and provincial capitals */
    {"Beijing", 39.90, 116.41, 21.5},    {"Shanghai", 31.23, 121.47, 24.9},
    {"Guangzhou", 23.13, 113.26, 18.7},  {"Shenzhen", 22.54, 114.06, 17.6},
    {"Chongqing", 29.56, 106.55, 12.0},  {"Tianjin", 39.13, 117.20, 13.9},
    {"Chengdu", 30.66, 104.07, 16.3},    {"Wuhan", 30.59, 114.31, 12.3},
    {"Xi'an", 34.34, 108.94, 12.9},      {"Hangzhou", 30.27, 120.16, 12.2},
    {"Nanjing", 32.06, 118.80, 9.3},     {"Zhengzhou", 34.75, 113.63, 12.6},
    {"Shenyang", 41.80, 123.43, 9.1},    {"Jinan", 36.65, 117.12, 9.2},
    {"Harbin", 45.80, 126.53, 10.0},     {"Changsha", 28.23, 112.94, 10.0},
    {"Hefei", 31.82, 117.23, 9.4},       {"Kunming", 25.04, 102.71, 8.5},
    {"Fuzhou", 26.07, 119.30, 8.3},      {"Nanning", 22.82, 108.37, 8.7},
    {"Shijiazhuang", 38.04, 114.51, 11.2}, {"Changchun", 43.82, 125.32, 9.1},
    {"Taiyuan", 37.87, 112.55, 5.3},     {"Nanchang", 28.68, 115.86, 6.3},
    {"Guiyang", 26.65, 106.63, 6.0},     {"Urumqi", 43.83, 87.62, 4.1},
    {"Lanzhou", 36.06, 103.83, 4.4},     {"Hohhot", 40.84, 111.75, 3.4},
    {"Yinchuan", 38.49, 106.23, 2.9},    {"Xining", 36.62, 101.78, 2.5},
    {"Lhasa", 29.65, 91.14, 0.9},        {"Haikou", 20.04, 110.32, 2.9},
    /* Jiangsu */
    {"Suzhou", 31.30, 120.62, 12.7},     {"Wuxi", 31.49, 120.31, 7.5},
    {"Changzhou", 31.81, 119.97, 5.3},   {"Nantong", 31.98, 120.89, 7.7},
    {"Xuzhou", 34.26, 117.18, 9.0},      {"Yangzhou", 32.39, 119.41, 4.6},
    {"Zhenjiang", 32.19, 119.42, 3.2},   {"Taizhou JS", 32.46, 119.92, 4.5},
    {"Yancheng", 33.35, 120.16, 6.7},    {"Huai'an", 33.61, 119.02, 4.6},
    {"Lianyungang", 34.60, 119.22, 4.6}, {"Suqian", 33.96, 118.28, 5.0},
    {"Kunshan", 31.38, 120.98, 2.1},     {"Jiangyin", 31.92, 120.29, 1.8},
    {"Changshu", 31.65, 120.75, 1.7},    {"Zhangjiagang", 31.88, 120.55, 1.4},
    {"Yixing", 31.36, 119.82, 1.3},      {"Wujiang", 31.16, 120.64, 1.5},
    {"Wujin", 31.70, 119.95, 1.6},       {"Jiangning", 31.95, 118.84, 1.9},
    {"Pizhou", 34.33, 117.95, 1.5},      {"Xinyi JS", 34.37, 118.35, 1.1},
    {"Dongtai", 32.85, 120.31, 1.0},     {"Rugao", 32.37, 120.57, 1.3},
    {"Haimen", 31.87, 121.17, 0.9},      {"Taixing", 32.17, 120.05, 1.0},
    {"Xinghua", 32.91, 119.85, 1.2},     {"Gaoyou", 32.78, 119.45, 0.7},
    {"Danyang", 32.01, 119.61, 1.0},     {"Ganyu", 34.84, 119.13, 1.1},
    {"Donghai", 34.54, 118.77, 1.0},     {"Guanyun", 34.28, 119.24, 0.8},
    /* Zhejiang */
    {"Ningbo", 29.87, 121.55, 9.4},      {"Wenzhou", 28.00, 120.70, 9.6},
    {"Jiaxing", 30.75, 120.76, 5.4},     {"Huzhou", 30.89, 120.09, 3.4},
    {"Shaoxing", 30.00, 120.58, 5.3},    {"Jinhua", 29.08, 119.65, 7.1},
    {"Taizhou ZJ", 28.66, 121.42, 6.6},  {"Quzhou", 28.97, 118.87, 2.3},
    {"Lishui", 28.45, 119.92, 2.5},      {"Zhoushan", 29.99, 122.21, 1.2},
    {"Yiwu", 29.31, 120.08, 1.9},        {"Cixi", 30.17, 121.27, 1.1},
    {"Zhuji", 29.71, 120.24, 1.2},       {"Yuyao", 30.04, 121.15, 1.3},
    {"Wenling", 28.38, 121.39, 1.4},     {"Rui'an", 27.78, 120.66, 1.5},
    {"Yueqing", 28.13, 120.96, 1.4},     {"Haining", 30.51, 120.68, 1.1},
    {"Tongxiang", 30.63, 120.56, 1.0},   {"Yongkang", 28.89, 120.05, 1.0},
    {"Dongyang", 29.29, 120.24, 1.1},    {"Xiaoshan", 30.16, 120.26, 2.0},
    {"Yuhang", 30.42, 120.30, 1.3},
    /* Shanghai, Beijing, Tianjin, Guangdong districts with their own
     * centres */
    {"Minhang", 31.11, 121.38, 2.7},     {"Songjiang", 31.03, 121.23, 1.9},
    {"Jiading", 31.38, 121.27, 1.8},     {"Baoshan SH", 31.40, 121.49, 2.2},
    {"Changping", 40.22, 116.23, 2.3},   {"Tongzhou", 39.91, 116.66, 1.8},
    {"Binhai", 39.00, 117.71, 2.1},      {"Bao'an", 22.55, 113.88, 4.5},
    {"Longgang", 22.72, 114.25, 4.0},    {"Longhua", 22.66, 114.04, 2.5},
    {"Panyu", 22.94, 113.38, 2.7},       {"Huangpu GZ", 23.18, 113.48, 1.3},
    {"Shunde", 22.80, 113.29, 3.2},      {"Nanhai", 23.03, 113.14, 3.6},
    /* Guangdong */
    {"Dongguan", 23.02, 113.75, 10.4},   {"Foshan", 23.02, 113.12, 5.0},
    {"Shantou", 23.35, 116.68, 5.5},     {"Zhuhai", 22.27, 113.58, 2.4},
    {"Jiangmen", 22.58, 113.08, 4.8},    {"Zhanjiang", 21.27, 110.36, 7.0},
    {"Maoming", 21.66, 110.92, 6.2},     {"Zhaoqing", 23.05, 112.47, 4.1},
    {"Huizhou", 23.11, 114.42, 6.0},     {"Meizhou", 24.29, 116.12, 3.9},
    {"Shanwei", 22.79, 115.37, 2.7},     {"Heyuan", 23.74, 114.70, 2.8},
    {"Yangjiang", 21.86, 111.98, 2.6},   {"Qingyuan", 23.68, 113.06, 4.0},
    {"Zhongshan", 22.52, 113.39, 4.4},   {"Chaozhou", 23.66, 116.62, 2.6},
    {"Jieyang", 23.55, 116.37, 5.6},     {"Yunfu", 22.92, 112.04, 2.4},
    {"Shaoguan", 24.81, 113.60, 2.9},    {"Puning", 23.30, 116.17, 2.5},
    {"Lianjiang", 21.61, 110.29, 1.4},   {"Wuchuan", 21.44, 110.78, 0.9},
    {"Leizhou", 20.91, 110.10, 1.4},     {"Xinyi GD", 22.35, 110.95, 1.0},
    {"Gaozhou", 21.92, 110.85, 1.3},     {"Huazhou", 21.66, 110.64, 1.2},
    {"Taishan", 22.25, 112.79, 0.9},     {"Kaiping", 22.38, 112.70, 0.7},
    /* Anhui */
    {"Wuhu", 31.33, 118.38, 3.6},        {"Bengbu", 32.92, 117.39, 3.3},
    {"Huainan", 32.63, 117.00, 3.0},     {"Ma'anshan", 31.67, 118.51, 2.2},
    {"Anqing", 30.54, 117.06, 4.2},      {"Fuyang", 32.89, 115.81, 8.2},
    {"Bozhou", 33.84, 115.78, 5.0},      {"Suzhou AH", 33.65, 116.98, 5.3},
    {"Lu'an", 31.73, 116.52, 4.4},       {"Chuzhou", 32.30, 118.32, 4.0},
    {"Xuancheng", 30.94, 118.76, 2.5},   {"Huangshan", 29.71, 118.34, 1.3},
    /* Fujian */
    {"Xiamen", 24.48, 118.09, 5.2},      {"Quanzhou", 24.87, 118.68, 8.8},
    {"Zhangzhou", 24.51, 117.65, 5.1},   {"Putian", 25.45, 119.01, 3.2},
    {"Sanming", 26.26, 117.64, 2.5},     {"Nanping", 26.64, 118.18, 2.7},
    {"Longyan", 25.08, 117.02, 2.7},     {"Ningde", 26.66, 119.55, 3.1},
    {"Jinjiang", 24.78, 118.55, 2.1},    {"Fuqing", 25.72, 119.38, 1.3},
    /* Jiangxi */
    {"Ganzhou", 25.83, 114.93, 9.0},     {"Jiujiang", 29.71, 116.00, 4.6},
    {"Shangrao", 28.45, 117.94, 6.5},    {"Yichun JX", 27.81, 114.42, 5.0},
    {"Ji'an", 27.11, 114.99, 4.5},       {"Fuzhou JX", 27.95, 116.36, 3.6},
    {"Pingxiang", 27.62, 113.85, 1.8},   {"Jingdezhen", 29.27, 117.18, 1.6},
    {"Xinyu", 27.82, 114.92, 1.2},       {"Yingtan", 28.26, 117.07, 1.2},
    /* Shandong */
    {"Qingdao", 36.07, 120.38, 10.1},    {"Yantai", 37.46, 121.45, 7.1},
    {"Weifang", 36.71, 119.16, 9.4},     {"Linyi", 35.10, 118.36, 11.0},
    {"Zibo", 36.81, 118.05, 4.7},        {"Jining", 35.41, 116.59, 8.4},
    {"Tai'an", 36.19, 117.09, 5.5},      {"Weihai", 37.51, 122.12, 2.9},
    {"Rizhao", 35.42, 119.53, 3.0},      {"Dezhou", 37.45, 116.36, 5.6},
    {"Liaocheng", 36.45, 115.99, 5.9},   {"Binzhou", 37.38, 117.97, 3.9},
    {"Heze", 35.23, 115.48, 8.8},        {"Zaozhuang", 34.81, 117.32, 3.9},
    {"Dongying", 37.43, 118.67, 2.2},    {"Laiwu", 36.21, 117.68, 1.3},
    {"Zoucheng", 35.40, 116.97, 1.2},    {"Tengzhou", 35.11, 117.16, 1.6},
    {"Shouguang", 36.86, 118.79, 1.1},   {"Zhucheng", 35.99, 119.41, 1.1},
    {"Qingzhou", 36.70, 118.48, 0.9},    {"Laizhou", 37.18, 119.94, 0.9},
    {"Longkou", 37.65, 120.48, 0.7},     {"Rongcheng", 37.17, 122.49, 0.7},
    {"Jiaozhou", 36.29, 120.03, 0.9},    {"Pingdu", 36.78, 119.96, 1.2},
    /* Hebei */
    {"Tangshan", 39.63, 118.18, 7.7},    {"Baoding", 38.87, 115.46, 11.5},
    {"Handan", 36.61, 114.49, 9.4},      {"Xingtai", 37.07, 114.50, 7.1},
    {"Cangzhou", 38.30, 116.84, 7.3},    {"Langfang", 39.52, 116.68, 5.5},
    {"Hengshui", 37.74, 115.67, 4.2},    {"Zhangjiakou", 40.81, 114.88, 4.1},
    {"Chengde", 40.95, 117.96, 3.4},     {"Qinhuangdao", 39.94, 119.60, 3.1},
    {"Dingzhou", 38.52, 114.99, 1.1},    {"Xinji", 37.94, 115.22, 0.6},
    {"Zhuozhou", 39.49, 115.97, 0.7},    {"Sanhe", 39.98, 117.08, 0.8},
    /* Shanxi */
    {"Datong", 40.08, 113.30, 3.1},      {"Changzhi", 36.20, 113.12, 3.2},
    {"Jincheng", 35.49, 112.85, 2.2},    {"Linfen", 36.09, 111.52, 4.0},
    {"Yuncheng", 35.03, 111.00, 4.8},    {"Jinzhong", 37.69, 112.75, 3.4},
    {"Xinzhou", 38.42, 112.73, 2.7},     {"Luliang", 37.52, 111.14, 3.4},
    {"Yangquan", 37.86, 113.58, 1.3},    {"Shuozhou", 39.33, 112.43, 1.6},
    /* Inner Mongolia */
    {"Baotou", 40.66, 109.84, 2.7},      {"Ordos", 39.61, 109.78, 2.2},
    {"Chifeng", 42.26, 118.89, 4.0},     {"Tongliao", 43.65, 122.24, 2.9},
    {"Hulunbuir", 49.21, 119.77, 2.2},   {"Ulanqab", 41.00, 113.13, 1.7},
    {"Bayannur", 40.74, 107.39, 1.5},    {"Wuhai", 39.66, 106.79, 0.6},
    {"Xilinhot", 43.93, 116.09, 0.4},    {"Manzhouli", 49.60, 117.43, 0.3},
    {"Erenhot", 43.65, 111.98, 0.1},
    /* Liaoning */
    {"Dalian", 38.91, 121.61, 7.5},      {"Anshan", 41.11, 122.99, 3.3},
    {"Fushun", 41.88, 123.96, 1.9},      {"Benxi", 41.29, 123.77, 1.3},
    {"Dandong", 40.00, 124.35, 2.2},     {"Jinzhou", 41.10, 121.13, 2.7},
    {"Yingkou", 40.67, 122.24, 2.3},     {"Fuxin", 42.02, 121.67, 1.6},
    {"Liaoyang", 41.27, 123.24, 1.6},    {"Panjin", 41.12, 122.07, 1.4},
    {"Tieling", 42.29, 123.84, 2.4},     {"Chaoyang LN", 41.57, 120.45, 2.9},
    {"Huludao", 40.71, 120.84, 2.4},
    /* Jilin */
    {"Jilin", 43.84, 126.55, 3.6},       {"Siping", 43.17, 124.35, 1.8},
    {"Liaoyuan", 42.89, 125.14, 1.0},    {"Tonghua", 41.73, 125.94, 1.3},
    {"Baishan", 41.94, 126.42, 1.0},     {"Songyuan", 45.14, 124.83, 2.3},
    {"Baicheng", 45.62, 122.84, 1.6},    {"Yanji", 42.89, 129.51, 0.7},
    /* Heilongjiang */
    {"Qiqihar", 47.35, 123.92, 4.1},     {"Mudanjiang", 44.55, 129.63, 2.3},
    {"Jiamusi", 46.80, 130.32, 2.2},     {"Daqing", 46.59, 125.10, 2.8},
    {"Jixi", 45.30, 130.97, 1.5},        {"Hegang", 47.35, 130.30, 0.9},
    {"Shuangyashan", 46.64, 131.16, 1.2}, {"Yichun HL", 47.73, 128.84, 0.9},
    {"Qitaihe", 45.77, 131.00, 0.7},     {"Heihe", 50.25, 127.53, 1.3},
    {"Suihua", 46.65, 126.97, 3.8},
    /* Henan */
    {"Luoyang", 34.62, 112.45, 7.1},     {"Kaifeng", 34.80, 114.31, 4.8},
    {"Pingdingshan", 33.77, 113.19, 5.0}, {"Anyang", 36.10, 114.39, 5.5},
    {"Hebi", 35.75, 114.30, 1.6},        {"Xinxiang", 35.30, 113.93, 6.3},
    {"Jiaozuo", 35.22, 113.24, 3.5},     {"Puyang", 35.76, 115.03, 3.8},
    {"Xuchang", 34.04, 113.85, 4.4},     {"Luohe", 33.58, 114.02, 2.4},
    {"Sanmenxia", 34.77, 111.20, 2.0},   {"Nanyang", 33.00, 112.53, 9.7},
    {"Shangqiu", 34.41, 115.66, 7.8},    {"Xinyang", 32.15, 114.09, 6.2},
    {"Zhoukou", 33.63, 114.70, 9.0},     {"Zhumadian", 32.98, 114.02, 7.0},
    {"Gongyi", 34.75, 112.98, 0.8},      {"Xinzheng", 34.40, 113.74, 1.0},
    {"Yuzhou", 34.14, 113.49, 1.2},      {"Dengzhou", 32.69, 112.09, 1.4},
    {"Yongcheng", 33.93, 116.45, 1.3},   {"Xiangcheng", 33.45, 114.88, 1.0},
    /* Hubei */
    {"Yichang", 30.69, 111.29, 4.0},     {"Xiangyang", 32.01, 112.12, 5.3},
    {"Jingzhou", 30.33, 112.24, 5.2},    {"Shiyan", 32.63, 110.80, 3.2},
    {"Huanggang", 30.45, 114.87, 5.9},   {"Xiaogan", 30.92, 113.92, 4.3},
    {"Jingmen", 31.04, 112.20, 2.6},     {"Ezhou", 30.39, 114.89, 1.1},
    {"Huangshi", 30.20, 115.04, 2.5},    {"Xianning", 29.84, 114.32, 2.7},
    {"Suizhou", 31.69, 113.38, 2.0},     {"Enshi", 30.27, 109.49, 3.5},
    {"Xiantao", 30.36, 113.45, 1.1},     {"Tianmen", 30.66, 113.17, 1.2},
    {"Qianjiang HB", 30.40, 112.90, 0.9}, {"Daye", 30.10, 114.98, 0.9},
    /* Hunan */
    {"Zhuzhou", 27.83, 113.13, 3.9},     {"Xiangtan", 27.83, 112.94, 2.7},
    {"Hengyang", 26.89, 112.57, 6.6},    {"Shaoyang", 27.24, 111.47, 6.6},
    {"Yueyang", 29.36, 113.13, 5.1},     {"Changde", 29.03, 111.70, 5.3},
    {"Zhangjiajie", 29.12, 110.48, 1.5}, {"Yiyang", 28.55, 112.36, 3.9},
    {"Chenzhou", 25.77, 113.01, 4.7},    {"Yongzhou", 26.42, 111.61, 5.3},
    {"Huaihua", 27.57, 110.00, 4.6},     {"Loudi", 27.70, 111.99, 3.8},
    {"Jishou", 28.31, 109.74, 2.5},      {"Liuyang", 28.15, 113.64, 1.4},
    {"Liling", 27.65, 113.50, 0.9},      {"Leiyang", 26.42, 112.86, 1.1},
    /* Guangxi */
    {"Liuzhou", 24.33, 109.42, 4.2},     {"Guilin", 25.27, 110.29, 4.9},
    {"Wuzhou", 23.48, 111.28, 2.8},      {"Beihai", 21.48, 109.12, 1.9},
    {"Qinzhou", 21.98, 108.65, 3.3},     {"Yulin GX", 22.65, 110.18, 5.8},
    {"Baise", 23.90, 106.62, 3.6},       {"Hechi", 24.69, 108.09, 3.4},
    {"Guigang", 23.11, 109.60, 4.3},     {"Laibin", 23.75, 109.22, 2.1},
    {"Hezhou", 24.40, 111.57, 2.0},      {"Chongzuo", 22.38, 107.36, 2.1},
    {"Fangchenggang", 21.69, 108.35, 1.0}, {"Guiping", 23.39, 110.08, 1.4},
    {"Beiliu", 22.71, 110.35, 1.1},      {"Cenxi", 22.92, 110.99, 0.8},
    /* Hainan */
    {"Sanya", 18.25, 109.51, 1.0},       {"Danzhou", 19.52, 109.58, 1.0},
    {"Qionghai", 19.25, 110.47, 0.5},
    /* Sichuan and Chongqing */
    {"Zigong", 29.34, 104.78, 2.5},      {"Panzhihua", 26.58, 101.72, 1.2},
    {"Luzhou", 28.87, 105.44, 4.3},      {"Deyang", 31.13, 104.40, 3.5},
    {"Mianyang", 31.47, 104.68, 4.9},    {"Guangyuan", 32.44, 105.84, 2.3},
    {"Suining", 30.53, 105.59, 2.8},     {"Neijiang", 29.58, 105.06, 3.1},
    {"Leshan", 29.55, 103.77, 3.2},      {"Nanchong", 30.84, 106.11, 5.6},
    {"Meishan", 30.08, 103.85, 3.0},     {"Yibin", 28.77, 104.64, 4.6},
    {"Guang'an", 30.46, 106.63, 3.3},    {"Dazhou", 31.21, 107.47, 5.4},
    {"Ya'an", 29.98, 103.01, 1.4},       {"Bazhong", 31.87, 106.75, 2.7},
    {"Ziyang", 30.13, 104.63, 2.3},      {"Xichang", 27.89, 102.26, 4.9},
    {"Kangding", 30.05, 101.96, 0.1},    {"Emeishan", 29.60, 103.48, 0.4},
    {"Jianyang", 30.41, 104.55, 1.1},    {"Pengzhou", 30.99, 103.96, 0.8},
    {"Dujiangyan", 31.00, 103.62, 0.7},  {"Wanzhou", 30.81, 108.41, 1.6},
    {"Fuling", 29.70, 107.39, 1.1},      {"Qianjiang CQ", 29.53, 108.77, 0.5},
    {"Yongchuan", 29.36, 105.93, 1.1},   {"Hechuan", 29.97, 106.27, 1.3},
    {"Jiangjin", 29.29, 106.26, 1.4},    {"Changshou", 29.86, 107.08, 0.7},
    /* Guizhou */
    {"Zunyi", 27.73, 106.93, 6.6},       {"Anshun", 26.25, 105.95, 2.5},
    {"Liupanshui", 26.59, 104.83, 3.0},  {"Bijie", 27.30, 105.29, 6.9},
    {"Tongren", 27.72, 109.19, 3.3},     {"Kaili", 26.58, 107.98, 3.8},
    {"Duyun", 26.26, 107.52, 3.5},       {"Xingyi", 25.09, 104.90, 3.0},
    {"Renhuai", 27.79, 106.40, 0.6},
    /* Yunnan */
    {"Qujing", 25.49, 103.80, 5.8},      {"Yuxi", 24.35, 102.54, 2.2},
    {"Baoshan YN", 25.11, 99.16, 2.4},   {"Zhaotong", 27.34, 103.72, 5.1},
    {"Lijiang", 26.86, 100.23, 1.2},     {"Pu'er", 22.78, 100.97, 2.4},
    {"Lincang", 23.88, 100.09, 2.2},     {"Dali", 25.61, 100.27, 3.3},
    {"Mengzi", 23.36, 103.38, 4.5},      {"Wenshan", 23.37, 104.24, 3.5},
    {"Jinghong", 22.01, 100.80, 1.3},    {"Chuxiong", 25.04, 101.55, 2.4},
    {"Gejiu", 23.36, 103.16, 0.5},       {"Anning", 24.92, 102.48, 0.5},
    {"Tengchong", 25.02, 98.49, 0.7},    {"Ruili", 24.01, 97.85, 0.3},
    {"Shangri-La", 27.83, 99.71, 0.2},
    /* Shaanxi */
    {"Baoji", 34.36, 107.24, 3.3},       {"Xianyang", 34.33, 108.71, 4.2},
    {"Weinan", 34.50, 109.51, 4.7},      {"Hanzhong", 33.07, 107.03, 3.2},
    {"Yulin SX", 38.29, 109.73, 3.6},    {"Yan'an", 36.59, 109.49, 2.3},
    {"Ankang", 32.68, 109.03, 2.5},      {"Shangluo", 33.87, 109.94, 2.0},
    {"Tongchuan", 34.90, 108.95, 0.7},   {"Hancheng", 35.48, 110.44, 0.4},
    {"Xingping", 34.30, 108.49, 0.5},    {"Shenmu", 38.84, 110.50, 0.6},
    /* Gansu */
    {"Tianshui", 34.58, 105.72, 3.0},    {"Jiuquan", 39.73, 98.49, 1.1},
    {"Zhangye", 38.93, 100.45, 1.1},     {"Wuwei", 37.93, 102.64, 1.5},
    {"Baiyin", 36.54, 104.14, 1.5},      {"Pingliang", 35.54, 106.66, 1.8},
    {"Qingyang", 35.71, 107.64, 2.2},    {"Dingxi", 35.58, 104.63, 2.5},
    {"Longnan", 33.40, 104.92, 2.4},     {"Jiayuguan", 39.77, 98.29, 0.3},
    {"Linxia", 35.60, 103.21, 2.1},      {"Dunhuang", 40.14, 94.66, 0.2},
    /* Ningxia and Qinghai */
    {"Shizuishan", 39.02, 106.38, 0.8},  {"Wuzhong", 37.99, 106.20, 1.4},
    {"Guyuan", 36.02, 106.24, 1.1},      {"Zhongwei", 37.51, 105.19, 1.1},
    {"Golmud", 36.40, 94.90, 0.2},       {"Haidong", 36.50, 102.10, 1.4},
    {"Yushu", 33.00, 97.01, 0.4},
    /* Xinjiang */
    {"Karamay", 45.58, 84.89, 0.5},      {"Turpan", 42.95, 89.19, 0.7},
    {"Hami", 42.83, 93.51, 0.7},         {"Korla", 41.76, 86.15, 1.3},
    {"Aksu", 41.17, 80.26, 2.7},         {"Kashgar", 39.47, 75.99, 4.5},
    {"Hotan", 37.11, 79.92, 2.5},        {"Yining", 43.92, 81.32, 2.9},
    {"Shihezi", 44.31, 86.04, 0.7},      {"Changji", 44.01, 87.30, 1.6},
    {"Altay", 47.84, 88.14, 0.7},        {"Bole", 44.90, 82.07, 0.5},
    {"Tacheng", 46.75, 82.98, 1.1},      {"Aral", 40.55, 81.26, 0.3},
    {"Atushi", 39.71, 76.17, 0.6},       {"Wujiaqu", 44.17, 87.54, 0.1},
    /* Tibet */
    {"Shigatse", 29.27, 88.88, 0.8},     {"Nyingchi", 29.65, 94.36, 0.2},
    {"Qamdo", 31.14, 97.17, 0.8},        {"Nagqu", 31.48, 92.05, 0.5},
    {"Shiquanhe", 32.50, 80.10, 0.1},
};
/* clang-format on */

const size_t gen_city_count = sizeof gen_cities / sizeof gen_cities[0];

const char *const gen_amenity_names[GEN_AMENITY_COUNT] = {
    "water",  "toilet",    "seats",   "charging", "microwave", "first_aid",
    "aircon", "wifi",      "ebike",   "shower",   "rain_gear", "repair_tools",
    "books",  "legal_aid", "lockers", "meals"};

const char *const gen_type_names[GEN_TYPE_COUNT] = {
    "community_station", "partner_shop", "union_station",
    "canteen",           "battery_swap", "industry_hub"};

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t gen_rng_next(struct gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double gen_rng_unit(struct gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) / 9007199254740992.0;
}

double gen_rng_gauss(struct gen_rng *r)
{
    double u = gen_rng_unit(r) + 1e-300, v = gen_rng_unit(r);

    return sqrt(-2 * log(u)) * cos(2 * gen_pi * v);
}

/* Cumulative city weights pop^power, to draw cities by binary search. */
struct gen_pick {
    double cum[sizeof gen_cities / sizeof gen_cities[0]];
    double total;
};

static void gen_pick_init(struct gen_pick *p, double power)
{
    double t = 0;

    for (size_t i = 0; i < gen_city_count; i++) {
        t += pow(gen_cities[i].pop_m, power);
        p->cum[i] = t;
    }
    p->total = t;
}

static size_t gen_pick_city(const struct gen_pick *p, struct gen_rng *r)
{
    double x = gen_rng_unit(r) * p->total;
    size_t lo = 0, hi = gen_city_count - 1;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (p->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A point at a gaussian distance (sigma_km) from a centre. */
static void gen_spread(struct gen_rng *r, const struct gen_city *c,
                       double sigma_km, double *lat, double *lon)
{
    double dlat = gen_rng_gauss(r) * sigma_km / 111.2;
    double dlon =
        gen_rng_gauss(r) * sigma_km / (111.2 * cos(c->lat * gen_pi / 180));

    *lat = c->lat + dlat;
    *lon = c->lon + dlon;
    if (*lat > 89.9)
        *lat = 89.9;
    if (*lat < -89.9)
        *lat = -89.9;
    if (*lon > 180)
        *lon -= 360;
    if (*lon < -180)
        *lon += 360;
}

static double gen_city_sigma_km(const struct gen_city *c)
{
    return 1.5 + 4.5 * sqrt(c->pop_m);
}

static double gen_round6(double x)
{
    return round(x * 1e6) / 1e6;
}

/* Amenities present with these probabilities (percent) at a community
 * station; better-equipped types and higher tiers add to them. */
static const int gen_amenity_pct[GEN_AMENITY_COUNT] = {
    92, 55, 85, 80, 45, 50, 60, 65, 25, 8, 35, 30, 20, 10, 15, 12};

static void gen_one(struct geo_entry *e, int64_t id, struct gen_rng *r,
                    const struct gen_pick *by_pop,
                    const struct gen_pick *by_sqrt)
{
    double lat, lon;
    unsigned roll;
    int boost;

    if (gen_rng_unit(r) < 0.9) {
        const struct gen_city *c = &gen_cities[gen_pick_city(by_pop, r)];

        gen_spread(r, c, gen_city_sigma_km(c), &lat, &lon);
    } else {
        const struct gen_city *c = &gen_cities[gen_pick_city(by_sqrt, r)];

        gen_spread(r, c, 60 + 90 * gen_rng_unit(r), &lat, &lon);
    }
    e->id = id;
    e->lat = gen_round6(lat);
    e->lon = gen_round6(lon);

    roll = (unsigned)(gen_rng_next(r) % 1000);
    if (roll < 620)
        e->type = GEN_COMMUNITY_STATION;
    else if (roll < 820)
        e->type = GEN_PARTNER_SHOP;
    else if (roll < 920)
        e->type = GEN_UNION_STATION;
    else if (roll < 950)
        e->type = GEN_CANTEEN;
    else if (roll < 990)
        e->type = GEN_BATTERY_SWAP;
    else
        e->type = GEN_INDUSTRY_HUB;

    roll = (unsigned)(gen_rng_next(r) % 100);
    if (e->type == GEN_INDUSTRY_HUB)
        e->tier = 3;
    else
        e->tier = roll < 55 ? 0 : roll < 85 ? 1 : roll < 97 ? 2 : 3;

    boost = 10 * e->tier + (e->type == GEN_UNION_STATION ? 15 : 0);
    e->amenities = 0;
    for (int b = 0; b < GEN_AMENITY_COUNT; b++) {
        int pct = gen_amenity_pct[b] + boost;

        if (e->type == GEN_INDUSTRY_HUB || (int)(gen_rng_next(r) % 100) < pct)
            e->amenities |= 1ull << b;
    }
    if (e->type == GEN_CANTEEN)
        e->amenities |= 1ull << GEN_MEALS | 1ull << GEN_MICROWAVE;
    if (e->type == GEN_BATTERY_SWAP)
        e->amenities |= 1ull << GEN_EBIKE_CHARGING;
}

void gen_sites(struct geo_entry *out, size_t n, uint64_t seed)
{
    struct gen_pick *by_pop = malloc(sizeof *by_pop);
    struct gen_pick *by_sqrt = malloc(sizeof *by_sqrt);
    struct gen_rng r;

    if (!by_pop || !by_sqrt)
        abort();
    gen_pick_init(by_pop, 1.0);
    gen_pick_init(by_sqrt, 0.5);
    gen_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        gen_one(&out[i], (int64_t)i + 1, &r, by_pop, by_sqrt);
    free(by_pop);
    free(by_sqrt);
}

void gen_courier_point(struct gen_rng *r, double *lat, double *lon)
{
    /* The weights, computed once per thread on first use. */
    static _Thread_local struct gen_pick by_pop;
    static _Thread_local int ready;
    const struct gen_city *c;

    if (!ready) {
        gen_pick_init(&by_pop, 1.0);
        ready = 1;
    }
    c = &gen_cities[gen_pick_city(&by_pop, r)];
    gen_spread(r, c, gen_city_sigma_km(c), lat, lon);
}
