/*
 * hours.c - parser and evaluator for OpenStreetMap opening_hours.
 *
 * The parser is a hand-written scanner over the NUL-terminated source with
 * one byte of position state; it never recurses and every loop consumes
 * input or stops, so its cost is linear in the (capped) length. A rule is
 * read in the fixed order the OSM grammar uses:
 *
 *     [dates] [weekdays and PH] [times | 24/7] [modifier] ["comment"]
 *
 * and each part that is out of order, misspelt or unsupported is refused at
 * its first byte with a message that says what to write instead.
 *
 * Compiling a rule turns its times into two bitmaps of 1440 minutes: the
 * minutes it covers on the day it selects ("today") and those it spills into
 * the next morning ("spill"). Evaluating a day first collects the rules
 * that decide it (those selecting the day, from the last normal rule that
 * wipes the day on) as a 64-bit set, then paints the bitmaps in rule order:
 * open rules set bits, off and unknown rules clear them, fallback rules
 * fill what is still closed. The open minutes of a day are its own "today"
 * bits and the previous day's "spill" bits, less any minutes the day's own
 * explicit off times shut. Equal rule sets paint equal days, so
 * hours_next_change() steps a day at a time, repaints only when the set
 * changes, and finds the next flip with a word scan instead of walking
 * minutes.
 *
 * Dates are plain proleptic Gregorian arithmetic on day numbers (day 0 is
 * 1970-01-01); nothing here consults the C library's time functions.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bits.h"
#include "hours/hours.h"

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

enum { HOURS_DAY_MINUTES = 1440 };
enum { HOURS_WORDS = (HOURS_DAY_MINUTES + 63) / 64 };

/* How a rule joins the one before it. */
enum hours_sep {
    HOURS_SEP_NORMAL = 0,     /* "; " */
    HOURS_SEP_ADDITIONAL = 1, /* ", " */
    HOURS_SEP_FALLBACK = 2    /* " || " */
};

/* The modifier written after a rule's times, if any. */
enum hours_modifier {
    HOURS_MOD_NONE = 0,
    HOURS_MOD_OPEN = 1,
    HOURS_MOD_CLOSED = 2, /* "off" or "closed" */
    HOURS_MOD_UNKNOWN = 3
};

enum hours_date_kind {
    HOURS_DATE_YEARS = 0,  /* 2026, 2026-2027 */
    HOURS_DATE_MONTHS = 1, /* [2026] Jan, [2026] Jan-Mar, Nov-Feb */
    HOURS_DATE_DAYS = 2    /* [2026] Dec 25, Dec 24-26, Jan 01-Feb 15 */
};

/* Weekday occurrence bits: every occurrence, the k-th (1..5), the k-th from
 * the end of the month (-1..-5). */
#define HOURS_NTH_ALL 1u
#define HOURS_NTH_FWD(k) (1u << (k))
#define HOURS_NTH_BACK(k) (1u << (5 + (k)))

struct hours_date_range {
    int16_t y1, y2;         /* years; 0 when the range names none. For
                               months and days y2 is the end year, which is
                               y1 unless the source wrote another */
    uint8_t m1, d1, m2, d2; /* 1..12, 1..31; days are 0 for a month range */
    uint8_t kind;           /* enum hours_date_kind */
    bool is_cont;           /* written ",26" after the previous range */
};

struct hours_time_range {
    uint16_t start;   /* minutes after midnight, 0..1439 */
    uint16_t end;     /* start < end <= start + 1440, at most 2880 */
    bool is_open_end; /* written "18:00+", end is then 1440 */
};

struct hours_rule {
    uint8_t sep;      /* enum hours_sep: how it joins the rule before */
    uint8_t modifier; /* enum hours_modifier */
    bool is_open;     /* the state it paints */
    bool is_wiping;   /* as a normal rule, clears the day before painting */
    bool is_24_7;
    bool has_weekdays; /* a weekday or PH selector was given */
    bool has_ph;
    bool has_comment;
    uint8_t n_dates;
    uint8_t n_times;
    uint16_t weekdays[7];              /* HOURS_NTH_* bits per weekday, 0 = Monday */
    uint16_t comment_off, comment_len; /* into struct hours text */
    struct hours_date_range dates[HOURS_MAX_DATES];
    struct hours_time_range times[HOURS_MAX_TIMES];
    uint64_t today[HOURS_WORDS]; /* minutes covered on the selected day */
    uint64_t spill[HOURS_WORDS]; /* minutes covered the morning after */
};

struct hours {
    size_t n_rules;
    const char *text; /* comment texts, packed, no NULs: in the same
                         allocation, after the rules */
    struct hours_rule rules[];
};

/* One local day as the selectors see it. */
struct hours_dayinfo {
    int32_t ymd;
    int month, mday;
    int year;
    int weekday;      /* effective weekday, 0 = Monday */
    int nth;          /* 1..5: which occurrence of its weekday in the month */
    int nth_from_end; /* 1..5: the same, counted from the month's end */
    bool is_holiday;
};

/* The minutes of one local day as its own rules paint them. */
struct hours_daypaint {
    uint64_t today[HOURS_WORDS]; /* open on the day itself */
    uint64_t spill[HOURS_WORDS]; /* open the next morning, from this day */
    uint64_t shut[HOURS_WORDS];  /* closed by explicit off times: these
                                    minutes also close the previous day's
                                    spill */
};

struct hours_parser {
    const char *s;
    size_t pos;
    struct hours *h;
    size_t text_len;
    struct hours_error *err;
    char text[HOURS_MAX_LEN + 1]; /* the comments, until they are copied */
};

struct hours_writer {
    char *buf;
    size_t cap;
    size_t len; /* length of the whole text, even past cap */
};

/* Local days for 0001-01-01 and 9999-12-31. */
static const int64_t hours_days_min = -719162;
static const int64_t hours_days_max = 2932896;

/* Unix times well inside int64 arithmetic and beyond the supported years;
 * the day range check does the precise work. */
static const int64_t hours_t_limit = (int64_t)1 << 40;

static const char hours_weekday_names[7][3] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
static const char hours_month_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
/* Longest day of each month in any year (Feb 29 is a valid date). */
static const uint8_t hours_month_max_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool hours_is_digit(char c);
static bool hours_is_alpha(char c);
static size_t hours_word_len(const char *p);
static size_t hours_digit_len(const char *p);
static bool hours_word_is(const char *p, const char *w);
static bool hours_word_is_ci(const char *p, size_t n, const char *w);
static int hours_weekday_at(const char *p);
static int hours_month_at(const char *p);
static bool hours_is_ph_at(const char *p);
static bool hours_is_time_at(const char *p);
static bool hours_is_year_at(const char *p);
static bool hours_is_daynum_at(const char *p);
static bool hours_is_247_at(const char *p);
static int hours_modifier_at(const char *p, size_t *len);
static const char *hours_word_hint(const char *p);

static int parser_fail(struct hours_parser *ps, size_t pos, const char *msg);
static int parser_fail_expected(struct hours_parser *ps, size_t pos, const char *msg);
static void parser_skip_ws(struct hours_parser *ps);
static size_t hours_skip_ws_at(const char *s, size_t pos);
static int parser_read_clock(struct hours_parser *ps, int *hour, int *minute);
static int parser_read_day(struct hours_parser *ps, int month, int *day);
static int parser_read_year(struct hours_parser *ps, int *year);
static int parser_time_range(struct hours_parser *ps, struct hours_rule *r);
static int parser_time_list(struct hours_parser *ps, struct hours_rule *r);
static int parser_nth(struct hours_parser *ps, uint16_t *bits);
static int parser_no_offset(struct hours_parser *ps);
static int parser_weekday_list(struct hours_parser *ps, struct hours_rule *r);
static int parser_date_cont(struct hours_parser *ps, const struct hours_date_range *prev,
                            struct hours_date_range *dr);
static int parser_date_range(struct hours_parser *ps, struct hours_date_range *dr);
static int parser_date_list(struct hours_parser *ps, struct hours_rule *r);
static int parser_comment(struct hours_parser *ps, struct hours_rule *r);
static int parser_rule_end(struct hours_parser *ps, const struct hours_rule *r, int stage);
static int parser_rule(struct hours_parser *ps, struct hours_rule *r);
static void hours_rule_compile(struct hours_rule *r);

