import ArgumentParser
import ClusterModel
import DNSServer
import DNSWire
import Forwarder
import KubernetesAPI
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
    @OptionGroup(title: "Cluster from an API server") var sourceFlags: ClusterSourceFlags
    @OptionGroup(title: "Listeners") var serverFlags: ServerFlags
    @OptionGroup(title: "Forwarding") var forwarderFlags: ForwarderFlags
    @OptionGroup(title: "Reload") var reloadFlags: ReloadFlags
    @OptionGroup(title: "Health, metrics and shutdown") var operationsFlags: OperationsFlags
    @OptionGroup(title: "Logging") var loggingFlags: LoggingFlags
    @OptionGroup(title: "Cluster addresses") var modelFlags: ModelFlags
    @OptionGroup(title: "Records") var recordFlags: RecordFlags

    func run() async throws {
        ServeLogging.bootstrap(level: try self.loggingFlags.level(), json: self.loggingFlags.isJSON)
        let logger = Logger(label: "clusterdns")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        Gauge(label: "clusterdns_build_info", dimensions: [("version", ClusterDNS.version)]).record(1)
        // Trap the signals before anything is announced: a SIGTERM or SIGHUP sent the moment the
        // server says it listens must start the lameduck or a reload, not kill the process.
        let shutdownSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)

        let endpoint: APIServerEndpoint?
        do {
            endpoint = try self.sourceFlags.endpoint(manifests: self.manifestOptions)
        } catch let error as ValidationError {
            throw error
        } catch {
            StandardError.line("error: \(error)")
            throw ExitCode(2)
        }
        let model = try self.modelFlags.modelOptions()
        var recordOptions = try self.recordFlags.recordOptions(model: model, serial: UInt32(truncatingIfNeeded: time(nil)))
        if self.forwarderFlags.autopath {
            // Autopath trusts a client's address to say which pod asks: only verified pod records
            // (pods the cluster holds, by address) can say that.
            guard recordOptions.pods == .verified else {
                throw ValidationError("--autopath needs --pods verified (the default), got --pods \(recordOptions.pods.rawValue)")
            }
            recordOptions.autopath = true
        }
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
        configuration.responder.autopath = self.forwarderFlags.autopath
        let queryMetrics = QueryMetrics()
        configuration.metrics = queryMetrics
        let limits = LimitCounters(logger: logger)
        configuration.limits = limits
        configuration.queryLog = try self.loggingFlags.queryLogger()

        // The services, each acquiring in run() and releasing before it returns. On shutdown they
        // stop in reverse order: DNS first (the lameduck window), the operations listener last.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let readiness = Readiness()
        let forwarderBox = ForwarderBox()
        let firstLoad = FirstLoad()
        // Answers nothing until the first load publishes: the DNS listeners wait for it.
        // From an API server, DNS starts at once: our zones answer SERVFAIL until the first sync.
        let store = SnapshotStore(
            endpoint == nil
                ? RecordSnapshot.build(Cluster(), options: recordOptions)
                : RecordSnapshot.awaitingSource(options: recordOptions))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let http = try self.operationsFlags.httpAddress() {
            let operations = OperationsServer(
                address: http,
                endpoints: Self.endpoints(
                    readiness: readiness, metrics: queryMetrics, limits: limits, registry: registry, forwarder: forwarderBox),
                settings: self.operationsFlags.httpSettings, limits: limits, group: group,
                isOptional: !self.operationsFlags.httpIsExplicit, logger: logger)
            // Without its default port, DNS is served without it: its end is no reason to stop.
            services.append(.init(service: operations, successTerminationBehavior: .ignore))
        }
        let reload: any ServiceLifecycle.Service
        if let endpoint {
            do {
                reload = try APISourceService(
                    endpoint: endpoint, pipeline: ClusterPipeline(root: "", model: model, records: recordOptions),
                    relistInterval: try self.reloadFlags.relistInterval, hangups: hangups, store: store, logger: logger,
                    schedule: self.reloadFlags.schedule, readiness: readiness, metrics: ReloadMetrics(limits: limits),
                    resources: APIResource.read(ingresses: !recordOptions.externalZones.isEmpty))
            } catch {
                StandardError.line("error: \(endpoint.server): \(error)")
                throw ExitCode(2)
            }
            firstLoad.finish()
        } else {
            reload = ReloadService(
                pipeline: ClusterPipeline(root: self.manifestOptions.root, model: model, records: recordOptions),
                hangups: hangups, store: store, firstLoad: firstLoad, logger: logger,
                schedule: self.reloadFlags.schedule, rescanInterval: self.reloadFlags.rescan, readiness: readiness,
                metrics: ReloadMetrics(limits: limits))
        }
        let dns = DNSService(
            configuration: configuration, forwarderConfiguration: forwarderConfiguration, store: store, firstLoad: firstLoad,
            group: group, readiness: readiness, forwarderBox: forwarderBox,
            lameduck: .milliseconds(Int64(self.operationsFlags.lameduck * 1000)), logger: logger)
        services += [.init(service: reload), .init(service: dns)]
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        let outcome: Result<Void, any Error>
        do {
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
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? await group.shutdownGracefully()
        switch outcome {
        case .success:
            logger.notice("stopped")
        case .failure(let error as ServeFailure):
            StandardError.line("error: \(error)")
            throw ExitCode(error.exitCode)
        case .failure(let error as BindError):
            StandardError.line("error: \(error)")
            throw ExitCode(1)
        case .failure(let error):
            throw error
        }
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
