/// Counters of the forwarder, for metrics: per upstream and for the cache.
package struct ForwarderStatistics: Sendable, Hashable {
    /// One upstream's counters.
    package struct Upstream: Sendable, Hashable {
        package var address: String
        package var requests = 0
        /// Responses by RCODE name (`NOERROR`, `NXDOMAIN`, ...).
        package var responses: [String: Int] = [:]
        /// Tries that got no usable answer (timeout, refused, truncated over TCP too).
        package var errors = 0
        /// Sum and count of response latencies, in seconds, and histogram bucket counts.
        package var latencySum = 0.0
        package var latencyCount = 0
        package var latencyBuckets: [Int] = Array(repeating: 0, count: ForwarderStatistics.latencyBounds.count)
        package var healthy = true

        package init(address: String) { self.address = address }
    }

    /// Upper bounds (seconds) of the latency histogram buckets, CoreDNS's.
    package static let latencyBounds: [Double] = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192]

    package var upstreams: [Upstream] = []
    /// Cache hits and entries split as CoreDNS splits them: positive answers and denials.
    package var cacheSuccessHits = 0
    package var cacheDenialHits = 0
    package var cacheMisses = 0
    /// Answers served stale because the upstreams failed (RFC 8767), CoreDNS's `served_stale`.
    package var cacheServedStale = 0
    /// Refreshes started before expiry for popular entries, CoreDNS's `prefetch`.
    package var cachePrefetches = 0
    package var cacheSuccessEntries = 0
    package var cacheDenialEntries = 0
    package var cacheHits: Int { self.cacheSuccessHits + self.cacheDenialHits }
    package var cacheEntries: Int { self.cacheSuccessEntries + self.cacheDenialEntries }
    /// Questions refused because too many fetches were in flight.
    package var overloaded = 0
    /// Fetches failed to make room for a client network below its share (`FetchQuota`).
    package var shareEvictions = 0
    /// What the cache's entries cost, in bytes.
    package var cacheBytes = 0
    /// Entries pushed out of the cache to make room, by kind (CoreDNS's `cache_evictions_total`).
    package var cacheSuccessEvictions = 0
    package var cacheDenialEvictions = 0
    /// How often each limit was reached, by the flag that sets it (`ForwarderLimit`).
    package var limitsReached: [String: Int] = [:]
    /// Upstream replies that needed fixing, by what was wrong (`UpstreamRepair`).
    package var repairs: [String: Int] = [:]

    package init() {}
}
