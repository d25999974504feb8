/*
 * photo_fuzz.c - libFuzzer target for cleaning a report's photo
 * (src/report/report_photo.c): bytes anyone may upload, read by libvips
 * and libjpeg. Promises checked:
 *  - any bytes give one of the five answers, never a crash, a read out
 *    of bounds or a leak (ASan), and never hang (libFuzzer's -timeout);
 *  - bytes that do not start as JPEG, PNG or WebP are refused unread
 *    (not_image);
 *  - an accepted photo is a JPEG of at most REPORT_PHOTO_SIDE on each
 *    side, with the size it was reported with, three bands, and no EXIF,
 *    XMP, ICC profile or orientation.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/photo)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "core/arena.h"
#include "report/report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "photo_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* libvips once, as the server starts it (no cache, one thread). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char err[160];
    if (report_photo_start(err, sizeof err)) {
        fprintf(stderr, "photo_fuzz: %s\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a);
    const void *out = NULL;
    size_t out_len = 0;
    int w = 0, h = 0;
    int rc = report_photo_clean(&a, data, size, &out, &out_len, &w, &h);
    fz_check(rc >= REPORT_PHOTO_OK && rc <= REPORT_PHOTO_FAILED, "an answer out of the list");
    if (!report_photo_sniff(data, size))
        fz_check(rc == REPORT_PHOTO_NOT_IMAGE, "unknown bytes not refused as not_image");
    if (rc == REPORT_PHOTO_OK) {
        fz_check(out && out_len > 0, "an accepted photo without bytes");
        const char *type = report_photo_sniff(out, out_len);
        fz_check(type && strcmp(type, "image/jpeg") == 0, "an accepted photo is not a JPEG");
        fz_check(w >= 1 && h >= 1 && w <= REPORT_PHOTO_SIDE && h <= REPORT_PHOTO_SIDE,
                 "an accepted photo over REPORT_PHOTO_SIDE");
        VipsImage *back = vips_image_new_from_buffer(out, out_len, "", NULL);
        fz_check(back != NULL, "an accepted photo does not read back");
        fz_check(vips_image_get_width(back) == w && vips_image_get_height(back) == h,
                 "an accepted photo's size is not the one reported");
        fz_check(vips_image_get_bands(back) == 3, "an accepted photo is not three bands");
        fz_check(vips_image_get_typeof(back, "exif-data") == 0 &&
                     vips_image_get_typeof(back, "xmp-data") == 0 &&
                     vips_image_get_typeof(back, "icc-profile-data") == 0 &&
                     vips_image_get_typeof(back, VIPS_META_ORIENTATION) == 0,
                 "an accepted photo keeps metadata");
        g_object_unref(back);
    }
    vips_error_clear();
    arena_release(&a);
    return 0;
}
