import DNSServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The operations HTTP listener (`--http`): `/health`, `/ready`, `/metrics`. It keeps running
/// through the lameduck window, so probes see the server going unready before it stops.
package final class OperationsServer: Service, Sendable {
    private let channel: any Channel
    private let registry: TCPConnectionRegistry
    private let logger: Logger

    private init(channel: any Channel, registry: TCPConnectionRegistry, logger: Logger) {
        self.channel = channel
        self.registry = registry
        self.logger = logger
    }

    /// The bound address (port 0 resolved), for the log and tests.
    package var localAddress: SocketAddress? { self.channel.localAddress }

    /// Binds `host`:`port` and serves `endpoints`, within `settings`' limits (each time one is
    /// reached it is counted in `limits`).
    package static func bind(
        host: String, port: Int, endpoints: [HTTPEndpoint], settings: HTTPSettings = HTTPSettings(),
        limits: LimitCounters? = nil, group: any EventLoopGroup, logger: Logger
    ) async throws -> OperationsServer {
        let registry = TCPConnectionRegistry(
            maximum: settings.maximumConnections, policy: .closeIdleOnly(grace: .seconds(1)), limits: limits,
            limit: .httpConnections)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: Int32(clamping: settings.maximumConnections))
            // Accept a burst in a few wake-ups rather than four connections at a time (NIO's
            // default), so the backlog empties before it overflows.
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPConnectionGuard(registry: registry, idleTimeout: settings.idleTimeout, limits: limits))
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(endpoints: endpoints))
                }
            }
            .bind(host: host, port: port).get()
        return OperationsServer(channel: channel, registry: registry, logger: logger)
    }

    package func run() async throws {
        try? await gracefulShutdown()
        try? await self.channel.close()
        self.registry.closeAll()
    }
}
