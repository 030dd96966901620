import Logging
import ServiceLifecycle

/// Runs the DNS listeners for the life of the service group. They are bound before the group
/// starts. On graceful shutdown: `shutdownBegan` is called at once (readiness turns 503), DNS
/// keeps answering for the lameduck window (as kubeadm's CoreDNS: clients and load balancers
/// move away meanwhile), then the listeners close and open TCP connections get a moment to
/// finish their in-flight answers.
package struct DNSServerService: Service {
    private let listeners: DNSListeners
    private let logger: Logger
    private let lameduck: Duration
    private let shutdownBegan: @Sendable () -> Void

    package init(
        listeners: DNSListeners, logger: Logger, lameduck: Duration = .zero, shutdownBegan: @escaping @Sendable () -> Void = {}
    ) {
        self.listeners = listeners
        self.logger = logger
        self.lameduck = lameduck
        self.shutdownBegan = shutdownBegan
    }

    package func run() async throws {
        try? await gracefulShutdown()
        self.shutdownBegan()
        if self.lameduck > .zero {
            self.logger.notice("shutting down: still answering for the lameduck window", metadata: ["lameduck": "\(self.lameduck)"])
            // Not cancellable on purpose: the window is the point.
            let deadline = ContinuousClock.now + self.lameduck
            while ContinuousClock.now < deadline {
                try? await Task.sleep(until: deadline, clock: .continuous)
            }
        }
        self.logger.notice("closing DNS listeners")
        await self.listeners.close()
    }
}
