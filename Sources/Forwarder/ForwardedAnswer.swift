import DNSWire

/// An upstream's answer, as it is given back to a client: RCODE, AD bit, and the records kept
/// (see `RelevanceFilter`), packed, with their TTLs as of now (counted down while cached).
package struct ForwardedAnswer: Sendable, Hashable {
    package var rcode: UInt16
    /// The upstream said the data is authentic; passed on only to clients that set AD or DO.
    package var authenticData: Bool
    package var answer: PackedRRsets
    package var authority: PackedRRsets
    /// True when served from the cache.
    package var fromCache: Bool
    /// True when served stale (expired, kept because the upstreams failed: RFC 8767).
    package var isStale = false

    package init(
        rcode: UInt16, authenticData: Bool = false, answer: [WireRecord] = [], authority: [WireRecord] = [],
        fromCache: Bool = false
    ) {
        self.init(
            rcode: rcode, authenticData: authenticData, packedAnswer: PackedRRsets(answer),
            packedAuthority: PackedRRsets(authority), fromCache: fromCache)
    }

    package init(
        rcode: UInt16, authenticData: Bool, packedAnswer: PackedRRsets, packedAuthority: PackedRRsets, fromCache: Bool = false
    ) {
        self.rcode = rcode
        self.authenticData = authenticData
        self.answer = packedAnswer
        self.authority = packedAuthority
        self.fromCache = fromCache
    }

    /// NXDOMAIN or NODATA (RFC 2308 §1): no answer records.
    package var isDenial: Bool { self.answer.isEmpty }

    /// The bytes its records take.
    package var byteCount: Int { self.answer.byteCount + self.authority.byteCount }

    /// The same answer with every TTL lowered by `elapsed` seconds (never below zero).
    package func aged(by elapsed: UInt32) -> ForwardedAnswer {
        var copy = self
        copy.answer = self.answer.aged(by: elapsed)
        copy.authority = self.authority.aged(by: elapsed)
        return copy
    }
}
