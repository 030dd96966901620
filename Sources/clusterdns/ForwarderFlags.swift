import ArgumentParser
import DNSServer
import Forwarder
import Foundation
import IPAddressing
import Manifests
import NIOCore

/// Flags of the resolver path: upstreams, timeout, cache.
struct ForwarderFlags: ParsableArguments {
    @Option(
        name: .customLong("upstream"),
        help: ArgumentHelp(
            "Resolver for names outside the cluster, ADDR[:PORT] or [IPV6]:PORT; repeatable. Default: the nameservers of --resolv-conf. 'none' turns forwarding off.",
            valueName: "ADDR[:PORT]"))
    var upstreams: [String] = []

    @Option(
        name: .customLong("resolv-conf"),
        help: ArgumentHelp("Where default upstreams are read from.", valueName: "PATH"))
    var resolvConf: String = "/etc/resolv.conf"

    @Option(
        name: .customLong("forward-timeout"),
        help: ArgumentHelp("Seconds a forwarded question may take before SERVFAIL.", valueName: "SECONDS"))
    var forwardTimeout: Double = 2

    @Option(
        name: .customLong("max-concurrent-forwards"),
        help: ArgumentHelp(
            "Upstream queries in flight at once; past it, SERVFAIL. At the cap, a client /24 (IPv4) or /56 (IPv6) holding fewer than the busiest one takes that one's newest fetch.",
            valueName: "N"))
    var maxConcurrentForwards: Int = 1000

    @Option(name: .customLong("cache-size"), help: ArgumentHelp("Forwarded answers cached.", valueName: "N"))
    var cacheSize: Int = 10_000

    @Option(
        name: .customLong("cache-bytes"),
        help: ArgumentHelp(
            "Memory the cache of forwarded answers may use, in bytes (suffixes K, M, G: KiB, MiB, GiB); least recently used answers make room.",
            valueName: "BYTES"))
    var cacheBytes: String = "32M"

    @Option(
        name: .customLong("cache-max-answer-bytes"),
        help: ArgumentHelp(
            "Largest forwarded answer cached, in bytes of records (suffixes K, M); larger answers are forwarded every time.",
            valueName: "BYTES"))
    var cacheMaxAnswerBytes: String = "16K"

    @Option(
        name: .customLong("cache-max-ttl"),
        help: ArgumentHelp("Longest TTL a forwarded answer is cached and served with.", valueName: "SECONDS"))
    var cacheMaxTTL: UInt32 = 3600

    @Option(
        name: .customLong("cache-negative-ttl"),
        help: ArgumentHelp("Longest a negative forwarded answer (NXDOMAIN, NODATA) is cached.", valueName: "SECONDS"))
    var cacheNegativeTTL: UInt32 = 300

    @Option(
        name: .customLong("serve-stale"),
        help: ArgumentHelp(
            "Answer from an expired cache entry, with TTL 30, when the upstreams fail (no answer within --forward-timeout, SERVFAIL, REFUSED) and it expired less than this long ago (RFC 8767): 1h, 30m, 86400s. Off when not given.",
            valueName: "DURATION"))
    var serveStale: String?

    @Flag(
        name: .customLong("autopath"),
        help: ArgumentHelp(
            "Answer a pod's first search-list expansion (X.<ns>.svc.<zone>, asked by a pod of <ns>) that does not exist with the first of X.svc.<zone>, X.<zone> and X that does, behind a CNAME, as CoreDNS's autopath: one round trip instead of four for names outside the cluster. Needs --pods verified (the default)."
        ))
    var autopath = false

    @Flag(
        name: .customLong("prefetch"),
        help: ArgumentHelp(
            "Refresh a cached answer in the background when it is asked for in the last tenth of its TTL and was asked at least twice, so popular names never expire in front of a client."
        ))
    var prefetch = false

    /// `--serve-stale` in seconds; 0 when not given.
    var staleWindow: UInt32 {
        self.serveStale.flatMap { DurationArgument.seconds($0, maximum: 7 * 24 * 3600) }.map { UInt32($0) } ?? 0
    }

