/*
 * coord.c - conversions between WGS-84, GCJ-02 and BD-09, and distances.
 *
 * GCJ-02 adds to a WGS-84 point an offset that is a fixed polynomial plus
 * sine series in (lon - 105, lat - 35), scaled from metres to degrees with
 * the radii of curvature of the Krasovsky 1940 ellipsoid. The offset has no
 * closed-form inverse; because its derivative is tiny (a few 1e-3 per
 * degree) the inverse converges by fixed-point iteration in a few steps.
 * BD-09 perturbs the polar radius and angle of a GCJ-02 point slightly
 * and then shifts it; its widely published inverse is only approximate, so
 * we refine it the same way. The "in China" test is the customary bounding
 * box, see coord.h for why.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo/coord.h"

static const double geo_pi = 3.14159265358979323846;

/* Krasovsky 1940: semi-major axis (m) and first eccentricity squared. */
static const double geo_kras_a = 6378245.0;
static const double geo_kras_ee = 0.00669342162296594323;

/* BD-09 angular frequency: pi * 3000 / 180. */
static const double geo_bd_freq = 3.14159265358979323846 * 3000.0 / 180.0;

/* Mean earth radius (IUGG R1) in metres. */
static const double geo_earth_radius_m = 6371008.8;

/* Convergence target and safety cap for the iterative inverses. */
static const double geo_inverse_eps = 1e-12;
enum { GEO_INVERSE_MAX_STEPS = 30 };

static double geo_offset_lat_m(double x, double y);
static double geo_offset_lon_m(double x, double y);
static struct geo_point geo_gcj_offset(double lat, double lon);
static struct geo_point geo_gcj02_forward(struct geo_point p);
static struct geo_point geo_bd09_forward_from(struct geo_point gcj);

/* ------------------------------------------------------------------------ */
/* Datum names                                                              */
/* ------------------------------------------------------------------------ */

int geo_datum_parse(const char *s, enum geo_datum *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "wgs84") == 0)
        *out = GEO_WGS84;
    else if (strcmp(s, "gcj02") == 0)
        *out = GEO_GCJ02;
    else if (strcmp(s, "bd09") == 0)
        *out = GEO_BD09;
    else
        return -1;
    return 0;
}

const char *geo_datum_name(enum geo_datum d)
{
    switch (d) {
    case GEO_WGS84:
        return "wgs84";
    case GEO_GCJ02:
        return "gcj02";
    case GEO_BD09:
        return "bd09";
    }
    return "unknown";
}

/* ------------------------------------------------------------------------ */
/* Predicates                                                               */
/* ------------------------------------------------------------------------ */

bool geo_is_in_china(double lat, double lon)
{
    /* Comparisons with NaN are false, so NaN is never "in China". */
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

bool geo_is_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 &&
           lon <= 180.0;
}

/* ------------------------------------------------------------------------ */
/* GCJ-02                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * The two offset series, in metre-like units, for x = lon - 105 and
 * y = lat - 35. Each is a low-order polynomial plus three pairs of sines
 * whose amplitudes carry a common factor 2/3.
 */
static double geo_offset_lat_m(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * geo_pi) + 20.0 * sin(2.0 * x * geo_pi)) * 2.0 / 3.0;
    r += (20.0 * sin(y * geo_pi) + 40.0 * sin(y / 3.0 * geo_pi)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * geo_pi) + 320.0 * sin(y / 30.0 * geo_pi)) * 2.0 / 3.0;
    return r;
}

static double geo_offset_lon_m(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * geo_pi) + 20.0 * sin(2.0 * x * geo_pi)) * 2.0 / 3.0;
    r += (20.0 * sin(x * geo_pi) + 40.0 * sin(x / 3.0 * geo_pi)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * geo_pi) + 300.0 * sin(x / 30.0 * geo_pi)) * 2.0 / 3.0;
    return r;
}

