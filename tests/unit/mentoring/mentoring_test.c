/*
 * mentoring_test.c - unit tests for the mentoring rules in
 * src/mentoring/mentoring.c.
 *
 * The cell readers as the platforms' exports write them (dates with - or /
 * and an optional time, local at UTC+8; durations as h:mm:ss, minutes or
 * 2小时30分; counts with thousands separators and 万; money in yuan with ¥
 * and 万; percentages), and what they refuse; a whole export read through
 * a mapping: all rows good, a bad cell named by row and column, a missing
 * column, two columns for one field, an unterminated quote, duplicate
 * start times, a computed conversion; medians; and the baseline: no flag
 * before three sessions, a flag below 0.7x the median of the previous ten
 * (and not at exactly 0.7x), only the figures that fell.
 */
#include <stdio.h>
#include <string.h>

#include "mentoring/mentoring.h"
#include "test.h"

/* 2026-05-01 00:00 at UTC+8. */
static const int64_t may1 = 1777564800;

static void test_start(void)
{
    int64_t t;
    CHECK(mentoring_parse_start("2026-05-01", 480, &t) == 0);
    CHECK_INT(t, may1);
    CHECK(mentoring_parse_start("2026/5/1 20:00", 480, &t) == 0);
    CHECK_INT(t, may1 + 20 * 3600);
    CHECK(mentoring_parse_start(" 2026-05-01 20:30:15 ", 480, &t) == 0);
    CHECK_INT(t, may1 + 20 * 3600 + 30 * 60 + 15);
    CHECK(mentoring_parse_start("2026-05-01T20:00", 480, &t) == 0);
    CHECK(mentoring_parse_start("2026-02-30", 480, &t) == -1);
    CHECK(mentoring_parse_start("2026-13-01", 480, &t) == -1);
    CHECK(mentoring_parse_start("2026-05/01", 480, &t) == -1);
    CHECK(mentoring_parse_start("2026-05-01 24:00", 480, &t) == -1);
    CHECK(mentoring_parse_start("1999-05-01", 480, &t) == -1);
    CHECK(mentoring_parse_start("20260501", 480, &t) == -1);
    CHECK(mentoring_parse_start("", 480, &t) == -1);
    CHECK(mentoring_parse_start("2026-05-01 20:00 tomorrow", 480, &t) == -1);
}

static void test_duration(void)
{
    int64_t v;
    CHECK(mentoring_parse_duration("02:30:00", &v) == 0);
    CHECK_INT(v, 9000);
    CHECK(mentoring_parse_duration("2:30", &v) == 0);
    CHECK_INT(v, 9000);
    CHECK(mentoring_parse_duration("150", &v) == 0);
    CHECK_INT(v, 9000);
    CHECK(mentoring_parse_duration("2小时30分", &v) == 0);
    CHECK_INT(v, 9000);
    CHECK(mentoring_parse_duration("2小时30分钟10秒", &v) == 0);
    CHECK_INT(v, 9010);
    CHECK(mentoring_parse_duration("2h30m", &v) == 0);
    CHECK_INT(v, 9000);
    CHECK(mentoring_parse_duration("45分钟", &v) == 0);
    CHECK_INT(v, 2700);
    CHECK(mentoring_parse_duration("0", &v) == -1);
    CHECK(mentoring_parse_duration("00:00:00", &v) == -1);
    CHECK(mentoring_parse_duration("2:75", &v) == -1);
    CHECK(mentoring_parse_duration("49:00:00", &v) == -1);
    CHECK(mentoring_parse_duration("two hours", &v) == -1);
    CHECK(mentoring_parse_duration("30 10", &v) == -1);
    CHECK(mentoring_parse_duration("", &v) == -1);
}

