// The allocator: jemalloc, linked in place of glibc's malloc (see cmalloc.c for why and how it
// is tuned), and the one control the server uses, giving free pages back to the kernel.
#ifndef CMALLOC_H
#define CMALLOC_H

/// Returns the pages of every arena that hold no live data (jemalloc's dirty pages) to the
/// kernel now, instead of when they have been unused for the decay time. 0 on success.
int cmalloc_return_free_pages(void);

#endif
