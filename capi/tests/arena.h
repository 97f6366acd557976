/*
 * A fixed-size arena allocator for strait's no_std build: it defines the embedder hooks
 * strait_alloc, strait_dealloc, strait_realloc and strait_panic over one static buffer, and
 * counts the bytes strait has asked for (current and peak). First fit over a free list with
 * boundary tags, so freed blocks coalesce and a growing block (a module's linear memory) grows
 * in place when the next block is free. Single-threaded: one service at a time.
 */
#ifndef STRAIT_TEST_ARENA_H
#define STRAIT_TEST_ARENA_H

#include <stddef.h>

/* What the arena has handed out, in bytes as strait asked for them. */
typedef struct arena_stats {
    size_t in_use;     /* live now */
    size_t peak;       /* the most live at once since the last arena_reset_peak */
    size_t high_water; /* the furthest byte of the arena ever used (fragmentation included) */
    size_t capacity;   /* the arena's size */
    size_t allocations; /* calls of strait_alloc and strait_realloc that allocated */
} arena_stats;

arena_stats arena_get_stats(void);
/* Starts a new peak measurement from what is live now. */
void arena_reset_peak(void);

#endif