static void test_numbers(void)
{
    int64_t v;
    CHECK(mentoring_parse_count("12345", &v) == 0);
    CHECK_INT(v, 12345);
    CHECK(mentoring_parse_count("12,345", &v) == 0);
    CHECK_INT(v, 12345);
    CHECK(mentoring_parse_count("1.2万", &v) == 0);
    CHECK_INT(v, 12000);
    CHECK(mentoring_parse_count("3万", &v) == 0);
    CHECK_INT(v, 30000);
    CHECK(mentoring_parse_count("12.5", &v) == -1); /* no half viewers */
    CHECK(mentoring_parse_count("-3", &v) == -1);
    CHECK(mentoring_parse_count("三百", &v) == -1);
    CHECK(mentoring_parse_count(",123", &v) == -1);
    CHECK(mentoring_parse_count("", &v) == -1);
    CHECK(mentoring_parse_count("99999999999999", &v) == -1);

    CHECK(mentoring_parse_money("18,600.50", &v) == 0);
    CHECK_INT(v, 1860050);
    CHECK(mentoring_parse_money("¥1,234.5", &v) == 0);
    CHECK_INT(v, 123450);
    CHECK(mentoring_parse_money("￥88元", &v) == 0);
    CHECK_INT(v, 8800);
    CHECK(mentoring_parse_money("1.65万", &v) == 0);
    CHECK_INT(v, 1650000);
    CHECK(mentoring_parse_money("0.125", &v) == 0);
    CHECK_INT(v, 13); /* rounded half up to the fen */
    CHECK(mentoring_parse_money("1.2.3", &v) == -1);
    CHECK(mentoring_parse_money("$5", &v) == -1);

    CHECK(mentoring_parse_percent("3.10%", &v) == 0);
    CHECK_INT(v, 310);
    CHECK(mentoring_parse_percent("2.35", &v) == 0);
    CHECK_INT(v, 235);
    CHECK(mentoring_parse_percent("100%", &v) == 0);
    CHECK_INT(v, 10000);
    CHECK(mentoring_parse_percent("100.01%", &v) == -1);
    CHECK(mentoring_parse_percent("%", &v) == -1);

    CHECK_INT(mentoring_conversion_bp(31, 1000), 310);
    CHECK_INT(mentoring_conversion_bp(5, 0), 0);
    CHECK_INT(mentoring_conversion_bp(50, 10), 10000);
}

static const char *sources[] = {"开播时间",   "直播时长",   "累计观看人数", "最高在线人数",
                                "新增粉丝数", "成交订单数", "成交金额",     "成交转化率"};
static enum mentoring_field fields[] = {MF_START,     MF_DURATION, MF_VIEWERS, MF_PEAK,
                                        MF_FOLLOWERS, MF_ORDERS,   MF_GMV,     MF_CONVERSION};

#define HEAD "开播时间,直播时长,累计观看人数,最高在线人数,新增粉丝数,成交订单数,成交金额,标题\r\n"

static void parse(const char *csv, size_t nmap, struct mentoring_import *im, struct arena *a)
{
    struct mentoring_mapping m = {"douyin", nmap, sources, fields};
    mentoring_import_parse(a, csv, strlen(csv), &m, 480, im);
}

