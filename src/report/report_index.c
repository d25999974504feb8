/*
 * report_index.c - which grid holds a point, fast: a uniform grid of cells
 * over the grids' boundary boxes. Each cell lists the grids whose box
 * touches it (compressed rows: one offset array, one item array); a
 * grid whose box spans very many cells is kept on a short list that every
 * lookup checks instead, so one huge boundary cannot swell the cells. A
 * lookup tests the few grids of one cell with report_geom_contains.
 */
#include <math.h>
#include <string.h>

#include "report/report.h"

#define CELLS_PER_GRID 2 /* cells per indexed grid, about */
#define CELLS_SIDE_MAX 2048
#define WIDE_CELLS 256 /* a box over more cells than this goes on the wide list */

static bool is_grid(const struct report_area *ar)
{
    return ar->level && strcmp(ar->level, "grid") == 0 && ar->geom.npolys > 0;
}

/* The cell of v along one axis, clamped to [0, n). Monotone in v, so a
 * point inside a box falls in a cell the box was entered in. */
static int cell_of(double v, double origin, double size, int n)
{
    double k = floor((v - origin) / size);
    if (!(k >= 0))
        return 0;
    if (k >= n)
        return n - 1;
    return (int)k;
}

void report_index_build(struct report_index *ix, struct arena *a, const struct report_area *areas,
                        size_t n)
{
    memset(ix, 0, sizeof(*ix));
    ix->areas = areas;
    ix->n = n;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    size_t ngrids = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_grid(&areas[i]))
            continue;
        const double *b = areas[i].geom.bbox;
        x0 = fmin(x0, b[0]);
        y0 = fmin(y0, b[1]);
        x1 = fmax(x1, b[2]);
        y1 = fmax(y1, b[3]);
        ngrids++;
    }
    ix->ngrids = ngrids;
    if (!ngrids)
        return;
    double w = fmax(x1 - x0, 1e-9), h = fmax(y1 - y0, 1e-9);
    double cell = sqrt(w * h / (double)(ngrids * CELLS_PER_GRID));
    int nx = (int)fmin(fmax(ceil(w / cell), 1), CELLS_SIDE_MAX);
    int ny = (int)fmin(fmax(ceil(h / cell), 1), CELLS_SIDE_MAX);
    ix->x0 = x0;
    ix->y0 = y0;
    ix->x1 = x1;
    ix->y1 = y1;
    ix->nx = nx;
    ix->ny = ny;
    ix->cw = w / nx;
    ix->ch = h / ny;
    size_t ncells = (size_t)nx * (size_t)ny;
    ix->start = arena_calloc(a, ncells + 1, sizeof(*ix->start));
    ix->wide = arena_calloc(a, ngrids, sizeof(*ix->wide));
    /* count, then offsets, then fill */
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = NULL;
        if (pass == 1) {
            for (size_t c = 0; c < ncells; c++)
                ix->start[c + 1] += ix->start[c];
            ix->items =
                arena_calloc(a, ix->start[ncells] ? ix->start[ncells] : 1, sizeof(*ix->items));
            fill = arena_calloc(a, ncells, sizeof(*fill));
            ix->nwide = 0;
        }
        for (size_t i = 0; i < n; i++) {
            if (!is_grid(&areas[i]))
                continue;
            const double *b = areas[i].geom.bbox;
            int cx0 = cell_of(b[0], x0, ix->cw, nx), cx1 = cell_of(b[2], x0, ix->cw, nx);
            int cy0 = cell_of(b[1], y0, ix->ch, ny), cy1 = cell_of(b[3], y0, ix->ch, ny);
            if ((size_t)(cx1 - cx0 + 1) * (size_t)(cy1 - cy0 + 1) > WIDE_CELLS) {
                if (pass == 1)
                    ix->wide[ix->nwide++] = i;
                continue;
            }
            for (int cy = cy0; cy <= cy1; cy++)
                for (int cx = cx0; cx <= cx1; cx++) {
                    size_t c = (size_t)cy * (size_t)nx + (size_t)cx;
                    if (pass == 0)
                        ix->start[c + 1]++;
                    else
                        ix->items[ix->start[c] + fill[c]++] = i;
                }
        }
    }
}

long report_index_find(const struct report_index *ix, double lat, double lon)
{
    if (!ix->ngrids || !(lon >= ix->x0 && lon <= ix->x1 && lat >= ix->y0 && lat <= ix->y1))
        return -1;
    long best = -1;
    size_t c = (size_t)cell_of(lat, ix->y0, ix->ch, ix->ny) * (size_t)ix->nx +
               (size_t)cell_of(lon, ix->x0, ix->cw, ix->nx);
    for (size_t k = ix->start[c]; k < ix->start[c + 1]; k++) {
        const struct report_area *ar = &ix->areas[ix->items[k]];
        if ((best < 0 || ar->region_id < ix->areas[best].region_id) &&
            report_geom_contains(&ar->geom, lat, lon))
            best = (long)ix->items[k];
    }
    for (size_t k = 0; k < ix->nwide; k++) {
        const struct report_area *ar = &ix->areas[ix->wide[k]];
        if ((best < 0 || ar->region_id < ix->areas[best].region_id) &&
            report_geom_contains(&ar->geom, lat, lon))
            best = (long)ix->wide[k];
    }
    return best;
}
