/*
 * platform.c - the rules of a person's list of platforms: a comma list of
 * codes, each once, none empty (no SQL, no HTTP).
 */
#include <string.h>

#include "platform/platform.h"

int platform_list_split(struct arena *a, const char *list, const char ***codes, size_t *n)
{
    *codes = NULL;
    *n = 0;
    if (!list || !*list)
        return 0;
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    const char **out = arena_calloc(a, cap, sizeof *out);
    size_t k = 0;
    for (const char *s = list;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (!len)
            return -1;
        const char *code = arena_strndup(a, s, len);
        for (size_t i = 0; i < k; i++)
            if (strcmp(out[i], code) == 0)
                return -1;
        out[k++] = code;
        if (!e)
            break;
        s = e + 1;
    }
    *codes = out;
    *n = k;
    return 0;
}
