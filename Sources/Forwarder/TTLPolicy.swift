import DNSWire

/// The TTLs a forwarded answer is served and cached with, the same on the first reply as on
/// every cached one:
/// - a TTL with the top bit set is 0 (RFC 2181 §8: TTLs are 31-bit; such a value is an error);
/// - positive data is capped at `maximumTTL` (`--cache-max-ttl`);
/// - a negative answer's SOA carries the negative TTL, min(SOA TTL, SOA MINIMUM), capped at
///   `negativeMaximumTTL` (RFC 2308 §3, §5), and so do the records proving the denial.
/// An RRset has one TTL (RFC 2181 §5.2); `PackedRRsets` keeps the smallest of its records'.
package struct TTLPolicy: Sendable, Hashable {
    package var maximumTTL: UInt32
    package var negativeMaximumTTL: UInt32

    package init(maximumTTL: UInt32 = 3600, negativeMaximumTTL: UInt32 = 300) {
        self.maximumTTL = maximumTTL
        self.negativeMaximumTTL = negativeMaximumTTL
    }

    /// What applying the policy changed.
    package struct Changes: Sendable, Hashable {
        /// RRsets whose TTL was over the maximum.
        package var capped = 0
        /// RRsets whose TTL had the top bit set.
        package var topBitSet = 0

        package init(capped: Int = 0, topBitSet: Int = 0) {
            self.capped = capped
            self.topBitSet = topBitSet
        }
    }

    /// RFC 2181 §8: a TTL with the most significant bit set is treated as zero.
    package static func sanitized(_ ttl: UInt32) -> UInt32 { ttl & 0x8000_0000 != 0 ? 0 : ttl }

    /// The answer with its TTLs as served.
    package func apply(to answer: ForwardedAnswer) -> (answer: ForwardedAnswer, changes: Changes) {
        var changes = Changes()
        let negativeTTL = Self.negativeTTL(answer.authority).map { min($0, self.negativeMaximumTTL) }
        func limit(_ ttl: UInt32, to maximum: UInt32) -> UInt32 {
            if ttl & 0x8000_0000 != 0 {
                changes.topBitSet += 1
                return 0
            }
            if ttl > maximum {
                changes.capped += 1
                return maximum
            }
            return ttl
        }
        var result = answer
        result.answer = answer.answer.mappingTTLs { ttl, _ in limit(ttl, to: self.maximumTTL) }
        result.authority = answer.authority.mappingTTLs { ttl, _ in limit(ttl, to: negativeTTL ?? self.maximumTTL) }
        return (result, changes)
    }

    /// How long an answer (with the policy applied) may be cached: NOERROR with data for its
    /// smallest TTL; NXDOMAIN and NODATA, which carry a SOA, for their smallest TTL, the SOA's
    /// negative TTL among them; nothing else (RFC 2308 §5: no SOA, no negative caching).
    package func lifetime(of answer: ForwardedAnswer) -> UInt32? {
        guard answer.rcode == 0 || answer.rcode == 3 else { return nil }
        let hasSOA = answer.authority.rrsets.contains { $0.type == .soa }
        guard hasSOA || (answer.rcode == 0 && !answer.answer.isEmpty) else { return nil }
        return [answer.answer.minimumTTL, answer.authority.minimumTTL].compactMap { $0 }.min() ?? 0
    }

    /// min(SOA TTL, SOA MINIMUM) of the authority's SOA, both sanitized; nil without a SOA.
    private static func negativeTTL(_ authority: PackedRRsets) -> UInt32? {
        var result: UInt32?
        authority.forEachRRset { rrset in
            guard result == nil, rrset.type == .soa else { return }
            authority.forEachRdata(of: rrset) { rdata in
                guard result == nil, rdata.count >= 22 else { return }
                let minimum = rdata.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                result = min(Self.sanitized(rrset.ttl), Self.sanitized(minimum))
            }
        }
        return result
    }
}
