/*
 * arena.c - the region allocator declared in arena.h.
 *
 * Blocks are malloc'ed, at least 8 KiB, and chained newest first; a large
 * request gets a block of its own. Cleanups form a list run newest first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK_MIN 8192
#define ARENA_ALIGN 16

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *p;
};

_Noreturn void die_oom(void)
{
    fputs("fatal: out of memory\n", stderr);
    abort();
}

void arena_init(struct arena *a)
{
    arena_init_sized(a, 0);
}

void arena_init_sized(struct arena *a, size_t block_min)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->bytes = 0;
    a->block_min = block_min ? block_min : ARENA_BLOCK_MIN;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        die_oom();
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t size = need > a->block_min ? need : a->block_min;
        if (size > SIZE_MAX - sizeof(*b))
            die_oom();
        b = malloc(sizeof(*b) + size);
        if (!b)
            die_oom();
        b->size = size;
        b->used = 0;
        /* A big one-off block goes behind the current one so the rest of
         * the current block stays usable. */
        if (a->head && need > a->block_min) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    a->bytes += need;
    memset(p, 0, n);
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        die_oom();
    return arena_alloc(a, count * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        die_oom();
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
}

void arena_release(struct arena *a)
{
    /* Cleanups live in the arena, so run them all before freeing blocks. */
    for (struct arena_cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->p);
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init_sized(a, a->block_min);
}
