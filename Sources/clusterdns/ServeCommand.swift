import ArgumentParser
import ClusterModel
import DNSServer
import DNSWire
import Forwarder
import Logging
import Manifests
import NIOCore
import NIOPosix
import QueryEngine
import ServiceLifecycle
import UnixSignals
import Watcher
import ZoneCompiler

#if canImport(Glibc)
import Glibc
#endif

/// `clusterdns serve`: load, compile, bind UDP and TCP on every `--listen`, and answer.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve DNS for the manifests over UDP and TCP."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var serverFlags: ServerFlags
    @OptionGroup var forwarderFlags: ForwarderFlags
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    func run() async throws {
        let logLevel = try self.serverFlags.logLevelValue()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "clusterdns")
        let model = try self.modelFlags.modelOptions()
        let serial = UInt32(truncatingIfNeeded: time(nil))
        let recordOptions = try self.recordFlags.recordOptions(model: model, serial: serial)
        let root = self.manifestOptions.root
        var pipeline = ClusterPipeline(root: root, model: model, records: recordOptions)
        guard let initial = pipeline.rebuild(rereadAll: true), pipeline.rootExists else {
            StandardError.line("error: \(root): no such file or directory")
            throw ExitCode(2)
        }
        for diagnostic in initial.derivation.diagnostics {
            logger.log(
                level: diagnostic.isError ? .error : .warning, "manifest diagnostic",
                metadata: ["diagnostic": "\(diagnostic)"])
        }
        let snapshot = initial.snapshot
        let store = SnapshotStore(snapshot)
        var configuration = try self.serverFlags.serverConfiguration()
        let forwarderConfiguration: ForwarderConfiguration?
        do {
            let (value, note) = try self.forwarderFlags.configuration(listen: configuration.listen)
            forwarderConfiguration = value
            if let note { logger.warning("\(note)") }
        } catch let error as LoopError {
            StandardError.line("error: \(error)")
            throw ExitCode(1)
        }
        configuration.responder.recursionAvailable = forwarderConfiguration != nil

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        var forwarding: ForwardingPath?
        if let forwarderConfiguration {
            let forwarder = try await Forwarder.start(forwarderConfiguration, group: group)
            forwarding = ForwardingPath(forwarder: forwarder, settings: configuration.responder)
            logger.notice(
                "forwarding names outside the cluster",
                metadata: ["upstreams": "\(forwarderConfiguration.upstreams.map { "\($0)" }.joined(separator: ", "))"])
        }
        let listeners: DNSListeners
        do {
            listeners = try await DNSListeners.bind(configuration, store: store, forwarding: forwarding, group: group)
        } catch let error as BindError {
            StandardError.line("error: \(error)")
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
                await listeners.close()
                await forwarding.forwarder.stop()
                try? await group.shutdownGracefully()
                throw ExitCode(1)
            }
        }
        for address in listeners.boundAddresses {
            logger.notice(
                "listening on udp+tcp \(address) (\(snapshot.recordCount) records)",
                metadata: ["listen": "\(address)", "records": "\(snapshot.recordCount)"])
        }
        let reload = ReloadService(
            pipeline: pipeline, store: store, logger: logger,
            schedule: DebounceSchedule(
                window: .milliseconds(self.serverFlags.debounceMilliseconds),
                maximumDelay: .milliseconds(self.serverFlags.debounceMaximumMilliseconds)),
            rescanInterval: .seconds(self.serverFlags.rescanInterval))
        let services: [any ServiceLifecycle.Service] = [DNSServerService(listeners: listeners, logger: logger), reload]
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await serviceGroup.run()
        await forwarding?.forwarder.stop()
        try? await group.shutdownGracefully()
        logger.notice("stopped")
    }
}
