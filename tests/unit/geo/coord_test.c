/*
 * coord_test.c - unit tests for src/geo/coord.c.
 *
 * The conversions are checked three ways: against gcoord (an independent
 * JavaScript implementation) on 211 points whose expected values were
 * generated once into oracle_points.h by gcoord_oracle.mjs; by round trips
 * on a dense grid over China; and by fixed facts (points outside China are
 * unchanged, datum names, distances that follow from the earth radius).
 * The worst oracle and round-trip errors are printed for the record.
 */
#include <math.h>
#include <stdio.h>

#include "geo/coord.h"
#include "test.h"

#include "oracle_points.h"

#define ORACLE_COUNT (sizeof oracle_points / sizeof oracle_points[0])

static double max2(double a, double b)
{
    return a > b ? a : b;
}

static double point_err(struct geo_point a, double lat, double lon)
{
    return max2(fabs(a.lat - lat), fabs(a.lon - lon));
}

/* ------------------------------------------------------------------------ */

static void test_datum_parse_and_name(void)
{
    enum geo_datum d = GEO_BD09;

    CHECK_INT(geo_datum_parse("wgs84", &d), 0);
    CHECK_INT(d, GEO_WGS84);
    CHECK_INT(geo_datum_parse("gcj02", &d), 0);
    CHECK_INT(d, GEO_GCJ02);
    CHECK_INT(geo_datum_parse("bd09", &d), 0);
    CHECK_INT(d, GEO_BD09);

    d = GEO_GCJ02;
    CHECK_INT(geo_datum_parse("WGS84", &d), -1);
    CHECK_INT(geo_datum_parse("wgs84 ", &d), -1);
    CHECK_INT(geo_datum_parse("", &d), -1);
    CHECK_INT(geo_datum_parse("bd09ll", &d), -1);
    CHECK_INT(geo_datum_parse(NULL, &d), -1);
    CHECK_INT(d, GEO_GCJ02); /* untouched on failure */

    CHECK_STR(geo_datum_name(GEO_WGS84), "wgs84");
    CHECK_STR(geo_datum_name(GEO_GCJ02), "gcj02");
    CHECK_STR(geo_datum_name(GEO_BD09), "bd09");
    CHECK_STR(geo_datum_name((enum geo_datum)7), "unknown");
    for (int i = 0; i <= 2; i++) {
        CHECK_INT(geo_datum_parse(geo_datum_name((enum geo_datum)i), &d), 0);
        CHECK_INT(d, i);
    }
}

static void test_is_valid(void)
{
    CHECK(geo_is_valid(0, 0));
    CHECK(geo_is_valid(90, 180));
    CHECK(geo_is_valid(-90, -180));
    CHECK(geo_is_valid(34.596, 119.222));
    CHECK(!geo_is_valid(90.000001, 0));
    CHECK(!geo_is_valid(0, -180.000001));
    CHECK(!geo_is_valid(NAN, 0));
    CHECK(!geo_is_valid(0, NAN));
    CHECK(!geo_is_valid(INFINITY, 0));
    CHECK(!geo_is_valid(0, -INFINITY));
}

static void test_is_in_china(void)
{
    CHECK(geo_is_in_china(34.596, 119.222));     /* Lianyungang */
    CHECK(geo_is_in_china(43.8256, 87.6168));    /* Urumqi */
    CHECK(geo_is_in_china(20.044, 110.1999));    /* Haikou */
    CHECK(geo_is_in_china(52.9722, 122.5389));   /* Mohe, far north */
    CHECK(geo_is_in_china(39.4704, 75.9898));    /* Kashgar, far west */
    CHECK(geo_is_in_china(48.3647, 134.2894));   /* Fuyuan, far east */
    CHECK(!geo_is_in_china(35.6762, 139.6503));  /* Tokyo */
    CHECK(!geo_is_in_china(51.5074, -0.1278));   /* London */
    CHECK(!geo_is_in_china(-33.8688, 151.2093)); /* Sydney */
    /* Bounds are inclusive. */
    CHECK(geo_is_in_china(0.8293, 72.004));
    CHECK(geo_is_in_china(55.8271, 137.8347));
    CHECK(!geo_is_in_china(0.8292, 100));
    CHECK(!geo_is_in_china(30, 137.8348));
    CHECK(!geo_is_in_china(NAN, 110));
    CHECK(!geo_is_in_china(30, NAN));
}

