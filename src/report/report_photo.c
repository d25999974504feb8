/*
 * report_photo.c - cleaning a report's photo with libvips and libjpeg
 * before it is stored: the only file that includes <vips/vips.h> or
 * <jpeglib.h>.
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
 * The usual photo, an 8-bit RGB or grey JPEG (what phones send), is
 * decoded by libjpeg itself, scaled by M/8 inside its inverse DCT: the
 * largest M of 1..8 that leaves at most REPORT_PHOTO_SIDE on the longest
 * side (2000 px: 6/8, 1500 px; 4000 px: 3/8, 1500 px), so that no resize
 * follows (only over 8 x REPORT_PHOTO_SIDE does libvips resize the rest).
 * The scaling is a frequency-domain reduction done by a well-kept library,
 * and costs less than a full decode plus a resize; the price is that a
 * photo may come out smaller than REPORT_PHOTO_SIDE (down to 7/8 of it
 * for a photo under 1829 px, 1/2 just over 6400 px). libvips still reads
 * the header (loader, size, EXIF orientation), turns the decoded pixels
 * upright and encodes. Anything else (PNG, WebP, alpha, CMYK, 16 bits ...)
 * goes through vips_thumbnail, which premultiplies alpha, imports CMYK,
 * shrinks a JPEG on load and boxes large reductions. Neither road does
 * colour management: an embedded ICC profile is dropped with the other
 * metadata, as vips_thumbnail without an export profile did.
 *
 * libvips runs with no operation cache (every photo is different; the
 * cache would hold decoded pixels of people's photos) and one worker
 * thread per operation (two cores are shared with the HTTP workers).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <string.h>

#include <jpeglib.h>
#include <jerror.h> /* after jpeglib.h: the message codes */
#include <vips/vips.h>

#include "core/log.h"
#include "report/report.h"

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

/* 8-bit RGB or grey without alpha: the JPEGs libjpeg decodes for us. */
static bool is_plain(VipsImage *img)
{
    VipsInterpretation t = vips_image_get_interpretation(img);
    int bands = vips_image_get_bands(img);
    return vips_image_get_format(img) == VIPS_FORMAT_UCHAR && !vips_image_hasalpha(img) &&
           ((bands == 3 && t == VIPS_INTERPRETATION_sRGB) ||
            (bands == 1 && t == VIPS_INTERPRETATION_B_W));
}

/* Header only: the loader and the size; *plain and *orientation for the
 * road. */
static int check_header(const void *data, size_t len, bool *plain, int *orientation)
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
    *orientation = vips_image_get_orientation(head);
    g_object_unref(head);
    return rc;
}

/* libjpeg's error manager: a fatal error jumps back to decode_jpeg. */
struct jpeg_fail {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void on_jpeg_error(j_common_ptr cinfo)
{
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    log_debug("photo: libjpeg: %s", msg);
    longjmp(((struct jpeg_fail *)(void *)cinfo->err)->jump, 1);
}

/* Warnings (level -1): a file cut short, which libjpeg would finish with
 * grey, fails as libvips' fail_on=error made it fail; other damage
 * ("Corrupt JPEG data") is logged once and tolerated, as libvips did, up
 * to 100 warnings. Trace messages (level >= 0) are ignored. */
static void on_jpeg_message(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF || ++cinfo->err->num_warnings >= 100)
        cinfo->err->error_exit(cinfo);
    if (cinfo->err->num_warnings == 1) {
        char msg[JMSG_LENGTH_MAX];
        cinfo->err->format_message(cinfo, msg);
        log_debug("photo: libjpeg: %s", msg);
    }
}

static void free_pixels(VipsImage *img, void *pixels)
{
    (void)img;
    g_free(pixels);
}

/* Decode a plain JPEG with libjpeg, scaled by M/8 inside its inverse DCT:
 * the largest M of 1..8 that brings the longest side to at most
 * REPORT_PHOTO_SIDE (a frequency-domain reduction, and cheaper than a
 * full decode), so that usually no resize follows; over 8 x
 * REPORT_PHOTO_SIDE, libvips resizes the rest. Then turned upright by
 * `orientation` (read by libvips from the EXIF). 0 with *out set (the
 * pixels in memory, owned by the image), or -1 for a damaged photo. */