/*
 * The GCJ-02 offset in degrees at a WGS-84 point, without the China test.
 * The metre offsets become degrees through the meridional radius of
 * curvature M = a(1-e^2)/W^3 and the parallel radius N cos(lat) = a cos/W,
 * with W = sqrt(1 - e^2 sin^2 lat).
 */
static struct geo_point geo_gcj_offset(double lat, double lon)
{
    double x = lon - 105.0, y = lat - 35.0;
    double rad = lat / 180.0 * geo_pi;
    double s = sin(rad);
    double w2 = 1.0 - geo_kras_ee * s * s;
    double w = sqrt(w2);
    double m = geo_kras_a * (1.0 - geo_kras_ee) / (w2 * w);
    double n = geo_kras_a / w;
    struct geo_point d;

    d.lat = geo_offset_lat_m(x, y) * 180.0 / (m * geo_pi);
    d.lon = geo_offset_lon_m(x, y) * 180.0 / (n * cos(rad) * geo_pi);
    return d;
}

/* WGS-84 -> GCJ-02 without the China test (used inside the inverse, where
 * the iterate may wander across the box edge). */
static struct geo_point geo_gcj02_forward(struct geo_point p)
{
    struct geo_point d = geo_gcj_offset(p.lat, p.lon);
    struct geo_point r = {p.lat + d.lat, p.lon + d.lon};
    return r;
}

struct geo_point geo_wgs84_to_gcj02(struct geo_point p)
{
    if (!geo_is_in_china(p.lat, p.lon))
        return p;
    return geo_gcj02_forward(p);
}

/*
 * Solve forward(w) = p for w. Start from p minus the offset at p, then
 * repeatedly subtract the remaining error. Each step shrinks the error by
 * the offset's slope (a few 1e-3), so at most seven steps are needed
 * anywhere in the box to get below 1e-12 deg; the step cap only bounds the
 * loop for absurd input such as NaN.
 */
struct geo_point geo_gcj02_to_wgs84(struct geo_point p)
{
    struct geo_point w, d;
    int i;

    if (!geo_is_in_china(p.lat, p.lon))
        return p;
    d = geo_gcj_offset(p.lat, p.lon);
    w.lat = p.lat - d.lat;
    w.lon = p.lon - d.lon;
    for (i = 0; i < GEO_INVERSE_MAX_STEPS; i++) {
        struct geo_point f = geo_gcj02_forward(w);
        double elat = f.lat - p.lat, elon = f.lon - p.lon;

        w.lat -= elat;
        w.lon -= elon;
        if (fabs(elat) <= geo_inverse_eps && fabs(elon) <= geo_inverse_eps)
            break;
    }
    return w;
}

/* ------------------------------------------------------------------------ */
/* BD-09                                                                    */
/* ------------------------------------------------------------------------ */

static struct geo_point geo_bd09_forward_from(struct geo_point gcj)
{
    double x = gcj.lon, y = gcj.lat;
    double z = sqrt(x * x + y * y) + 0.00002 * sin(y * geo_bd_freq);
    double theta = atan2(y, x) + 0.000003 * cos(x * geo_bd_freq);
    struct geo_point r = {z * sin(theta) + 0.006, z * cos(theta) + 0.0065};
    return r;
}

struct geo_point geo_gcj02_to_bd09(struct geo_point p)
{
    return geo_bd09_forward_from(p);
}

/*
 * The published inverse undoes the shift, then the radius and angle
 * perturbations, but evaluates the perturbations at the BD-09 point instead
 * of the GCJ-02 one. That start is within 2e-6 deg; fixed-point steps on
 * the forward map then remove the rest.
 */
struct geo_point geo_bd09_to_gcj02(struct geo_point p)
{
    double x = p.lon - 0.0065, y = p.lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * geo_bd_freq);
    double theta = atan2(y, x) - 0.000003 * cos(x * geo_bd_freq);
    struct geo_point g = {z * sin(theta), z * cos(theta)};
    int i;

    for (i = 0; i < GEO_INVERSE_MAX_STEPS; i++) {
        struct geo_point f = geo_bd09_forward_from(g);
        double elat = f.lat - p.lat, elon = f.lon - p.lon;

        g.lat -= elat;
        g.lon -= elon;
        if (fabs(elat) <= geo_inverse_eps && fabs(elon) <= geo_inverse_eps)
            break;
    }
    return g;
}

