/*
 * supply_store.c - the SQL of supplies: the catalogue, batches, minimums
 * and the log.
 */
#include <string.h>

#include "store/store.h"
#include "supply/supply.h"

#define ITEM_COLS "id, code, name_zh, name_en, unit_zh, unit_en, kit, expires"
#define BATCH_COLS "b.id, b.site_id, i.code, b.expires_on, b.quantity"
/* Sites that hold stock worth asking about. */
#define IN_SERVICE "s.status NOT IN ('removed', 'closed', 'planned')"
#define ENTRY_COLS                                                                                 \
    "l.id, l.site_id, i.code, l.expires_on, l.delta, l.reason, l.actor_id,"                        \
    " COALESCE(u.display_name, ''), l.at, l.note"
#define ENTRY_FROM                                                                                 \
    " FROM supply_log l JOIN supply_items i ON i.id = l.item_id"                                   \
    " LEFT JOIN users u ON u.id = l.actor_id"

static const char sql_items[] = "SELECT " ITEM_COLS " FROM supply_items ORDER BY position, id";
static const char sql_item[] = "SELECT " ITEM_COLS " FROM supply_items WHERE code = $1";
static const char sql_batches_site[] =
    "SELECT " BATCH_COLS " FROM supply_batches b JOIN supply_items i ON i.id = b.item_id"
    " WHERE b.site_id = $1"
    " ORDER BY i.position, i.id, CASE WHEN b.expires_on = 0 THEN 1 ELSE 0 END, "
    "b.expires_on";
static const char sql_batches_item[] =
    "SELECT " BATCH_COLS " FROM supply_batches b JOIN supply_items i ON i.id = b.item_id"
    " WHERE b.site_id = $1 AND b.item_id = $2 AND b.quantity > 0 ORDER BY b.id "
    "LIMIT $3";
static const char sql_minimums_site[] =
    "SELECT m.site_id, i.code, m.minimum FROM supply_minimums m"
    " JOIN supply_items i ON i.id = m.item_id WHERE m.site_id = $1 ORDER BY "
    "i.position, i.id";
static const char sql_sites_region[] =
    "SELECT s.id, s.name_zh, s.name_en, r.code FROM sites s JOIN regions r ON "
    "r.id = s.region_id"
    " WHERE r.path LIKE $1 AND " IN_SERVICE " ORDER BY s.id";
static const char sql_batches_region[] =
    "SELECT " BATCH_COLS " FROM supply_batches b JOIN supply_items i ON i.id = b.item_id"
    " JOIN sites s ON s.id = b.site_id JOIN regions r ON r.id = s.region_id"
    " WHERE r.path LIKE $1 AND " IN_SERVICE " AND b.quantity > 0"
    " ORDER BY b.site_id, i.position, i.id";
static const char sql_minimums_region[] =
    "SELECT m.site_id, i.code, m.minimum FROM supply_minimums m"
    " JOIN supply_items i ON i.id = m.item_id JOIN sites s ON s.id = m.site_id"
    " JOIN regions r ON r.id = s.region_id WHERE r.path LIKE $1 AND " IN_SERVICE
    " ORDER BY m.site_id, i.position, i.id";
static const char sql_restock[] =
    "INSERT INTO supply_batches (site_id, item_id, expires_on, quantity, "
    "received_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (site_id, item_id, "
    "expires_on) DO UPDATE SET"
    " quantity = supply_batches.quantity + excluded.quantity, updated_at = "
    "excluded.updated_at";
/* A use takes from one batch: the guard decides, and the CHECK stands
 * behind it. */
static const char sql_take[] = "UPDATE supply_batches SET quantity = quantity - $2, updated_at = $3"
                               " WHERE id = $1 AND quantity >= $2";
static const char sql_log[] = "INSERT INTO supply_log (site_id, item_id, "
                              "expires_on, delta, reason, actor_id, at, note)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char sql_minimum[] =
    "INSERT INTO supply_minimums (site_id, item_id, minimum, updated_by, "
    "updated_at)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, item_id) DO UPDATE SET"
    " minimum = excluded.minimum, updated_by = excluded.updated_by,"
    " updated_at = excluded.updated_at";
static const char sql_log_list[] =
    "SELECT " ENTRY_COLS ENTRY_FROM " WHERE l.site_id = $1 AND ($2 = 0 OR l.id < $2)"
    " ORDER BY l.id DESC LIMIT $3";
static const char sql_log_actor[] =
    "SELECT " ENTRY_COLS ENTRY_FROM " WHERE l.actor_id = $1 ORDER BY l.id";
static const char sql_forget_actor[] = "UPDATE supply_log SET actor_id = NULL WHERE actor_id = $1";

/* ---- the demo
 * ----------------------------------------------------------------- */

