import DNSWire

/// An upstream's answer, as it is given back to a client: RCODE, AD bit, and the records with
/// their TTLs as of now (counted down while cached).
package struct ForwardedAnswer: Sendable, Hashable {
    package var rcode: UInt16
    package var authenticData: Bool
    package var answer: [WireRecord]
    package var authority: [WireRecord]
    package var additional: [WireRecord]
    /// True when served from the cache.
    package var fromCache: Bool

    package init(
        rcode: UInt16, authenticData: Bool = false, answer: [WireRecord] = [], authority: [WireRecord] = [],
        additional: [WireRecord] = [], fromCache: Bool = false
    ) {
        self.rcode = rcode
        self.authenticData = authenticData
        self.answer = answer
        self.authority = authority
        self.additional = additional
        self.fromCache = fromCache
    }

    /// The same answer with every TTL lowered by `elapsed` seconds (never below zero).
    package func aged(by elapsed: UInt32) -> ForwardedAnswer {
        func age(_ records: [WireRecord]) -> [WireRecord] {
            records.map { record in
                var copy = record
                copy.ttl = record.ttl > elapsed ? record.ttl - elapsed : 0
                return copy
            }
        }
        var copy = self
        copy.answer = age(self.answer)
        copy.authority = age(self.authority)
        copy.additional = age(self.additional)
        return copy
    }
}