/* Every oracle row: same box decision, GCJ-02 and BD-09 within 1e-6 deg. */
static void test_oracle_gcoord(void)
{
    double worst_gcj = 0, worst_bd = 0;

    CHECK(ORACLE_COUNT >= 200);
    for (size_t i = 0; i < ORACLE_COUNT; i++) {
        const struct oracle_point *o = &oracle_points[i];
        struct geo_point w = {o->wgs_lat, o->wgs_lon};
        struct geo_point g = geo_wgs84_to_gcj02(w);
        struct geo_point b = geo_convert(w, GEO_WGS84, GEO_BD09);
        double eg = point_err(g, o->gcj_lat, o->gcj_lon);
        double eb = point_err(b, o->bd_lat, o->bd_lon);

        if (geo_is_in_china(w.lat, w.lon) != (o->in_box != 0) || eg > 1e-6 || eb > 1e-6)
            fprintf(stderr, "oracle mismatch: %s gcj err %g bd err %g\n", o->name, eg, eb);
        CHECK(geo_is_in_china(w.lat, w.lon) == (o->in_box != 0));
        CHECK(eg <= 1e-6);
        CHECK(eb <= 1e-6);
        worst_gcj = max2(worst_gcj, eg);
        worst_bd = max2(worst_bd, eb);
    }
    printf("coord: gcoord oracle, %zu points: worst |gcj02 diff| %.3g deg, "
           "worst |bd09 diff| %.3g deg\n",
           ORACLE_COUNT, worst_gcj, worst_bd);
}

/* Inverses on a 0.1-degree grid over the box (~360k points) plus the
 * oracle rows; assert 1e-7 deg, and print the worst case. Oracle rows whose
 * GCJ-02 point fell outside the box are left to test_box_edge. */
static void test_round_trips(void)
{
    double worst_gcj = 0, worst_bd = 0;
    long n = 0;

    for (double lat = 0.9; lat <= 55.8; lat += 0.1) {
        for (double lon = 72.1; lon <= 137.8; lon += 0.1) {
            struct geo_point w = {lat, lon};
            struct geo_point g = geo_wgs84_to_gcj02(w);
            struct geo_point w2 = geo_gcj02_to_wgs84(g);
            struct geo_point g2 = geo_bd09_to_gcj02(geo_gcj02_to_bd09(g));

            worst_gcj = max2(worst_gcj, point_err(w2, w.lat, w.lon));
            worst_bd = max2(worst_bd, point_err(g2, g.lat, g.lon));
            n++;
        }
    }
    for (size_t i = 0; i < ORACLE_COUNT; i++) {
        const struct oracle_point *o = &oracle_points[i];
        struct geo_point g = {o->gcj_lat, o->gcj_lon};
        struct geo_point b = {o->bd_lat, o->bd_lon};
        struct geo_point w = geo_gcj02_to_wgs84(g);

        if (o->in_box && geo_is_in_china(g.lat, g.lon))
            worst_gcj = max2(worst_gcj, point_err(w, o->wgs_lat, o->wgs_lon));
        worst_bd = max2(worst_bd, point_err(geo_gcj02_to_bd09(geo_bd09_to_gcj02(b)), b.lat, b.lon));
        n++;
    }
    CHECK(worst_gcj <= 1e-7);
    CHECK(worst_bd <= 1e-7);
    printf("coord: round trips, %ld points: worst wgs->gcj->wgs %.3g deg, "
           "worst gcj->bd->gcj %.3g deg\n",
           n, worst_gcj, worst_bd);
}

static void test_outside_china_unchanged(void)
{
    static const struct geo_point pts[] = {
        {35.6762, 139.6503}, {51.5074, -0.1278}, {40.7128, -74.006}, {-33.8688, 151.2093}, {0, 0},
        {-90, -180},         {90, 180},
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        struct geo_point g = geo_wgs84_to_gcj02(pts[i]);
        struct geo_point w = geo_gcj02_to_wgs84(pts[i]);

        CHECK(g.lat == pts[i].lat && g.lon == pts[i].lon);
        CHECK(w.lat == pts[i].lat && w.lon == pts[i].lon);
    }
}

/*
 * The box edge is a seam: a WGS-84 point just inside the east edge is
 * shifted east out of the box, and a GCJ-02 point outside the box is taken
 * as unchanged, so the round trip does not close there. The strip is about
 * 0.01 deg wide and lies in the sea or in Russia; gcoord behaves the same.
 */
