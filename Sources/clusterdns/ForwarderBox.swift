import Forwarder
import Synchronization

/// The forwarder, once it exists: the metrics endpoint is set up before forwarding starts.
final class ForwarderBox: Sendable {
    private let forwarder = Mutex<Forwarder?>(nil)

    func set(_ value: Forwarder) { self.forwarder.withLock { $0 = value } }
    var value: Forwarder? { self.forwarder.withLock { $0 } }
}
