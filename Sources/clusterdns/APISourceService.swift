import CMalloc
import ClusterModel
import DNSServer
import KubernetesAPI
import Logging
import Manifests
import Operations
import ServiceLifecycle
import UnixSignals
import Watcher
import ZoneCompiler
import CoreSharing

/// Keeps the served snapshot in step with an API server: the reflectors fill the object store,
/// each change names its virtual files in the inbox, and the loop here debounces them into
/// rebuilds through the same incremental derive and compile as file changes. Until every resource
/// is listed once, the snapshot that answers SERVFAIL for our zones stays published and `/ready`
/// says what is missing; after that, an unreachable API server leaves the last state served.
/// SIGHUP rebuilds every namespace from the objects held (the full reload files get).
final class APISourceService: ServiceLifecycle.Service, Sendable {
    private let source: KubernetesSource
    private let objects: ClusterObjectStore
    private let inbox: ChangeInbox
    private let store: SnapshotStore
    private let logger: Logger
    private let schedule: DebounceSchedule
    private let readiness: Readiness
    private let metrics: ReloadMetrics
    private let pipeline: PipelineBox
    private let hangups: UnixSignalsSequence

    /// The pipeline, owned by the reload loop alone.
    private final class PipelineBox: @unchecked Sendable {
        // Safety: only the reload loop in `run()` touches `value`, sequentially.
        var value: ClusterPipeline
        init(_ value: ClusterPipeline) { self.value = value }
    }

    init(
        endpoint: APIServerEndpoint, pipeline: ClusterPipeline, relistInterval: Duration, hangups: UnixSignalsSequence,
        store: SnapshotStore, logger: Logger, schedule: DebounceSchedule, readiness: Readiness, metrics: ReloadMetrics,
        resources: [APIResource] = APIResource.core
    ) throws {
        self.hangups = hangups
        let inbox = ChangeInbox()
        self.inbox = inbox
        self.objects = ClusterObjectStore(resources: resources) { paths in inbox.post(ChangeBatch(paths: paths)) }
        self.source = try KubernetesSource(
            endpoint: endpoint, store: self.objects, relistInterval: relistInterval,
            logger: Logger(label: "clusterdns.kubernetes"))
        self.pipeline = PipelineBox(pipeline)
        self.store = store
        self.logger = logger
        self.schedule = schedule
        self.readiness = readiness
        self.metrics = metrics
    }

    func run() async throws {
        self.readiness.initialLoadWaiting(for: self.waitingText)
        self.logger.notice("reading the cluster from the API server", metadata: ["server": "\(self.source.server)"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.source.run() }
                    let signals = self.hangups
                    group.addTask {
                        for await _ in signals {
                            self.logger.notice("SIGHUP: full rebuild from the objects held")
                            self.inbox.post(ChangeBatch(forced: true))
                        }
                    }
                    await self.reloadLoop()
                    group.cancelAll()
                }
            } onCancel: {
                self.inbox.close()
            }
        } onGracefulShutdown: {
            self.inbox.close()
        }
    }

    private var waitingText: String {
        let missing = self.objects.unsynced.map(\.rawValue).joined(separator: ", ")
        return "waiting for the first complete list of \(missing) from \(self.source.server)"
    }

    private func reloadLoop() async {
        var synced = false
        while !self.inbox.isClosed {
            await self.inbox.waitForChanges()
            if self.inbox.isClosed { break }
            if !synced {
                guard self.objects.unsynced.isEmpty else {
                    _ = self.inbox.drain()  // the store keeps what changed; nothing to build yet
                    self.readiness.initialLoadWaiting(for: self.waitingText)
                    continue
                }
                synced = true
            } else {
                // A burst of events (a rollout touching hundreds of slices) becomes one rebuild.
                debounce: while true {
                    let times = self.inbox.pendingTimes
                    switch self.schedule.decide(firstEvent: times.first, lastEvent: times.last, now: .now) {
                    case .fire, .idle: break debounce
                    case .wait(let deadline): try? await Task.sleep(until: deadline, clock: .continuous)
                    }
                    if self.inbox.isClosed { return }
                }
            }
            let batch = self.inbox.drain()
            // The first snapshot is built at full speed; later ones share the core.
            if self.pipeline.value.generation == 0 {
                self.rebuild(forced: batch.forced)
            } else {
                CoreSharing.yielding { self.rebuild(forced: batch.forced) }
            }
        }
    }

    private func rebuild(forced: Bool) {
        let (files, changed) = self.objects.take()
        // Forced: every namespace derived and compiled again, as a full reload of files does.
        let paths = forced ? changed.union(files.map(\.path)) : changed
        guard let report = self.pipeline.value.rebuild(files: files, changed: paths, force: forced) else { return }
        self.store.publish(report.snapshot)
        let first = report.generation == 1
        if first {
            for diagnostic in report.derivation.diagnostics {
                self.logger.log(
                    level: diagnostic.isError ? .error : .warning, "object diagnostic", metadata: ["diagnostic": "\(diagnostic)"])
            }
            self.readiness.initialLoadFinished()
            // What the first load freed goes back now, not after the allocator's decay time.
            _ = cmalloc_return_free_pages()
        } else {
            for diagnostic in report.newDiagnostics {
                self.logger.log(
                    level: diagnostic.isError ? .error : .warning, "object diagnostic", metadata: ["diagnostic": "\(diagnostic)"])
            }
        }
        self.metrics.published(report, success: true)
        let errors = report.derivation.diagnostics.filter(\.isError).count
        self.logger.notice(
            first ? "synced with the API server; published snapshot" : "published snapshot",
            metadata: [
                "generation": "\(report.generation)", "files.changed": "\(report.changes.count)",
                "records": "\(report.snapshot.recordCount)", "serial": "\(report.snapshot.serial)",
                "build.ms": "\(ReloadService.milliseconds(report.buildTime))",
                "diagnostics.errors": "\(errors)",
                "diagnostics.warnings": "\(report.derivation.diagnostics.count - errors)",
            ])
    }
}
