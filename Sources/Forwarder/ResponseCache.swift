import DNSWire

/// Answers from upstream, kept for their TTL: positive answers capped at `maximumTTL`, negative
/// ones (NXDOMAIN, NODATA) for their SOA's negative TTL capped at `negativeMaximumTTL`
/// (RFC 2308 §5). Bounded: the least recently used entry goes first. Not thread-safe: it lives
/// on the forwarder's event loop. Times are seconds on a caller's monotonic clock.
package struct ResponseCache {
    private struct Entry {
        var question: ForwardQuestion
        var answer: ForwardedAnswer
        var storedAt: UInt64
        var lifetime: UInt32
        var previous: Int
        var next: Int
    }

    package let capacity: Int
    package let maximumTTL: UInt32
    package let negativeMaximumTTL: UInt32
    private var index: [ForwardQuestion: Int] = [:]
    private var entries: [Entry] = []
    private var freeSlots: [Int] = []
    /// Most recently used first.
    private var head = -1
    private var tail = -1
    /// Hits on positive answers and on denials (NXDOMAIN, NODATA), CoreDNS's `success` and `denial`.
    package private(set) var successHits = 0
    package private(set) var denialHits = 0
    package private(set) var misses = 0
    /// Entries holding a denial; the rest hold positive answers.
    package private(set) var denialCount = 0

    package init(capacity: Int, maximumTTL: UInt32 = 3600, negativeMaximumTTL: UInt32 = 300) {
        self.capacity = max(0, capacity)
        self.maximumTTL = maximumTTL
        self.negativeMaximumTTL = negativeMaximumTTL
    }

    package var count: Int { self.index.count }
    package var hits: Int { self.successHits + self.denialHits }

    /// The cached answer with its TTLs counted down, or nil (expired entries are dropped).
    package mutating func lookup(_ question: ForwardQuestion, now: UInt64) -> ForwardedAnswer? {
        guard let slot = self.index[question] else {
            self.misses += 1
            return nil
        }
        let entry = self.entries[slot]
        let elapsed = now >= entry.storedAt ? now - entry.storedAt : 0
        guard elapsed < UInt64(entry.lifetime) else {
            self.remove(slot)
            self.misses += 1
            return nil
        }
        self.moveToFront(slot)
        if Self.isDenial(entry.answer) { self.denialHits += 1 } else { self.successHits += 1 }
        var answer = entry.answer.aged(by: UInt32(elapsed))
        answer.fromCache = true
        return answer
    }

    /// Stores `answer` when it may be cached; returns the lifetime given (0: not stored).
    @discardableResult
    package mutating func store(_ question: ForwardQuestion, _ answer: ForwardedAnswer, now: UInt64) -> UInt32 {
        guard self.capacity > 0, let lifetime = self.lifetime(of: answer), lifetime > 0 else { return 0 }
        let negative = answer.answer.isEmpty
        var capped = answer
        capped.answer = capped.answer.map { self.capTTL($0, negative: negative, lifetime: lifetime) }
        capped.authority = capped.authority.map { self.capTTL($0, negative: negative, lifetime: lifetime) }
        capped.additional = capped.additional.map { self.capTTL($0, negative: negative, lifetime: lifetime) }
        if let slot = self.index[question] { self.remove(slot) }
        while self.index.count >= self.capacity, self.tail >= 0 { self.remove(self.tail) }
        let entry = Entry(question: question, answer: capped, storedAt: now, lifetime: lifetime, previous: -1, next: -1)
        let slot: Int
        if let free = self.freeSlots.popLast() {
            self.entries[free] = entry
            slot = free
        } else {
            self.entries.append(entry)
            slot = self.entries.count - 1
        }
        self.index[question] = slot
        if Self.isDenial(capped) { self.denialCount += 1 }
        self.linkFront(slot)
        return lifetime
    }

    /// How long an answer may be cached: positive answers for their smallest TTL (capped);
    /// NXDOMAIN and NODATA for min(SOA TTL, SOA minimum) (capped); nothing else.
    package func lifetime(of answer: ForwardedAnswer) -> UInt32? {
        switch answer.rcode {
        case 0 where !answer.answer.isEmpty:
            let smallest = answer.answer.map(\.ttl).min() ?? 0
            return min(smallest, self.maximumTTL)
        case 0, 3:
            guard let soa = answer.authority.first(where: { $0.type == .soa }), soa.rdata.count >= 20 else { return nil }
            let minimum = soa.rdata.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return min(soa.ttl, minimum, self.negativeMaximumTTL)
        default:
            return nil
        }
    }

    /// TTLs are served capped; a negative answer's SOA carries the negative TTL (RFC 2308 §3).
    private func capTTL(_ record: WireRecord, negative: Bool, lifetime: UInt32) -> WireRecord {
        var copy = record
        copy.ttl = negative && record.type == .soa ? min(record.ttl, lifetime) : min(record.ttl, self.maximumTTL)
        return copy
    }

    /// NXDOMAIN or NODATA (RFC 2308 §1).
    private static func isDenial(_ answer: ForwardedAnswer) -> Bool { answer.answer.isEmpty }

    private mutating func remove(_ slot: Int) {
        if Self.isDenial(self.entries[slot].answer) { self.denialCount -= 1 }
        self.unlink(slot)
        self.index.removeValue(forKey: self.entries[slot].question)
        self.entries[slot].answer = ForwardedAnswer(rcode: 0)
        self.freeSlots.append(slot)
    }

    private mutating func moveToFront(_ slot: Int) {
        guard self.head != slot else { return }
        self.unlink(slot)
        self.linkFront(slot)
    }

    private mutating func linkFront(_ slot: Int) {
        self.entries[slot].previous = -1
        self.entries[slot].next = self.head
        if self.head >= 0 { self.entries[self.head].previous = slot }
        self.head = slot
        if self.tail < 0 { self.tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let previous = self.entries[slot].previous
        let next = self.entries[slot].next
        if previous >= 0 { self.entries[previous].next = next } else { self.head = next }
        if next >= 0 { self.entries[next].previous = previous } else { self.tail = previous }
        self.entries[slot].previous = -1
        self.entries[slot].next = -1
    }
}
