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

    /// Keeps blocks of 128 KiB and more in mappings of their own for the whole run. glibc starts
    /// there, but each such block freed raises the threshold to its size (up to 32 MiB), after
    /// which the load's big temporary arrays come from the heap and leave holes between the data
    /// that stays when they go. A fixed threshold ends that rise: at L, 210.9 -> 205.9 MiB after
    /// load (the start-up time and the number of mappings, at most a few thousand, unchanged).
    static func keepLargeBlocksMapped() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
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
