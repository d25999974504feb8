/*
 * coord.h - China's three map datums and great-circle distance.
 *
 * GPS receivers report WGS-84. Every map published in mainland China must
 * display GCJ-02, an obfuscated datum that shifts points by 100-700 m, and
 * Baidu adds a further offset on top of that called BD-09. A point given in
 * the wrong datum lands on the wrong street, so warmharbor stores one
 * canonical datum, records the datum of every input, and converts at the
 * edges with the functions below.
 *
 * Everything here is pure math (libm only): no allocation, no I/O, no global
 * state. Latitudes and longitudes are decimal degrees. The conversions do not
 * validate their input; callers check it with geo_is_valid() first. A NaN
 * input gives a NaN (or unchanged NaN) output, never a hang.
 */
#ifndef WH_GEO_COORD_H
#define WH_GEO_COORD_H

#include <stdbool.h>

enum geo_datum { GEO_WGS84 = 0, GEO_GCJ02 = 1, GEO_BD09 = 2 };

struct geo_point {
    double lat, lon;
};

/* Parse "wgs84" | "gcj02" | "bd09" (exact lowercase); returns 0 or -1. */
int geo_datum_parse(const char *s, enum geo_datum *out);

/* The name geo_datum_parse() accepts for d (a static string), or "unknown"
 * for a value outside the enum. */
const char *geo_datum_name(enum geo_datum d);

/* true if the point is inside the area where the GCJ-02 offset applies (China).
 * This is the rectangle lon 72.004..137.8347, lat 0.8293..55.8271, bounds
 * included: the same box gcoord and most map SDK helpers use, so a point
 * converted here and one converted in a browser agree. It covers all of
 * China and also neighbours (Korea, Mongolia, much of South-East Asia) that
 * really are WGS-84; a finer polygon would fix those but disagree with the
 * JavaScript tools, and the network this serves is all in mainland China. */
bool geo_is_in_china(double lat, double lon);

/* Closed-form GCJ-02 offset (Krasovsky 1940 ellipsoid). Outside China the
 * point is returned unchanged. */
struct geo_point geo_wgs84_to_gcj02(struct geo_point p);

/* Inverse of geo_wgs84_to_gcj02 by fixed-point iteration; the result maps
 * back onto p within 1e-9 deg. Outside China the point is unchanged. The
 * box edge is a seam: within ~0.01 deg of it (sea or Russia, never mainland
 * China) the offset can carry a point across, and the round trip does not
 * close there. gcoord has the same seam. */
struct geo_point geo_gcj02_to_wgs84(struct geo_point p);

/* Closed-form BD-09 offset, applied everywhere (Baidu does not limit it to
 * China). */
struct geo_point geo_gcj02_to_bd09(struct geo_point p);

/* Exact inverse of geo_gcj02_to_bd09: the usual closed form refined by
 * iteration, so a round trip is within 1e-9 deg (the bare closed form is
 * off by up to 2e-6 deg). */
struct geo_point geo_bd09_to_gcj02(struct geo_point p);

/* Convert p from one datum to another (identity if from == to). A datum
 * value outside the enum gives a point whose lat and lon are NaN, which
 * geo_is_valid() rejects. */
struct geo_point geo_convert(struct geo_point p, enum geo_datum from, enum geo_datum to);

/* Great-circle distance in metres (haversine, mean earth radius
 * 6371008.8 m). */
double geo_distance_m(struct geo_point a, struct geo_point b);

/* Parse "minlon,minlat,maxlon,maxlat" (degrees) into b. 0, or -1 when it
 * is not four numbers, a corner is out of range, or min exceeds max (boxes
 * across the antimeridian are refused). */
int geo_bbox_parse(const char *text, double b[4]);

/* The box b (minlon, minlat, maxlon, maxlat, as geo_bbox_parse gives it)
 * given in datum `from`, as a box in datum `to`, into out (out may be b).
 *
 * Each corner is converted, and out is the smallest box around the four:
 * min never exceeds max (converting only two corners flips a box thinner
 * than the difference of their offsets into one "across the antimeridian",
 * i.e. nearly the whole world). An edge on the edge of the world (lon -180
 * or 180, lat -90 or 90) stays there, and out is clamped to the world: the
 * BD-09 offset applies everywhere and would otherwise carry the corners of
 * a whole-world box past the poles and the antimeridian, where the box
 * matches nothing. GCJ-02 shifts only corners inside China's extent (see
 * geo_is_in_china), so a box wholly outside China is unchanged.
 *
 * Between the corners the datum offset changes a little (at most about
 * 0.0004 degree, 40 m, across a 0.2 x 0.3 degree city box in China), so
 * a point within that distance of an edge may fall on the other side of
 * it than its converted position would. Map viewports do not notice. */
void geo_bbox_convert(const double b[4], enum geo_datum from, enum geo_datum to, double out[4]);

/* true if lat in [-90,90], lon in [-180,180] and both finite. */
bool geo_is_valid(double lat, double lon);

#endif