/* Stations and hubs keep every item, Warm Huts the kit and water. */
static const char sql_demo_minimums[] =
    "INSERT INTO supply_minimums (site_id, item_id, minimum, updated_at)"
    " SELECT s.id, i.id, CASE i.code WHEN 'plasters' THEN 20 WHEN 'gloves' "
    "THEN 10"
    " WHEN 'drinking_water' THEN 24 WHEN 'rain_poncho' THEN 10 WHEN "
    "'iodine_swabs' THEN 5"
    " ELSE 3 END, $1"
    " FROM sites s JOIN site_types t ON t.id = s.type_id CROSS JOIN "
    "supply_items i"
    " WHERE s.is_demo = 1 AND " IN_SERVICE " AND (t.code IN ('industry_hub', 'community_station')"
    " OR (t.code = 'warm_hut' AND (i.kit = 1 OR i.code = 'drinking_water')))"
    " ON CONFLICT (site_id, item_id) DO NOTHING";
/* One batch per minimum: about one in nine under it, one in eleven
 * expiring soon, one in seventeen expired; made up from the ids. */
static const char sql_demo_batches[] =
    "INSERT INTO supply_batches (site_id, item_id, expires_on, quantity, "
    "received_at, updated_at)"
    " SELECT m.site_id, m.item_id, CASE WHEN i.expires = 0 THEN 0"
    " WHEN (m.site_id * 7 + m.item_id * 3) % 11 = 0 THEN CAST($2 AS INTEGER)"
    " WHEN (m.site_id * 5 + m.item_id) % 17 = 0 THEN CAST($4 AS INTEGER)"
    " ELSE CAST($3 AS INTEGER) END,"
    " CASE WHEN (m.site_id * 3 + m.item_id * 5) % 9 = 0 THEN m.minimum / 2"
    " ELSE m.minimum * 2 END, $1, $1"
    " FROM supply_minimums m JOIN supply_items i ON i.id = m.item_id"
    " JOIN sites s ON s.id = m.site_id WHERE s.is_demo = 1"
    " ON CONFLICT (site_id, item_id, expires_on) DO NOTHING";

/* ---- mapping
 * ----------------------------------------------------------------- */

static void row_to_item(const struct store_rows *rows, size_t i, struct supply_item *it)
{
    it->id = store_int(rows, i, 0);
    it->code = store_text(rows, i, 1);
    it->name_zh = store_text(rows, i, 2);
    it->name_en = store_text(rows, i, 3);
    it->unit_zh = store_text(rows, i, 4);
    it->unit_en = store_text(rows, i, 5);
    it->kit = store_int(rows, i, 6) != 0;
    it->expires = store_int(rows, i, 7) != 0;
}

static void rows_to_batches(struct arena *a, const struct store_rows *rows,
                            struct supply_batch **out, size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++) {
        struct supply_batch *b = &(*out)[i];
        b->id = store_int(rows, i, 0);
        b->site_id = store_int(rows, i, 1);
        b->item = store_text(rows, i, 2);
        b->expires_on = (int32_t)store_int(rows, i, 3);
        b->quantity = store_int(rows, i, 4);
    }
}

static void rows_to_minimums(struct arena *a, const struct store_rows *rows,
                             struct supply_minimum **out, size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++) {
        (*out)[i].site_id = store_int(rows, i, 0);
        (*out)[i].item = store_text(rows, i, 1);
        (*out)[i].minimum = store_int(rows, i, 2);
    }
}

static void rows_to_entries(struct arena *a, const struct store_rows *rows,
                            struct supply_entry **out, size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++) {
        struct supply_entry *e = &(*out)[i];
        e->id = store_int(rows, i, 0);
        e->site_id = store_int(rows, i, 1);
        e->item = store_text(rows, i, 2);
        e->expires_on = (int32_t)store_int(rows, i, 3);
        e->delta = store_int(rows, i, 4);
        e->reason = store_text(rows, i, 5);
        e->actor_id = store_int(rows, i, 6);
        e->actor_name = store_text(rows, i, 7);
        e->at = store_int(rows, i, 8);
        e->note = store_text(rows, i, 9);
    }
}

/* ---- reads
 * -------------------------------------------------------------------- */

int supply_items_list(struct store_conn *c, struct arena *a, struct supply_item **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_items, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_item(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int supply_item_get(struct store_conn *c, struct arena *a, const char *code,
                    struct supply_item *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_item, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_item(&rows, 0, out);
    return STORE_OK;
}

int supply_batches_of_site(struct store_conn *c, struct arena *a, int64_t site_id,
                           struct supply_batch **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_batches_site, p, 1, &rows);
    if (!rc)
        rows_to_batches(a, &rows, out, n);
    return rc;
}

int supply_minimums_of_site(struct store_conn *c, struct arena *a, int64_t site_id,
                            struct supply_minimum **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_minimums_site, p, 1, &rows);
    if (!rc)
        rows_to_minimums(a, &rows, out, n);
    return rc;
}

