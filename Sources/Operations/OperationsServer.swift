import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The operations HTTP listener (`--http`): `/health`, `/ready`, `/metrics`. It keeps running
/// through the lameduck window, so probes see the server going unready before it stops.
package final class OperationsServer: Service, Sendable {
    private let channel: any Channel
    private let logger: Logger

    private init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    /// The bound address (port 0 resolved), for the log and tests.
    package var localAddress: SocketAddress? { self.channel.localAddress }

    /// Binds `host`:`port` and serves `endpoints`.
    package static func bind(
        host: String, port: Int, endpoints: [HTTPEndpoint], group: any EventLoopGroup, logger: Logger
    ) async throws -> OperationsServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(endpoints: endpoints))
                }
            }
            .bind(host: host, port: port).get()
        return OperationsServer(channel: channel, logger: logger)
    }

    package func run() async throws {
        try? await gracefulShutdown()
        try? await self.channel.close()
    }
}
