/* The arena allocator behind strait's no_std build in the tests and the footprint run
 * (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ARENA_SIZE
#define ARENA_SIZE (128u << 20)
#endif

#define GRAIN 16u
#define USED ((size_t)1)

/* Every block starts with this header; its payload follows, GRAIN-aligned. `size` is the
 * payload size (a multiple of GRAIN) with USED in its low bit; `prev` is the payload size of
 * the block just before it (0 for the first), so that a freed block finds its neighbours. */
typedef struct block {
    size_t size;
    size_t prev;
} block;

/* A free block's payload holds its links in the free list. */
typedef struct links {
    block *next;
    block *prev;
} links;

static _Alignas(64) unsigned char memory[ARENA_SIZE];
static block *free_list;
static int ready;
static arena_stats stats = {0, 0, 0, ARENA_SIZE, 0};

static size_t size_of(const block *b) { return b->size & ~USED; }
static int used(const block *b) { return (b->size & USED) != 0; }
static unsigned char *payload(block *b) { return (unsigned char *)(b + 1); }
static block *header(void *p) { return (block *)p - 1; }
static block *next_block(block *b) { return (block *)(payload(b) + size_of(b)); }
static block *prev_block(block *b) { return (block *)((unsigned char *)b - b->prev - sizeof(block)); }
static links *links_of(block *b) { return (links *)payload(b); }
static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static void unlink_free(block *b) {
    links *l = links_of(b);
    if (l->prev) links_of(l->prev)->next = l->next; else free_list = l->next;
    if (l->next) links_of(l->next)->prev = l->prev;
}

static void push_free(block *b) {
    b->size = size_of(b);
    links *l = links_of(b);
    l->prev = NULL;
    l->next = free_list;
    if (free_list) links_of(free_list)->prev = b;
    free_list = b;
}

static void init(void) {
    /* One free block over the arena, then an empty used block as the end sentinel. */
    block *first = (block *)memory;
    size_t total = ARENA_SIZE - 2 * sizeof(block);
    first->size = total;
    first->prev = 0;
    block *end = next_block(first);
    end->size = USED;
    end->prev = total;
    free_list = NULL;
    push_free(first);
    ready = 1;
}

static void note_high_water(block *b) {
    size_t end = (size_t)((unsigned char *)next_block(b) - memory);
    if (end > stats.high_water) stats.high_water = end;
}

/* Cuts `b` (used) to `need` bytes when the rest can be a block of its own. */
static void split(block *b, size_t need) {
    size_t size = size_of(b);
    if (size < need + sizeof(block) + GRAIN) return;
    b->size = need | USED;
    block *rest = next_block(b);
    rest->size = size - need - sizeof(block);
    rest->prev = need;
    next_block(rest)->prev = size_of(rest);
    /* The rest may touch a free block: merge them. */
    block *after = next_block(rest);
    if (!used(after)) {
        unlink_free(after);
        rest->size = size_of(rest) + sizeof(block) + size_of(after);
        next_block(rest)->prev = size_of(rest);
    }
    push_free(rest);
}

static block *take(size_t need) {
    for (block *b = free_list; b; b = links_of(b)->next) {
        if (size_of(b) >= need) {
            unlink_free(b);
            b->size |= USED;
            split(b, need);
            note_high_water(b);
            return b;
        }
    }
    return NULL;
}

static void give_back(block *b) {
    b->size = size_of(b);
    block *after = next_block(b);
    if (!used(after)) {
        unlink_free(after);
        b->size += sizeof(block) + size_of(after);
    }
    if ((unsigned char *)b != memory) {
        block *before = prev_block(b);
        if (!used(before)) {
            unlink_free(before);
            before->size = size_of(before) + sizeof(block) + size_of(b);
            b = before;
        }
    }
    next_block(b)->prev = size_of(b);
    push_free(b);
}

static void count_in(size_t size) {
    stats.in_use += size;
    stats.allocations++;
    if (stats.in_use > stats.peak) stats.peak = stats.in_use;
}

void *strait_alloc(size_t size, size_t align) {
    if (!ready) init();
    if (align <= GRAIN) {
        block *b = take(round_up(size ? size : 1, GRAIN));
        if (!b) return NULL;
        count_in(size);
        return payload(b);
    }
    /* Over-aligned: room to move the pointer up to `align`, and a word before it that leads
     * back to the block. */
    block *b = take(round_up(size + align + sizeof(void *), GRAIN));
    if (!b) return NULL;
    uintptr_t start = (uintptr_t)payload(b) + sizeof(void *);
    uintptr_t aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
    ((block **)aligned)[-1] = b;
    count_in(size);
    return (void *)aligned;
}

void strait_dealloc(void *ptr, size_t size, size_t align) {
    if (!ptr) return;
    block *b = align <= GRAIN ? header(ptr) : ((block **)ptr)[-1];
    stats.in_use -= size;
    give_back(b);
}

void *strait_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    if (align <= GRAIN) {
        block *b = header(ptr);
        size_t need = round_up(new_size ? new_size : 1, GRAIN);
        if (size_of(b) < need) {
            /* Grow in place into a free neighbour when it is big enough. */
            block *after = next_block(b);
            if (!used(after) && size_of(b) + sizeof(block) + size_of(after) >= need) {
                unlink_free(after);
                b->size = (size_of(b) + sizeof(block) + size_of(after)) | USED;
                next_block(b)->prev = size_of(b);
            }
        }
        if (size_of(b) >= need) {
            split(b, need);
            note_high_water(b);
            stats.in_use -= old_size;
            count_in(new_size);
            return ptr;
        }
    }
    void *moved = strait_alloc(new_size, align);
    if (!moved) return NULL;
    memcpy(moved, ptr, old_size < new_size ? old_size : new_size);
    strait_dealloc(ptr, old_size, align);
    return moved;
}

void strait_panic(const char *message, size_t len) {
    fprintf(stderr, "strait panicked: %.*s\n", (int)len, message);
    abort();
}

arena_stats arena_get_stats(void) { return stats; }

void arena_reset_peak(void) { stats.peak = stats.in_use; }
