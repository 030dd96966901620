#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A rebuild shares its core with the threads that answer queries, and must not hold it.
///
/// Linux's fair scheduler (EEVDF; these machines run with preemption "none") does not preempt a
/// running thread for one that a datagram has just woken on the same core: the woken answering
/// thread waits until the running one's slice or the next tick ends, 4–5 ms when a rebuild runs
/// (seen with `perf sched timehist`). A lower priority does not help (the wake-up still does not
/// preempt) and SCHED_IDLE would let a busy node starve rebuilds. A rebuild therefore gives the core up itself:
/// its loops call `checkpoint()`, which calls `sched_yield()` when `interval` has passed since the
/// last time, so a query waits at most about that long (plus the longest stretch between two
/// checkpoints). On the bench machines a spinning thread that yields every 20 µs delays a UDP
/// thread woken on its core by under 0.1 ms at p99, against 4–5 ms without yielding; a system
/// call that is not a yield (or a 1 µs sleep) does not help.
///
/// A yield hands the core to whoever the scheduler picks, not only to our answering threads: a
/// busy process beside the server would take the core at every checkpoint and slow the rebuild
/// to a crawl (at L a one-file rebuild went from 13 to 21 ms beside one busy poller). So the
/// listeners register their sockets' queues (`addQueryQueue`), and a due checkpoint yields only
/// while a datagram waits in one of them, that is, while an answering thread has been woken and
/// not yet run. With no queue registered (a rebuild outside `serve`), every due checkpoint yields.
///
/// Checkpoints do nothing outside `yielding(_:)`, so a cold start and the command-line tools pay
/// one relaxed atomic load per call. One rebuild runs at a time; threads of a parallel stage
/// share the clock of the last yield, which is harmless (some yield a little less often).
public enum CoreSharing {
    /// How long a rebuild may hold the core between two yields.
    public static let interval: Duration = .microseconds(25)

    private static let active = Atomic<Int>(0)
    /// Whether queries wait, by registration: one probe per listener.
    private static let queues = Mutex<(next: Int, probes: [Int: @Sendable () -> Bool])>((0, [:]))
    private static let lastYield = Atomic<UInt64>(0)
    private static let intervalNanoseconds = UInt64(interval.components.attoseconds / 1_000_000_000)

    /// Runs `body` (a rebuild) with checkpoints that yield the core.
    public static func yielding<Result>(_ body: () throws -> Result) rethrows -> Result {
        _ = Self.active.add(1, ordering: .relaxed)
        defer { _ = Self.active.subtract(1, ordering: .relaxed) }
        return try body()
    }

    /// Registers a probe that says whether queries wait for an answering thread (a datagram in a
    /// UDP socket's queue); returns the token that removes it.
    public static func addQueryQueue(_ hasWaitingQueries: @escaping @Sendable () -> Bool) -> Int {
        Self.queues.withLock { state in
            state.next += 1
            state.probes[state.next] = hasWaitingQueries
            return state.next
        }
    }

    public static func removeQueryQueue(_ token: Int) {
        _ = Self.queues.withLock { $0.probes.removeValue(forKey: token) }
    }

    /// A point in a rebuild's loop where giving the core up is safe and cheap.
    @inlinable
    public static func checkpoint() {
        if Self.isActive { Self.yieldIfDue() }
    }

    /// Whether a rebuild is running under `yielding(_:)`.
    public static var isActive: Bool { Self.active.load(ordering: .relaxed) > 0 }

    @usableFromInline
    static func yieldIfDue() {
        let now = Self.monotonicNanoseconds()
        if now &- Self.lastYield.load(ordering: .relaxed) < Self.intervalNanoseconds { return }
        let queriesWait = Self.queues.withLock { state in
            // Every probe is asked (one system call each; a server has a listener or two).
            var waiting = state.probes.isEmpty
            for probe in state.probes.values where probe() { waiting = true }
            return waiting
        }
        if queriesWait { sched_yield() }
        Self.lastYield.store(Self.monotonicNanoseconds(), ordering: .relaxed)
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
