import DNSServer
import Forwarder

/// The `/metrics` text: CoreDNS's series under a `clusterdns_` prefix, with the same labels,
/// read from the lock-free query counters and the forwarder's statistics at scrape time, then
/// what swift-metrics recorded (reloads, records, build info) through swift-prometheus.
package enum MetricsExposition {
    package static func render(
        queryMetrics: QueryMetrics, limits: LimitCounters? = nil, forwarder: ForwarderStatistics?, registryText: String
    ) -> String {
        var out = PrometheusText(prefix: "clusterdns_")
        let counters = Self.merged(queryMetrics.counters)

        out.header("dns_requests_total", "counter", "Counter of DNS requests made per zone, protocol and family.")
        for (server, group) in counters {
            for proto in 0..<2 {
                for family in 0..<2 {
                    for (type, typeName) in QueryCounters.types.enumerated() {
                        let count = group.reduce(0) { $0 + $1.requestCount(proto: proto, family: family, type: type) }
                        guard count > 0 else { continue }
                        out.sample(
                            "dns_requests_total",
                            [("server", server), ("zone", "."), ("proto", QueryCounters.protocols[proto]),
                             ("family", QueryCounters.families[family]), ("type", typeName)],
                            Double(count))
                    }
                }
            }
        }
        out.header("dns_responses_total", "counter", "Counter of response status codes.")
        for (server, group) in counters {
            for (rcode, rcodeName) in QueryCounters.rcodes.enumerated() {
                for plugin in QueryCounters.Plugin.allCases {
                    let count = group.reduce(0) { $0 + $1.responseCount(rcode: rcode, plugin: plugin) }
                    guard count > 0 else { continue }
                    out.sample(
                        "dns_responses_total",
                        [("server", server), ("zone", "."), ("rcode", rcodeName), ("plugin", plugin.label)], Double(count))
                }
            }
        }
        out.header("dns_request_duration_seconds", "histogram", "Histogram of the time (in seconds) each request took.")
        for (server, group) in counters {
            for (type, typeName) in QueryCounters.types.enumerated() {
                let (buckets, sum) = Self.sumHistograms(group.map { $0.durations(type: type) })
                guard buckets.reduce(0, +) > 0 else { continue }
                out.histogram(
                    "dns_request_duration_seconds", [("server", server), ("zone", "."), ("type", typeName)],
                    bounds: QueryCounters.durationBounds, buckets: buckets, sum: sum)
            }
        }
        for (metric, help, read) in [
            ("dns_request_size_bytes", "Size of the EDNS0 UDP buffer in bytes (64K for TCP).", { (counters: QueryCounters, proto: Int) in counters.requestSizes(proto: proto) }),
            ("dns_response_size_bytes", "Size of the returned response in bytes.", { (counters: QueryCounters, proto: Int) in counters.responseSizes(proto: proto) }),
        ] {
            out.header(metric, "histogram", help)
            for (server, group) in counters {
                for proto in 0..<2 {
                    let (buckets, sum) = Self.sumHistograms(group.map { read($0, proto) })
                    guard buckets.reduce(0, +) > 0 else { continue }
                    out.histogram(
                        metric, [("server", server), ("zone", "."), ("proto", QueryCounters.protocols[proto])],
                        bounds: QueryCounters.sizeBounds, buckets: buckets, sum: sum)
                }
            }
        }

        out.header(
            "dns_ratelimited_responses_total", "counter",
            "UDP responses over --response-rate-limit, by what was sent: slip (truncated) or drop (nothing).")
        for (server, group) in counters {
            for (action, slipped) in [("slip", true), ("drop", false)] {
                let count = group.reduce(0) { $0 + $1.rateLimitedCount(slipped: slipped) }
                guard count > 0 else { continue }
                out.sample("dns_ratelimited_responses_total", [("server", server), ("action", action)], Double(count))
            }
        }
        // One family for every protective limit, the transport's, the reloads' and the resolver's,
        // each labelled with the flag that sets it.
        out.header("limit_reached_total", "counter", "Times each protective limit was reached, named after the flag that sets it.")
        if let limits {
            for limit in LimitCounters.Limit.allCases where limit != .responseRate {
                out.sample("limit_reached_total", [("limit", limit.label)], Double(limits.count(limit)))
            }
        }
        if let forwarder {
            for limit in ForwarderLimit.allCases {
                out.sample("limit_reached_total", [("limit", limit.rawValue)], Double(forwarder.limitsReached[limit.rawValue] ?? 0))
            }
        }

        if let forwarder {
            out.header("forward_requests_total", "counter", "Counter of requests made per upstream.")
            for upstream in forwarder.upstreams {
                out.sample("forward_requests_total", [("to", upstream.address)], Double(upstream.requests))
            }
            out.header("forward_responses_total", "counter", "Counter of responses received per upstream.")
            for upstream in forwarder.upstreams {
                for (rcode, count) in upstream.responses.sorted(by: { $0.key < $1.key }) {
                    out.sample("forward_responses_total", [("to", upstream.address), ("rcode", rcode)], Double(count))
                }
            }
            out.header("forward_request_duration_seconds", "histogram", "Histogram of the time each request took.")
            for upstream in forwarder.upstreams {
                out.histogram(
                    "forward_request_duration_seconds", [("to", upstream.address)],
                    bounds: ForwarderStatistics.latencyBounds,
                    buckets: upstream.latencyBuckets + [max(0, upstream.latencyCount - upstream.latencyBuckets.reduce(0, +))],
                    sum: upstream.latencySum)
            }
            out.header("forward_healthcheck_broken_total", "gauge", "Upstreams currently skipped as unreachable.")
            out.sample("forward_healthcheck_broken_total", [], Double(forwarder.upstreams.filter { !$0.healthy }.count))
            out.header("forward_errors_total", "counter", "Tries that got no usable answer, per upstream.")
            for upstream in forwarder.upstreams {
                out.sample("forward_errors_total", [("to", upstream.address)], Double(upstream.errors))
            }
            // CoreDNS's cache series: `type` is success (positive answers) or denial (NXDOMAIN,
            // NODATA); the cache sits in front of forwarding for the root zone. One cache serves
            // every listener, so it is reported under the first server's label.
            let server = counters.first?.0 ?? ""
            let cacheLabels: (String) -> [(String, String)] = { type in [("server", server), ("type", type), ("zones", ".")] }
            out.header("cache_entries", "gauge", "The number of elements in the cache.")
            out.sample("cache_entries", cacheLabels("denial"), Double(forwarder.cacheDenialEntries))
            out.sample("cache_entries", cacheLabels("success"), Double(forwarder.cacheSuccessEntries))
            out.header("cache_hits_total", "counter", "The count of cache hits.")
            out.sample("cache_hits_total", cacheLabels("denial"), Double(forwarder.cacheDenialHits))
            out.sample("cache_hits_total", cacheLabels("success"), Double(forwarder.cacheSuccessHits))
            out.header("cache_misses_total", "counter", "The count of cache misses.")
            out.sample("cache_misses_total", [("server", server), ("zones", ".")], Double(forwarder.cacheMisses))
            out.header("cache_served_stale_total", "counter", "The number of requests served from stale cache entries.")
            out.sample("cache_served_stale_total", [("server", server), ("zones", ".")], Double(forwarder.cacheServedStale))
            out.header("cache_prefetch_total", "counter", "The number of times the cache has prefetched a cached item.")
            out.sample("cache_prefetch_total", [("server", server), ("zones", ".")], Double(forwarder.cachePrefetches))
            out.header("cache_evictions_total", "counter", "The count of cache evictions.")
            out.sample("cache_evictions_total", cacheLabels("denial"), Double(forwarder.cacheDenialEvictions))
            out.sample("cache_evictions_total", cacheLabels("success"), Double(forwarder.cacheSuccessEvictions))
            out.header("cache_size_bytes", "gauge", "Bytes the cached answers cost (records plus per-entry overhead).")
            out.sample("cache_size_bytes", [("server", server), ("zones", ".")], Double(forwarder.cacheBytes))
            out.header(
                "forward_max_concurrent_rejects_total", "counter",
                "Questions refused because --max-concurrent-forwards fetches were in flight.")
            out.sample("forward_max_concurrent_rejects_total", [], Double(forwarder.overloaded))
            out.header(
                "forward_share_evictions_total", "counter",
                "Fetches failed at the cap to make room for a client network holding fewer.")
            out.sample("forward_share_evictions_total", [], Double(forwarder.shareEvictions))
            out.header("forward_repaired_replies_total", "counter", "Upstream replies used after fixing what was wrong with them.")
            for repair in UpstreamRepair.allCases {
                out.sample(
                    "forward_repaired_replies_total", [("repair", repair.rawValue)], Double(forwarder.repairs[repair.rawValue] ?? 0))
            }
        }
        return out.text + registryText
    }

    /// Counters grouped by server label, in a stable order (UDP and TCP of one address merge).
    private static func merged(_ counters: [QueryCounters]) -> [(String, [QueryCounters])] {
        var groups: [String: [QueryCounters]] = [:]
        for counter in counters { groups[counter.server, default: []].append(counter) }
        return groups.sorted { $0.key < $1.key }
    }

    private static func sumHistograms(_ parts: [(buckets: [Int], sum: Double)]) -> ([Int], Double) {
        guard let first = parts.first else { return ([], 0) }
        var buckets = Array(repeating: 0, count: first.buckets.count)
        var sum = 0.0
        for part in parts {
            for index in buckets.indices { buckets[index] += part.buckets[index] }
            sum += part.sum
        }
        return (buckets, sum)
    }
}
