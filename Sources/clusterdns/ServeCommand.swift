import ArgumentParser
import ClusterModel
import DNSServer
import DNSWire
import Forwarder
import Logging
import Manifests
import Metrics
import NIOCore
import NIOPosix
import Operations
import Prometheus
import QueryEngine
import ServiceLifecycle
import UnixSignals
import Watcher
import ZoneCompiler

#if canImport(Glibc)
import Glibc
#endif

/// `clusterdns serve`: load, compile, bind UDP and TCP on every `--listen`, and answer; forward
/// the rest of the world; keep in step with the manifests; report health and metrics.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve DNS for the manifests over UDP and TCP."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var serverFlags: ServerFlags
    @OptionGroup var forwarderFlags: ForwarderFlags
    @OptionGroup var operationsFlags: OperationsFlags
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    func run() async throws {
        let logLevel = try self.serverFlags.logLevelValue()
        let json = self.operationsFlags.logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = logLevel
                return handler
            }
            var handler = TextLogHandler(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "clusterdns")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        Gauge(label: "clusterdns_build_info", dimensions: [("version", ClusterDNS.version)]).record(1)

        let model = try self.modelFlags.modelOptions()
        // Trap the signals before anything is announced: a SIGTERM or SIGHUP sent the moment the
        // server says it listens must start the lameduck or a reload, not kill the process.
        let shutdownSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let serial = UInt32(truncatingIfNeeded: time(nil))
        let recordOptions = try self.recordFlags.recordOptions(model: model, serial: serial)
        var configuration = try self.serverFlags.serverConfiguration()
        let forwarderConfiguration: ForwarderConfiguration?
        do {
            let (value, note) = try self.forwarderFlags.configuration(listen: configuration.listen)
            forwarderConfiguration = value
            if let note { logger.warning("forwarding configuration", metadata: ["note": "\(note)"]) }
        } catch let error as LoopError {
            StandardError.line("error: \(error)")
            throw ExitCode(1)
        }
        configuration.responder.recursionAvailable = forwarderConfiguration != nil
        let queryMetrics = QueryMetrics()
        configuration.metrics = queryMetrics
        let limits = LimitCounters(logger: logger)
        configuration.limits = limits
        if self.operationsFlags.queryLog {
            // Asked for explicitly, so a quieter --log-level does not hide it.
            var queryLog = Logger(label: "clusterdns.query")
            queryLog.logLevel = min(logLevel, .info)
            configuration.queryLog = queryLog
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let readiness = Readiness()
        let forwarderBox = ForwarderBox()

        // The operations listener comes first, so probes see "not ready" during the first load.
        var operations: OperationsServer?
        if let http = try self.operationsFlags.httpAddress() {
            do {
                operations = try await OperationsServer.bind(
                    host: http.host, port: http.port,
                    endpoints: Self.endpoints(
                        readiness: readiness, metrics: queryMetrics, limits: limits, registry: registry,
                        forwarder: forwarderBox),
                    settings: self.operationsFlags.httpSettings, limits: limits, group: group, logger: logger)
            } catch where !self.operationsFlags.httpIsExplicit {
                logger.warning(
                    "cannot listen for /health, /ready and /metrics on the default port; serving DNS without them (give --http to choose a port)",
                    metadata: ["error": "\(BindError(address: http, transport: "http", underlying: error))"])
            } catch {
                StandardError.line("error: \(BindError(address: http, transport: "http", underlying: error))")
                try? await group.shutdownGracefully()
                throw ExitCode(1)
            }
            if let address = operations?.localAddress {
                logger.notice("http listening on \(Self.describe(address))", metadata: ["http": "\(Self.describe(address))"])
            }
        }

        let root = self.manifestOptions.root
        var pipeline = ClusterPipeline(root: root, model: model, records: recordOptions)
        // Watch before the first load: a file written while the server starts is then picked up
        // by the first reload, not by the periodic rescan minutes later.
        let inbox = ChangeInbox()
        var watcher: InotifyWatcher? = InotifyWatcher(root: pipeline.tree.root, inbox: inbox)
        do {
            try watcher?.start()
        } catch {
            watcher = nil
            logger.error(
                "cannot watch the manifests; changes are picked up by the periodic rescan only",
                metadata: ["error": "\(error)"])
        }
        guard let initial = pipeline.rebuild(rereadAll: true), pipeline.rootExists else {
            watcher?.stop()
            StandardError.line("error: \(root): no such file or directory")
            try? await group.shutdownGracefully()
            throw ExitCode(2)
        }
        for diagnostic in initial.derivation.diagnostics {
            logger.log(
                level: diagnostic.isError ? .error : .warning, "manifest diagnostic", metadata: ["diagnostic": "\(diagnostic)"])
        }
        let snapshot = initial.snapshot
        let store = SnapshotStore(snapshot)
        let reloadMetrics = ReloadMetrics(limits: limits)
        reloadMetrics.published(initial, success: true)

        var forwarding: ForwardingPath?
        if var forwarderConfiguration {
            // Upstream data about our own names is never taken: we answer those.
            forwarderConfiguration.isLocal = { name in store.current.table.zone(containing: name) != nil }
            let forwarder = try await Forwarder.start(
                forwarderConfiguration, group: group, logger: Logger(label: "clusterdns.forwarder"))
            forwarderBox.set(forwarder)
            forwarding = ForwardingPath(forwarder: forwarder, settings: configuration.responder)
            logger.notice(
                "forwarding names outside the cluster",
                metadata: ["upstreams": "\(forwarderConfiguration.upstreams.map(Self.describe).joined(separator: ", "))"])
        }
        let listeners: DNSListeners
        do {
            listeners = try await DNSListeners.bind(configuration, store: store, forwarding: forwarding, group: group)
        } catch let error as BindError {
            StandardError.line("error: \(error)")
            watcher?.stop()
            await forwarding?.forwarder.stop()
            try? await group.shutdownGracefully()
            throw ExitCode(1)
        }
        if let forwarding {
            // A probe only we would ask: if it comes back to our own listeners, the upstream
            // forwards to us, and every forwarded question would loop.
            let probe = forwarding.loopGuard.makeProbe()
            _ = try? await forwarding.forwarder.resolve(ForwardQuestion(name: probe, type: .hinfo)).get()
            if forwarding.loopGuard.loopDetected {
                StandardError.line(
                    "error: a forwarding loop: a question sent upstream came back to this server; give an upstream resolver that does not forward to ClusterDNS")
                await listeners.close(grace: .zero)
                watcher?.stop()
                try? await group.shutdownGracefully()
                throw ExitCode(1)
            }
            await forwarding.forwarder.forgetStartupProbe()
        }
        readiness.listenersAreBound()
        readiness.initialLoadFinished()
        for address in listeners.boundAddresses {
            logger.notice(
                "listening on udp+tcp \(address) (\(snapshot.recordCount) records)",
                metadata: ["listen": "\(address)", "records": "\(snapshot.recordCount)"])
        }

        let reload = ReloadService(
            pipeline: pipeline, inbox: inbox, watcher: watcher, hangups: hangups, store: store, logger: logger,
            schedule: DebounceSchedule(
                window: .milliseconds(self.serverFlags.debounceMilliseconds),
                maximumDelay: .milliseconds(self.serverFlags.debounceMaximumMilliseconds)),
            rescanInterval: .seconds(self.serverFlags.rescanInterval), readiness: readiness, metrics: reloadMetrics)
        let dns = DNSServerService(
            listeners: listeners, logger: logger, lameduck: .milliseconds(Int64(self.operationsFlags.lameduck * 1000)),
            shutdownBegan: { readiness.shutdownBegan() })
        // Shut down in reverse order: DNS first (lameduck), the operations listener last.
        var services: [any ServiceLifecycle.Service] = []
        if let operations { services.append(operations) }
        services += [reload, dns]
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await signal in shutdownSignals {
                    logger.notice("shutdown signal received", metadata: ["signal": "\(signal)"])
                    await serviceGroup.triggerGracefulShutdown()
                    return
                }
            }
            try await serviceGroup.run()
            tasks.cancelAll()
        }
        // The forwarder was stopped by the DNS listeners, before they closed their sockets.
        try? await group.shutdownGracefully()
        logger.notice("stopped")
    }

    /// `/health`, `/ready` and `/metrics`.
    static func endpoints(
        readiness: Readiness, metrics: QueryMetrics, limits: LimitCounters, registry: PrometheusCollectorRegistry,
        forwarder: ForwarderBox
    ) -> [HTTPEndpoint] {
        [
            HTTPEndpoint(path: "/health") { eventLoop in
                eventLoop.makeSucceededFuture(HTTPEndpoint.Response(status: 200, body: "OK"))
            },
            HTTPEndpoint(path: "/ready") { eventLoop in
                let (ready, body) = readiness.status
                return eventLoop.makeSucceededFuture(HTTPEndpoint.Response(status: ready ? 200 : 503, body: body))
            },
            HTTPEndpoint(path: "/metrics") { eventLoop in
                let statistics: EventLoopFuture<ForwarderStatistics?> =
                    forwarder.value.map { $0.statistics().map { Optional($0) }.hop(to: eventLoop) }
                    ?? eventLoop.makeSucceededFuture(nil)
                return statistics.map { statistics in
                    HTTPEndpoint.Response(
                        status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                        body: MetricsExposition.render(
                            queryMetrics: metrics, limits: limits, forwarder: statistics,
                            registryText: registry.emitToString()))
                }
            },
        ]
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
