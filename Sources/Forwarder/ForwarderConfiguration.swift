import DNSWire
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
    /// What cached answers may cost in all, in bytes (`ResponseCache.cost(of:_:)`).
    package var cacheBytes: Int
    /// The largest answer cached, in bytes of records; larger ones are forwarded every time.
    package var cacheMaximumAnswerBytes: Int
    /// The longest a positive answer is cached (and the TTL it is served with).
    package var cacheMaximumTTL: UInt32
    /// The longest a negative answer is cached (RFC 2308 §5).
    package var negativeMaximumTTL: UInt32
    /// How long past expiry a cached answer may be served when the upstreams fail (RFC 8767);
    /// 0: never (`--serve-stale`).
    package var staleWindow: UInt32 = 0
    /// After a failed refresh of a stale answer, when it is tried again in the background
    /// (RFC 8767 §5's failure recheck timer, 30 s).
    package var staleRefreshInterval: TimeAmount = .seconds(30)
    /// Refresh popular answers before they expire (`--prefetch`).
    package var prefetch = false
    /// UDP payload size we offer upstreams.
    package var payloadSize: UInt16
    /// Whether a name lies in one of our own zones: upstream data about such names is never
    /// taken (see `RelevanceFilter`).
    package var isLocal: @Sendable (DomainName) -> Bool

    package init(
        upstreams: [SocketAddress], timeout: TimeAmount = .seconds(2), maximumConcurrent: Int = 1000,
        cacheSize: Int = 10_000, cacheMaximumTTL: UInt32 = 3600, negativeMaximumTTL: UInt32 = 300,
        payloadSize: UInt16 = 1232, cacheBytes: Int = 32 << 20, cacheMaximumAnswerBytes: Int = 16 << 10,
        isLocal: @escaping @Sendable (DomainName) -> Bool = { _ in false }
    ) {
        self.upstreams = upstreams
        self.timeout = timeout
        self.maximumConcurrent = maximumConcurrent
        self.cacheSize = cacheSize
        self.cacheMaximumTTL = cacheMaximumTTL
        self.negativeMaximumTTL = negativeMaximumTTL
        self.payloadSize = payloadSize
        self.cacheBytes = cacheBytes
        self.cacheMaximumAnswerBytes = cacheMaximumAnswerBytes
        self.isLocal = isLocal
    }
}
