/// The UDP transport.
package enum UDPEngine: String, Sendable, Hashable, CaseIterable {
    /// One SO_REUSEPORT socket and thread per core, recvmmsg/sendmmsg in batches.
    case mmsg
    /// SwiftNIO datagram channels with vector reads.
    case nio
}