    func validate() throws {
        if let text = self.serveStale {
            guard let seconds = DurationArgument.seconds(text, maximum: 7 * 24 * 3600), seconds > 0 else {
                throw ValidationError("--serve-stale must be a positive duration of at most 7d such as 1h, 30m or 86400s, got \"\(text)\"")
            }
        }
        guard self.forwardTimeout > 0, self.maxConcurrentForwards > 0, self.cacheSize >= 0 else {
            throw ValidationError("--forward-timeout and --max-concurrent-forwards must be positive, --cache-size not negative")
        }
        guard Self.byteCount(self.cacheBytes) != nil else {
            throw ValidationError("--cache-bytes must be a number of bytes such as 33554432, 32768K or 32M, got \"\(self.cacheBytes)\"")
        }
        guard Self.byteCount(self.cacheMaxAnswerBytes) != nil else {
            throw ValidationError(
                "--cache-max-answer-bytes must be a number of bytes such as 16384 or 16K, got \"\(self.cacheMaxAnswerBytes)\"")
        }
        for text in self.upstreams where text != "none" {
            guard UpstreamAddress.parse(text) != nil else {
                throw ValidationError("--upstream must be ADDR, ADDR:PORT or [IPV6]:PORT (or none), got \"\(text)\"")
            }
        }
    }

    /// The forwarder's configuration, or nil when forwarding is off (`--upstream none`, or no
    /// nameserver to be found). Refuses an upstream that is this server itself.
    func configuration(listen: [ListenAddress]) throws -> (ForwarderConfiguration?, note: String?) {
        if self.upstreams.contains("none") { return (nil, "forwarding is off (--upstream none)") }
        var texts = self.upstreams
        if texts.isEmpty {
            let content = (try? String(contentsOfFile: self.resolvConf, encoding: .utf8)) ?? ""
            texts = ResolvConf.nameservers(in: content)
            if texts.isEmpty {
                return (nil, "no nameserver in \(self.resolvConf): forwarding is off; names outside the cluster are refused")
            }
        }
        var addresses: [SocketAddress] = []
        for text in texts {
            guard let upstream = UpstreamAddress.parse(text),
                let address = try? SocketAddress(ipAddress: upstream.host, port: upstream.port)
            else {
                throw ValidationError("--upstream must be ADDR, ADDR:PORT or [IPV6]:PORT (or none), got \"\(text)\"")
            }
            if let own = listen.first(where: { upstream.reaches(host: $0.host, port: $0.port, isLocal: Self.isLocal) }) {
                throw LoopError(upstream: text, listener: own)
            }
            addresses.append(address)
        }
        var configuration = ForwarderConfiguration(
            upstreams: addresses, timeout: .nanoseconds(Int64(self.forwardTimeout * 1e9)),
            maximumConcurrent: self.maxConcurrentForwards, cacheSize: self.cacheSize,
            cacheMaximumTTL: self.cacheMaxTTL, negativeMaximumTTL: self.cacheNegativeTTL,
            cacheBytes: Self.byteCount(self.cacheBytes) ?? 32 << 20,
            cacheMaximumAnswerBytes: Self.byteCount(self.cacheMaxAnswerBytes) ?? 16 << 10)
        configuration.staleWindow = self.staleWindow
        configuration.prefetch = self.prefetch
        return (configuration, nil)
    }

    /// `N`, `NK`, `NM` or `NG` (powers of 1024) as bytes; nil when it is not one, or over 1 TiB.
    static func byteCount(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30]
        var digits = Substring(text.uppercased())
        var shift = 0
        if let last = digits.last, let unit = units[last] {
            shift = unit
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value >= 0, value <= (1 << 40) >> shift else { return nil }
        return value << shift
    }

    static func isLocal(_ address: IPAddress) -> Bool {
        if address.family == .ipv4, address.ipv4Value >> 24 == 127 { return true }
        if address.family == .ipv6, address.high == 0, address.low == 1 { return true }
        return Self.interfaceAddresses().contains(address)
    }

    /// The addresses of this machine's interfaces.
    static func interfaceAddresses() -> Set<IPAddress> {
        var result: Set<IPAddress> = []
        guard let interfaces = try? System.enumerateDevices() else { return result }
        for device in interfaces {
            if let text = device.address?.ipAddress, let address = IPAddress(text) { result.insert(address) }
        }
        return result
    }
}

/// An upstream that is ClusterDNS itself.
struct LoopError: Error, CustomStringConvertible {
    var upstream: String
    var listener: ListenAddress

    var description: String {
        "--upstream \(self.upstream) is this server itself (it listens on \(self.listener)): forwarding there would loop; give an upstream resolver that is not ClusterDNS"
    }
}
