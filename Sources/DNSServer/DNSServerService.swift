import Logging
import ServiceLifecycle

/// Runs the DNS listeners for the life of the service group: they are bound before the group
/// starts; on graceful shutdown they close.
package struct DNSServerService: Service {
    private let listeners: DNSListeners
    private let logger: Logger

    package init(listeners: DNSListeners, logger: Logger) {
        self.listeners = listeners
        self.logger = logger
    }

    package func run() async throws {
        try? await gracefulShutdown()
        self.logger.info("closing DNS listeners")
        await self.listeners.close()
    }
}