int supply_sites_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                           struct supply_site **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(arena_printf(a, "%s%%", region_path))};
    struct store_rows rows;
    int rc = store_query(c, a, sql_sites_region, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].id = store_int(&rows, i, 0);
        (*out)[i].name_zh = store_text(&rows, i, 1);
        (*out)[i].name_en = store_text(&rows, i, 2);
        (*out)[i].region = store_text(&rows, i, 3);
    }
    return STORE_OK;
}

int supply_batches_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                             struct supply_batch **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(arena_printf(a, "%s%%", region_path))};
    struct store_rows rows;
    int rc = store_query(c, a, sql_batches_region, p, 1, &rows);
    if (!rc)
        rows_to_batches(a, &rows, out, n);
    return rc;
}

int supply_minimums_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                              struct supply_minimum **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(arena_printf(a, "%s%%", region_path))};
    struct store_rows rows;
    int rc = store_query(c, a, sql_minimums_region, p, 1, &rows);
    if (!rc)
        rows_to_minimums(a, &rows, out, n);
    return rc;
}

/* ---- writes
 * -------------------------------------------------------------------- */

static int log_add(struct store_conn *c, int64_t site_id, int64_t item_id, int32_t expires_on,
                   int64_t delta, const char *reason, int64_t actor, const char *note, int64_t now)
{
    struct store_val p[] = {SV_INT(site_id),    SV_INT(item_id),
                            SV_INT(expires_on), SV_INT(delta),
                            SV_TEXT(reason),    actor ? SV_INT(actor) : SV_NULL,
                            SV_INT(now),        SV_TEXT(note ? note : "")};
    return store_exec(c, sql_log, p, 8, NULL);
}

int supply_restock(struct store_conn *c, struct arena *a, int64_t site_id,
                   const struct supply_item *item, int32_t expires_on, int64_t quantity,
                   int64_t actor, const char *note, int64_t now)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(item->id), SV_INT(expires_on), SV_INT(quantity),
                            SV_INT(now)};
    int rc = store_exec(c, sql_restock, p, 5, NULL);
    if (!rc)
        rc = log_add(c, site_id, item->id, expires_on, quantity, "restock", actor, note, now);
    return rc;
}

int supply_use(struct store_conn *c, struct arena *a, int64_t site_id,
               const struct supply_item *item, int64_t quantity, const char *reason, int32_t today,
               int64_t actor, const char *note, int64_t now, int64_t *available)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(item->id), SV_INT(SUPPLY_MAX_BATCHES)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_batches_item, p, 3, &rows);
    if (rc)
        return rc;
    struct supply_batch *bs;
    size_t n;
    rows_to_batches(a, &rows, &bs, &n);
    int64_t *take = arena_calloc(a, n ? n : 1, sizeof(*take));
    if (supply_plan(bs, n, quantity, reason, today, take, available))
        return SUPPLY_SHORT;
    for (size_t i = 0; i < n; i++) {
        if (!take[i])
            continue;
        struct store_val q[] = {SV_INT(bs[i].id), SV_INT(take[i]), SV_INT(now)};
        int64_t changed = 0;
        rc = store_exec(c, sql_take, q, 3, &changed);
        if (rc)
            return rc;
        if (changed != 1)
            return STORE_BUSY; /* someone took from it since we read: plan again
                                */
        rc = log_add(c, site_id, item->id, bs[i].expires_on, -take[i], reason, actor, note, now);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

int supply_minimum_set(struct store_conn *c, int64_t site_id, const struct supply_item *item,
                       int64_t minimum, int64_t actor, int64_t now)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(item->id), SV_INT(minimum),
                            actor ? SV_INT(actor) : SV_NULL, SV_INT(now)};
    return store_exec(c, sql_minimum, p, 5, NULL);
}

/* ---- the log
 * ------------------------------------------------------------------- */

int supply_log_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t before,
                    int64_t limit, struct supply_entry **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(before), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_log_list, p, 3, &rows);
    if (!rc)
        rows_to_entries(a, &rows, out, n);
    return rc;
}

int supply_log_of_actor(struct store_conn *c, struct arena *a, int64_t actor,
                        struct supply_entry **out, size_t *n)
{
    struct store_val p[] = {SV_INT(actor)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_log_actor, p, 1, &rows);
    if (!rc)
        rows_to_entries(a, &rows, out, n);
    return rc;
}

int supply_log_forget_actor(struct store_conn *c, int64_t actor)
{
    struct store_val p[] = {SV_INT(actor)};
    return store_exec(c, sql_forget_actor, p, 1, NULL);
}

int supply_demo_fill(struct store_conn *c, int32_t soon, int32_t later, int32_t past, int64_t now,
                     int64_t *batches)
{
    struct store_val p[] = {SV_INT(now)};
    int rc = store_exec(c, sql_demo_minimums, p, 1, NULL);
    if (rc)
        return rc;
    struct store_val q[] = {SV_INT(now), SV_INT(soon), SV_INT(later), SV_INT(past)};
    *batches = 0;
    return store_exec(c, sql_demo_batches, q, 4, batches);
}
