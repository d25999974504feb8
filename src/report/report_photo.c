/*
 * report_photo.c - cleaning a report's photo with libvips before it is
 * stored: the only file that includes <vips/vips.h>.
 *
 * A phone photo carries where it was taken (EXIF GPS), when, the phone's
 * make and serial, sometimes a thumbnail of the uncropped picture. None of
 * it may reach the public map. So a photo is never stored as sent:
 *
 *  1. its first bytes must say JPEG, PNG or WebP (nothing else is handed
 *     to libvips, which could otherwise load SVG, PDF, HEIF, TIFF ...);
 *  2. the header is read and the loader libvips picked is checked again,
 *     with the size in pixels (a small file can claim a huge image);
 *  3. it is decoded (refusing truncated or corrupt data), shrunk to at
 *     most REPORT_PHOTO_SIDE pixels on its longest side, turned upright by
 *     its EXIF orientation, converted to sRGB, any alpha flattened onto
 *     white;
 *  4. it is encoded again as a baseline JPEG with `strip`, so the new file
 *     holds pixels only: no EXIF, XMP, IPTC, ICC profile or comment.
 *
 * The usual photo (8-bit RGB or grey, no alpha: what phones send) takes a
 * short road of our own: a JPEG is shrunk by libjpeg while it is decoded
 * (by 2, 4 or 8, keeping at least REPORT_PHOTO_SIDE), then resized with a
 * linear (triangle) kernel, which libvips scales to the reduction so it
 * still averages every input pixel. vips_thumbnail would decode in full
 * unless the photo is four times the size and always resizes with
 * lanczos3: for the bench's 3-megapixel 1 MB JPEG that resize was two
 * thirds of a report's instructions, the linear one costs less than half
 * of it, and at a reduction of 2 or less the difference in sharpness is
 * slight. Anything else (alpha, CMYK, 16 bits, a PNG or WebP of twice
 * the size or more, ...) still goes through vips_thumbnail, which
 * premultiplies alpha, imports CMYK and boxes large reductions. Neither road
 * does colour management: an embedded ICC profile is dropped with the
 * other metadata, as vips_thumbnail without an export profile did.
 *
 * libvips runs with no operation cache (every photo is different; the
 * cache would hold decoded pixels of people's photos) and one worker
 * thread per operation (two cores are shared with the HTTP workers).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <vips/vips.h>

#include "core/log.h"
#include "report/report.h"

static bool is_plain(VipsImage *img);

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_started = -1;

/* libvips warns through GLib ("Premature end of JPEG file"): into our
 * log at debug level, not raw lines on stderr. */
static void on_vips_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                        gpointer data)
{
    (void)level, (void)data;
    log_debug("photo: %s: %s", domain ? domain : "glib", message);
}

static void vips_start_once(void)
{
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
                      on_vips_log, NULL);
    if (VIPS_INIT("warmharbor") != 0) {
        vips_started = 0;
        return;
    }
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_concurrency_set(1);
    vips_started = 1;
}

int report_photo_start(char *err, size_t errlen)
{
    pthread_once(&vips_once, vips_start_once);
    if (vips_started != 1) {
        snprintf(err, errlen, "libvips did not start: %s", vips_error_buffer());
        return -1;
    }
    return 0;
}

const char *report_photo_sniff(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}

/* The loader libvips chose for the header: one of ours? */
static bool loader_allowed(VipsImage *img)
{
    const char *loader = NULL;
    if (vips_image_get_typeof(img, VIPS_META_LOADER) == 0 ||
        vips_image_get_string(img, VIPS_META_LOADER, &loader) != 0 || !loader)
        return false;
    static const char *const ok[] = {"jpegload", "pngload", "webpload"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strncmp(loader, ok[i], strlen(ok[i])) == 0)
            return true;
    return false;
}

static void log_vips(const char *what)
{
    log_warn("photo: %s: %s", what, vips_error_buffer());
    vips_error_clear();
}

