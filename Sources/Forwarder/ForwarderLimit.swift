/// The limits of the resolver path, each named after the flag that sets it. Reaching one is
/// counted (`clusterdns_limit_reached_total{limit=...}`) and logged, at most once a minute each.
package enum ForwarderLimit: String, Sendable, CaseIterable {
    /// Fetches in flight at once: a question past it gets SERVFAIL.
    case maxConcurrentForwards = "max-concurrent-forwards"
    /// At that cap, a client network's fair share of it: the busiest network's newest fetch
    /// makes room for a network holding fewer (`FetchQuota`).
    case clientShare = "client-share"
    /// Cached entries: the least recently used makes room.
    case cacheSize = "cache-size"
    /// Cached bytes: the least recently used entries make room.
    case cacheBytes = "cache-bytes"
    /// One answer's size: a larger answer is not cached.
    case cacheMaxAnswerBytes = "cache-max-answer-bytes"
    /// A TTL over the maximum: served and cached capped.
    case cacheMaxTTL = "cache-max-ttl"

    /// The command-line flag that sets it.
    package var flag: String {
        switch self {
        case .clientShare: return "--max-concurrent-forwards"
        default: return "--" + self.rawValue
        }
    }
}

/// What was wrong with an upstream reply that was still used.
package enum UpstreamRepair: String, Sendable, CaseIterable {
    /// Records off the question's chain, dropped (`RelevanceFilter`).
    case irrelevantRecords = "irrelevant-records"
    /// A TTL with the top bit set, served as 0 (RFC 2181 §8).
    case ttlTopBit = "ttl-top-bit"
    /// The question's letter case not echoed: the upstream's questions go in lower case from then on.
    case caseNotEchoed = "case-not-echoed"
}