/* ------------------------------------------------------------------------ */
/* Dispatch and distance                                                    */
/* ------------------------------------------------------------------------ */

struct geo_point geo_convert(struct geo_point p, enum geo_datum from, enum geo_datum to)
{
    struct geo_point gcj, bad = {NAN, NAN};

    if (from == to && (from == GEO_WGS84 || from == GEO_GCJ02 || from == GEO_BD09))
        return p;
    /* Every path goes through GCJ-02, the datum both others are defined on. */
    switch (from) {
    case GEO_WGS84:
        gcj = geo_wgs84_to_gcj02(p);
        break;
    case GEO_GCJ02:
        gcj = p;
        break;
    case GEO_BD09:
        gcj = geo_bd09_to_gcj02(p);
        break;
    default:
        return bad;
    }
    switch (to) {
    case GEO_WGS84:
        return geo_gcj02_to_wgs84(gcj);
    case GEO_GCJ02:
        return gcj;
    case GEO_BD09:
        return geo_gcj02_to_bd09(gcj);
    }
    return bad;
}

/*
 * Haversine: h = sin^2(dlat/2) + cos(lat1) cos(lat2) sin^2(dlon/2), distance
 * = 2 R asin(sqrt h). h is clamped to 1 so rounding at antipodes cannot push
 * asin out of its domain.
 */
double geo_distance_m(struct geo_point a, struct geo_point b)
{
    double to_rad = geo_pi / 180.0;
    double lat1 = a.lat * to_rad, lat2 = b.lat * to_rad;
    double sdlat = sin((lat2 - lat1) / 2.0);
    double sdlon = sin((b.lon - a.lon) * to_rad / 2.0);
    double h = sdlat * sdlat + cos(lat1) * cos(lat2) * sdlon * sdlon;

    if (h > 1.0)
        h = 1.0;
    return 2.0 * geo_earth_radius_m * asin(sqrt(h));
}

int geo_bbox_parse(const char *text, double b[4])
{
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        char *end;
        b[i] = strtod(p, &end);
        if (end == p || (i < 3 && *end != ',') || (i == 3 && *end))
            return -1;
        p = end + 1;
    }
    if (!geo_is_valid(b[1], b[0]) || !geo_is_valid(b[3], b[2]) || b[0] > b[2] || b[1] > b[3])
        return -1;
    return 0;
}

void geo_bbox_convert(const double b[4], enum geo_datum from, enum geo_datum to, double out[4])
{
    double in[4] = {b[0], b[1], b[2], b[3]};
    if (from == to) {
        memcpy(out, in, sizeof in);
        return;
    }
    double r[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < 4; i++) {
        struct geo_point c = {in[i & 1 ? 3 : 1], in[i & 2 ? 2 : 0]};
        struct geo_point p = geo_convert(c, from, to);
        if (isnan(p.lat) || isnan(p.lon)) {
            out[0] = out[1] = out[2] = out[3] = NAN;
            return;
        }
        r[0] = fmin(r[0], p.lon);
        r[1] = fmin(r[1], p.lat);
        r[2] = fmax(r[2], p.lon);
        r[3] = fmax(r[3], p.lat);
    }
    /* The world's edges stay where they are; nothing goes past them. */
    if (in[0] <= -180.0 || r[0] < -180.0)
        r[0] = -180.0;
    if (in[1] <= -90.0 || r[1] < -90.0)
        r[1] = -90.0;
    if (in[2] >= 180.0 || r[2] > 180.0)
        r[2] = 180.0;
    if (in[3] >= 90.0 || r[3] > 90.0)
        r[3] = 90.0;
    memcpy(out, r, sizeof r);
}
