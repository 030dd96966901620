import Logging
import NIOCore

/// Records each query in the listener's counters and, with `--query-log`, logs one line for it.
struct QueryRecorder: Sendable {
    let counters: QueryCounters?
    let queryLog: Logger?

    static let none = QueryRecorder(counters: nil, queryLog: nil)

    /// A reply (or `nil` for a dropped query) sent for a query of `requestSize` bytes from `peer`.
    func record(
        reply: ByteBuffer?, requestSize: Int, peer: SocketAddress?, tcp: Bool, plugin: QueryCounters.Plugin,
        started: NIODeadline
    ) {
        guard self.counters != nil || self.queryLog != nil else { return }
        let ipv6: Bool
        if case .v6 = peer { ipv6 = true } else { ipv6 = false }
        if let reply {
            reply.withUnsafeReadableBytes { bytes in
                self.record(
                    reply: bytes, requestSize: requestSize, peerIsIPv6: ipv6, peer: peer, tcp: tcp, plugin: plugin,
                    started: started)
            }
        } else {
            self.record(
                reply: nil, requestSize: requestSize, peerIsIPv6: ipv6, peer: peer, tcp: tcp, plugin: plugin, started: started)
        }
    }

    /// The same from raw reply bytes (the recvmmsg path, which has no ByteBuffer).
    func record(
        reply: UnsafeRawBufferPointer?, requestSize: Int, peerIsIPv6 ipv6: Bool, peer: SocketAddress?, tcp: Bool,
        plugin: QueryCounters.Plugin, started: NIODeadline
    ) {
        guard self.counters != nil || self.queryLog != nil else { return }
        let nanoseconds = Int((NIODeadline.now() - started).nanoseconds)
        let (qtype, rcode) = reply.map(QueryObservation.typeAndRcode) ?? (nil, nil)
        self.counters?.record(
            tcp: tcp, ipv6: ipv6, qtype: qtype, rcode: rcode, plugin: plugin, requestSize: requestSize,
            responseSize: reply?.count ?? 0, nanoseconds: nanoseconds)
        if let queryLog = self.queryLog {
            let name = reply.map(QueryObservation.name) ?? "-"
            let type = qtype.map { code -> String in
                let known = QueryCounters.types[QueryCounters.typeIndex(code)]
                return known == "other" ? "TYPE\(code)" : known
            } ?? "-"
            queryLog.info(
                "query",
                metadata: [
                    "client": "\(peer.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "-")",
                    "proto": "\(tcp ? "tcp" : "udp")", "qname": "\(name)", "qtype": "\(type)",
                    "rcode": "\(rcode.map { $0 < 6 ? QueryCounters.rcodes[Int($0)] : "RCODE\($0)" } ?? "dropped")",
                    "duration.us": "\(nanoseconds / 1000)",
                ])
        }
    }
}

extension QueryCounters {
    static func typeIndex(_ qtype: UInt16) -> Int {
        let codes: [UInt16] = [1, 28, 2, 5, 6, 12, 15, 16, 33, 255, 252, 251]
        return codes.firstIndex(of: qtype) ?? Self.types.count - 1
    }
}
