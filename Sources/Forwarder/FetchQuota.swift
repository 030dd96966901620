/// Who holds the fetches in flight, by client network, and who gives way when they are all
/// taken. While there is room anyone may start a fetch. At the cap, a network holding fewer
/// than the busiest one less one takes the newest fetch of the busiest (which fails, SERVFAIL);
/// otherwise the question is refused. Repeated, this shares the cap out evenly between the
/// networks asking (max-min fairness), so one client asking unanswerable names can delay only
/// itself. Everything is found by hash or by count bucket: no step scans the fetches.
package struct FetchQuota: Sendable {
    /// What to do with a new fetch.
    package enum Decision: Sendable, Equatable {
        case admit
        /// Admit it once this fetch (the busiest network's newest) has been failed and removed.
        case admitEvicting(UInt64)
        case refuse
    }

    private struct Link: Sendable {
        var prefix: ClientPrefix
        var older: UInt64?
        var newer: UInt64?
    }

    private struct Holding: Sendable {
        var oldest: UInt64
        var newest: UInt64
        var count: Int
    }

    package let capacity: Int
    private var links: [UInt64: Link] = [:]
    private var holdings: [ClientPrefix: Holding] = [:]
    /// Networks by how many fetches they hold.
    private var holders: [Int: Set<ClientPrefix>] = [:]
    private var largest = 0

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Fetches in flight.
    package var total: Int { self.links.count }

    /// Fetches in flight for `prefix`.
    package func count(for prefix: ClientPrefix) -> Int { self.holdings[prefix]?.count ?? 0 }

    package func decide(for prefix: ClientPrefix) -> Decision {
        guard self.total >= self.capacity else { return .admit }
        let mine = self.count(for: prefix)
        guard self.largest > mine + 1, let busiest = self.holders[self.largest]?.first,
            let newest = self.holdings[busiest]?.newest
        else {
            return .refuse
        }
        return .admitEvicting(newest)
    }

    /// Records fetch `serial` (unique, increasing) as held by `prefix`.
    package mutating func add(_ serial: UInt64, for prefix: ClientPrefix) {
        guard self.links[serial] == nil else { return }
        var link = Link(prefix: prefix)
        if var holding = self.holdings[prefix] {
            link.older = holding.newest
            self.links[holding.newest]?.newer = serial
            holding.newest = serial
            holding.count += 1
            self.holdings[prefix] = holding
            self.move(prefix, from: holding.count - 1, to: holding.count)
        } else {
            self.holdings[prefix] = Holding(oldest: serial, newest: serial, count: 1)
            self.move(prefix, from: 0, to: 1)
        }
        self.links[serial] = link
    }

    /// Forgets fetch `serial` (finished, failed or evicted); nothing when it is unknown.
    package mutating func remove(_ serial: UInt64) {
        guard let link = self.links.removeValue(forKey: serial), var holding = self.holdings[link.prefix] else { return }
        if let older = link.older { self.links[older]?.newer = link.newer }
        if let newer = link.newer { self.links[newer]?.older = link.older }
        if holding.oldest == serial, let newer = link.newer { holding.oldest = newer }
        if holding.newest == serial, let older = link.older { holding.newest = older }
        holding.count -= 1
        if holding.count == 0 {
            self.holdings.removeValue(forKey: link.prefix)
        } else {
            self.holdings[link.prefix] = holding
        }
        self.move(link.prefix, from: holding.count + 1, to: holding.count)
    }

    /// Moves `prefix` between count buckets; counts change by one, so the largest moves by one.
    private mutating func move(_ prefix: ClientPrefix, from old: Int, to new: Int) {
        if old > 0 {
            self.holders[old]?.remove(prefix)
            if self.holders[old]?.isEmpty == true { self.holders.removeValue(forKey: old) }
        }
        if new > 0 { self.holders[new, default: []].insert(prefix) }
        if new > self.largest { self.largest = new }
        while self.largest > 0, self.holders[self.largest] == nil { self.largest -= 1 }
    }
}
