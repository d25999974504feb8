/*
 * accept.c - Accept-Encoding; see accept.h.
 *
 * The value is a comma-separated list of codings, each with optional
 * parameters after ';', of which only q matters: "gzip, br;q=0.9, *;q=0".
 * A quality is 0 to 1 with at most three decimals; anything else makes
 * the element count for nothing.
 */
#include <string.h>
#include <strings.h>

#include "http/accept.h"

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The q of one element's parameters (p after the coding), 0..1000, or -1
 * when a parameter is malformed. No q: 1000. */
static int quality(const char *p, const char *end)
{
    int q = 1000;
    while (p < end) {
        p = skip_ws(p);
        if (p >= end)
            break;
        if (*p != ';')
            return -1;
        p = skip_ws(p + 1);
        if (p + 1 < end && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            if (p < end && (*p == '0' || *p == '1')) {
                int whole = *p++ - '0', frac = 0, digits = 0;
                if (p < end && *p == '.') {
                    p++;
                    while (p < end && *p >= '0' && *p <= '9' && digits < 3) {
                        frac = frac * 10 + (*p++ - '0');
                        digits++;
                    }
                }
                while (digits++ < 3)
                    frac *= 10;
                if (whole == 1 && frac != 0)
                    return -1;
                q = whole * 1000 + frac;
            } else {
                return -1;
            }
        } else {
            /* another parameter: name=value, skipped */
            while (p < end && *p != ';' && *p != ' ' && *p != '\t')
                p++;
            continue;
        }
        p = skip_ws(p);
        if (p < end && *p != ';')
            return -1;
    }
    return q;
}

bool http_accepts_coding(const char *v, const char *coding)
{
    if (!v || !coding)
        return false;
    size_t want = strlen(coding);
    int named = -1, star = -1;
    const char *p = v;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *name = skip_ws(p);
        const char *name_end = name;
        while (name_end < end && *name_end != ';' && *name_end != ' ' && *name_end != '\t')
            name_end++;
        size_t n = (size_t)(name_end - name);
        int q = quality(name_end, end);
        if (q >= 0 && n) {
            if (n == want && strncasecmp(name, coding, n) == 0)
                named = q;
            else if (n == 1 && *name == '*')
                star = q;
        }
        p = *end ? end + 1 : end;
    }
    if (named >= 0)
        return named > 0;
    return star > 0;
}