static int64_t hours_floor_div(int64_t a, int64_t b);
static void hours_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
static bool hours_is_leap(int64_t y);
static int hours_days_in_month(int64_t y, int m);
static const struct hours_day *hours_calendar_find(const struct hours_calendar *cal, int32_t ymd);
static void hours_dayinfo_fill(struct hours_dayinfo *di, int64_t z,
                               const struct hours_calendar *cal);
static bool hours_date_matches(const struct hours_date_range *dr, const struct hours_dayinfo *di);
static bool hours_rule_matches(const struct hours_rule *r, const struct hours_dayinfo *di);
static uint64_t hours_day_rules(const struct hours *h, const struct hours_calendar *cal, int64_t z);
static void hours_paint(const struct hours *h, uint64_t rules, struct hours_daypaint *out);
static void hours_line(const struct hours_daypaint *prev, const struct hours_daypaint *cur,
                       uint64_t line[HOURS_WORDS]);
static bool hours_local_minute(int64_t t, int tz_offset_min, int64_t *day, int *minute);

static void hours_bits_set(uint64_t *w, int from, int to);
static bool hours_bits_get(const uint64_t *w, int i);
static int hours_bits_find(const uint64_t *w, int from, bool state);

static void writer_put(struct hours_writer *w, const char *s, size_t n);
static void writer_str(struct hours_writer *w, const char *s);
static void writer_num(struct hours_writer *w, int v, int width);
static void writer_clock(struct hours_writer *w, int minutes);
static void writer_dates(struct hours_writer *w, const struct hours_rule *r);
static void writer_weekdays(struct hours_writer *w, const struct hours_rule *r);
static void writer_rule(struct hours_writer *w, const struct hours *h, const struct hours_rule *r);

/* ------------------------------------------------------------------------ */
/* Characters and words                                                     */
/* ------------------------------------------------------------------------ */

static bool hours_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool hours_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t hours_word_len(const char *p)
{
    size_t n = 0;
    while (hours_is_alpha(p[n]))
        n++;
    return n;
}

static size_t hours_digit_len(const char *p)
{
    size_t n = 0;
    while (hours_is_digit(p[n]))
        n++;
    return n;
}

/* true if the ASCII word at p is exactly w (case-sensitive). */
static bool hours_word_is(const char *p, const char *w)
{
    size_t n = strlen(w);
    return hours_word_len(p) == n && memcmp(p, w, n) == 0;
}