static void test_import(void)
{
    struct arena a;
    arena_init(&a);
    struct mentoring_import im;

    parse(HEAD "2026/5/1 20:00,02:30:00,\"12,000\",1300,310,372,\"18,600.50\",春茶\r\n"
               "2026/5/3 20:00,120,1.1万,1200,280,330,1.65万,\r\n",
          8, &im, &a);
    CHECK_INT(im.nerrors, 0);
    CHECK_INT(im.n, 2);
    CHECK_INT(im.sessions[0].starts_at, may1 + 20 * 3600);
    CHECK_INT(im.sessions[0].viewers, 12000);
    CHECK_INT(im.sessions[0].gmv_fen, 1860050);
    CHECK_INT(im.sessions[0].conversion_bp, 310); /* computed: no conversion column */
    CHECK_INT(im.sessions[1].duration_s, 7200);

    /* A bad cell: named by record (header = 1) and the file's column. */
    parse(HEAD "2026/5/1 20:00,60,100,10,1,2,50,\r\n"
               "2026/5/2 20:00,60,100,10,1,二,50,\r\n"
               "2026/5/3 20:00,60,100,200,1,2,50,\r\n",
          8, &im, &a);
    CHECK_INT(im.nerrors, 2);
    CHECK_INT(im.errors[0].row, 3);
    CHECK_STR(im.errors[0].column, "成交订单数");
    CHECK_STR(im.errors[0].code, "invalid_value");
    CHECK_INT(im.errors[1].row, 4);
    CHECK_STR(im.errors[1].column, "最高在线人数");

    /* A short row. */
    parse(HEAD "2026/5/1 20:00,60,100\r\n", 8, &im, &a);
    CHECK_INT(im.nerrors, 4);
    CHECK_STR(im.errors[0].code, "missing_value");

    /* A missing column; two columns for one field. */
    parse("开播时间,直播时长\r\n2026/5/1,60\r\n", 8, &im, &a);
    CHECK(im.nerrors >= 1);
    CHECK_STR(im.errors[0].code, "missing_column");
    CHECK_STR(im.errors[0].column, "累计观看人数");
    CHECK_INT(im.errors[0].row, 1);
    parse("开播时间,直播时长,累计观看人数,最高在线人数,新增粉丝数,成交订单数,成交金额,成交金额\r\n",
          8, &im, &a);
    CHECK_STR(im.errors[0].code, "duplicate_column");

    /* A quote that never closes; an empty file; duplicate starts. */
    parse(HEAD "2026/5/1 20:00,60,100,10,1,2,\"50,\r\n", 8, &im, &a);
    CHECK_INT(im.nerrors, 1);
    CHECK_STR(im.errors[0].code, "invalid_csv");
    CHECK_INT(im.errors[0].row, 2);
    parse("", 8, &im, &a);
    CHECK_STR(im.errors[0].code, "empty_file");
    parse(HEAD, 8, &im, &a);
    CHECK_STR(im.errors[0].code, "empty_file");
    parse(HEAD "2026/5/1 20:00,60,100,10,1,2,50,\r\n2026-05-01 20:00,60,100,10,1,2,50,\r\n", 8, &im,
          &a);
    CHECK_INT(im.nerrors, 1);
    CHECK_STR(im.errors[0].code, "duplicate_session");
    CHECK_INT(im.errors[0].row, 3);

    /* Padded header names are matched. */
    parse(" 开播时间 ,直播时长,累计观看人数,最高在线人数,新增粉丝数,成交订单数,成交金额\r\n"
          "2026/5/1,60,100,10,1,2,50\r\n",
          8, &im, &a);
    CHECK_INT(im.nerrors, 0);
    CHECK_INT(im.n, 1);
    arena_release(&a);
}

static void test_median(void)
{
    double a[] = {5, 1, 3};
    CHECK_NEAR(mentoring_median(a, 3), 3, 1e-9);
    double b[] = {4, 1, 3, 2};
    CHECK_NEAR(mentoring_median(b, 4), 2.5, 1e-9);
    CHECK_NEAR(mentoring_median(NULL, 0), 0, 1e-9);
}

static void test_baseline(void)
{
    struct mentoring_session s[14];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 14; i++) {
        s[i].viewers = 1000;
        s[i].orders = 30;
        s[i].gmv_fen = 100000;
    }
    s[1].viewers = 100;    /* second session: too early for a baseline */
    s[12].viewers = 700;   /* exactly 0.7x: not under */
    s[13].gmv_fen = 60000; /* under in GMV only */
    unsigned low[14];
    double bg[14], bv[14];
    mentoring_flag_sessions(s, 14, low, bg, bv);
    CHECK_INT(low[1], 0);
    CHECK_INT(bv[2], 0);
    CHECK(bv[3] > 0);
    CHECK_INT(low[12], 0);
    CHECK_INT(low[13], MW_GMV);
    CHECK_NEAR(bg[13], 100000, 1e-9);
    /* The previous ten only: a fall long ago does not lower today's base. */
    for (int i = 0; i < 3; i++)
        s[i].viewers = 1;
    s[13].viewers = 600;
    mentoring_flag_sessions(s, 14, low, bg, bv);
    CHECK_NEAR(bv[13], 1000, 1e-9);
    CHECK_INT(low[13], MW_GMV | MW_VIEWERS);
}

static void test_names(void)
{
    CHECK_INT(mentoring_field_by_name("gmv"), MF_GMV);
    CHECK_INT(mentoring_field_by_name("likes"), -1);
    CHECK_STR(mentoring_field_name(MF_FOLLOWERS), "new_followers");
    CHECK(mentoring_category_is_valid("food"));
    CHECK(!mentoring_category_is_valid("Food"));
    CHECK(mentoring_platform_is_valid("douyin"));
    CHECK(!mentoring_platform_is_valid("Douyin"));
    CHECK(!mentoring_platform_is_valid("1688"));
    CHECK(!mentoring_platform_is_valid(""));
}

int main(void)
{
    RUN(test_start);
    RUN(test_duration);
    RUN(test_numbers);
    RUN(test_import);
    RUN(test_median);
    RUN(test_baseline);
    RUN(test_names);
    return test_report("mentoring");
}
