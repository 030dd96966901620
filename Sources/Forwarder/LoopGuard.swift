import DNSWire
import Synchronization

/// Detects a forwarding loop (upstream → … → us), the crash loop CoreDNS users know through
/// 127.0.0.53: a probe name only we would ask is sent upstream; if it comes back to our own
/// listeners, the loop is real.
package final class LoopGuard: Sendable {
    private struct State {
        var probes: Set<DomainName> = []
        var detected: DomainName?
    }

    private let state = Mutex(State())

    package init() {}

    /// A fresh probe name, remembered.
    package func makeProbe() -> DomainName {
        let label = (0..<16).map { _ in String("abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "x") }.joined()
        let name = DomainName(labels: [label, "clusterdns-loop-check"]) ?? .root
        self.state.withLock { _ = $0.probes.insert(name.lowercased) }
        return name
    }

    /// Called for every question we would forward: true when it is one of our probes (a loop).
    package func isProbe(_ name: DomainName) -> Bool {
        self.state.withLock { state in
            guard state.probes.contains(name.lowercased) else { return false }
            state.detected = name
            return true
        }
    }

    package var loopDetected: Bool { self.state.withLock { $0.detected != nil } }
}
