// jemalloc in place of glibc's malloc. Building a snapshot allocates and frees millions of small
// blocks (parsed objects, records, compiled answers) from several threads, and most of them go
// while the data that stays is still being made. glibc's arenas kept those frees as chunks
// between live blocks, which later allocations searched through (the slow path that made a
// one-file reload at L take 40 ms at the median) and which stayed resident; jemalloc's size
// classes and per-thread caches keep them out of each other's way.
#include <jemalloc/jemalloc.h>
#include <stdio.h>

#include "cmalloc.h"

// Read by jemalloc when it starts. Unused pages go back to the kernel after one second instead
// of ten, from a background thread rather than on the next allocation, so that a server idle
// after a reload does not keep the reload's garbage resident.
const char *malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";

int cmalloc_return_free_pages(void) {
    char name[32];
    snprintf(name, sizeof(name), "arena.%u.purge", (unsigned)MALLCTL_ARENAS_ALL);
    return mallctl(name, NULL, NULL, NULL, 0);
}