/* Header only: the loader and the size; *plain and *side for the road. */
static int check_header(const void *data, size_t len, bool *plain, int *side)
{
    VipsImage *head =
        vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!head) {
        vips_error_clear();
        return REPORT_PHOTO_UNREADABLE;
    }
    int rc = REPORT_PHOTO_OK;
    int w = vips_image_get_width(head), h = vips_image_get_height(head);
    if (!loader_allowed(head))
        rc = REPORT_PHOTO_NOT_IMAGE;
    else if (w < 1 || h < 1)
        rc = REPORT_PHOTO_UNREADABLE;
    else if (w > REPORT_PHOTO_MAX_SIDE || h > REPORT_PHOTO_MAX_SIDE ||
             (int64_t)w * h > REPORT_PHOTO_MAX_PIXELS)
        rc = REPORT_PHOTO_TOO_LARGE;
    *plain = is_plain(head);
    *side = w > h ? w : h;
    g_object_unref(head);
    return rc;
}

/* The short road's shrink-on-load for a JPEG of this longest side: the
 * largest of 1, 2, 4, 8 that keeps REPORT_PHOTO_SIDE. */
static int jpeg_shrink(int side)
{
    int shrink = 1;
    while (shrink < 8 && side / (shrink * 2) >= REPORT_PHOTO_SIDE)
        shrink *= 2;
    return shrink;
}

/* Shrink each of the h rows of src (w pixels of `bands` bytes) to ow
 * pixels into dst with a triangle filter as wide as the reduction (libvips'
 * linear kernel): output pixel x, centred at c = (x + 0.5) * w / ow - 0.5
 * on the input, is the mean of the input pixels i with |i - c| < w / ow,
 * weighted by w / ow - |i - c|. Weights in 1/16384ths, summing exactly.
 * Every output pixel gets the same number n of taps (zero weights pad
 * the window, moved left at the row's end), so that the usual case, RGB
 * reduced by less than 2 (n = 4), runs one unrolled sum per band. */
static void reduce_rows_tri(const unsigned char *src, int w, int h, int bands, unsigned char *dst,
                            int ow)
{
    double s = (double)w / ow;
    int most = 2 * (int)ceil(s) + 1;
    int *first = g_new(int, ow), n = 1;
    double *f = g_new(double, most);
    int32_t *k1 = g_new0(int32_t, (size_t)ow * most);
    for (int x = 0; x < ow; x++) {
        double c = (x + 0.5) * s - 0.5;
        int lo = (int)floor(c - s) + 1, hi = (int)ceil(c + s) - 1;
        lo = lo < 0 ? 0 : lo;
        hi = hi > w - 1 ? w - 1 : hi;
        double sum = 0;
        for (int i = lo; i <= hi; i++)
            sum += f[i - lo] = s - fabs(i - c);
        int32_t *k = k1 + (size_t)x * most, total = 0;
        int biggest = 0;
        for (int i = 0; i <= hi - lo; i++) {
            k[i] = (int32_t)lround(f[i] / sum * 16384);
            total += k[i];
            if (k[i] > k[biggest])
                biggest = i;
        }
        k[biggest] += 16384 - total;
        first[x] = lo;
        n = hi - lo + 1 > n ? hi - lo + 1 : n;
    }
    if (n < 4 && w >= 4)
        n = 4;
    int32_t *wt = g_new0(int32_t, (size_t)ow * n);
    for (int x = 0; x < ow; x++) {
        int shift = first[x] + n > w ? first[x] + n - w : 0;
        for (int j = 0; j + shift < n && j < most; j++)
            wt[(size_t)x * n + j + shift] = k1[(size_t)x * most + j];
        first[x] -= shift;
    }
    for (int y = 0; y < h; y++) {
        const unsigned char *row = src + (size_t)y * w * bands;
        unsigned char *o = dst + (size_t)y * ow * bands;
        if (bands == 3 && n == 4) {
            for (int x = 0; x < ow; x++, o += 3) {
                const int32_t *k = wt + (size_t)x * 4;
                const unsigned char *p = row + (size_t)first[x] * 3;
                int32_t r = 8192 + k[0] * p[0] + k[1] * p[3] + k[2] * p[6] + k[3] * p[9];
                int32_t g = 8192 + k[0] * p[1] + k[1] * p[4] + k[2] * p[7] + k[3] * p[10];
                int32_t b = 8192 + k[0] * p[2] + k[1] * p[5] + k[2] * p[8] + k[3] * p[11];
                o[0] = (unsigned char)(r >> 14);
                o[1] = (unsigned char)(g >> 14);
                o[2] = (unsigned char)(b >> 14);
            }
            continue;
        }
        for (int x = 0; x < ow; x++) {
            const int32_t *k = wt + (size_t)x * n;
            const unsigned char *p = row + (size_t)first[x] * bands;
            for (int band = 0; band < bands; band++) {
                int32_t v = 8192;
                for (int j = 0; j < n; j++)
                    v += k[j] * p[(size_t)j * bands + band];
                *o++ = (unsigned char)(v >> 14);
            }
        }
    }
    g_free(first);
    g_free(f);
    g_free(k1);
    g_free(wt);
}

