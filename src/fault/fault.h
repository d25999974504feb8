/*
 * fault.h - faults reported at a site: "the microwave is broken". Staff
 * of the site report one against an amenity the site has; while it is
 * open the amenity's live status says it is out of order (so the map
 * shows it at once), and fixing it says it works again. One open fault per
 * site and amenity.
 */
#ifndef WH_FAULT_FAULT_H
#define WH_FAULT_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define FAULT_NOTE_MAX 500

struct fault {
    int64_t id;
    int64_t site_id;
    const char *amenity; /* its code */
    const char *note;
    const char *state; /* "open" | "fixed" */
    int64_t reported_by, reported_at;
    int64_t fixed_by, fixed_at; /* 0 while open */
    const char *fix_note;       /* NULL while open */
};

/* ---- store (fault_store.c) ------------------------------------------ */

/* Insert an open fault (f->site_id, f->amenity, f->note, f->reported_*);
 * sets f->id. STORE_CONFLICT: that amenity already has an open fault;
 * STORE_NOT_FOUND: no amenity has that code. */
int fault_insert(struct store_conn *c, struct arena *a, struct fault *f);
int fault_get(struct store_conn *c, struct arena *a, int64_t id, struct fault *out);
/* The site's faults, newest first; state NULL for all. */
int fault_list(struct store_conn *c, struct arena *a, int64_t site_id, const char *state,
               int64_t limit, struct fault **out, size_t *n);
/* Mark an open fault fixed, in one statement: STORE_CONFLICT when it is
 * not open (fixed already, by someone else at the same moment). */
int fault_fix(struct store_conn *c, int64_t id, int64_t by, int64_t now, const char *note);

/* ---- module (fault_http.c) -------------------------------------------- */

struct module;
struct route_scope;
extern const struct module fault_module;
/* The scope resolver for routes whose {id} is a fault: its site. */
extern const struct route_scope fault_scope_path;

#endif
