import ArgumentParser
import ClusterModel
import DNSServer
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
        let configuration = try self.serverFlags.serverConfiguration()

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let listeners: DNSListeners
        do {
            listeners = try await DNSListeners.bind(configuration, store: store, group: group)
        } catch let error as BindError {
            StandardError.line("error: \(error)")
            try? await group.shutdownGracefully()
            throw ExitCode(1)
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
        try? await group.shutdownGracefully()
        logger.notice("stopped")
    }
}