/* Decode *img (running its pipeline: a damaged photo fails here) and
 * shrink its rows to ow pixels; *img is replaced by the result in memory,
 * with the same interpretation and orientation. 0, or -1. */
static int reduce_rows(VipsImage **img, int ow)
{
    VipsImage *in = *img;
    int w = vips_image_get_width(in), h = vips_image_get_height(in);
    int bands = vips_image_get_bands(in), orientation = vips_image_get_orientation(in);
    VipsInterpretation interpretation = vips_image_get_interpretation(in);
    size_t size = 0;
    unsigned char *src = vips_image_write_to_memory(in, &size);
    if (!src)
        return -1;
    size_t out_size = (size_t)ow * h * bands;
    unsigned char *dst = g_malloc(out_size);
    reduce_rows_tri(src, w, h, bands, dst, ow);
    g_free(src);
    VipsImage *m = vips_image_new_from_memory_copy(dst, out_size, ow, h, bands, VIPS_FORMAT_UCHAR);
    g_free(dst);
    VipsImage *t = NULL;
    if (!m || vips_copy(m, &t, "interpretation", interpretation, NULL)) {
        if (m)
            g_object_unref(m);
        return -1;
    }
    g_object_unref(m);
    vips_image_set_int(t, VIPS_META_ORIENTATION, orientation);
    g_object_unref(in);
    *img = t;
    return 0;
}

/* 8-bit RGB or grey without alpha: the photos the short road takes. */
static bool is_plain(VipsImage *img)
{
    VipsInterpretation t = vips_image_get_interpretation(img);
    int bands = vips_image_get_bands(img);
    return vips_image_get_format(img) == VIPS_FORMAT_UCHAR && !vips_image_hasalpha(img) &&
           ((bands == 3 && t == VIPS_INTERPRETATION_sRGB) ||
            (bands == 1 && t == VIPS_INTERPRETATION_B_W));
}

/* The short road: decode (a JPEG shrunk on load), resize with the linear
 * kernel, turn upright. 0 with *out set, or -1. */
static int shrink_plain(const void *data, size_t len, bool jpeg, int side, VipsImage **out)
{
    int shrink = jpeg ? jpeg_shrink(side) : 1;
    VipsImage *img =
        shrink > 1
            ? vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                         VIPS_FAIL_ON_ERROR, "shrink", shrink, NULL)
            : vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                         VIPS_FAIL_ON_ERROR, NULL);
    if (!img)
        return -1;
    int w = vips_image_get_width(img), h = vips_image_get_height(img);
    int longest = w > h ? w : h;
    VipsImage *t = NULL;
    if (longest > REPORT_PHOTO_SIDE) {
        double scale = (double)REPORT_PHOTO_SIDE / longest;
        int ow = (int)lround(w * scale), oh = (int)lround(h * scale);
        ow = ow < 1 ? 1 : ow;
        oh = oh < 1 ? 1 : oh;
        /* Columns by libvips (its vertical reduce runs compiled vector
         * code), rows by reduce_rows (its horizontal one is plain C and
         * was half of a report's instructions). */
        if (oh < h) {
            if (vips_reducev(img, &t, (double)h / oh, "kernel", VIPS_KERNEL_LINEAR, NULL)) {
                g_object_unref(img);
                return -1;
            }
            g_object_unref(img);
            img = t;
        }
        if (ow < w && reduce_rows(&img, ow)) {
            g_object_unref(img);
            return -1;
        }
    }
    /* Turning reads the image bottom up or by columns: not from the
     * sequential decoder, so the small image is made in memory first. */
    if (vips_image_get_orientation(img) > 2) {
        t = vips_image_copy_memory(img);
        g_object_unref(img);
        if (!t)
            return -1;
        img = t;
    }
    if (vips_autorot(img, &t, NULL)) {
        g_object_unref(img);
        return -1;
    }
    g_object_unref(img);
    *out = t;
    return 0;
}

