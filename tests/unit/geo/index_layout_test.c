/*
 * index_layout_test.c - the internal layout of src/geo/index.c that the
 * differential tests (index_test.c) cannot see, because a wrong guess of
 * where the nearest sites are still gives exact answers as long as the
 * bounds hold.
 *
 * The splits (struct geo_split): every internal node of trees of depth 0 to
 * 20 has its own slot in the blocks (no slot 0 of a block, none shared,
 * none outside), the walk down (geo_walk_start, geo_walk_down) reaches the
 * same slots as geo_split_at on every path, and on built trees each split
 * agrees with its children's boxes and amenities, also after restyles
 * (amenity bits only added) and kills (splits unchanged). The halves of a
 * site (struct geo_hot, geo_cold) give back what was stored.
 */

/* The file itself, to reach its static functions; the library's index.o is
 * then not linked (every symbol it defines is defined here). */
#include "geo/index.c"
#include "test.h"

#include <stdio.h>

/* Blocks and slots of a tree of this depth, as geo_snap_splits lays them. */
static void layout_for_depth(struct geo_snap *s, unsigned depth)
{
    memset(s, 0, sizeof *s);
    s->depth = depth;
    s->leaves = (size_t)1 << depth;
    s->split_top = depth ? depth - 3 * ((depth - 1) / 3) : 0;
    s->split_blocks = 1;
    for (unsigned db = s->split_top; depth && db < depth; db += 3)
        s->split_blocks += (size_t)1 << db;
    s->split = calloc(8 * s->split_blocks, sizeof *s->split);
}

static void test_split_slots(void)
{
    for (unsigned depth = 0; depth <= 20; depth++) {
        struct geo_snap s;
        size_t L, bad = 0;
        unsigned char *seen;

        layout_for_depth(&s, depth);
        L = s.leaves;
        seen = calloc(8 * s.split_blocks, 1);
        for (size_t i = 1; i < L; i++) {
            size_t off = (size_t)(geo_split_at(&s, i) - s.split);

            if (off >= 8 * s.split_blocks || off % 8 == 0 || seen[off]++)
                bad++;
        }
        CHECK_INT(bad, 0);
        /* Fewer than 9.2 bytes per internal node once the blocks fill. */
        if (depth >= 6)
            CHECK(64.0 * (double)s.split_blocks / (double)(L - 1) < 9.6);
        /* The walk down on every path (a sample of them when deep). */
        for (size_t leaf = 0; depth && leaf<L; leaf += L> 4096 ? 97 : 1) {
            struct geo_walk w;

            geo_walk_start(&s, &w);
            while (w.i < L) {
                if (&w.blk[w.local] != geo_split_at(&s, w.i))
                    bad++;
                geo_walk_down(&s, &w, (leaf >> (depth - 1 - w.depth)) & 1);
            }
            if (w.i != L + leaf || w.depth != depth)
                bad++;
        }
        CHECK_INT(bad, 0);
        free(seen);
        free(s.split);
    }
}

/* Every split of s agrees with its children's nodes: the axis separates
 * their boxes at the right child's low edge (or no axis does), and its
 * amenity bits hold the children's (exactly when exact). */
static size_t splits_wrong(const struct geo_snap *s, bool exact)
{
    size_t wrong = 0;

    for (size_t i = 1; i < s->leaves; i++) {
        const struct geo_split *sp = geo_split_at(s, i);
        const struct geo_node *l = &s->node[2 * i], *r = l + 1;
        unsigned axis = sp->meta & 3;
        uint32_t la = (sp->meta >> 2) & GEO_SPLIT_AMEN, ra = (sp->meta >> 17) & GEO_SPLIT_AMEN;
        uint32_t lw = (uint32_t)l->amen & GEO_SPLIT_AMEN, rw = (uint32_t)r->amen & GEO_SPLIT_AMEN;

        if (axis != GEO_SPLIT_NONE && !(l->hi[axis] <= sp->at && sp->at == r->lo[axis]))
            wrong++;
        if ((la & lw) != lw || (ra & rw) != rw || (exact && (la != lw || ra != rw)))
            wrong++;
    }
    return wrong;
}

static void test_split_values(void)
{
    static const size_t sizes[] = {0, 1, 16, 17, 40, 300, 5000, 40000};

    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        size_t n = sizes[z];
        struct geo_entry *e = calloc(n + 1, sizeof *e);
        struct geo_index *ix = geo_index_new();
        uint64_t r = 12345 + n;
        struct geo_snap *s;

        for (size_t i = 0; i < n; i++) {
            r = r * 6364136223846793005u + 1442695040888963407u;
            e[i].id = (int64_t)i + 1;
            e[i].lat = -60 + (double)(r >> 40) / (double)(1 << 24) * 120;
            e[i].lon = -180 + (double)((r >> 8) & 0xffffff) / (double)(1 << 24) * 360;
            e[i].amenities = r >> 50; /* bits 0..13 */
            e[i].type = (uint16_t)(r & 7);
            e[i].tier = (uint8_t)((r >> 3) & 3);
        }
        CHECK_INT(geo_index_build(ix, e, n), 0);
        s = ix->st.snap;
        CHECK_INT(splits_wrong(s, true), 0);
        for (size_t p = 0; p < s->n; p++) {
            struct geo_pt pt;

            geo_site_get(s, p, &pt);
            CHECK(pt.id >= 1 && (size_t)pt.id <= n && !pt.dead);
            CHECK(pt.amen == e[pt.id - 1].amenities && pt.type == e[pt.id - 1].type &&
                  pt.tier == e[pt.id - 1].tier);
        }
        /* Restyles add amenity bits (14 and 63 are new) and kills keep the
         * splits: still a superset, and the halves hold what was written. */
        for (size_t i = 0; i < n; i += 3) {
            e[i].amenities = 1ull << 14 | 1ull << 63 | 5;
            e[i].type = 65535;
            e[i].tier = 3;
            CHECK_INT(geo_index_upsert(ix, &e[i]), 0);
        }
        for (size_t i = 1; i < n; i += 11)
            CHECK_INT(geo_index_remove(ix, e[i].id), 0);
        CHECK(ix->st.snap == s); /* no fold yet: edits in place */
        CHECK_INT(splits_wrong(s, false), 0);
        for (size_t p = 0; p < s->n; p++) {
            struct geo_pt pt;

            geo_site_get(s, p, &pt);
            CHECK(pt.dead == ((pt.id - 1) % 11 == 1));
            CHECK(pt.amen == e[pt.id - 1].amenities && pt.type == e[pt.id - 1].type &&
                  pt.tier == e[pt.id - 1].tier);
        }
        geo_index_free(ix);
        free(e);
    }
}

int main(void)
{
    RUN(test_split_slots);
    RUN(test_split_values);
    return test_report("geo_index_layout");
}
