import CMalloc
import NIOCore

/// glibc's malloc gives a thread that finds the arenas locked an arena of its own, up to eight
/// per core, and memory freed into one arena is not reused by threads of another. A load runs
/// more threads than cores (parsing, compiling, the concurrency pool), so on one core the
/// snapshot's memory ended up spread over several arenas: at L, pinned to one core, 397.7 MiB
/// after load against 375.8 MiB with a single arena, at the same start-up time. One arena per
/// core the process may run on keeps that, and on two cores starts as fast as the default (5.4 s
/// at L), where a single arena made the parallel parse wait on its lock (6.8–7.5 s).
enum MallocArenas {
    /// Caps the arenas at the cores this process may run on (its CPU affinity, and the cgroup's
    /// quota as NIO reads it); called first thing in `main`, before other threads allocate.
    static func limitToCores() {
        var cores = System.coreCount
        let allowed = Int(cmalloc_allowed_cpus())
        if allowed > 0 { cores = min(cores, allowed) }
        _ = mallopt(M_ARENA_MAX, Int32(clamping: max(1, cores)))
    }

    /// Gives the kernel back the whole pages that lie free inside the arenas (`malloc_trim`, which
    /// also releases pages in the middle of the heap, not only at its top). The first load frees
    /// most of what it allocates — parsed text, records, compiled entries — between the data that
    /// stays, and those holes stay resident otherwise: at L, 10–25 MiB. Called once the first
    /// snapshot is published, after the listeners are told to bind.
    static func returnFreePages() {
        _ = malloc_trim(0)
    }
}