/* true if the n letters at p spell w in any case. */
static bool hours_word_is_ci(const char *p, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = p[i], b = w[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* 0 (Mo) .. 6 (Su) if p starts with that exact two-letter word, else -1. */
static int hours_weekday_at(const char *p)
{
    if (hours_word_len(p) != 2)
        return -1;
    for (int i = 0; i < 7; i++)
        if (p[0] == hours_weekday_names[i][0] && p[1] == hours_weekday_names[i][1])
            return i;
    return -1;
}

/* 1 (Jan) .. 12 (Dec) if p starts with that exact three-letter word. */
static int hours_month_at(const char *p)
{
    if (hours_word_len(p) != 3)
        return -1;
    for (int i = 0; i < 12; i++)
        if (memcmp(p, hours_month_names[i], 3) == 0)
            return i + 1;
    return -1;
}

static bool hours_is_ph_at(const char *p)
{
    return hours_word_is(p, "PH");
}

/* H:MM or HH:MM starts here (the minutes are checked when read). */
static bool hours_is_time_at(const char *p)
{
    size_t n = hours_digit_len(p);
    return (n == 1 || n == 2) && p[n] == ':';
}

/* Exactly four digits that are not the hour of a time. */
static bool hours_is_year_at(const char *p)
{
    return hours_digit_len(p) == 4 && p[4] != ':';
}

/* One or two digits that are not the hour of a time (nor "24/7"): a day of
 * the month. */
static bool hours_is_daynum_at(const char *p)
{
    size_t n = hours_digit_len(p);
    return (n == 1 || n == 2) && p[n] != ':' && p[n] != '/';
}

static bool hours_is_247_at(const char *p)
{
    return strncmp(p, "24/7", 4) == 0 && !hours_is_alpha(p[4]) && !hours_is_digit(p[4]);
}

/* The modifier spelt at p, with its length in *len, or HOURS_MOD_NONE. */
static int hours_modifier_at(const char *p, size_t *len)
{
    static const struct {
        const char *word;
        int mod;
    } words[] = {{"off", HOURS_MOD_CLOSED},
                 {"closed", HOURS_MOD_CLOSED},
                 {"open", HOURS_MOD_OPEN},
                 {"unknown", HOURS_MOD_UNKNOWN}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (hours_word_is(p, words[i].word)) {
            *len = strlen(words[i].word);
            return words[i].mod;
        }
    return HOURS_MOD_NONE;
}

/* A message for a word or character that people write but that is refused
 * (unsupported features, wrong capitalisation), or NULL when p holds
 * nothing known. Words the grammar accepts as written get NULL. */
static const char *hours_word_hint(const char *p)
{
    static const char *const weekday_words[] = {
        "mo",     "tu",      "we",        "th",       "fr",     "sa",       "su",
        "mon",    "tue",     "wed",       "thu",      "fri",    "sat",      "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    static const char *const month_words[] = {
        "jan",  "feb",  "mar",    "apr",       "may",     "jun",      "jul",      "aug",
        "sep",  "oct",  "nov",    "dec",       "january", "february", "march",    "april",
        "june", "july", "august", "september", "october", "november", "december", "sept"};
    static const char *const modifier_words[] = {"off", "closed", "open", "unknown"};
    size_t n = hours_word_len(p);
    size_t mod_len;

    if (n == 0) {
        if (*p == '(')
            return "variable times (sunrise, sunset, dawn, dusk) are not "
                   "supported";
        return NULL;
    }
    if (hours_weekday_at(p) >= 0 || hours_month_at(p) > 0 || hours_is_ph_at(p) ||
        hours_modifier_at(p, &mod_len) != HOURS_MOD_NONE)
        return NULL;
    if (hours_word_is(p, "SH"))
        return "school holidays are not supported";
    if (hours_word_is_ci(p, n, "sunrise") || hours_word_is_ci(p, n, "sunset") ||
        hours_word_is_ci(p, n, "dawn") || hours_word_is_ci(p, n, "dusk"))
        return "variable times (sunrise, sunset, dawn, dusk) are not "
               "supported";
    if (hours_word_is_ci(p, n, "easter"))
        return "easter is not supported";
    if (hours_word_is_ci(p, n, "week"))
        return "week numbers are not supported";
    if (hours_word_is_ci(p, n, "sh"))
        return "school holidays are not supported";
    if (hours_word_is_ci(p, n, "ph"))
        return "public holidays are written PH";
    for (size_t i = 0; i < sizeof weekday_words / sizeof weekday_words[0]; i++)
        if (hours_word_is_ci(p, n, weekday_words[i]))
            return "weekdays are written Mo Tu We Th Fr Sa Su";
    for (size_t i = 0; i < sizeof month_words / sizeof month_words[0]; i++)
        if (hours_word_is_ci(p, n, month_words[i]))
            return "months are written Jan Feb Mar Apr May Jun Jul Aug Sep "
                   "Oct Nov Dec";
    for (size_t i = 0; i < sizeof modifier_words / sizeof modifier_words[0]; i++)
        if (hours_word_is_ci(p, n, modifier_words[i]))
            return "modifiers are written off, closed, open, unknown";
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Parser helpers                                                           */
/* ------------------------------------------------------------------------ */

/* Record the fault (when the caller asked for it) and return -1. */
static int parser_fail(struct hours_parser *ps, size_t pos, const char *msg)
{
    if (ps->err) {
        size_t n = strlen(msg);
        if (n >= sizeof ps->err->message)
            n = sizeof ps->err->message - 1;
        ps->err->pos = pos;
        memcpy(ps->err->message, msg, n);
        ps->err->message[n] = '\0';
    }
    return -1;
}

/* Fail at pos with msg, unless pos holds something with a better message
 * of its own (an unsupported feature, a misspelt word). */
static int parser_fail_expected(struct hours_parser *ps, size_t pos, const char *msg)
{
    const char *hint = hours_word_hint(ps->s + pos);
    return parser_fail(ps, pos, hint ? hint : msg);
}

static size_t hours_skip_ws_at(const char *s, size_t pos)
{
    while (s[pos] == ' ' || s[pos] == '\t')
        pos++;
    return pos;
}

static void parser_skip_ws(struct hours_parser *ps)
{
    ps->pos = hours_skip_ws_at(ps->s, ps->pos);
}

/* Read H:MM or HH:MM at ps->pos, where hours_is_time_at() holds. Checks the
 * minutes (00-59, exactly two digits) but leaves the hour's range to the
 * caller. Returns 0 and advances, or -1. */
static int parser_read_clock(struct hours_parser *ps, int *hour, int *minute)
{
    const char *p = ps->s + ps->pos;
    size_t n = hours_digit_len(p);
    int h = 0;

    for (size_t i = 0; i < n; i++)
        h = h * 10 + (p[i] - '0');
    if (!hours_is_digit(p[n + 1]) || !hours_is_digit(p[n + 2]) || hours_is_digit(p[n + 3]))
        return parser_fail(ps, ps->pos, "expected time like 08:00");
    int m = (p[n + 1] - '0') * 10 + (p[n + 2] - '0');
    if (m > 59)
        return parser_fail(ps, ps->pos + n + 1, "minutes must be 00-59");
    ps->pos += n + 3;
    *hour = h;
    *minute = m;
    return 0;
}

/* Read a day of the month at ps->pos (hours_is_daynum_at() holds) and check
 * that the month can have it. Returns 0 and advances, or -1. */
static int parser_read_day(struct hours_parser *ps, int month, int *day)
{
    const char *p = ps->s + ps->pos;
    size_t n = hours_digit_len(p);
    int d = 0;

    for (size_t i = 0; i < n; i++)
        d = d * 10 + (p[i] - '0');
    if (d < 1 || d > hours_month_max_days[month])
        return parser_fail(ps, ps->pos, "day out of range for the month");
    ps->pos += n;
    *day = d;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Parser: times                                                            */
/* ------------------------------------------------------------------------ */

/* One "HH:MM-HH:MM" or "HH:MM+" at ps->pos into the rule's next slot.
 * Returns 0 or -1 with the fault recorded. */
static int parser_time_range(struct hours_parser *ps, struct hours_rule *r)
{
    size_t p0 = ps->pos;
    int h1 = 0, m1 = 0, h2 = 0, m2 = 0;

    if (r->n_times >= HOURS_MAX_TIMES)
        return parser_fail(ps, p0, "too many time ranges in one rule (at most 32)");
    if (parser_read_clock(ps, &h1, &m1))
        return -1;
    if (h1 > 23)
        return parser_fail(ps, p0,
                           h1 == 24 && m1 == 0 ? "a time range cannot start at 24:00"
                                               : "a start hour must be 00-23");
    struct hours_time_range *tr = &r->times[r->n_times];
    tr->start = (uint16_t)(h1 * 60 + m1);
    if (ps->s[ps->pos] == '+') {
        ps->pos++;
        tr->end = HOURS_DAY_MINUTES;
        tr->is_open_end = true;
        r->n_times++;
        return 0;
    }
    parser_skip_ws(ps);
    if (ps->s[ps->pos] != '-')
        return parser_fail(ps, ps->pos, "expected '-' and an end time, like 08:00-12:00");
    ps->pos++;
    parser_skip_ws(ps);
    size_t pe = ps->pos;
    if (!hours_is_time_at(ps->s + pe))
        return parser_fail_expected(ps, pe, "expected time like 08:00");
    if (parser_read_clock(ps, &h2, &m2))
        return -1;
    if (h2 > 48 || (h2 == 48 && m2 > 0))
        return parser_fail(ps, pe, "an end time must be at most 48:00");
    int start = h1 * 60 + m1, end = h2 * 60 + m2;
    if (end == start)
        return parser_fail(ps, pe,
                           "end time equals start time; for a whole day "
                           "write 00:00-24:00");
    if (end < start)
        end += HOURS_DAY_MINUTES; /* 22:00-06:00 runs into the next day */
    if (end - start > HOURS_DAY_MINUTES)
        return parser_fail(ps, pe, "a time range cannot be longer than 24 hours");
    if (ps->s[ps->pos] == '+')
        return parser_fail(ps, ps->pos,
                           "an open end after a time range is not "
                           "supported; write 18:00+ or 18:00-02:00");
    if (ps->s[ps->pos] == '/')
        return parser_fail(ps, ps->pos,
                           "repeating times like 10:00-16:00/01:00 are not "
                           "supported");
    tr->end = (uint16_t)end;
    tr->is_open_end = false;
    r->n_times++;
    return 0;
}

/* Time ranges joined by ','. A ',' not followed by a time is left for the
 * caller: it joins an additional rule. */
static int parser_time_list(struct hours_parser *ps, struct hours_rule *r)
{
    for (;;) {
        if (parser_time_range(ps, r))
            return -1;
        size_t look = hours_skip_ws_at(ps->s, ps->pos);
        if (ps->s[look] != ',')
            return 0;
        look = hours_skip_ws_at(ps->s, look + 1);
        if (!hours_is_time_at(ps->s + look))
            return 0;
        ps->pos = look;
    }
}

/* ------------------------------------------------------------------------ */
/* Parser: weekdays and PH                                                  */
/* ------------------------------------------------------------------------ */

/* "[1]", "[-1]", "[1,3]", "[1-2]" at ps->pos (on the '['): the occurrence
 * bits of a weekday. Returns 0 or -1. */
static int parser_nth(struct hours_parser *ps, uint16_t *bits)
{
    const char *s = ps->s;
    const char *msg = "expected a number 1 to 5 or -1 to -5 inside [ ]";

    ps->pos++;
    for (;;) {
        parser_skip_ws(ps);
        bool is_back = false;
        if (s[ps->pos] == '-') {
            is_back = true;
            ps->pos++;
        }
        if (!hours_is_digit(s[ps->pos]) || hours_is_digit(s[ps->pos + 1]) || s[ps->pos] < '1' ||
            s[ps->pos] > '5')
            return parser_fail(ps, ps->pos, msg);
        int lo = s[ps->pos] - '0', hi = lo;
        ps->pos++;
        parser_skip_ws(ps);
        if (!is_back && s[ps->pos] == '-') {
            ps->pos++;
            parser_skip_ws(ps);
            if (!hours_is_digit(s[ps->pos]) || hours_is_digit(s[ps->pos + 1]) || s[ps->pos] < '1' ||
                s[ps->pos] > '5')
                return parser_fail(ps, ps->pos, msg);
            hi = s[ps->pos] - '0';
            if (hi < lo)
                return parser_fail(ps, ps->pos, "the range inside [ ] goes backwards");
            ps->pos++;
            parser_skip_ws(ps);
        }
        for (int k = lo; k <= hi; k++)
            *bits |= (uint16_t)(is_back ? HOURS_NTH_BACK(k) : HOURS_NTH_FWD(k));
        if (s[ps->pos] == ',') {
            ps->pos++;
            continue;
        }
        if (s[ps->pos] == ']') {
            ps->pos++;
            return 0;
        }
        return parser_fail(ps, ps->pos, "expected ',' or ']'");
    }
}

/* Refuse a day offset ("Sa[1] +2 days", "PH -1 day") after a selector. */
static int parser_no_offset(struct hours_parser *ps)
{
    size_t look = hours_skip_ws_at(ps->s, ps->pos);
    char c = ps->s[look];
    if ((c == '+' || c == '-') && hours_is_digit(ps->s[look + 1]))
        return parser_fail(ps, look, "day offsets like +1 day are not supported");
    return 0;
}

/* Weekdays, weekday ranges, nth weekdays and PH joined by ','. Starts on a
 * weekday or PH. Returns 0 or -1. */
static int parser_weekday_list(struct hours_parser *ps, struct hours_rule *r)
{
    const char *s = ps->s;

    r->has_weekdays = true;
    for (;;) {
        if (hours_is_ph_at(s + ps->pos)) {
            r->has_ph = true;
            ps->pos += 2;
            if (s[ps->pos] == '[')
                return parser_fail(ps, ps->pos, "PH takes no [n]");
            if (parser_no_offset(ps))
                return -1;
        } else {
            int a = hours_weekday_at(s + ps->pos);
            ps->pos += 2;
            if (s[ps->pos] == '[') {
                if (parser_nth(ps, &r->weekdays[a]) || parser_no_offset(ps))
                    return -1;
            } else {
                size_t look = hours_skip_ws_at(s, ps->pos);
                if (s[look] == '-') {
                    ps->pos = hours_skip_ws_at(s, look + 1);
                    int b = hours_weekday_at(s + ps->pos);
                    if (b < 0)
                        return parser_fail_expected(ps, ps->pos, "expected a weekday after '-'");
                    ps->pos += 2;
                    if (s[ps->pos] == '[')
                        return parser_fail(ps, ps->pos,
                                           "[n] needs a single weekday, "
                                           "like Sa[1]");
                    for (int d = a;; d = (d + 1) % 7) {
                        r->weekdays[d] |= HOURS_NTH_ALL;
                        if (d == b)
                            break;
                    }
                } else {
                    r->weekdays[a] |= HOURS_NTH_ALL;
                }
            }
        }
        size_t look = hours_skip_ws_at(s, ps->pos);
        if (s[look] == ',') {
            look = hours_skip_ws_at(s, look + 1);
            if (hours_weekday_at(s + look) < 0 && !hours_is_ph_at(s + look))
                return parser_fail_expected(ps, look,
                                            "expected a weekday or PH "
                                            "after ','");
            ps->pos = look;
            continue;
        }
        if (hours_weekday_at(s + look) >= 0 || hours_is_ph_at(s + look))
            return parser_fail(ps, look,
                               "separate weekdays and PH with ',', like "
                               "Sa,Su,PH");
        ps->pos = look;
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Parser: years, months and dates                                          */
/* ------------------------------------------------------------------------ */

/* ",26" or ",24-26" after a day range: days in the month (and year) where
 * prev ended. Returns 0 or -1. */
static int parser_date_cont(struct hours_parser *ps, const struct hours_date_range *prev,
                            struct hours_date_range *dr)
{
    int d1, d2;

    memset(dr, 0, sizeof *dr);
    dr->kind = HOURS_DATE_DAYS;
    dr->is_cont = true;
    dr->m1 = dr->m2 = prev->m2;
    dr->y1 = dr->y2 = prev->y2;
    size_t pos_d1 = ps->pos;
    size_t pos_d2 = pos_d1;
    if (parser_read_day(ps, prev->m2, &d1))
        return -1;
    d2 = d1;
    size_t look = hours_skip_ws_at(ps->s, ps->pos);
    if (ps->s[look] == '-') {
        ps->pos = hours_skip_ws_at(ps->s, look + 1);
        size_t pe = ps->pos;
        if (!hours_is_daynum_at(ps->s + pe))
            return parser_fail_expected(ps, pe, "expected a day after '-'");
        pos_d2 = pe;
        if (parser_read_day(ps, prev->m2, &d2))
            return -1;
        if (d2 < d1)
            return parser_fail(ps, pe, "the day range goes backwards");
    }
    if (prev->y2 && d1 > hours_days_in_month(prev->y2, prev->m2))
        return parser_fail(ps, pos_d1, "that year has no such day");
    if (prev->y2 && d2 > hours_days_in_month(prev->y2, prev->m2))
        return parser_fail(ps, pos_d2, "that year has no such day");
    dr->d1 = (uint8_t)d1;
    dr->d2 = (uint8_t)d2;
    return 0;
}

/* Read 4 digits at ps->pos (hours_is_year_at() holds) as a year 1900-9999. */
static int parser_read_year(struct hours_parser *ps, int *year)
{
    const char *p = ps->s + ps->pos;
    int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    if (y < 1900)
        return parser_fail(ps, ps->pos, "a year must be 1900-9999");
    ps->pos += 4;
    *year = y;
    return 0;
}

/* One year, month or date range starting on a year or a month name:
 *   2026 | 2026-2027 | [2026] Jan | [2026] Nov-Feb | [2026] Dec 25 |
 *   [2026] Dec 24-26 | [2026] Jan 01-[2027] Feb 15
 * Without a year the range repeats every year and may wrap past December.
 * Returns 0 or -1. */
static int parser_date_range(struct hours_parser *ps, struct hours_date_range *dr)
{
    const char *s = ps->s;
    int y1 = 0, y2 = 0, d1 = 0, d2 = 0;

    memset(dr, 0, sizeof *dr);
    if (hours_is_year_at(s + ps->pos)) {
        if (parser_read_year(ps, &y1))
            return -1;
        size_t look = hours_skip_ws_at(s, ps->pos);
        if (s[look] == '-') {
            ps->pos = hours_skip_ws_at(s, look + 1);
            size_t pe = ps->pos;
            if (!hours_is_year_at(s + pe))
                return parser_fail_expected(ps, pe, "expected a year after '-'");
            if (parser_read_year(ps, &y2))
                return -1;
            if (y2 < y1)
                return parser_fail(ps, pe, "the year range goes backwards");
            dr->kind = HOURS_DATE_YEARS;
            dr->y1 = (int16_t)y1;
            dr->y2 = (int16_t)y2;
            return 0;
        }
        if (hours_month_at(s + look) < 0) {
            dr->kind = HOURS_DATE_YEARS;
            dr->y1 = dr->y2 = (int16_t)y1;
            return 0;
        }
        ps->pos = look;
    }

    int m1 = hours_month_at(s + ps->pos), m2;
    size_t pos_d1 = 0, pos_d2 = 0;
    ps->pos += 3;
    size_t look = hours_skip_ws_at(s, ps->pos);
    if (hours_is_daynum_at(s + look)) {
        ps->pos = pos_d1 = look;
        if (parser_read_day(ps, m1, &d1))
            return -1;
    }
    look = hours_skip_ws_at(s, ps->pos);
    if (s[look] != '-') {
        m2 = m1;
        d2 = d1;
    } else {
        ps->pos = hours_skip_ws_at(s, look + 1);
        size_t pe = ps->pos;
        if (hours_is_year_at(s + pe)) {
            if (!y1)
                return parser_fail(ps, pe,
                                   "an end year needs a start year, like "
                                   "2026 Dec 24-2027 Jan 02");
            if (!d1)
                return parser_fail(ps, pe,
                                   "an end year needs days on both ends, "
                                   "like 2026 Dec 24-2027 Jan 02");
            if (parser_read_year(ps, &y2))
                return -1;
            parser_skip_ws(ps);
            if (hours_month_at(s + ps->pos) < 0)
                return parser_fail_expected(ps, ps->pos,
                                            "expected a month after the "
                                            "year");
        }
        if (hours_month_at(s + ps->pos) > 0) {
            m2 = hours_month_at(s + ps->pos);
            ps->pos += 3;
            look = hours_skip_ws_at(s, ps->pos);
            if (d1) {
                if (!hours_is_daynum_at(s + look))
                    return parser_fail_expected(ps, look,
                                                "expected a day after the "
                                                "month, like Jan 01-Feb 15");
                ps->pos = pos_d2 = look;
                if (parser_read_day(ps, m2, &d2))
                    return -1;
            } else if (hours_is_daynum_at(s + look)) {
                return parser_fail(ps, look,
                                   "give days on both ends or on neither, "
                                   "like Jan-Mar or Jan 01-Mar 15");
            }
        } else if (d1 && hours_is_daynum_at(s + ps->pos)) {
            m2 = m1;
            pos_d2 = ps->pos;
            if (parser_read_day(ps, m2, &d2))
                return -1;
            if (d2 < d1)
                return parser_fail(ps, pe, "the day range goes backwards");
        } else {
            return parser_fail_expected(ps, pe,
                                        d1 ? "expected a day or a month "
                                             "after '-'"
                                           : "expected a month after '-'");
        }
        int from = m1 * 100 + (d1 ? d1 : 1), to = m2 * 100 + (d2 ? d2 : 31);
        if (y1 && !y2 && to < from)
            return parser_fail(ps, pe,
                               d1 ? "give the end year when a range wraps "
                                    "past December, like 2026 Dec "
                                    "24-2027 Jan 02"
                                  : "a month range with a year cannot "
                                    "wrap past December; write 2026 "
                                    "Nov-Dec,2027 Jan-Feb");
        if (y1) {
            if (!y2)
                y2 = y1;
            if (y2 * 10000 + to < y1 * 10000 + from)
                return parser_fail(ps, pe, "the date range ends before it starts");
        } else if (m1 == m2 && d1 && d2 < d1) {
            return parser_fail(ps, pe, "the day range goes backwards");
        }
    }
    if (y1 && !y2)
        y2 = y1;
    if (y1 && d1 > hours_days_in_month(y1, m1))
        return parser_fail(ps, pos_d1, "that year has no such day");
    if (y1 && d2 > hours_days_in_month(y2, m2))
        return parser_fail(ps, pos_d2, "that year has no such day");
    dr->kind = d1 ? HOURS_DATE_DAYS : HOURS_DATE_MONTHS;
    dr->y1 = (int16_t)y1;
    dr->y2 = (int16_t)y2;
    dr->m1 = (uint8_t)m1;
    dr->m2 = (uint8_t)m2;
    dr->d1 = (uint8_t)d1;
    dr->d2 = (uint8_t)d2;
    return 0;
}

/* Date ranges joined by ','; starts on a year or a month name. A ',' must
 * be followed by another date (a rule with only dates cannot be followed by
 * an additional rule: "Dec 25, 10:00-12:00" is refused, not guessed at). */
static int parser_date_list(struct hours_parser *ps, struct hours_rule *r)
{
    const char *s = ps->s;
    bool is_cont = false;

    for (;;) {
        if (r->n_dates >= HOURS_MAX_DATES)
            return parser_fail(ps, ps->pos, "too many dates in one rule (at most 16)");
        struct hours_date_range *dr = &r->dates[r->n_dates];
        if (is_cont ? parser_date_cont(ps, dr - 1, dr) : parser_date_range(ps, dr))
            return -1;
        r->n_dates++;
        size_t look = hours_skip_ws_at(s, ps->pos);
        if (s[look] == ',') {
            look = hours_skip_ws_at(s, look + 1);
            is_cont = dr->kind == HOURS_DATE_DAYS && hours_is_daynum_at(s + look);
            if (!is_cont && !hours_is_year_at(s + look) && hours_month_at(s + look) < 0)
                return parser_fail_expected(ps, look,
                                            "expected a month or a date "
                                            "after ','");
            ps->pos = look;
            continue;
        }
        if (hours_is_year_at(s + look) || hours_month_at(s + look) > 0)
            return parser_fail(ps, look, "separate dates with ','");
        ps->pos = look;
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Parser: rules                                                            */
/* ------------------------------------------------------------------------ */

/* A "comment" at ps->pos (on the opening quote), copied to the text pool. */
static int parser_comment(struct hours_parser *ps, struct hours_rule *r)
{
    size_t p0 = ps->pos, end = p0 + 1;

    while (ps->s[end] && ps->s[end] != '"')
        end++;
    if (!ps->s[end])
        return parser_fail(ps, p0, "unterminated comment: missing '\"'");
    size_t n = end - p0 - 1;
    memcpy(ps->text + ps->text_len, ps->s + p0 + 1, n);
    r->has_comment = true;
    r->comment_off = (uint16_t)ps->text_len;
    r->comment_len = (uint16_t)n;
    ps->text_len += n;
    ps->pos = end + 1;
    return 0;
}

/* The rule could not go on at ps->pos, having read up to stage (0 nothing,
 * 1 dates, 2 weekdays, 3 times, 4 modifier, 5 comment). Say why. */
static int parser_rule_end(struct hours_parser *ps, const struct hours_rule *r, int stage)
{
    const char *p = ps->s + ps->pos;
    const char *hint = hours_word_hint(p);
    size_t mod_len;

    if (hint)
        return parser_fail(ps, ps->pos, hint);
    if (*p == ';' || *p == '\0' || (p[0] == '|' && p[1] == '|'))
        return parser_fail(ps, ps->pos, "empty rule");
    if (*p == ',')
        return parser_fail(ps, ps->pos,
                           stage == 0 ? "empty rule"
                                      : "',' between rules must follow times "
                                        "or a modifier; use ';'");
    if (*p == '|')
        return parser_fail(ps, ps->pos, "expected '||'");
    if (hours_weekday_at(p) >= 0 || hours_is_ph_at(p))
        return parser_fail(ps, ps->pos,
                           "weekdays and PH must come before times and "
                           "modifiers");
    if (hours_is_year_at(p) || hours_month_at(p) > 0)
        return parser_fail(ps, ps->pos, "dates must come before weekdays and times");
    if (hours_is_time_at(p) || hours_is_247_at(p)) {
        if (stage == 3)
            return parser_fail(ps, ps->pos,
                               r->is_24_7 || hours_is_247_at(p)
                                   ? "24/7 cannot be combined with other "
                                     "times"
                                   : "separate time ranges with ','");
        return parser_fail(ps, ps->pos,
                           "times must come before off/open/unknown and "
                           "the comment");
    }
    if (hours_modifier_at(p, &mod_len) != HOURS_MOD_NONE)
        return parser_fail(ps, ps->pos,
                           stage == 4 ? "only one of off, closed, open, "
                                        "unknown per rule"
                                      : "off/open/unknown must come before "
                                        "the comment");
    if (*p == '"')
        return parser_fail(ps, ps->pos, "only one comment per rule");
    if (hours_is_digit(*p))
        return parser_fail(ps, ps->pos, "expected time like 08:00");
    if (hours_is_alpha(*p))
        return parser_fail(ps, ps->pos, "unknown word");
    return parser_fail(ps, ps->pos,
                       stage == 0 ? "unexpected character"
                                  : "unexpected character; rules are "
                                    "separated by ';'");
}

/* One rule at ps->pos (after blanks) into r, whose sep is already set.
 * Stops on the end of the source or on the separator after the rule.
 * Returns 0 or -1 with the fault recorded. */
static int parser_rule(struct hours_parser *ps, struct hours_rule *r)
{
    const char *s = ps->s;
    int stage = 0;
    size_t mod_len = 0;

    if (hours_is_year_at(s + ps->pos) || hours_month_at(s + ps->pos) > 0) {
        if (parser_date_list(ps, r))
            return -1;
        stage = 1;
    }
    if (hours_weekday_at(s + ps->pos) >= 0 || hours_is_ph_at(s + ps->pos)) {
        if (parser_weekday_list(ps, r))
            return -1;
        stage = 2;
    }
    if (hours_is_247_at(s + ps->pos)) {
        r->is_24_7 = true;
        ps->pos += 4;
        parser_skip_ws(ps);
        stage = 3;
    } else if (hours_is_time_at(s + ps->pos)) {
        if (parser_time_list(ps, r))
            return -1;
        parser_skip_ws(ps);
        stage = 3;
    }
    int mod = hours_modifier_at(s + ps->pos, &mod_len);
    if (mod != HOURS_MOD_NONE) {
        r->modifier = (uint8_t)mod;
        ps->pos += mod_len;
        parser_skip_ws(ps);
        stage = 4;
    }
    if (s[ps->pos] == '"') {
        if (parser_comment(ps, r))
            return -1;
        parser_skip_ws(ps);
        stage = 5;
    }
    char c = s[ps->pos];
    if (c == ',' && stage == 3 && r->is_24_7)
        return parser_fail(ps, ps->pos, "an additional rule cannot follow 24/7; use ';'");
    if (stage > 0 &&
        (c == '\0' || c == ';' || (c == '|' && s[ps->pos + 1] == '|') || (c == ',' && stage >= 3)))
        return 0;
    return parser_rule_end(ps, r, stage);
}

/* Derive the painted state and the minute bitmaps of a parsed rule. */
static void hours_rule_compile(struct hours_rule *r)
{
    switch (r->modifier) {
    case HOURS_MOD_OPEN:
        r->is_open = true;
        break;
    case HOURS_MOD_NONE:
        /* A comment with nothing to open ("Mo-Fr \"on request\"") is the
         * OSM way of saying unknown. */
        r->is_open = !(r->has_comment && r->n_times == 0 && !r->is_24_7);
        break;
    default:
        r->is_open = false;
        break;
    }
    /* "We 12:00-13:00 off" closes the lunch hour and leaves the rest of
     * Wednesday alone (as OSM tools read it); "We off" closes the day. */
    r->is_wiping = !(r->modifier == HOURS_MOD_CLOSED && (r->n_times > 0 || r->is_24_7));
    memset(r->today, 0, sizeof r->today);
    memset(r->spill, 0, sizeof r->spill);
    if (r->n_times == 0) {
        hours_bits_set(r->today, 0, HOURS_DAY_MINUTES);
        return;
    }
    for (size_t i = 0; i < r->n_times; i++) {
        int start = r->times[i].start, end = r->times[i].end;
        hours_bits_set(r->today, start, end < HOURS_DAY_MINUTES ? end : HOURS_DAY_MINUTES);
        if (end > HOURS_DAY_MINUTES)
            hours_bits_set(r->spill, 0, end - HOURS_DAY_MINUTES);
    }
}

int hours_parse(const char *src, struct hours **out, struct hours_error *err)
{
    struct hours_parser ps = {.s = src, .err = err};
    size_t len = 0;

    if (out)
        *out = NULL;
    if (err) {
        err->pos = 0;
        err->message[0] = '\0';
    }
    if (!src)
        return parser_fail(&ps, 0, "no expression");
    while (len <= HOURS_MAX_LEN && src[len])
        len++;
    if (len > HOURS_MAX_LEN)
        return parser_fail(&ps, HOURS_MAX_LEN, "expression longer than 1024 bytes");

    /* Room for the most rules, but only the rules used are cleared (a
     * cleared maximum would be most of the work for a one-rule text). */
    struct hours *h = malloc(sizeof *h + HOURS_MAX_RULES * sizeof(struct hours_rule));
    if (!h)
        abort();
    h->n_rules = 0;
    h->text = "";
    ps.h = h;
    parser_skip_ws(&ps);
    if (!src[ps.pos]) {
        free(h);
        return parser_fail(&ps, ps.pos, "empty expression");
    }
    uint8_t sep = HOURS_SEP_NORMAL;
    for (;;) {
        if (h->n_rules >= HOURS_MAX_RULES) {
            free(h);
            return parser_fail(&ps, ps.pos, "too many rules (at most 64)");
        }
        struct hours_rule *r = &h->rules[h->n_rules];
        memset(r, 0, sizeof *r);
        r->sep = sep;
        if (parser_rule(&ps, r)) {
            free(h);
            return -1;
        }
        hours_rule_compile(r);
        h->n_rules++;
        char c = src[ps.pos];
        if (c == '\0')
            break;
        if (c == ';') {
            sep = HOURS_SEP_NORMAL;
            ps.pos++;
        } else if (c == ',') {
            sep = HOURS_SEP_ADDITIONAL;
            ps.pos++;
        } else {
            sep = HOURS_SEP_FALLBACK;
            ps.pos += 2;
        }
        parser_skip_ws(&ps);
        if (!src[ps.pos]) {
            free(h);
            return parser_fail(&ps, ps.pos,
                               "expected a rule after the "
                               "separator");
        }
    }

    if (!out) {
        free(h);
        return 0;
    }
    /* One allocation as small as the text: the rules used, then the
     * comments. */
    size_t rules = h->n_rules * sizeof(struct hours_rule);
    struct hours *small = malloc(sizeof *h + rules + ps.text_len + 1);
    if (!small)
        abort();
    small->n_rules = h->n_rules;
    memcpy(small->rules, h->rules, rules);
    char *text = (char *)small->rules + rules;
    memcpy(text, ps.text, ps.text_len);
    text[ps.text_len] = '\0';
    small->text = text;
    free(h);
    *out = small;
    return 0;
}

void hours_free(struct hours *h)
{
    free(h);
}

size_t hours_rule_count(const struct hours *h)
{
    return h ? h->n_rules : 0;
}

/* ------------------------------------------------------------------------ */
/* Civil dates                                                              */
/* ------------------------------------------------------------------------ */

static int64_t hours_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool hours_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int hours_days_in_month(int64_t y, int m)
{
    if (m == 2)
        return hours_is_leap(y) ? 29 : 28;
    return hours_month_max_days[m];
}

/* The proleptic Gregorian date of day z (days since 1970-01-01). Years are
 * counted from March so that the leap day falls at a year's end; 400 years
 * are exactly 146097 days, and 719468 days separate 0000-03-01 from
 * 1970-01-01. */
static void hours_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t shifted = z + 719468; /* days since 0000-03-01 */
    int64_t cycle = hours_floor_div(shifted, 146097);
    int64_t day_of_cycle = shifted - cycle * 146097; /* 0..146096 */
    /* Remove the leap days before this point to get whole years; the last
     * day of the cycle (a 366th day of year 399) needs its own correction. */
    int64_t year_in_cycle =
        (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 - day_of_cycle / 146096) / 365;
    int64_t day_of_year =
        day_of_cycle - (365 * year_in_cycle + year_in_cycle / 4 - year_in_cycle / 100);
    int month_from_march = (int)((5 * day_of_year + 2) / 153);
    *d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *m = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    *y = cycle * 400 + year_in_cycle + (*m <= 2 ? 1 : 0);
}

/* The calendar entry for ymd, or NULL. Binary search; tolerates an empty
 * or NULL calendar. */
static const struct hours_day *hours_calendar_find(const struct hours_calendar *cal, int32_t ymd)
{
    if (!cal || !cal->days || cal->n == 0)
        return NULL;
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->days[mid].date < ymd)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cal->n && cal->days[lo].date == ymd)
        return &cal->days[lo];
    return NULL;
}

/* Everything the selectors ask about local day z. */
static void hours_dayinfo_fill(struct hours_dayinfo *di, int64_t z,
                               const struct hours_calendar *cal)
{
    int64_t y;
    int m, d;

    hours_civil_from_days(z, &y, &m, &d);
    di->year = (int)y;
    di->month = m;
    di->mday = d;
    di->ymd = (int32_t)(y * 10000 + (int64_t)m * 100 + d);
    di->weekday = (int)(z - hours_floor_div(z + 3, 7) * 7 + 3); /* 1970-01-01
                                                                   was Th */
    di->nth = (d - 1) / 7 + 1;
    di->nth_from_end = (hours_days_in_month(y, m) - d) / 7 + 1;
    di->is_holiday = false;
    const struct hours_day *cd = hours_calendar_find(cal, di->ymd);
    if (cd && cd->kind == HOURS_DAY_HOLIDAY)
        di->is_holiday = true;
    if (cd && cd->kind == HOURS_DAY_WORKDAY)
        di->weekday = cd->as_weekday >= 1 && cd->as_weekday <= 7 ? cd->as_weekday - 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Evaluation                                                               */
/* ------------------------------------------------------------------------ */

static bool hours_date_matches(const struct hours_date_range *dr, const struct hours_dayinfo *di)
{
    if (dr->kind == HOURS_DATE_YEARS)
        return di->year >= dr->y1 && di->year <= dr->y2;
    int from = dr->m1 * 100 + (dr->d1 ? dr->d1 : 1);
    int to = dr->m2 * 100 + (dr->d2 ? dr->d2 : 31);
    if (dr->y1) {
        int64_t x = di->ymd;
        return x >= (int64_t)dr->y1 * 10000 + from && x <= (int64_t)dr->y2 * 10000 + to;
    }
    int x = di->month * 100 + di->mday;
    if (from <= to)
        return x >= from && x <= to;
    return x >= from || x <= to; /* wraps past December */
}

/* true if r's dates and weekdays select the day. */
static bool hours_rule_matches(const struct hours_rule *r, const struct hours_dayinfo *di)
{
    if (r->n_dates) {
        bool hit = false;
        for (size_t i = 0; i < r->n_dates && !hit; i++)
            hit = hours_date_matches(&r->dates[i], di);
        if (!hit)
            return false;
    }
    if (r->has_weekdays) {
        unsigned bits = r->weekdays[di->weekday];
        bool hit = (bits & HOURS_NTH_ALL) || (bits & HOURS_NTH_FWD(di->nth)) ||
                   (bits & HOURS_NTH_BACK(di->nth_from_end));
        if (!hit && !(r->has_ph && di->is_holiday))
            return false;
    }
    return true;
}

/* The rules that decide local day z, as bit i for rule i: those that
 * select the day, from the last wiping normal rule that does (it wipes out
 * what came before) on. Days with the same set have the same paint. */
static uint64_t hours_day_rules(const struct hours *h, const struct hours_calendar *cal, int64_t z)
{
    struct hours_dayinfo di;
    uint64_t applied = 0;

    hours_dayinfo_fill(&di, z, cal);
    for (size_t i = 0; i < h->n_rules; i++) {
        const struct hours_rule *r = &h->rules[i];
        if (!hours_rule_matches(r, &di))
            continue;
        if (r->sep == HOURS_SEP_NORMAL && r->is_wiping)
            applied = 0;
        applied |= (uint64_t)1 << i;
    }
    return applied;
}

/* Paint a day that the given rules decide, in rule order: open rules set
 * their minutes, off and unknown rules clear theirs. A fallback rule
 * applies where the earlier rules leave the day closed (not where they say
 * unknown), so an open one adds those minutes and an off or unknown one
 * changes nothing that is open. Explicit off times are also recorded in
 * shut. */
static void hours_paint(const struct hours *h, uint64_t rules, struct hours_daypaint *out)
{
    uint64_t unknown_today[HOURS_WORDS] = {0};
    uint64_t unknown_spill[HOURS_WORDS] = {0};

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < h->n_rules; i++) {
        if (!(rules >> i & 1))
            continue;
        const struct hours_rule *r = &h->rules[i];
        bool is_fallback = r->sep == HOURS_SEP_FALLBACK;
        if (is_fallback && !r->is_open)
            continue;
        bool is_unknown = !r->is_open && r->modifier != HOURS_MOD_CLOSED;
        for (size_t k = 0; k < HOURS_WORDS; k++) {
            uint64_t t = r->today[k], sp = r->spill[k];
            if (is_fallback) {
                t &= ~unknown_today[k];
                sp &= ~unknown_spill[k];
            }
            if (r->is_open) {
                out->today[k] |= t;
                out->spill[k] |= sp;
                out->shut[k] &= ~t;
            } else {
                out->today[k] &= ~t;
                out->spill[k] &= ~sp;
                if (!r->is_wiping)
                    out->shut[k] |= t;
            }
            if (is_unknown) {
                unknown_today[k] |= t;
                unknown_spill[k] |= sp;
            } else {
                unknown_today[k] &= ~t;
                unknown_spill[k] &= ~sp;
            }
        }
    }
}

/* The open minutes of the day painted in cur, whose previous day is prev:
 * its own minutes, and the previous day's spill unless explicitly shut. */
static void hours_line(const struct hours_daypaint *prev, const struct hours_daypaint *cur,
                       uint64_t line[HOURS_WORDS])
{
    for (size_t k = 0; k < HOURS_WORDS; k++)
        line[k] = cur->today[k] | (prev->spill[k] & ~cur->shut[k]);
}

/* Split t into a local day number and minute of the day. false when the
 * offset or the moment is outside what is supported. */
static bool hours_local_minute(int64_t t, int tz_offset_min, int64_t *day, int *minute)
{
    if (tz_offset_min < -HOURS_DAY_MINUTES || tz_offset_min > HOURS_DAY_MINUTES)
        return false;
    if (t < -hours_t_limit || t > hours_t_limit)
        return false;
    int64_t lm = hours_floor_div(t + (int64_t)tz_offset_min * 60, 60);
    int64_t z = hours_floor_div(lm, HOURS_DAY_MINUTES);
    if (z < hours_days_min || z > hours_days_max)
        return false;
    *day = z;
    *minute = (int)(lm - z * HOURS_DAY_MINUTES);
    return true;
}

bool hours_is_open(const struct hours *h, const struct hours_calendar *cal, int64_t t,
                   int tz_offset_min)
{
    struct hours_daypaint prev, cur;
    uint64_t line[HOURS_WORDS];
    int64_t z;
    int minute;

    if (!h || !hours_local_minute(t, tz_offset_min, &z, &minute))
        return false;
    hours_paint(h, hours_day_rules(h, cal, z - 1), &prev);
    hours_paint(h, hours_day_rules(h, cal, z), &cur);
    hours_line(&prev, &cur, line);
    return hours_bits_get(line, minute);
}

/* Walks forward a day at a time. A day's open minutes depend only on the
 * sets of rules that decide it and the day before; so a day is repainted
 * only when its set changes, and a day whose set and whose predecessor's
 * set equal those of the day just scanned in full, without a change, is
 * skipped. */
int64_t hours_next_change(const struct hours *h, const struct hours_calendar *cal, int64_t t,
                          int tz_offset_min, int64_t horizon_s)
{
    struct hours_daypaint paints[2];
    struct hours_daypaint *prev = &paints[0], *cur = &paints[1];
    uint64_t line[HOURS_WORDS];
    int64_t z;
    int minute;

    if (!h || horizon_s <= 0 || !hours_local_minute(t, tz_offset_min, &z, &minute))
        return -1;
    if (horizon_s > HOURS_MAX_HORIZON_S)
        horizon_s = HOURS_MAX_HORIZON_S;
    int64_t offset_s = (int64_t)tz_offset_min * 60;
    /* The latest local minute whose start is still within the horizon. */
    int64_t last_lm = hours_floor_div(t + offset_s + horizon_s, 60);

    uint64_t prev_rules = hours_day_rules(h, cal, z - 1);
    uint64_t rules = hours_day_rules(h, cal, z);
    hours_paint(h, prev_rules, prev);
    hours_paint(h, rules, cur);
    hours_line(prev, cur, line);
    bool state = hours_bits_get(line, minute);
    int from = minute + 1;
    bool is_line_clean = false; /* line scanned from 0, no change in it */
    for (;;) {
        if (!is_line_clean) {
            int idx = hours_bits_find(line, from, state);
            if (idx >= 0) {
                int64_t lm = z * HOURS_DAY_MINUTES + idx;
                return lm <= last_lm ? lm * 60 - offset_s : -1;
            }
            is_line_clean = from == 0;
        }
        z++;
        if (z * HOURS_DAY_MINUTES > last_lm || z > hours_days_max)
            return -1;
        uint64_t next_rules = hours_day_rules(h, cal, z);
        bool is_same_line = next_rules == rules && rules == prev_rules;
        struct hours_daypaint *old = prev;
        prev = cur;
        cur = old;
        if (next_rules == rules)
            memcpy(cur, prev, sizeof *cur);
        else
            hours_paint(h, next_rules, cur);
        prev_rules = rules;
        rules = next_rules;
        from = 0;
        if (is_same_line && is_line_clean)
            continue;
        is_line_clean = false;
        hours_line(prev, cur, line);
    }
}

/* ------------------------------------------------------------------------ */
/* Minute bitmaps                                                           */
/* ------------------------------------------------------------------------ */

/* Set minutes [from, to), 0 <= from <= to <= 1440. */
static void hours_bits_set(uint64_t *w, int from, int to)
{
    int i = from;
    while (i < to) {
        int bit = i % 64, n = 64 - bit;
        if (n > to - i)
            n = to - i;
        uint64_t mask = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1) << bit;
        w[i / 64] |= mask;
        i += n;
    }
}

static bool hours_bits_get(const uint64_t *w, int i)
{
    return (w[i / 64] >> (i % 64)) & 1;
}

/* The first minute in [from, 1440) whose bit is not state, or -1. */
static int hours_bits_find(const uint64_t *w, int from, bool state)
{
    for (int k = from / 64; k < HOURS_WORDS; k++) {
        uint64_t x = state ? ~w[k] : w[k];
        if (k == from / 64)
            x &= ~(uint64_t)0 << (from % 64);
        if (k == HOURS_WORDS - 1)
            x &= ((uint64_t)1 << (HOURS_DAY_MINUTES - 64 * (HOURS_WORDS - 1))) - 1;
        if (x)
            return k * 64 + (int)bits_ctz64(x);
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Canonical text                                                           */
/* ------------------------------------------------------------------------ */

static void writer_put(struct hours_writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w->len + 1 < w->cap)
            w->buf[w->len] = s[i];
        w->len++;
    }
}

static void writer_str(struct hours_writer *w, const char *s)
{
    for (; *s; s++)
        writer_put(w, s, 1);
}

/* v (0..9999) zero-padded to at least width digits. */
static void writer_num(struct hours_writer *w, int v, int width)
{
    char tmp[8] = {0};
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < 8);
    while (n < width && n < 8)
        tmp[n++] = '0';
    while (n > 0)
        writer_put(w, &tmp[--n], 1);
}

static void writer_clock(struct hours_writer *w, int minutes)
{
    writer_num(w, minutes / 60, 2);
    writer_put(w, ":", 1);
    writer_num(w, minutes % 60, 2);
}

static void writer_dates(struct hours_writer *w, const struct hours_rule *r)
{
    for (size_t i = 0; i < r->n_dates; i++) {
        const struct hours_date_range *dr = &r->dates[i];
        if (i > 0)
            writer_put(w, ",", 1);
        if (dr->is_cont) {
            writer_num(w, dr->d1, 2);
            if (dr->d2 != dr->d1) {
                writer_put(w, "-", 1);
                writer_num(w, dr->d2, 2);
            }
            continue;
        }
        if (dr->kind == HOURS_DATE_YEARS) {
            writer_num(w, dr->y1, 4);
            if (dr->y2 != dr->y1) {
                writer_put(w, "-", 1);
                writer_num(w, dr->y2, 4);
            }
            continue;
        }
        bool is_end_year = dr->y2 != dr->y1;
        if (dr->y1) {
            writer_num(w, dr->y1, 4);
            writer_put(w, " ", 1);
        }
        writer_put(w, hours_month_names[dr->m1 - 1], 3);
        if (dr->kind == HOURS_DATE_MONTHS) {
            if (dr->m2 != dr->m1 || is_end_year) {
                writer_put(w, "-", 1);
                if (is_end_year) {
                    writer_num(w, dr->y2, 4);
                    writer_put(w, " ", 1);
                }
                writer_put(w, hours_month_names[dr->m2 - 1], 3);
            }
            continue;
        }
        writer_put(w, " ", 1);
        writer_num(w, dr->d1, 2);
        if (dr->m2 == dr->m1 && dr->d2 == dr->d1 && !is_end_year)
            continue;
        writer_put(w, "-", 1);
        if (dr->m2 == dr->m1 && !is_end_year) {
            writer_num(w, dr->d2, 2);
            continue;
        }
        if (is_end_year) {
            writer_num(w, dr->y2, 4);
            writer_put(w, " ", 1);
        }
        writer_put(w, hours_month_names[dr->m2 - 1], 3);
        writer_put(w, " ", 1);
        writer_num(w, dr->d2, 2);
    }
}

/* Weekdays as Mo-Fr style runs (three or more days), then nth weekdays,
 * then PH, all joined by ','. */
static void writer_weekdays(struct hours_writer *w, const struct hours_rule *r)
{
    bool is_first = true;

    for (int i = 0; i < 7;) {
        if (!(r->weekdays[i] & HOURS_NTH_ALL)) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < 7 && (r->weekdays[j + 1] & HOURS_NTH_ALL))
            j++;
        for (int k = i; k <= j; k++) {
            if (!is_first)
                writer_put(w, ",", 1);
            is_first = false;
            writer_put(w, hours_weekday_names[k], 2);
            if (j - i >= 2) {
                writer_put(w, "-", 1);
                writer_put(w, hours_weekday_names[j], 2);
                break;
            }
        }
        i = j + 1;
    }
    for (int i = 0; i < 7; i++) {
        unsigned bits = r->weekdays[i];
        if (!bits || (bits & HOURS_NTH_ALL))
            continue;
        if (!is_first)
            writer_put(w, ",", 1);
        is_first = false;
        writer_put(w, hours_weekday_names[i], 2);
        writer_put(w, "[", 1);
        bool is_first_n = true;
        for (int k = 1; k <= 5; k++) {
            if (!(bits & HOURS_NTH_FWD(k)))
                continue;
            int e = k;
            while (e + 1 <= 5 && (bits & HOURS_NTH_FWD(e + 1)))
                e++;
            if (!is_first_n)
                writer_put(w, ",", 1);
            is_first_n = false;
            writer_num(w, k, 1);
            if (e > k) {
                writer_put(w, "-", 1);
                writer_num(w, e, 1);
            }
            k = e;
        }
        for (int k = 1; k <= 5; k++) {
            if (!(bits & HOURS_NTH_BACK(k)))
                continue;
            if (!is_first_n)
                writer_put(w, ",", 1);
            is_first_n = false;
            writer_put(w, "-", 1);
            writer_num(w, k, 1);
        }
        writer_put(w, "]", 1);
    }
    if (r->has_ph) {
        if (!is_first)
            writer_put(w, ",", 1);
        writer_str(w, "PH");
    }
}

static void writer_rule(struct hours_writer *w, const struct hours *h, const struct hours_rule *r)
{
    bool is_first = true;

    if (r->n_dates) {
        writer_dates(w, r);
        is_first = false;
    }
    if (r->has_weekdays) {
        if (!is_first)
            writer_put(w, " ", 1);
        writer_weekdays(w, r);
        is_first = false;
    }
    if (r->is_24_7 || r->n_times) {
        if (!is_first)
            writer_put(w, " ", 1);
        is_first = false;
    }
    if (r->is_24_7)
        writer_str(w, "24/7");
    for (size_t i = 0; i < r->n_times; i++) {
        const struct hours_time_range *tr = &r->times[i];
        if (i > 0)
            writer_put(w, ",", 1);
        writer_clock(w, tr->start);
        if (tr->is_open_end) {
            writer_put(w, "+", 1);
            continue;
        }
        writer_put(w, "-", 1);
        int end = tr->end;
        if (end > HOURS_DAY_MINUTES && end - HOURS_DAY_MINUTES < tr->start)
            end -= HOURS_DAY_MINUTES;
        writer_clock(w, end);
    }
    if (r->modifier != HOURS_MOD_NONE) {
        if (!is_first)
            writer_put(w, " ", 1);
        is_first = false;
        writer_str(w, r->modifier == HOURS_MOD_OPEN     ? "open"
                      : r->modifier == HOURS_MOD_CLOSED ? "off"
                                                        : "unknown");
    }
    if (r->has_comment) {
        if (!is_first)
            writer_put(w, " ", 1);
        writer_put(w, "\"", 1);
        writer_put(w, h->text + r->comment_off, r->comment_len);
        writer_put(w, "\"", 1);
    }
}

int hours_format(const struct hours *h, char *buf, size_t cap)
{
    struct hours_writer w = {buf, cap, 0};

    if (h) {
        for (size_t i = 0; i < h->n_rules; i++) {
            const struct hours_rule *r = &h->rules[i];
            if (i > 0)
                writer_str(&w, r->sep == HOURS_SEP_NORMAL       ? "; "
                               : r->sep == HOURS_SEP_ADDITIONAL ? ", "
                                                                : " || ");
            writer_rule(&w, h, r);
        }
    }
    if (cap > 0)
        buf[w.len < cap ? w.len : cap - 1] = '\0';
    return w.len < cap ? 0 : -1;
}
