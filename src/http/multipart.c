/*
 * multipart.c - the multipart/form-data decoder declared in multipart.h:
 * find the first boundary line, then part by part read the header lines
 * up to the empty line, take the bytes up to the next CRLF "--" boundary,
 * and stop at the closing one ("--" boundary "--").
 */
#include <strings.h>
#include <string.h>

#include "http/multipart.h"

bool multipart_is_form_data(const char *ctype)
{
    static const char t[] = "multipart/form-data";
    return ctype && strncasecmp(ctype, t, sizeof t - 1) == 0 &&
           (!ctype[sizeof t - 1] || ctype[sizeof t - 1] == ';' || ctype[sizeof t - 1] == ' ');
}

/* RFC 2046 bchars: digits, letters and '()+_,-./:=? and space (not last). */
static bool bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("'()+_,-./:=? ", c));
}

/* The value of parameter name in "type; a=b; name=value" (quoted or
 * not), into the arena; NULL when absent or broken. */
static const char *param(struct arena *a, const char *s, size_t n, const char *name)
{
    size_t nl = strlen(name);
    size_t i = 0;
    /* skip the type itself */
    while (i < n && s[i] != ';' && s[i] != '"')
        i++;
    while (i < n) {
        if (s[i] != ';')
            return NULL;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t k0 = i;
        while (i < n && s[i] != '=' && s[i] != ';')
            i++;
        if (i >= n || s[i] != '=')
            return NULL;
        size_t k1 = i;
        while (k1 > k0 && (s[k1 - 1] == ' ' || s[k1 - 1] == '\t'))
            k1--;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        char *v = arena_alloc(a, n - i + 1);
        size_t vl = 0;
        if (i < n && s[i] == '"') {
            i++;
            while (i < n && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < n)
                    i++;
                v[vl++] = s[i++];
            }
            if (i >= n)
                return NULL; /* no closing quote */
            i++;
        } else {
            while (i < n && s[i] != ';' && s[i] != ' ' && s[i] != '\t')
                v[vl++] = s[i++];
        }
        v[vl] = '\0';
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (k1 - k0 == nl && strncasecmp(s + k0, name, nl) == 0)
            return memchr(v, '\0', vl) ? NULL : v;
    }
    return NULL;
}

int multipart_boundary(struct arena *a, const char *ctype, const char **boundary)
{
    *boundary = NULL;
    if (!ctype)
        return MULTIPART_BAD_BOUNDARY;
    const char *b = param(a, ctype, strlen(ctype), "boundary");
    size_t n = b ? strlen(b) : 0;
    if (!n || n > MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ')
        return MULTIPART_BAD_BOUNDARY;
    for (size_t i = 0; i < n; i++)
        if (!bchar(b[i]))
            return MULTIPART_BAD_BOUNDARY;
    *boundary = b;
    return MULTIPART_OK;
}

const char *multipart_result_text(int rc)
{
    switch (rc) {
    case MULTIPART_OK:
        return "ok";
    case MULTIPART_BAD_BOUNDARY:
        return "the Content-Type has no usable boundary";
    case MULTIPART_MALFORMED:
        return "not a multipart body: a boundary line, a part's headers or the end is missing";
    case MULTIPART_BAD_HEADER:
        return "a part is not form-data with a name, or is encoded";
    case MULTIPART_BAD_TEXT:
        return "a field is not UTF-8 text or holds a control character";
    case MULTIPART_TOO_MANY:
        return "too many parts or files";
    case MULTIPART_NAME_TOO_LONG:
        return "a name is too long";
    }
    return "not a multipart body";
}

static char *dup_n(struct arena *a, const char *s, size_t n)
{
    char *o = arena_alloc(a, n + 1);
    memcpy(o, s, n);
    o[n] = '\0';
    return o;
}

/* One part's header lines [h, h + n) (each ending in CRLF): its name,
 * file name (NULL: a text field) and type. */
static int part_headers(struct arena *a, const char *h, size_t n, const char **name,
                        const char **filename, const char **ctype)
{
    *name = *filename = NULL;
    *ctype = "";
    bool disposition = false;
    for (size_t i = 0; i < n;) {
        const char *eol = memmem(h + i, n - i, "\r\n", 2);
        if (!eol)
            return MULTIPART_MALFORMED;
        size_t ll = (size_t)(eol - (h + i));
        const char *line = h + i;
        i += ll + 2;
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line)
            return MULTIPART_MALFORMED;
        size_t kl = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vl = ll - kl - 1;
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        for (size_t k = 0; k < vl; k++)
            if ((unsigned char)v[k] < 0x20 && v[k] != '\t')
                return MULTIPART_BAD_HEADER;
        if (kl == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            if (disposition || vl < 9 || strncasecmp(v, "form-data", 9) != 0 ||
                (vl > 9 && v[9] != ';' && v[9] != ' '))
                return MULTIPART_BAD_HEADER;
            disposition = true;
            *name = param(a, v, vl, "name");
            *filename = param(a, v, vl, "filename");
            if (!*name)
                return MULTIPART_BAD_HEADER;
        } else if (kl == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            *ctype = dup_n(a, v, vl);
        } else if (kl == 25 && strncasecmp(line, "Content-Transfer-Encoding", 25) == 0) {
            if (!((vl == 6 && strncasecmp(v, "binary", 6) == 0) ||
                  (vl == 4 && strncasecmp(v, "8bit", 4) == 0) ||
                  (vl == 4 && strncasecmp(v, "7bit", 4) == 0)))
                return MULTIPART_BAD_HEADER;
        }
    }
    return disposition ? MULTIPART_OK : MULTIPART_BAD_HEADER;
}

