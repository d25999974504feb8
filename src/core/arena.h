/*
 * arena.h - region allocator: everything a request (or a command) needs is
 * carved from one arena and freed at once when it ends.
 *
 * Allocation never fails: out of memory aborts the process (house rule).
 * Memory returned by arena_alloc is zeroed and 16-byte aligned. Resources
 * that do not live in the arena (a jansson root, a backend result) are
 * registered with arena_defer and released, newest first, by
 * arena_release.
 */
#ifndef WH_CORE_ARENA_H
#define WH_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;
    struct arena_cleanup *cleanups;
    size_t bytes;     /* total bytes handed out, for limits and stats */
    size_t block_min; /* smallest block to allocate; 0 = 8 KiB */
};

void arena_init(struct arena *a);
/* An arena whose blocks start at block_min bytes: for the many small,
 * long-lived arenas of a cache. */
void arena_init_sized(struct arena *a, size_t block_min);
/* Zeroed, 16-byte aligned memory that lives until arena_release. */
void *arena_alloc(struct arena *a, size_t n);
/* Arrays: aborts on size overflow. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Run fn(p) when the arena is released (in reverse order of deferral). */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Run the cleanups and free every block; the arena may be reused. */
void arena_release(struct arena *a);

/* Abort with a message: the one out-of-memory path of the program. */
_Noreturn void die_oom(void);

#endif
