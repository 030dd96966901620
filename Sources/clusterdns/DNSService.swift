import DNSServer
import DNSWire
import Forwarder
import Logging
import NIOCore
import Operations
import ServiceLifecycle
import ZoneCompiler

/// DNS for the life of the service group: it acquires in `run()` what it answers with (the
/// forwarder, then the listeners, once the first snapshot is published), runs the forwarding-loop
/// probe as a prelude, and releases everything before `run()` returns. On graceful shutdown it
/// turns unready at once, keeps answering for the lameduck window (as kubeadm's CoreDNS, so that
/// clients and load balancers move away), then closes the listeners, which stop the forwarder
/// before the sockets it writes to.
final class DNSService: Service, Sendable {
    private let configuration: DNSServerConfiguration
    private let forwarderConfiguration: ForwarderConfiguration?
    private let store: SnapshotStore
    private let firstLoad: FirstLoad
    private let group: any EventLoopGroup
    private let readiness: Readiness
    private let forwarderBox: ForwarderBox
    private let lameduck: Duration
    private let logger: Logger

    init(
        configuration: DNSServerConfiguration, forwarderConfiguration: ForwarderConfiguration?, store: SnapshotStore,
        firstLoad: FirstLoad, group: any EventLoopGroup, readiness: Readiness, forwarderBox: ForwarderBox,
        lameduck: Duration, logger: Logger
    ) {
        self.configuration = configuration
        self.forwarderConfiguration = forwarderConfiguration
        self.store = store
        self.firstLoad = firstLoad
        self.group = group
        self.readiness = readiness
        self.forwarderBox = forwarderBox
        self.lameduck = lameduck
        self.logger = logger
    }

    func run() async throws {
        // However this ends, the reload service stops waiting for the listeners: a shutdown
        // before they bound stops this service first, and the reload service must not wait on.
        defer { self.firstLoad.listenersWillNotBind() }
        guard await cancelWhenGracefulShutdown({ await self.firstLoad.wait() }) else { return }
        let forwarding = try await self.startForwarding()
        let listeners: DNSListeners
        do {
            listeners = try await DNSListeners.bind(
                self.configuration, store: self.store, forwarding: forwarding, group: self.group)
        } catch {
            await forwarding?.forwarder.stop()
            throw error
        }
        if let forwarding {
            // A probe only we would ask: if it comes back to our own listeners, the upstream
            // forwards to us, and every forwarded question would loop.
            let probe = forwarding.loopGuard.makeProbe()
            _ = try? await forwarding.forwarder.resolve(ForwardQuestion(name: probe, type: .hinfo)).get()
            if forwarding.loopGuard.loopDetected {
                await listeners.close(grace: .zero)
                throw ServeFailure.forwardingLoop
            }
            await forwarding.forwarder.forgetStartupProbe()
        }
        self.readiness.listenersAreBound()
        self.firstLoad.listenersBound()
        let records = self.store.current.recordCount
        for address in listeners.boundAddresses {
            self.logger.notice(
                "listening on udp+tcp \(address) (\(records) records)", metadata: ["listen": "\(address)", "records": "\(records)"])
        }

        try? await gracefulShutdown()
        self.readiness.shutdownBegan()
        if self.lameduck > .zero {
            self.logger.notice("shutting down: still answering for the lameduck window", metadata: ["lameduck": "\(self.lameduck)"])
            // Not cancellable on purpose: the window is the point.
            let deadline = ContinuousClock.now + self.lameduck
            while ContinuousClock.now < deadline {
                try? await Task.sleep(until: deadline, clock: .continuous)
            }
        }
        self.logger.notice("closing DNS listeners")
        await listeners.close()
    }

    /// The forwarder, when there are upstreams: answers names outside our zones.
    private func startForwarding() async throws -> ForwardingPath? {
        guard var forwarderConfiguration = self.forwarderConfiguration else { return nil }
        // Upstream data about our own names is never taken: we answer those.
        let store = self.store
        forwarderConfiguration.isLocal = { name in store.current.table.zone(containing: name) != nil }
        let forwarder = try await Forwarder.start(
            forwarderConfiguration, group: self.group, logger: Logger(label: "clusterdns.forwarder"))
        self.forwarderBox.set(forwarder)
        self.logger.notice(
            "forwarding names outside the cluster",
            metadata: ["upstreams": "\(forwarderConfiguration.upstreams.map(ServeCommand.describe).joined(separator: ", "))"])
        return ForwardingPath(forwarder: forwarder, settings: self.configuration.responder)
    }
}
