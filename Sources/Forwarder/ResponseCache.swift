import DNSWire

/// Answers from upstream, kept for their TTL (see `TTLPolicy`). Bounded twice: by entries, and
/// by bytes, since one 64 KiB answer of thousands of records weighs as much as thousands of
/// small ones. Answers are held as packed wire bytes (`PackedRRsets`), and each entry is charged
/// its bytes plus a fixed overhead for its bookkeeping; an answer over `maximumAnswerBytes` is
/// not cached at all, so that a few huge answers cannot push out everything else. The least
/// recently used entry goes first. Not thread-safe: it lives on the forwarder's event loop.
/// Times are ticks of a caller's monotonic clock, `ticksPerSecond` to the second (the forwarder
/// counts milliseconds, so that "the last tenth of a 10 s TTL" is 9 s after storing, not 8 or 9).
///
/// With a stale window (`--serve-stale`, RFC 8767) an expired entry is kept that much longer, for
/// the forwarder to answer with when the upstreams fail; with prefetch (`--prefetch`) a popular
/// entry asked for in the last tenth of its lifetime is flagged for a refresh before it expires.
package struct ResponseCache {
    private struct Entry {
        var question: ForwardQuestion
        var answer: ForwardedAnswer
        var storedAt: UInt64
        var lifetime: UInt32
        var cost: Int
        var previous: Int
        var next: Int
        /// Times asked in this lifetime, the fetch that stored it included.
        var asks: UInt32 = 1
        /// Whether a refresh was flagged in this lifetime (once is enough).
        var prefetchFlagged = false
        /// When a refresh of the expired entry last failed (RFC 8767 §5's failure recheck timer).
        var refreshFailedAt: UInt64?
    }

    /// What the cache holds for a question.
    package enum Found: Equatable {
        /// A live answer, its TTLs counted down; `prefetch` when it should be refreshed now.
        case fresh(ForwardedAnswer, prefetch: Bool)
        /// An expired answer inside the stale window, with stale TTLs (RFC 8767 §4); `recheckPending`
        /// when a refresh failed less than `staleRecheck` seconds ago, so upstreams are not asked again yet.
        case stale(ForwardedAnswer, recheckPending: Bool)
        case miss
    }

    /// The TTL a stale answer is served with (RFC 8767 §4 recommends 30 seconds).
    package static let staleTTL: UInt32 = 30
    /// After a failed refresh, how long stale data is served without asking upstream (RFC 8767 §5).
    package static let staleRecheck: UInt64 = 30

    /// What an entry costs beyond its records' bytes: the entry, its index slot, and the
    /// headers and allocator overhead of its arrays, measured to within this on Linux.
    package static let entryOverhead = 256

    package let capacity: Int
    package let byteBudget: Int
    package let maximumAnswerBytes: Int
    package let policy: TTLPolicy
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
    /// What the entries cost, overhead included; never over `byteBudget`.
    package private(set) var bytes = 0
    /// Entries pushed out to make room (not those that expired), by kind, as CoreDNS counts them.
    package private(set) var successEvictions = 0
    package private(set) var denialEvictions = 0
    /// Of those, pushed out because of the entry limit or because of the byte budget.
    package private(set) var evictionsForCount = 0
    package private(set) var evictionsForBytes = 0
    /// Answers not cached because they were over `maximumAnswerBytes`.
    package private(set) var tooLarge = 0

    /// How long past its expiry an entry may be served stale; 0: never.
    package let staleWindow: UInt32
    /// Whether popular entries are flagged for a refresh before they expire.
    package let prefetch: Bool

    /// Ticks of the caller's clock per second.
    package let ticksPerSecond: UInt64

    package init(
        capacity: Int, maximumTTL: UInt32 = 3600, negativeMaximumTTL: UInt32 = 300, byteBudget: Int = 32 << 20,
        maximumAnswerBytes: Int = 16 << 10, staleWindow: UInt32 = 0, prefetch: Bool = false, ticksPerSecond: UInt64 = 1
    ) {
        self.ticksPerSecond = max(1, ticksPerSecond)
        self.staleWindow = staleWindow
        self.prefetch = prefetch
        self.capacity = max(0, capacity)
        self.byteBudget = max(0, byteBudget)
        self.maximumAnswerBytes = max(0, maximumAnswerBytes)
        self.policy = TTLPolicy(maximumTTL: maximumTTL, negativeMaximumTTL: negativeMaximumTTL)
    }

    package var maximumTTL: UInt32 { self.policy.maximumTTL }
    package var negativeMaximumTTL: UInt32 { self.policy.negativeMaximumTTL }
    package var count: Int { self.index.count }
    package var hits: Int { self.successHits + self.denialHits }

    /// The cached answer with its TTLs counted down, or nil (expired entries are dropped).
    package mutating func lookup(_ question: ForwardQuestion, now: UInt64) -> ForwardedAnswer? {
        if case .fresh(let answer, _) = self.find(question, now: now) { return answer }
        return nil
    }

    /// What the cache holds for `question` now: a live answer, a stale one (inside the stale
    /// window; counted as a miss, since upstream is asked first), or nothing. Entries past their
    /// lifetime and the stale window are dropped.
    package mutating func find(_ question: ForwardQuestion, now: UInt64) -> Found {
        guard let slot = self.index[question] else {
            self.misses += 1
            return .miss
        }
        let entry = self.entries[slot]
        let ticks = self.ticksPerSecond
        let elapsed = now >= entry.storedAt ? now - entry.storedAt : 0
        let lifetime = UInt64(entry.lifetime) * ticks
        guard elapsed < lifetime else {
            self.misses += 1
            guard elapsed < lifetime + UInt64(self.staleWindow) * ticks else {
                self.remove(slot)
                return .miss
            }
            let recheckPending =
                entry.refreshFailedAt.map { now >= $0 && now - $0 < Self.staleRecheck * ticks } ?? false
            return .stale(Self.stale(entry.answer), recheckPending: recheckPending)
        }
        self.moveToFront(slot)
        if entry.answer.isDenial { self.denialHits += 1 } else { self.successHits += 1 }
        var answer = entry.answer.aged(by: UInt32(elapsed / ticks))
        answer.fromCache = true
        self.entries[slot].asks &+= 1
        // Asked at least twice in its life, and now in its last tenth: refresh it in the background.
        let prefetch =
            self.prefetch && !entry.prefetchFlagged && self.entries[slot].asks >= 2
            && elapsed * 10 >= lifetime * 9
        if prefetch { self.entries[slot].prefetchFlagged = true }
        return .fresh(answer, prefetch: prefetch)
    }

    /// Whether `question` has an expired entry still inside the stale window (nothing counted).
    package func holdsStale(_ question: ForwardQuestion, now: UInt64) -> Bool {
        guard let slot = self.index[question] else { return false }
        let entry = self.entries[slot]
        let elapsed = now >= entry.storedAt ? now - entry.storedAt : 0
        let lifetime = UInt64(entry.lifetime) * self.ticksPerSecond
        return elapsed >= lifetime && elapsed < lifetime + UInt64(self.staleWindow) * self.ticksPerSecond
    }

    /// A refresh of `question`'s expired entry failed: for `staleRecheck` seconds, stale data is
    /// served at once.
    package mutating func refreshFailed(_ question: ForwardQuestion, now: UInt64) {
        if let slot = self.index[question] { self.entries[slot].refreshFailedAt = now }
    }

    /// An expired answer as served stale: each RRset's TTL the stale TTL, and a denial's never
    /// above the negative TTL it had (RFC 8767 §4; RFC 2308 §5).
    private static func stale(_ answer: ForwardedAnswer) -> ForwardedAnswer {
        var stale = answer
        let capped: (UInt32, PackedRRsets.RRset) -> UInt32 = { ttl, _ in
            answer.isDenial ? min(ttl, Self.staleTTL) : Self.staleTTL
        }
        stale.answer = answer.answer.mappingTTLs(capped)
        stale.authority = answer.authority.mappingTTLs(capped)
        stale.fromCache = true
        stale.isStale = true
        return stale
    }

    /// Stores `answer` (its TTLs as `policy` serves them) when it may be cached; returns the
    /// lifetime given (0: not stored).
    @discardableResult
    package mutating func store(_ question: ForwardQuestion, _ answer: ForwardedAnswer, now: UInt64) -> UInt32 {
        let served = self.policy.apply(to: answer).answer
        guard self.capacity > 0, let lifetime = self.policy.lifetime(of: served), lifetime > 0 else { return 0 }
        let cost = Self.cost(of: question, served)
        guard served.byteCount <= self.maximumAnswerBytes, cost <= self.byteBudget else {
            self.tooLarge += 1
            return 0
        }
        if let slot = self.index[question] { self.remove(slot) }
        while self.index.count >= self.capacity, self.tail >= 0 {
            self.evictionsForCount += 1
            self.evict(self.tail)
        }
        while self.bytes + cost > self.byteBudget, self.tail >= 0 {
            self.evictionsForBytes += 1
            self.evict(self.tail)
        }
        var compact = served
        // Exactly sized copies: a packed answer grew by doubling, and the slack would be paid for
        // as long as the entry lives.
        compact.answer = served.answer.compacted()
        compact.authority = served.authority.compacted()
        compact.fromCache = false
        let entry = Entry(
            question: question, answer: compact, storedAt: now, lifetime: lifetime, cost: cost, previous: -1, next: -1)
        let slot: Int
        if let free = self.freeSlots.popLast() {
            self.entries[free] = entry
            slot = free
        } else {
            self.entries.append(entry)
            slot = self.entries.count - 1
        }
        self.index[question] = slot
        self.bytes += cost
        if compact.isDenial { self.denialCount += 1 }
        self.linkFront(slot)
        return lifetime
    }

    /// What an entry for `answer` costs against the budget.
    package static func cost(of question: ForwardQuestion, _ answer: ForwardedAnswer) -> Int {
        Self.entryOverhead + question.name.wire.count + answer.byteCount
    }

    private mutating func evict(_ slot: Int) {
        if self.entries[slot].answer.isDenial { self.denialEvictions += 1 } else { self.successEvictions += 1 }
        self.remove(slot)
    }

    private mutating func remove(_ slot: Int) {
        if self.entries[slot].answer.isDenial { self.denialCount -= 1 }
        self.bytes -= self.entries[slot].cost
        self.unlink(slot)
        self.index.removeValue(forKey: self.entries[slot].question)
        self.entries[slot].answer = ForwardedAnswer(rcode: 0)
        self.entries[slot].question = ForwardQuestion(name: .root, type: .a)
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