static void test_box_edge(void)
{
    struct geo_point w = {45.0, 137.8347};
    struct geo_point g = geo_wgs84_to_gcj02(w);
    struct geo_point back = geo_gcj02_to_wgs84(g);

    CHECK(geo_is_in_china(w.lat, w.lon));
    CHECK(!geo_is_in_china(g.lat, g.lon));
    CHECK(back.lat == g.lat && back.lon == g.lon);
}

/* The offset inside China is real: 100-700 m, never zero. */
static void test_offset_size(void)
{
    struct geo_point w = {34.596, 119.222};
    struct geo_point g = geo_wgs84_to_gcj02(w);
    struct geo_point b = geo_gcj02_to_bd09(g);
    double d_gcj = geo_distance_m(w, g), d_bd = geo_distance_m(g, b);

    CHECK(d_gcj > 100 && d_gcj < 700);
    CHECK(d_bd > 500 && d_bd < 1200);
}

static void test_convert_matrix(void)
{
    struct geo_point w = {34.596, 119.222};
    struct geo_point p[3];
    struct geo_point bad;

    p[GEO_WGS84] = w;
    p[GEO_GCJ02] = geo_wgs84_to_gcj02(w);
    p[GEO_BD09] = geo_gcj02_to_bd09(p[GEO_GCJ02]);
    for (int f = 0; f <= 2; f++) {
        for (int t = 0; t <= 2; t++) {
            struct geo_point r = geo_convert(p[f], (enum geo_datum)f, (enum geo_datum)t);
            CHECK_NEAR(r.lat, p[t].lat, 1e-9);
            CHECK_NEAR(r.lon, p[t].lon, 1e-9);
        }
    }
    bad = geo_convert(w, (enum geo_datum)5, GEO_WGS84);
    CHECK(isnan(bad.lat) && isnan(bad.lon));
    bad = geo_convert(w, GEO_WGS84, (enum geo_datum) - 1);
    CHECK(isnan(bad.lat) && isnan(bad.lon));
    bad = geo_convert(w, (enum geo_datum)9, (enum geo_datum)9);
    CHECK(!geo_is_valid(bad.lat, bad.lon));
}

/* NaN must come back out (not hang, not turn into a number). */
static void test_nan_input(void)
{
    struct geo_point n = {NAN, NAN};
    struct geo_point r;

    r = geo_gcj02_to_wgs84(n);
    CHECK(isnan(r.lat) && isnan(r.lon));
    r = geo_bd09_to_gcj02(n);
    CHECK(isnan(r.lat) && isnan(r.lon));
    r = geo_convert(n, GEO_BD09, GEO_WGS84);
    CHECK(!geo_is_valid(r.lat, r.lon));
    CHECK(isnan(geo_distance_m(n, n)));
}

/*
 * With R = 6371008.8 m: one degree of arc is R*pi/180 = 111195.0802 m, a
 * quarter meridian R*pi/2 = 10007557.221 m, half a great circle
 * R*pi = 20015114.442 m. For a real pair, the spherical law of cosines
 * (a different formula, fine at this range) must agree to a millimetre.
 */
static void test_distance(void)
{
    struct geo_point lyg = {34.596, 119.222}, bj = {39.9087, 116.3975};
    struct geo_point a = {0, 0}, b = {1, 0}, c = {0, 1}, np = {90, 0};
    struct geo_point anti = {0, 180}, s1 = {-30, 100}, s2 = {30, -80};
    double r = 6371008.8, rad = 3.14159265358979323846 / 180.0;
    double cosc, want;

    CHECK_NEAR(geo_distance_m(a, a), 0, 1e-9);
    CHECK_NEAR(geo_distance_m(a, b), 111195.0802, 1e-3);
    CHECK_NEAR(geo_distance_m(a, c), 111195.0802, 1e-3);
    CHECK_NEAR(geo_distance_m(a, np), 10007557.221, 1e-3);
    CHECK_NEAR(geo_distance_m(a, anti), 20015114.442, 1e-3);
    CHECK_NEAR(geo_distance_m(s1, s2), 20015114.442, 1e-3);

    cosc = sin(lyg.lat * rad) * sin(bj.lat * rad) +
           cos(lyg.lat * rad) * cos(bj.lat * rad) * cos((bj.lon - lyg.lon) * rad);
    want = r * acos(cosc);
    CHECK_NEAR(geo_distance_m(lyg, bj), want, 1e-3);
    CHECK(want > 640000 && want < 650000); /* ~645 km by road atlas */
    CHECK_NEAR(geo_distance_m(lyg, bj), geo_distance_m(bj, lyg), 1e-9);
}

