import CScheduling
import NIOPosix

/// The one thread reloads are read, derived and compiled on, under SCHED_IDLE: on a busy core a
/// UDP or TCP thread that wakes for a query preempts it at once, instead of waiting out the
/// rebuild's time slice (which a nice value does not shorten under EEVDF: queries at 20,000 QPS
/// waited up to 5 ms while a change at L compiled on the same core). A rebuild then uses the
/// time the answering threads leave: all of it below saturation, little of it on a core that
/// answering fills, where answers come first. Work for more than a few namespaces also runs on
/// the shared worker threads at the normal priority: a cold start or a large change.
final class BackgroundRebuilds: Sendable {
    private let pool = NIOThreadPool(numberOfThreads: 1)

    func start() { self.pool.start() }

    func shutdown() async { try? await self.pool.shutdownGracefully() }

    /// Runs `work` on the rebuild thread and waits for it; the work runs in order, one at a time.
    func run(_ work: @escaping @Sendable () -> Void) async {
        _ = try? await self.pool.runIfActive {
            // Each time: cheap, and the thread is this pool's alone. A failure (a kernel without
            // SCHED_IDLE) leaves the normal policy: slower answers during rebuilds, nothing worse.
            _ = cscheduling_run_only_when_idle()
            work()
        }
    }
}
