import Atomics
import Synchronization

/// Counters of one listener (one socket), updated on the query path without locks: relaxed
/// atomic increments only, read and summed when metrics are scraped. The series are CoreDNS's
/// (`dns_requests_total`, `dns_responses_total`, request duration and sizes), so dashboards port.
package final class QueryCounters: Sendable {
    /// Query types with a series of their own; the rest count as `other` (as CoreDNS does).
    package static let types = ["A", "AAAA", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "SRV", "ANY", "AXFR", "IXFR", "other"]
    private static let typeCodes: [UInt16: Int] = [1: 0, 28: 1, 2: 2, 5: 3, 6: 4, 12: 5, 15: 6, 16: 7, 33: 8, 255: 9, 252: 10, 251: 11]
    package static let rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "other"]
    /// Which part answered: our zones, the forwarder, or neither (errors).
    package enum Plugin: Int, Sendable, CaseIterable {
        case kubernetes = 0
        case forward = 1
        case none = 2
        /// Answered by walking a pod's search list (`--autopath`).
        case autopath = 3

        package var label: String { ["kubernetes", "forward", "", "autopath"][self.rawValue] }
    }
    package static let protocols = ["udp", "tcp"]
    package static let families = ["1", "2"]
    /// Seconds, CoreDNS's buckets for dns_request_duration_seconds.
    package static let durationBounds: [Double] = [
        0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192,
    ]
    /// Bytes, CoreDNS's buckets for the size histograms.
    package static let sizeBounds: [Double] = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000]

    /// `dns://ADDR:PORT`, the `server` label (set again once a port-0 listener knows its port).
    private let serverLabel: Mutex<String>
    package var server: String { self.serverLabel.withLock { $0 } }
    let requests: [ManagedAtomic<Int>]
    let responses: [ManagedAtomic<Int>]
    let durationBuckets: [ManagedAtomic<Int>]
    let durationNanoseconds: [ManagedAtomic<Int>]
    let requestSizeBuckets: [ManagedAtomic<Int>]
    let requestSizeSum: [ManagedAtomic<Int>]
    let responseSizeBuckets: [ManagedAtomic<Int>]
    let responseSizeSum: [ManagedAtomic<Int>]
    /// Responses held back by `--response-rate-limit`: slipped (sent truncated), dropped.
    let rateLimited: [ManagedAtomic<Int>]

    package init(server: String) {
        self.serverLabel = Mutex(server)
        func counters(_ count: Int) -> [ManagedAtomic<Int>] { (0..<count).map { _ in ManagedAtomic(0) } }
        let types = Self.types.count
        self.requests = counters(2 * 2 * types)
        self.responses = counters(Self.rcodes.count * Plugin.allCases.count)
        self.durationBuckets = counters(types * (Self.durationBounds.count + 1))
        self.durationNanoseconds = counters(types)
        self.requestSizeBuckets = counters(2 * (Self.sizeBounds.count + 1))
        self.requestSizeSum = counters(2)
        self.responseSizeBuckets = counters(2 * (Self.sizeBounds.count + 1))
        self.responseSizeSum = counters(2)
        self.rateLimited = counters(2)
    }

    package func relabel(server: String) { self.serverLabel.withLock { $0 = server } }

    /// One answered (or dropped: `responseSize` 0 and no RCODE) query.
    package func record(
        tcp: Bool, ipv6: Bool, qtype: UInt16?, rcode: UInt16?, plugin: Plugin, requestSize: Int, responseSize: Int,
        nanoseconds: Int
    ) {
        let proto = tcp ? 1 : 0
        let type = qtype.flatMap { Self.typeCodes[$0] } ?? Self.types.count - 1
        self.requests[(proto * 2 + (ipv6 ? 1 : 0)) * Self.types.count + type].wrappingIncrement(ordering: .relaxed)
        self.bucket(self.requestSizeBuckets, proto, Double(requestSize), Self.sizeBounds)
        self.requestSizeSum[proto].wrappingIncrement(by: requestSize, ordering: .relaxed)
        guard let rcode else { return }
        let rcodeIndex = rcode < 6 ? Int(rcode) : Self.rcodes.count - 1
        self.responses[rcodeIndex * Plugin.allCases.count + plugin.rawValue].wrappingIncrement(ordering: .relaxed)
        self.bucket(self.durationBuckets, type, Double(nanoseconds) / 1e9, Self.durationBounds)
        self.durationNanoseconds[type].wrappingIncrement(by: nanoseconds, ordering: .relaxed)
        self.bucket(self.responseSizeBuckets, proto, Double(responseSize), Self.sizeBounds)
        self.responseSizeSum[proto].wrappingIncrement(by: responseSize, ordering: .relaxed)
    }

    /// A response over the rate limit: sent truncated (`slipped`) or not at all.
    package func recordRateLimited(slipped: Bool) {
        self.rateLimited[slipped ? 0 : 1].wrappingIncrement(ordering: .relaxed)
    }

    private func bucket(_ buckets: [ManagedAtomic<Int>], _ row: Int, _ value: Double, _ bounds: [Double]) {
        var index = bounds.count
        for (position, bound) in bounds.enumerated() where value <= bound {
            index = position
            break
        }
        buckets[row * (bounds.count + 1) + index].wrappingIncrement(ordering: .relaxed)
    }

    // MARK: reading, at scrape time

    package func requestCount(proto: Int, family: Int, type: Int) -> Int {
        self.requests[(proto * 2 + family) * Self.types.count + type].load(ordering: .relaxed)
    }

    package func responseCount(rcode: Int, plugin: Plugin) -> Int {
        self.responses[rcode * Plugin.allCases.count + plugin.rawValue].load(ordering: .relaxed)
    }

    /// Responses over the rate limit that were sent truncated (`slipped`) or dropped.
    package func rateLimitedCount(slipped: Bool) -> Int {
        self.rateLimited[slipped ? 0 : 1].load(ordering: .relaxed)
    }

    /// Per-bucket (not cumulative) counts of a type's durations, the last being +Inf, and their sum in seconds.
    package func durations(type: Int) -> (buckets: [Int], sum: Double) {
        let width = Self.durationBounds.count + 1
        let buckets = (0..<width).map { self.durationBuckets[type * width + $0].load(ordering: .relaxed) }
        return (buckets, Double(self.durationNanoseconds[type].load(ordering: .relaxed)) / 1e9)
    }

    package func requestSizes(proto: Int) -> (buckets: [Int], sum: Double) {
        let width = Self.sizeBounds.count + 1
        let buckets = (0..<width).map { self.requestSizeBuckets[proto * width + $0].load(ordering: .relaxed) }
        return (buckets, Double(self.requestSizeSum[proto].load(ordering: .relaxed)))
    }

    package func responseSizes(proto: Int) -> (buckets: [Int], sum: Double) {
        let width = Self.sizeBounds.count + 1
        let buckets = (0..<width).map { self.responseSizeBuckets[proto * width + $0].load(ordering: .relaxed) }
        return (buckets, Double(self.responseSizeSum[proto].load(ordering: .relaxed)))
    }
}