/* After a boundary at p: "--" (the end) or optional spaces and CRLF.
 * Returns where the part starts, or NULL; *end set for the closing one. */
static const char *after_boundary(const char *p, const char *stop, bool *end)
{
    *end = false;
    if (stop - p >= 2 && p[0] == '-' && p[1] == '-') {
        *end = true;
        return p + 2;
    }
    while (p < stop && (*p == ' ' || *p == '\t'))
        p++;
    if (stop - p >= 2 && p[0] == '\r' && p[1] == '\n')
        return p + 2;
    return NULL;
}

int multipart_decode(struct arena *a, const char *body, size_t len, const char *boundary,
                     struct http_form *fields, struct http_files *files, size_t *at)
{
    fields->n = 0;
    fields->fields = NULL;
    files->n = 0;
    files->files = NULL;
    size_t part = 0;
    int rc = MULTIPART_OK;
    size_t bl = boundary ? strlen(boundary) : 0;
    if (!bl || bl > MULTIPART_MAX_BOUNDARY) {
        rc = MULTIPART_BAD_BOUNDARY;
        goto fail;
    }
    /* "\r\n--" boundary: the delimiter; the first may open the body */
    char *delim = arena_alloc(a, bl + 5);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, bl + 1);
    size_t dl = bl + 4;
    const char *stop = body + len, *p;
    if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
        p = body + dl - 2;
    } else {
        const char *d = len >= dl ? memmem(body, len, delim, dl) : NULL;
        if (!d) {
            rc = MULTIPART_MALFORMED;
            goto fail;
        }
        p = d + dl;
    }
    struct form_field *fs = arena_calloc(a, FORM_MAX_FIELDS, sizeof(*fs));
    struct http_file *ff = arena_calloc(a, MULTIPART_MAX_FILES, sizeof(*ff));
    size_t nf = 0, nfiles = 0;
    for (;; part++) {
        bool end;
        p = after_boundary(p, stop, &end);
        if (!p) {
            rc = MULTIPART_MALFORMED;
            goto fail;
        }
        if (end)
            break; /* what follows is the epilogue */
        if (part >= FORM_MAX_FIELDS) {
            rc = MULTIPART_TOO_MANY;
            goto fail;
        }
        /* the headers: up to the empty line */
        size_t room = (size_t)(stop - p);
        const char *hend = NULL;
        if (room >= 2 && p[0] == '\r' && p[1] == '\n')
            hend = p; /* no headers at all */
        else if (room >= 4)
            hend = memmem(p, room < MULTIPART_MAX_HEADERS + 4 ? room : MULTIPART_MAX_HEADERS + 4,
                          "\r\n\r\n", 4);
        if (!hend) {
            rc = MULTIPART_MALFORMED;
            goto fail;
        }
        size_t hl = hend == p ? 0 : (size_t)(hend - p) + 2;
        const char *name, *filename, *ctype;
        rc = part_headers(a, p, hl, &name, &filename, &ctype);
        if (rc)
            goto fail;
        const char *data = hend == p ? p + 2 : hend + 4;
        const char *d =
            (size_t)(stop - data) >= dl ? memmem(data, (size_t)(stop - data), delim, dl) : NULL;
        if (!d) {
            rc = MULTIPART_MALFORMED;
            goto fail;
        }
        size_t vl = (size_t)(d - data), nl = strlen(name);
        p = d + dl;
        if (nl > FORM_MAX_NAME) {
            rc = MULTIPART_NAME_TOO_LONG;
            goto fail;
        }
        if (!form_text_ok(name, nl, true)) {
            rc = MULTIPART_BAD_TEXT;
            goto fail;
        }
        if (filename) {
            /* a file input left empty sends an empty file with no name */
            if (!*filename && !vl)
                continue;
            if (strlen(filename) > MULTIPART_MAX_FILENAME ||
                !form_text_ok(filename, strlen(filename), true) ||
                !form_text_ok(ctype, strlen(ctype), true)) {
                rc = MULTIPART_BAD_TEXT;
                goto fail;
            }
            if (nfiles == MULTIPART_MAX_FILES) {
                rc = MULTIPART_TOO_MANY;
                goto fail;
            }
            ff[nfiles++] = (struct http_file){name, filename, ctype, dup_n(a, data, vl), vl};
        } else {
            if (!form_text_ok(data, vl, false)) {
                rc = MULTIPART_BAD_TEXT;
                goto fail;
            }
            fs[nf++] = (struct form_field){name, dup_n(a, data, vl)};
        }
    }
    fields->n = nf;
    fields->fields = fs;
    files->n = nfiles;
    files->files = ff;
    return MULTIPART_OK;
fail:
    if (at)
        *at = part;
    return rc;
}

const struct http_file *multipart_file(const struct http_files *f, const char *name)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (strcmp(f->files[i].name, name) == 0)
            return &f->files[i];
    return NULL;
}
