#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import QueryEngine

/// The bound UDP and TCP sockets of every listen address. Binding happens up front so that a
/// port that cannot be had is reported before anything else starts.
package final class DNSListeners: Sendable {
    /// The listening TCP sockets.
    package let tcpServers: [any Channel]
    /// The UDP sockets, each with its recvmmsg/sendmmsg thread.
    package let udpListeners: [MMsgUDPListener]
    package let registry: TCPConnectionRegistry
    /// The addresses actually bound (port 0 resolved), in `--listen` order.
    package let boundAddresses: [ListenAddress]
    private let forwarding: ForwardingPath?

    private init(
        tcpServers: [any Channel], udpListeners: [MMsgUDPListener],
        registry: TCPConnectionRegistry, boundAddresses: [ListenAddress], forwarding: ForwardingPath?
    ) {
        self.tcpServers = tcpServers
        self.udpListeners = udpListeners
        self.registry = registry
        self.boundAddresses = boundAddresses
        self.forwarding = forwarding
    }

    /// Binds UDP and TCP on every address of `configuration`; on failure closes what was bound.
    package static func bind(
        _ configuration: DNSServerConfiguration, store: SnapshotStore, forwarding: ForwardingPath? = nil,
        group: any EventLoopGroup
    ) async throws -> DNSListeners {
        let registry = TCPConnectionRegistry(
            maximum: configuration.tcp.maximumConnections, limits: configuration.limits, limit: .tcpConnections)
        // One table for every UDP socket, so a network's limit holds however the kernel spreads
        // its datagrams over the SO_REUSEPORT sockets.
        let rateLimiter =
            configuration.responseRateLimit > 0
            ? ResponseRateLimiter(responsesPerSecond: configuration.responseRateLimit) : nil
        var tcpServers: [any Channel] = []
        var udpListeners: [MMsgUDPListener] = []
        var bound: [ListenAddress] = []
        let hasWildcardV4 = configuration.listen.contains { $0.host == "0.0.0.0" }
        do {
            for address in configuration.listen {
                // [::] beside 0.0.0.0 must be IPv6-only, or the two would fight over the port.
                let v6only = address.isIPv6 && hasWildcardV4
                // Port 0 (tests): UDP takes the port TCP got. That port can be taken for UDP by
                // another socket (a resolver's random source port), or held by another server's
                // SO_REUSEPORT sockets, which ours would silently join (the kernel would then
                // spread queries over both servers): then both go and another port is tried.
                var attempt = 0
                while true {
                    attempt += 1
                    let tcp = try await Self.bindTCP(
                        address, configuration: configuration, store: store, registry: registry, forwarding: forwarding,
                        group: group, v6only: v6only)
                    var resolved = address
                    if address.port == 0, let port = tcp.channel.localAddress?.port {
                        resolved.port = port
                        tcp.counters?.relabel(server: "dns://\(resolved)")
                    }
                    do {
                        if address.port == 0, !MMsgUDPListener.isUnbound(resolved, v6only: v6only) {
                            throw IOError(errnoCode: EADDRINUSE, reason: "bind")
                        }
                        udpListeners.append(try MMsgUDPListener.bind(resolved, workers: configuration.udpWorkers, v6only: v6only))
                    } catch {
                        if address.port == 0, attempt < 10 {
                            try? await tcp.channel.close()
                            continue
                        }
                        try? await tcp.channel.close()
                        throw BindError(address: resolved, transport: "udp", underlying: error)
                    }
                    tcpServers.append(tcp.channel)
                    bound.append(resolved)
                    break
                }
            }
        } catch {
            for channel in tcpServers { try? await channel.close() }
            for listener in udpListeners { await listener.stop() }
            throw error
        }
        for listener in udpListeners {
            listener.start(
                store: store, settings: configuration.responder, forwarding: forwarding,
                makeCounters: { configuration.metrics?.makeCounters(server: "dns://\(listener.address)") },
                queryLog: configuration.queryLog, rateLimiter: rateLimiter, limits: configuration.limits)
        }
        return DNSListeners(
            tcpServers: tcpServers, udpListeners: udpListeners, registry: registry,
            boundAddresses: bound, forwarding: forwarding)
    }

    private static func bindTCP(
        _ address: ListenAddress, configuration: DNSServerConfiguration, store: SnapshotStore,
        registry: TCPConnectionRegistry, forwarding: ForwardingPath?, group: any EventLoopGroup, v6only: Bool
    ) async throws -> (channel: any Channel, counters: QueryCounters?) {
        let tcp = configuration.tcp
        let limits = configuration.limits
        let counters = configuration.metrics?.makeCounters(server: "dns://\(address)")
        let pipeline = QueryPipeline(
            settings: configuration.responder, forwarding: forwarding,
            recorder: QueryRecorder(counters: counters, queryLog: configuration.queryLog), limits: limits,
            transfers: configuration.transfers)
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TCPQueryHandler(store: store, pipeline: pipeline, tcp: tcp, registry: registry, limits: limits))
                }
            }
        if v6only { bootstrap = bootstrap.serverChannelOption(.ipv6Only, value: 1) }
        do {
            return (try await bootstrap.bind(to: address.socketAddress()).get(), counters)
        } catch {
            throw BindError(address: address, transport: "tcp", underlying: error)
        }
    }

    /// Shuts the listeners down in the order that keeps every write on an open socket:
    /// 1. no new questions: the listening TCP sockets close and UDP stops reading, its sockets
    ///    left open for answers still owed;
    /// 2. `grace` for answers in flight, forwarded ones included, and for TCP clients to finish;
    /// 3. the forwarder stops: what it still owes is answered SERVFAIL now, and after that it
    ///    writes nothing (a late write could reach a descriptor already closed or reused);
    /// 4. the UDP sockets and the remaining TCP connections close.
    package func close(grace: Duration = .milliseconds(500)) async {
        for channel in self.tcpServers { try? await channel.close() }
        for listener in self.udpListeners { await listener.stopReceiving() }
        let deadline = ContinuousClock.now + grace
        while self.registry.count > 0 || (self.forwarding?.outstanding ?? 0) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await self.forwarding?.stop()
        for listener in self.udpListeners { listener.closeSockets() }
        self.registry.closeAll()
    }
}

extension ChannelOption where Self == ChannelOptions.Types.SocketOption {
    /// IPV6_V6ONLY: an IPv6 wildcard socket that leaves IPv4 to its own socket.
    static var ipv6Only: Self { .init(level: .ipv6, name: .ipv6_v6only) }
}
