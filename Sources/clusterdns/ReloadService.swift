import CMalloc
import ClusterModel
import DNSServer
import Manifests
import Operations
import Logging
import ServiceLifecycle
import UnixSignals
import Watcher
import ZoneCompiler
import CoreSharing
import Synchronization

/// Keeps the served snapshot in step with the manifest tree: inotify events (debounced), a
/// periodic full rescan as the safety net, and SIGHUP for a forced full reload. Each rebuild
/// happens beside the served snapshot and is published in one step.
final class ReloadService: ServiceLifecycle.Service, Sendable {
    private let inbox: ChangeInbox
    private let store: SnapshotStore
    private let firstLoad: FirstLoad
    private let logger: Logger
    private let schedule: DebounceSchedule
    private let rescanInterval: Duration
    private let pipeline: PipelineBox
    /// When a replaced root has settled and should be read again whole (files still missing
    /// from it then go): each instant wakes the task that posts that rescan.
    private let settleRescans: AsyncStream<ContinuousClock.Instant>
    private let settleRescanDue: AsyncStream<ContinuousClock.Instant>.Continuation
    /// Files rebuilds left for their writers, to be read again (the writer's close brings them
    /// back too, but a writer may keep a file open without writing, and there may be no further
    /// event at all), and when: one wake-up at a time, however many rebuilds leave files.
    private let deferredPaths = Mutex<Set<String>>([])
    private let deferredReads: AsyncStream<ContinuousClock.Instant>
    private let deferredReadDue: AsyncStream<ContinuousClock.Instant>.Continuation
    /// How long a file left for its writer waits before it is read again.
    static let deferredReadDelay: Duration = .milliseconds(250)
    private let readiness: Readiness
    private let metrics: ReloadMetrics
    private let hangups: UnixSignalsSequence

    /// The pipeline, owned by the reload loop alone (one task mutates it at a time).
    private final class PipelineBox: @unchecked Sendable {
        // Safety: only the reload loop in `run()` touches `value`, sequentially.
        var value: ClusterPipeline
        /// The snapshot problems already logged.
        var loggedProblems: Set<String> = []
        init(_ value: ClusterPipeline) { self.value = value }
    }

    /// `hangups` traps SIGHUP from start-up on, so a SIGHUP sent as soon as the server says it
    /// listens reloads instead of killing the process. `firstLoad` is set once the first snapshot
    /// is in `store`.
    init(
        pipeline: ClusterPipeline, hangups: UnixSignalsSequence, store: SnapshotStore, firstLoad: FirstLoad,
        logger: Logger, schedule: DebounceSchedule, rescanInterval: Duration, readiness: Readiness = Readiness(),
        metrics: ReloadMetrics = ReloadMetrics()
    ) {
        self.hangups = hangups
        self.inbox = ChangeInbox()
        self.readiness = readiness
        self.metrics = metrics
        self.pipeline = PipelineBox(pipeline)
        (self.settleRescans, self.settleRescanDue) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (self.deferredReads, self.deferredReadDue) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.store = store
        self.firstLoad = firstLoad
        self.logger = logger
        self.schedule = schedule
        self.rescanInterval = rescanInterval
    }

    /// Watches, loads, and keeps the snapshot in step until shutdown; the watch ends with it.
    func run() async throws {
        // Watch before the first load: a file written while the server starts is then picked up
        // by the first reload, not by the periodic rescan minutes later.
        let watcher = self.startWatching()
        defer { watcher?.stop() }
        if let watcher { self.pipeline.value.noteWrites(from: watcher) }
        try await self.loadFirst()
        try await self.keepInStep()
    }

