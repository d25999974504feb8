/*
 * live_store.c - SQL for live status, and its JSON form.
 */
#include <string.h>

#include "core/clock.h"
#include "live/live.h"
#include "store/store.h"

static const char sql_get[] =
    "SELECT a.code, l.available, l.working, l.reported_at FROM site_live l"
    " JOIN amenities a ON a.id = l.amenity_id WHERE l.site_id = $1 ORDER BY a.id";
static const char sql_get_all[] =
    "SELECT l.site_id, a.code, l.available, l.working, l.reported_at FROM site_live l"
    " JOIN amenities a ON a.id = l.amenity_id ORDER BY l.site_id, a.id";
static const char sql_amenity_id[] = "SELECT id FROM amenities WHERE code = $1";
static const char sql_delete[] = "DELETE FROM site_live WHERE site_id = $1 AND amenity_id = $2";
static const char sql_insert[] =
    "INSERT INTO site_live (site_id, amenity_id, available, working, reported_at)"
    " VALUES ($1, $2, $3, $4, $5)";

int live_get(struct store_conn *c, struct arena *a, int64_t site_id, struct live *out)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    memset(out, 0, sizeof(*out));
    int rc = store_query(c, a, sql_get, p, 1, &rows);
    if (rc)
        return rc;
    out->n = rows.nrows;
    out->items = arena_calloc(a, rows.nrows + 1, sizeof(*out->items));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct live_item *it = &out->items[i];
        it->code = store_text(&rows, i, 0);
        it->has_available = !store_is_null(&rows, i, 1);
        it->available = store_int(&rows, i, 1);
        it->working = store_is_null(&rows, i, 2) ? -1 : (int)store_int(&rows, i, 2);
        it->reported_at = store_int(&rows, i, 3);
        if (it->reported_at > out->last_updated)
            out->last_updated = it->reported_at;
    }
    return STORE_OK;
}

int live_get_all(struct store_conn *c, struct arena *a, int64_t **ids, struct live **lives,
                 size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_get_all, NULL, 0, &rows);
    if (rc)
        return rc;
    *ids = arena_calloc(a, rows.nrows + 1, sizeof(**ids));
    *lives = arena_calloc(a, rows.nrows + 1, sizeof(**lives));
    *n = 0;
    for (size_t i = 0; i < rows.nrows;) {
        int64_t id = store_int(&rows, i, 0);
        size_t end = i;
        while (end < rows.nrows && store_int(&rows, end, 0) == id)
            end++;
        struct live *l = &(*lives)[*n];
        (*ids)[(*n)++] = id;
        l->n = end - i;
        l->items = arena_calloc(a, l->n, sizeof(*l->items));
        for (size_t k = 0; k < l->n; k++, i++) {
            struct live_item *it = &l->items[k];
            it->code = store_text(&rows, i, 1);
            it->has_available = !store_is_null(&rows, i, 2);
            it->available = store_int(&rows, i, 2);
            it->working = store_is_null(&rows, i, 3) ? -1 : (int)store_int(&rows, i, 3);
            it->reported_at = store_int(&rows, i, 4);
            if (it->reported_at > l->last_updated)
                l->last_updated = it->reported_at;
        }
    }
    return STORE_OK;
}

int live_put(struct store_conn *c, struct arena *a, int64_t site_id, const struct live_item *items,
             size_t n, int64_t now, const char **bad)
{
    for (size_t i = 0; i < n; i++) {
        struct store_val q[] = {SV_TEXT(items[i].code)};
        struct store_rows rows;
        int rc = store_query(c, a, sql_amenity_id, q, 1, &rows);
        if (rc)
            return rc;
        if (!rows.nrows) {
            *bad = items[i].code;
            return STORE_NOT_FOUND;
        }
        int64_t amenity_id = store_int(&rows, 0, 0);
        struct store_val d[] = {SV_INT(site_id), SV_INT(amenity_id)};
        struct store_val p[] = {SV_INT(site_id), SV_INT(amenity_id),
                                items[i].has_available ? SV_INT(items[i].available) : SV_NULL,
                                items[i].working < 0 ? SV_NULL : SV_INT(items[i].working),
                                SV_INT(now)};
        rc = store_exec(c, sql_delete, d, 2, NULL);
        if (!rc)
            rc = store_exec(c, sql_insert, p, 5, NULL);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

json_t *live_json(const struct live *l, int64_t now, int ttl_s, int tz_offset_min)
{
    char buf[40];
    json_t *items = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const struct live_item *it = &l->items[i];
        json_t *o = json_pack("{s:s, s:s, s:b}", "code", it->code, "last_reported",
                              clock_format_iso(it->reported_at, tz_offset_min, buf, sizeof buf),
                              "stale", now - it->reported_at > ttl_s);
        json_object_set_new(o, "available",
                            it->has_available ? json_integer(it->available) : json_null());
        json_object_set_new(o, "working",
                            it->working < 0 ? json_null() : json_boolean(it->working));
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:i, s:o}", "ttl", ttl_s, "amenities", items);
    json_object_set_new(out, "last_updated",
                        l->last_updated ? json_string(clock_format_iso(
                                              l->last_updated, tz_offset_min, buf, sizeof buf))
                                        : json_null());
    return out;
}
