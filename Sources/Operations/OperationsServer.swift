import DNSServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The operations HTTP listener (`--http`): `/health`, `/ready`, `/metrics`. It binds in `run()`
/// and closes before `run()` returns, after the DNS listeners (it is the first service of the
/// group, so the last to shut down): probes see the server go unready before it stops. When the
/// port is one the user did not choose (the default) and it is taken, DNS is served without it.
package final class OperationsServer: Service, Sendable {
    private let address: ListenAddress
    private let endpoints: [HTTPEndpoint]
    private let settings: HTTPSettings
    private let limits: LimitCounters?
    private let group: any EventLoopGroup
    private let isOptional: Bool
    private let logger: Logger

    /// Serves `endpoints` on `address` within `settings`' limits (each time one is reached it is
    /// counted in `limits`). `isOptional`: a bind failure is a warning, not an error.
    package init(
        address: ListenAddress, endpoints: [HTTPEndpoint], settings: HTTPSettings = HTTPSettings(),
        limits: LimitCounters? = nil, group: any EventLoopGroup, isOptional: Bool, logger: Logger
    ) {
        self.address = address
        self.endpoints = endpoints
        self.settings = settings
        self.limits = limits
        self.group = group
        self.isOptional = isOptional
        self.logger = logger
    }

    package func run() async throws {
        let settings = self.settings
        let limits = self.limits
        let endpoints = self.endpoints
        let registry = TCPConnectionRegistry(
            maximum: settings.maximumConnections, policy: .closeIdleOnly(grace: .seconds(1)), limits: limits,
            limit: .httpConnections)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.group)
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
                .bind(host: self.address.host, port: self.address.port).get()
        } catch {
            let failure = BindError(address: self.address, transport: "http", underlying: error)
            guard self.isOptional else { throw failure }
            self.logger.warning(
                "cannot listen for /health, /ready and /metrics on the default port; serving DNS without them (give --http to choose a port)",
                metadata: ["error": "\(failure)"])
            return
        }
        let bound = channel.localAddress.map(Self.describe) ?? "\(self.address)"
        self.logger.notice("http listening on \(bound)", metadata: ["http": "\(bound)"])
        try? await gracefulShutdown()
        try? await channel.close()
        registry.closeAll()
    }

    private static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