static int decode_jpeg(const void *data, size_t len, int orientation, VipsImage **out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_fail fail;
    unsigned char *volatile pixels = NULL;
    JSAMPROW *volatile rows = NULL;
    cinfo.err = jpeg_std_error(&fail.pub);
    fail.pub.error_exit = on_jpeg_error;
    fail.pub.emit_message = on_jpeg_message;
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&cinfo);
        g_free(rows);
        g_free(pixels);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    /* libvips checked the size from the same header; checked again here,
     * as this decoder is what allocates for it */
    if (cinfo.image_width < 1 || cinfo.image_height < 1 ||
        cinfo.image_width > REPORT_PHOTO_MAX_SIDE || cinfo.image_height > REPORT_PHOTO_MAX_SIDE ||
        (int64_t)cinfo.image_width * cinfo.image_height > REPORT_PHOTO_MAX_PIXELS)
        longjmp(fail.jump, 1);
    VipsInterpretation interpretation;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE && cinfo.num_components == 1) {
        cinfo.out_color_space = JCS_GRAYSCALE;
        interpretation = VIPS_INTERPRETATION_B_W;
    } else if ((cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) &&
               cinfo.num_components == 3) {
        cinfo.out_color_space = JCS_RGB;
        interpretation = VIPS_INTERPRETATION_sRGB;
    } else {
        longjmp(fail.jump, 1); /* is_plain said otherwise: not ours to guess */
    }
    cinfo.scale_denom = 8;
    for (cinfo.scale_num = 8; cinfo.scale_num > 1; cinfo.scale_num--) {
        jpeg_calc_output_dimensions(&cinfo);
        JDIMENSION longest =
            cinfo.output_width > cinfo.output_height ? cinfo.output_width : cinfo.output_height;
        if (longest <= REPORT_PHOTO_SIDE)
            break;
    }
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    int bands = cinfo.output_components;
    size_t stride = (size_t)w * bands, size = stride * h;
    pixels = g_malloc(size);
    rows = g_new(JSAMPROW, h);
    for (int y = 0; y < h; y++)
        rows[y] = pixels + stride * y;
    while (cinfo.output_scanline < cinfo.output_height)
        jpeg_read_scanlines(&cinfo, rows + cinfo.output_scanline,
                            cinfo.output_height - cinfo.output_scanline);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    g_free(rows);

    VipsImage *m = vips_image_new_from_memory(pixels, size, w, h, bands, VIPS_FORMAT_UCHAR);
    if (!m) {
        g_free(pixels);
        return -1;
    }
    g_signal_connect(m, "postclose", G_CALLBACK(free_pixels), pixels);
    VipsImage *img = NULL, *t = NULL;
    int rc = vips_copy(m, &img, "interpretation", interpretation, NULL);
    g_object_unref(m);
    if (rc)
        return -1;
    int longest = w > h ? w : h;
    if (longest > REPORT_PHOTO_SIDE) {
        double scale = (double)REPORT_PHOTO_SIDE / longest;
        rc = vips_resize(img, &t, scale, NULL);
        g_object_unref(img);
        if (rc)
            return -1;
        img = t;
    }
    vips_image_set_int(img, VIPS_META_ORIENTATION, orientation);
    rc = vips_autorot(img, &t, NULL);
    g_object_unref(img);
    if (rc)
        return -1;
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
    int orientation;
    int rc = check_header(data, len, &plain, &orientation);
    if (rc)
        return rc;
    bool jpeg = strcmp(report_photo_sniff(data, len), "image/jpeg") == 0;
    VipsImage *img = NULL;
    if (jpeg && plain) {
        if (decode_jpeg(data, len, orientation, &img)) {
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
    /* Saving runs the pipeline: a decoding error shows up here. The
     * standard Huffman tables, not optimized ones: optimizing is a second
     * pass over every coefficient (about 29 of a report's 341 million
     * instructions, callgrind) for files about 11% smaller; the issue's
     * 50 reports a second on two cores is worth more than those bytes. The
     * pixels are the same either way. */
    if (vips_jpegsave_buffer(img, &buf, &blen, "Q", REPORT_PHOTO_QUALITY, "strip", TRUE,
                             "optimize_coding", FALSE, "interlace", FALSE, NULL)) {
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
