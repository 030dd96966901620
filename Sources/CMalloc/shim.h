// glibc's malloc extensions (malloc_trim, mallopt), which Swift's Glibc module does not export,
// and the number of CPUs this process may run on, which sizes malloc's arenas.
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The CPUs in this process's affinity mask (sched_getaffinity), 0 when unknown.
static inline int cmalloc_allowed_cpus(void) {
    unsigned long mask[16] = {0};  // room for 1,024 CPUs
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    if (bytes <= 0) return 0;
    int count = 0;
    for (long index = 0; index < bytes / (long)sizeof(unsigned long); index++) count += __builtin_popcountl(mask[index]);
    return count;
}