    private func startWatching() -> InotifyWatcher? {
        let watcher = InotifyWatcher(root: self.pipeline.value.tree.root, inbox: self.inbox)
        do {
            try watcher.start()
            return watcher
        } catch {
            self.logger.error(
                "cannot watch the manifests; changes are picked up by the periodic rescan only", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The first snapshot, from every file; a root that is not there is a usage error.
    private func loadFirst() async throws {
        let initial = try self.publishFirst()
        // Answers first, tidying after. Freeing the build's memory and deflating the kept bytes
        // took about 0.1 s at L, and on a core shared with the DNS service (one core, or a busy
        // node) they ran before its listeners could bind: the first answer waited for them.
        let answering = await cancelWhenGracefulShutdown { await self.firstLoad.waitForListeners() }
        withExtendedLifetime(initial) {}
        // Stopping before the listeners bound: nothing to tidy for.
        guard answering else { return }
        // Once answers are given, sharing the core with the queries as a reload does.
        CoreSharing.yielding { self.pipeline.value.deflateKeptBytes() }
        // The first load frees most of what it allocates (parsed text, records, compiled
        // entries); its pages go back now rather than after the allocator's decay time, once the
        // build's report, which held most of them, is gone too.
        _ = cmalloc_return_free_pages()
    }

    /// Builds and publishes the first snapshot; returns the build's report, which the caller
    /// lets go once the listeners are bound.
    private func publishFirst() throws -> ClusterPipeline.Report {
        guard let initial = self.pipeline.value.rebuild(rereadAll: true), self.pipeline.value.rootExists else {
            throw ServeFailure.missingManifests(root: self.pipeline.value.tree.root)
        }
        for diagnostic in initial.derivation.diagnostics {
            self.logger.log(
                level: diagnostic.isError ? .error : .warning, "manifest diagnostic", metadata: ["diagnostic": "\(diagnostic)"])
        }
        self.store.publish(initial.snapshot)
        self.metrics.published(initial, success: true)
        self.logger.info(
            "first snapshot built",
            metadata: [
                "records": "\(initial.snapshot.recordCount)", "build.ms": "\(Self.milliseconds(initial.buildTime))",
                "stages.ms":
                    "refresh \(Self.milliseconds(initial.stageTimes.refresh)), derive \(Self.milliseconds(initial.stageTimes.derive)), compile \(Self.milliseconds(initial.stageTimes.compile))",
            ])
        self.pipeline.loggedProblems = Set(initial.snapshot.problems)
        for problem in initial.snapshot.problems { self.logger.warning("name left out", metadata: ["problem": "\(problem)"]) }
        self.readDeferredLater()
        self.readiness.initialLoadFinished()
        self.firstLoad.finish()
        return initial
    }

    private func keepInStep() async throws {
        // Ends on graceful shutdown, or when the group is cancelled (another service failed):
        // either way the inbox closes and the loops below return.
        await withTaskCancellationHandler {
            await self.reloadUntilShutdown()
        } onCancel: {
            self.inbox.close()
            self.settleRescanDue.finish()
            self.deferredReadDue.finish()
        }
    }

    private func reloadUntilShutdown() async {
        let signals = self.hangups
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.reloadLoop() }
                group.addTask {
                    while !Task.isCancelled, !self.inbox.isClosed {
                        try? await Task.sleep(for: self.rescanInterval)
                        if Task.isCancelled || self.inbox.isClosed { break }
                        self.inbox.post(ChangeBatch(rereadAll: true))
                    }
                }
                group.addTask {
                    for await due in self.settleRescans {
                        try? await Task.sleep(until: due, clock: .continuous)
                        if Task.isCancelled || self.inbox.isClosed { break }
                        self.inbox.post(ChangeBatch(rereadAll: true))
                    }
                }
                group.addTask {
                    for await due in self.deferredReads {
                        try? await Task.sleep(until: due, clock: .continuous)
                        if Task.isCancelled || self.inbox.isClosed { break }
                        let paths = self.deferredPaths.withLock { paths in
                            defer { paths = [] }
                            return paths
                        }
                        if !paths.isEmpty { self.inbox.post(ChangeBatch(paths: paths)) }
                    }
                }
                group.addTask {
                    for await _ in signals {
                        self.logger.notice("SIGHUP: full reload")
                        self.inbox.post(ChangeBatch(rereadAll: true, forced: true))
                    }
                }
                await group.next()  // the reload loop ends on shutdown
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.inbox.close()
            self.settleRescanDue.finish()
            self.deferredReadDue.finish()
        }
    }

    private func reloadLoop() async {
        while !self.inbox.isClosed {
            await self.inbox.waitForChanges()
            if self.inbox.isClosed { break }
            // Debounce: a burst of events becomes one rebuild. Files the events name are read
            // while the window runs, so the rebuild after it has less left to do.
            var prepared: Set<String> = []
            debounce: while true {
                let times = self.inbox.pendingTimes
                switch self.schedule.decide(firstEvent: times.first, lastEvent: times.last, now: .now) {
                case .fire, .idle: break debounce
                case .wait(let deadline):
                    let pending = self.inbox.pending
                    if !pending.rereadAll {
                        let fresh = pending.paths.subtracting(prepared)
                        if !fresh.isEmpty {
                            CoreSharing.yielding { self.pipeline.value.prepare(named: fresh) }
                            prepared.formUnion(fresh)
                            continue debounce  // reading took time: decide again
                        }
                    }
                    try? await Task.sleep(until: deadline, clock: .continuous)
                }
                if self.inbox.isClosed { return }
            }
            let batch = self.inbox.drain()
            // The first snapshot is built at full speed; later ones share the core.
            CoreSharing.yielding { self.rebuild(batch) }
        }
    }

    private func rebuild(_ batch: ChangeBatch) {
        let rebuilt = self.pipeline.value.rebuild(
            named: batch.rereadAll ? nil : batch.paths, rereadAll: batch.rereadAll, force: batch.forced)
        if self.pipeline.value.tree.isSettlingReplacement {
            self.settleRescanDue.yield(.now + ManifestTree.replacementSettle)
        }
        self.readDeferredLater()
        guard let report = rebuilt else { return }
        CoreSharing.checkpoint()
        self.store.publish(report.snapshot)
        CoreSharing.checkpoint()
        self.pipeline.value.deflateKeptBytes()
        CoreSharing.checkpoint()
        // A reload fails when a changed file could not be used: it broke, or holds rejected objects.
        // /ready names where (file and line) but never what: a diagnostic can quote the file's
        // content, and the probe endpoint is reachable by more people than the log is.
        let failedAt: String?
        if let path = report.changes.keptLastGood.first {
            let line = report.newDiagnostics.first { $0.isError && $0.location.file == path }?.location.line
            failedAt = line.map { "\(path):\($0)" } ?? path
        } else {
            failedAt = report.newDiagnostics.first(where: \.isError).map { "\($0.location.file):\($0.location.line)" }
        }
        CoreSharing.checkpoint()
        self.metrics.published(report, success: failedAt == nil)
        CoreSharing.checkpoint()
        self.readiness.reloadResult(failedAt: failedAt)
        for diagnostic in report.newDiagnostics {
            self.logger.log(
                level: diagnostic.isError ? .error : .warning, "manifest diagnostic",
                metadata: ["diagnostic": "\(diagnostic)"])
        }
        for path in report.changes.keptLastGood {
            self.logger.warning("file failed to parse; serving its last good objects", metadata: ["file": "\(path)"])
        }
        // Names that cannot be formed: logged when they first appear, not at every reload.
        CoreSharing.checkpoint()
        let problems = Set(report.snapshot.problems)
        for problem in report.snapshot.problems where !self.pipeline.loggedProblems.contains(problem) {
            self.logger.warning("name left out", metadata: ["problem": "\(problem)"])
        }
        self.pipeline.loggedProblems = problems
        CoreSharing.checkpoint()
        let errors = report.derivation.diagnostics.filter(\.isError).count
        self.logger.notice(
            "published snapshot",
            metadata: [
                "generation": "\(report.generation)", "files.changed": "\(report.changes.count)",
                "records": "\(report.snapshot.recordCount)", "serial": "\(report.snapshot.serial)",
                "build.ms": "\(Self.milliseconds(report.buildTime))",
                "stages.ms": "refresh \(Self.milliseconds(report.stageTimes.refresh)), derive \(Self.milliseconds(report.stageTimes.derive)), compile \(Self.milliseconds(report.stageTimes.compile))",
                "diagnostics.errors": "\(errors)",
                "diagnostics.warnings": "\(report.derivation.diagnostics.count - errors)",
            ])
    }

    /// Asks for the files the last rebuild left for their writers to be read again soon.
    private func readDeferredLater() {
        let deferred = self.pipeline.value.deferred
        guard !deferred.isEmpty else { return }
        self.logger.debug("files being written: read again shortly", metadata: ["files": "\(deferred)"])
        let firstWaiting = self.deferredPaths.withLock { paths in
            defer { paths.formUnion(deferred) }
            return paths.isEmpty
        }
        // Files already waiting have a wake-up coming, which takes these too.
        if firstWaiting { self.deferredReadDue.yield(.now + Self.deferredReadDelay) }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(Int(value.rounded()))
    }
}

