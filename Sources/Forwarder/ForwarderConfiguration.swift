import NIOCore

/// How names outside our zones are resolved: where to, how long to wait, how much to cache.
package struct ForwarderConfiguration: Sendable {
    package var upstreams: [SocketAddress]
    /// The most a question may take before SERVFAIL (tries of further upstreams start within it).
    package var timeout: TimeAmount
    /// Upstream fetches in flight at once; past it, SERVFAIL at once rather than a growing queue.
    package var maximumConcurrent: Int
    /// Cached answers kept (least recently used ones go first).
    package var cacheSize: Int
    /// The longest a positive answer is cached (and the TTL it is served with).
    package var cacheMaximumTTL: UInt32
    /// The longest a negative answer is cached (RFC 2308 §5).
    package var negativeMaximumTTL: UInt32
    /// UDP payload size we offer upstreams.
    package var payloadSize: UInt16

    package init(
        upstreams: [SocketAddress], timeout: TimeAmount = .seconds(2), maximumConcurrent: Int = 1000,
        cacheSize: Int = 10_000, cacheMaximumTTL: UInt32 = 3600, negativeMaximumTTL: UInt32 = 300,
        payloadSize: UInt16 = 1232
    ) {
        self.upstreams = upstreams
        self.timeout = timeout
        self.maximumConcurrent = maximumConcurrent
        self.cacheSize = cacheSize
        self.cacheMaximumTTL = cacheMaximumTTL
        self.negativeMaximumTTL = negativeMaximumTTL
        self.payloadSize = payloadSize
    }
}