/*
 * Boxes: the whole world stays the whole world between any two datums (the
 * BD-09 offset would carry its corners past the poles); a city box moves
 * with its corners; a box thinner than the difference of its corners'
 * offsets stays a box (min <= max), never one across the antimeridian; a
 * box outside China is unchanged by GCJ-02; NaN comes out as NaN.
 */
static void test_bbox_convert(void)
{
    const double world[4] = {-180, -90, 180, 90};
    const double city[4] = {119.15, 34.57, 119.22, 34.61};
    const double thin[4] = {119.2, 34.5, 119.2, 34.7};
    const double abroad[4] = {2.2, 48.8, 2.4, 48.9};
    double out[4];

    for (int f = 0; f <= 2; f++) {
        for (int t = 0; t <= 2; t++) {
            geo_bbox_convert(world, (enum geo_datum)f, (enum geo_datum)t, out);
            for (int i = 0; i < 4; i++)
                CHECK(out[i] == world[i]);
            geo_bbox_convert(thin, (enum geo_datum)f, (enum geo_datum)t, out);
            CHECK(out[0] <= out[2] && out[1] <= out[3]);
            CHECK(out[2] - out[0] < 0.001 && out[3] - out[1] < 0.21);
            geo_bbox_convert(city, (enum geo_datum)f, (enum geo_datum)t, out);
            CHECK(out[0] < out[2] && out[1] < out[3]);
            /* the smallest box around the four converted corners */
            double lo_lon = 999, lo_lat = 999, hi_lon = -999, hi_lat = -999;
            for (int c = 0; c < 4; c++) {
                struct geo_point p =
                    geo_convert((struct geo_point){city[c & 1 ? 3 : 1], city[c & 2 ? 2 : 0]},
                                (enum geo_datum)f, (enum geo_datum)t);
                lo_lon = fmin(lo_lon, p.lon), lo_lat = fmin(lo_lat, p.lat);
                hi_lon = fmax(hi_lon, p.lon), hi_lat = fmax(hi_lat, p.lat);
            }
            CHECK(out[0] == lo_lon && out[1] == lo_lat && out[2] == hi_lon && out[3] == hi_lat);
        }
    }
    /* The city box really moves: GCJ-02 by a few hundred metres. */
    geo_bbox_convert(city, GEO_GCJ02, GEO_WGS84, out);
    CHECK(fabs(out[0] - city[0]) > 0.001 && fabs(out[1] - city[1]) > 0.0005);
    /* Half worlds keep their edges on the world's edges, clamped inside. */
    const double north[4] = {-180, 0, 180, 90};
    geo_bbox_convert(north, GEO_BD09, GEO_WGS84, out);
    CHECK(out[0] == -180 && out[2] == 180 && out[3] == 90);
    CHECK(out[1] < 0 && out[1] > -0.01);
    /* Outside China GCJ-02 changes nothing; BD-09 still shifts. */
    geo_bbox_convert(abroad, GEO_GCJ02, GEO_WGS84, out);
    for (int i = 0; i < 4; i++)
        CHECK(out[i] == abroad[i]);
    geo_bbox_convert(abroad, GEO_BD09, GEO_WGS84, out);
    CHECK(out[0] < abroad[0] && out[3] < abroad[3]);
    /* out may be the input */
    double same[4] = {119.15, 34.57, 119.22, 34.61};
    geo_bbox_convert(same, GEO_BD09, GEO_WGS84, same);
    geo_bbox_convert(city, GEO_BD09, GEO_WGS84, out);
    for (int i = 0; i < 4; i++)
        CHECK(same[i] == out[i]);
    const double nan_box[4] = {NAN, 34, 120, 35};
    geo_bbox_convert(nan_box, GEO_BD09, GEO_WGS84, out);
    CHECK(isnan(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]));
    geo_bbox_convert(city, (enum geo_datum)7, GEO_WGS84, out);
    CHECK(isnan(out[0]));
}

int main(void)
{
    RUN(test_datum_parse_and_name);
    RUN(test_is_valid);
    RUN(test_is_in_china);
    RUN(test_oracle_gcoord);
    RUN(test_round_trips);
    RUN(test_outside_china_unchanged);
    RUN(test_box_edge);
    RUN(test_offset_size);
    RUN(test_convert_matrix);
    RUN(test_nan_input);
    RUN(test_distance);
    RUN(test_bbox_convert);
    return test_report("geo");
}