/* sRGB, 8 bits, no alpha: what a baseline JPEG holds. *img is replaced. */
static int to_srgb_flat(VipsImage **img)
{
    VipsImage *t = NULL;
    if (vips_colourspace(*img, &t, VIPS_INTERPRETATION_sRGB, NULL))
        return -1;
    g_object_unref(*img);
    *img = t;
    if (vips_image_hasalpha(*img)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        int rc = vips_flatten(*img, &t, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (rc)
            return -1;
        g_object_unref(*img);
        *img = t;
    }
    if (vips_image_get_format(*img) != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(*img, &t, NULL))
            return -1;
        g_object_unref(*img);
        *img = t;
    }
    return 0;
}

int report_photo_clean(struct arena *a, const void *data, size_t len, const void **out,
                       size_t *out_len, int *width, int *height)
{
    if (len > REPORT_PHOTO_MAX_BYTES)
        return REPORT_PHOTO_TOO_LARGE;
    if (!report_photo_sniff(data, len))
        return REPORT_PHOTO_NOT_IMAGE;
    char err[160];
    if (report_photo_start(err, sizeof err)) {
        log_error("photo: %s", err);
        return REPORT_PHOTO_FAILED;
    }
    bool plain;
    int side;
    int rc = check_header(data, len, &plain, &side);
    if (rc)
        return rc;
    /* The short road's row filter takes a tap per input pixel: a PNG or
     * WebP reduced by 2 or more (no shrink on load) goes the long road,
     * which boxes first. */
    bool jpeg = strcmp(report_photo_sniff(data, len), "image/jpeg") == 0;
    VipsImage *img = NULL;
    if (plain && side / (jpeg ? jpeg_shrink(side) : 1) < 2 * REPORT_PHOTO_SIDE) {
        if (shrink_plain(data, len, jpeg, side, &img)) {
            vips_error_clear();
            return REPORT_PHOTO_UNREADABLE;
        }
    } else if (vips_thumbnail_buffer((void *)(uintptr_t)data, len, &img, REPORT_PHOTO_SIDE,
                                     "height", REPORT_PHOTO_SIDE, "size", VIPS_SIZE_DOWN,
                                     "option_string", "fail_on=error", NULL)) {
        /* (vips_thumbnail_buffer takes a non-const buffer but only reads it.) */
        vips_error_clear();
        return REPORT_PHOTO_UNREADABLE;
    }
    void *buf = NULL;
    size_t blen = 0;
    if (to_srgb_flat(&img)) {
        g_object_unref(img);
        log_vips("colour conversion");
        return REPORT_PHOTO_UNREADABLE;
    }
    /* Saving runs the pipeline: a decoding error shows up here. */
    if (vips_jpegsave_buffer(img, &buf, &blen, "Q", REPORT_PHOTO_QUALITY, "strip", TRUE,
                             "optimize_coding", TRUE, "interlace", FALSE, NULL)) {
        g_object_unref(img);
        vips_error_clear();
        return REPORT_PHOTO_UNREADABLE;
    }
    *width = vips_image_get_width(img);
    *height = vips_image_get_height(img);
    g_object_unref(img);
    void *copy = arena_alloc(a, blen ? blen : 1);
    memcpy(copy, buf, blen);
    g_free(buf);
    *out = copy;
    *out_len = blen;
    return REPORT_PHOTO_OK;
}
