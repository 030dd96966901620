import Logging
import NIOCore

/// Records each query in the listener's counters and, with `--query-log`, logs one line for it,
/// from what the query path decided (`QueryOutcome`'s facts): nothing is parsed again but the
/// question's name, and that only for the query log.
struct QueryRecorder: Sendable {
    let counters: QueryCounters?
    let queryLog: Logger?

    static let none = QueryRecorder(counters: nil, queryLog: nil)

    /// Whether anything is recorded at all (a listener without metrics or log skips the clock).
    var isRecording: Bool { self.counters != nil || self.queryLog != nil }

    /// One query of `requestSize` bytes from `peer`, answered with RCODE `rcode` in
    /// `responseSize` bytes (nil: dropped, nothing sent) by `plugin`. `name` gives the question's
    /// name in presentation form; it is only asked for when the query log is on.
    func record(
        qtype: UInt16?, rcode: UInt16?, plugin: QueryCounters.Plugin, requestSize: Int, responseSize: Int,
        isIPv6: Bool, peer: @autoclosure () -> SocketAddress?, tcp: Bool, started: NIODeadline,
        name: @autoclosure () -> String
    ) {
        guard self.isRecording else { return }
        let nanoseconds = Int((NIODeadline.now() - started).nanoseconds)
        self.counters?.record(
            tcp: tcp, ipv6: isIPv6, qtype: qtype, rcode: rcode, plugin: plugin,
            requestSize: requestSize, responseSize: rcode == nil ? 0 : responseSize, nanoseconds: nanoseconds)
        if let queryLog = self.queryLog {
            let type = qtype.map { code -> String in
                let known = QueryCounters.types[QueryCounters.typeIndex(code)]
                return known == "other" ? "TYPE\(code)" : known
            } ?? "-"
            let client = peer()
            let metadata: Logger.Metadata = plugin == .autopath ? ["autopath": "true"] : [:]
            queryLog.info(
                "query",
                metadata: metadata.merging([
                    "client": "\(client.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "-")",
                    "proto": "\(tcp ? "tcp" : "udp")", "qname": "\(name())", "qtype": "\(type)",
                    "rcode": "\(rcode.map { $0 < 6 ? QueryCounters.rcodes[Int($0)] : "RCODE\($0)" } ?? "dropped")",
                    "duration.us": "\(nanoseconds / 1000)",
                ]) { first, _ in first })
        }
    }
}

extension QueryCounters {
    static func typeIndex(_ qtype: UInt16) -> Int {
        let codes: [UInt16] = [1, 28, 2, 5, 6, 12, 15, 16, 33, 255, 252, 251]
        return codes.firstIndex(of: qtype) ?? Self.types.count - 1
    }
}
