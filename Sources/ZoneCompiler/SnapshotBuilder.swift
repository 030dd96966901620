import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import CoreSharing

/// Builds snapshots, and rebuilds them incrementally: only namespaces whose services or pods
/// changed are compiled again (one shard each), only the reverse names whose PTR records changed
/// are recompiled in their hash shard, and the small global shard and the zones' negative
/// answers (which carry the serial) are made anew. Everything else is shared with the previous
/// snapshot. Reverse zones keep their numbers for as long as they exist, so a zone that appears
/// or goes (the /24 of an address outside the allocation ranges) changes no other answer.
package struct SnapshotBuilder: Sendable {
    /// A reverse zone: its block, its apex, how many PTR owners it holds (a zone outside the
    /// allocation ranges goes with its last one), and its serial (the build that last changed it).
    struct ReverseZone: Sendable {
        var block: IPNetwork
        var apex: DomainName
        var apexLabels: Int
        var isCovering: Bool
        var owners = 0
        var serial: UInt32 = 0

        /// Served: a covering zone always, another while it holds a PTR owner.
        var isAlive: Bool { self.isCovering || self.owners > 0 }
    }

    /// Zone numbers fit the answer table's 16 bits; past that, addresses in new blocks have no PTR.
    static let maximumZones = Int(UInt16.max)

    private var options: RecordOptions
    /// The cluster of the last build: what a build without a stated change is compared with.
    private var cluster = Cluster()
    private var namespaceShards: [String: AnswerShard] = [:]
    /// The keys of `namespaceShards` in order (the answer table's shard order), kept as shards come
    /// and go: sorting a thousand names at every build held the core for a few hundred µs.
    private var shardOrder: [String] = []
    /// The shards in `shardOrder`'s order, and the index from a namespace's label to its position
    /// (nil when the order changed since it was made): the answer table takes both as they are,
    /// so a build that changes no namespace's existence neither gathers a thousand shards nor
    /// indexes a thousand names again.
    private var orderedShards: [AnswerShard] = []
    private var namespaceIndex: NamespaceIndex?
    private var namespaceRecordCounts: [String: Int] = [:]
    /// The records of the namespaces being compiled in this build (empty between builds): CNAME
    /// chains into them read these; chains into the others read their compiled shards.
    private var inProgress: [String: NamespaceRecords?] = [:]
    private var reverseShards: [AnswerShard]
    /// The PTR targets of the addresses whose targets changed in the build under way (every
    /// address in the first build); empty between builds. Between builds, an address's targets
    /// are the PTR records of its entry in the reverse shards: that is the only place they are
    /// kept (a map of them beside the shards was 25 MiB at L's 170,000 addresses).
    private var pendingPointers: [IPAddress: PointerSet] = [:]
    /// The first build's PTR targets, in address order (empty otherwise): every address of the
    /// cluster, looked up by binary search. A map of them (`pendingPointers`) took a tenth of the
    /// reverse zones' first build to fill, and the first build looks up only a few of them (the
    /// apexes and empty non-terminals, and CNAME chains into the reverse zones).
    private var firstPointers: [(address: IPAddress, pointers: PointerSet)] = []
    /// Empty non-terminals of the reverse zones: how many PTR owners lie below each, and its zone.
    private var reverseNames: [DomainName: (count: Int, zone: Int)] = [:]
    /// Per namespace, the namespaces its in-zone ExternalName targets are in (nil: outside any).
    private var chainTargets: [String: [String?]] = [:]
    private var pointerCount = 0
    /// Which reverse zone an address's PTR record belongs in.
    private let reverseZones: ReverseZones
    /// Reverse zones by number; 0 is the cluster zone's number, and a gone zone leaves nil.
    private var zones: [ReverseZone?] = [nil]
    private var zoneNumbers: [IPNetwork: Int] = [:]
    private var apexNumbers: [DomainName: Int] = [:]
    /// Numbers of zones gone in earlier builds, free for new zones.
    private var freeNumbers: [Int] = []
    /// Zones outside the ranges whose last owner went in this build (released at its end).
    private var emptiedZones: Set<Int> = []
    /// How many zones have an apex of each label count (for finding a reverse name's zone).
    private var apexLabelCounts: [Int: Int] = [:]
    private var reverseZoneCount = 0
    /// Each zone's apex and negative answers, by number (0: the cluster zone, made every build).
    private var zoneEntries: [ShardedAnswerTable.ZoneEntry] = [.vacant]
    private var zoneIndex = ZoneIndex([])
    /// A zone appeared or went since the zone index was made.
    private var zoneSetChanged = true
    /// The name server's addresses, which the reverse apexes' NS answers carry.
    private var nameServers: [IPAddress] = []
    /// PTR records left out because every zone number was taken.
    package private(set) var droppedPointers = 0
    /// By namespace, the names that could not be formed (and were left out).
    private var problems: [String: [String]] = [:]
    /// The zone files as last given, in path order, and how they lie beside the generated zones.
    private var zoneFiles: [(path: String, content: ZoneFileContent)] = []
    private var fileZones = FileZoneSet.empty
    /// The zone files' zones' numbers, by apex: kept while the apex is served.
    private var fileZoneNumbers: [DomainName: Int] = [:]
    /// By index in `fileZones.zones`.
    private var fileShards: [AnswerShard] = []
    /// What each namespace puts in the `--external-zone` zones, and its Ingress hosts outside them.
    private var externalEntries: [String: [ExternalZoneEntry]] = [:]
    private var externalOutside: [String: [String]] = [:]
    private var built = false

    package init(options: RecordOptions) {
        self.options = options
        self.reverseShards = Array(repeating: .empty, count: 1 << ShardedAnswerTable.reverseBits)
        self.reverseZones = ReverseZones(covering: options.reverseCIDRs)
        for block in self.reverseZones.coveringBlocks { _ = self.register(block, isCovering: true) }
    }

    /// The snapshot of `cluster` with SOA serial `serial`; only what changed since the last
    /// build is compiled again: the namespaces in `changed` when the caller knows them (as the
    /// incremental model builder does: exactly those that differ), else those that differ from
    /// the last build's cluster. `zoneFiles` (path order) replaces the zone files when given; the
    /// zone files' zones are small and compiled again at every build, since their CNAMEs may
    /// lead into the cluster.
    package mutating func build(
        _ cluster: Cluster, serial: UInt32, changed: Set<String>? = nil,
        zoneFiles: [(path: String, content: ZoneFileContent)]? = nil
    ) -> RecordSnapshot {
        self.options.serial = serial
        if let zoneFiles { self.zoneFiles = zoneFiles }
        let next = cluster.partitionsOfEveryNamespace
        var dirty = changed ?? cluster.namespacesChanged(since: self.cluster)
        // A namespace whose ExternalName services point into a changed namespace (or at names
        // outside every namespace) follows its chains again — to a fixed point, for chains of chains.
        let domain = self.options.domain
        let names = self.options.names
        if !self.built {
            for (namespace, partition) in next {
                self.chainTargets[namespace] = NamespaceRecords.chainTargets(partition, names: names)
            }
        }
        var grew = true
        while grew {
            grew = false
            for (source, targets) in self.chainTargets where !dirty.contains(source) {
                guard targets.contains(where: { target in target.map { dirty.contains($0) } ?? true }) else { continue }
                dirty.insert(source)
                grew = true
            }
        }
        if !self.built { dirty.formUnion(next.keys) }
        if !self.options.externalZones.isEmpty {
            for namespace in dirty {
                let made = next[namespace].map {
                    ExternalZones.entries(namespace: namespace, $0, zones: self.options.externalZones)
                } ?? (entries: [], outside: [])
                self.externalEntries[namespace] = made.entries.isEmpty ? nil : made.entries
                self.externalOutside[namespace] = made.outside.isEmpty ? nil : made.outside
            }
        }
        self.layOutFileZones(cluster)

        // A changed namespace's PTR contributions are diffed with those of its previous partition,
        // made again from it rather than kept for every namespace (11 MiB at L).
        let previous = self.cluster
        self.cluster = cluster
        var changedOwners: Set<DomainName> = []
        var appeared: [(owner: DomainName, zone: Int)] = []
        var vanished: [(owner: DomainName, zone: Int)] = []
        // Each dirty namespace's records are generated once and compiled into its shard on its
        // own (in parallel); the shared state is then updated in one pass. A CNAME chain into a
        // namespace compiled in this build reads that namespace's new records, so the namespaces
        // chains lead into are generated first and kept until the build ends. Every other
        // namespace's records live only while its shard compiles: a cold start never holds all
        // records and all shards at once (at 640k records that peak stayed in the heap as 21 MiB
        // of RSS).
        let options = self.options
        let order = dirty.sorted()
        let upcoming = next
        var chainedInto: Set<String> = []
        for namespace in order {
            guard let partition = upcoming[namespace] else { continue }
            for case let target? in NamespaceRecords.chainTargets(partition, names: names) where dirty.contains(target) {
                chainedInto.insert(target)
            }
        }
        let kept = chainedInto.sorted()
        let keptRecords = ParallelMap.map(kept) { namespace in
            upcoming[namespace].map { NamespaceRecords(namespace, $0, options: options) }
        }
        for (namespace, records) in zip(kept, keptRecords) { self.inProgress.updateValue(records, forKey: namespace) }
        // A namespace that goes is gone for the chains compiled in this build too.
        for namespace in order where upcoming[namespace] == nil { self.inProgress.updateValue(nil, forKey: namespace) }
        let view = self
        let previousPointers = ParallelMap.map(order) { namespace -> Set<NamespaceRecords.Pointer> in
            previous.partitions[namespace].map { NamespaceRecords.pointers($0, options: options) } ?? []
        }
        let compiled = ParallelMap.map(order) { namespace -> CompiledNamespace? in
            let records: NamespaceRecords?
            if let inProgress = view.inProgress[namespace] {
                records = inProgress
            } else {
                records = upcoming[namespace].map { NamespaceRecords(namespace, $0, options: options, layingOutDirectly: true) }
            }
            return records.map { CompiledNamespace($0, shard: view.compile($0)) }
        }
        self.inProgress = [:]
        var pointerChanges: [IPAddress: PointerChange] = [:]
        // The first build takes every contribution as it is (there is nothing to diff with).
        var firstContributions: [NamespaceRecords.Pointer] = []
        let contributionCount = compiled.reduce(0) { $0 + ($1?.pointers.count ?? 0) }
        if self.built {
            // At most one change per contribution before or after.
            pointerChanges.reserveCapacity(previousPointers.reduce(0) { $0 + $1.count } + contributionCount)
        } else {
            firstContributions.reserveCapacity(contributionCount)
        }
        for (index, namespace) in order.enumerated() {
            CoreSharing.checkpoint()
            let before = previousPointers[index]
            let contributed = compiled[index]?.pointers ?? []
            self.placeShard(compiled[index]?.shard, of: namespace)
            self.namespaceRecordCounts[namespace] = compiled[index]?.recordCount
            self.chainTargets[namespace] = compiled[index]?.chainTargets
            self.problems[namespace] = compiled[index].flatMap { $0.problems.isEmpty ? nil : $0.problems }
            guard self.built else {
                firstContributions.append(contentsOf: contributed)
                continue
            }
            let after = Set(contributed)
            // A namespace that is new or gone has no diff to take.
            for pointer in after.isEmpty ? before : before.subtracting(after) {
                pointerChanges[pointer.address, default: PointerChange()].removed.append(pointer.target)
            }
            for pointer in before.isEmpty ? after : after.subtracting(before) {
                pointerChanges[pointer.address, default: PointerChange()].added.append(pointer.target)
            }
        }
        var firstPointers: [(address: IPAddress, pointers: PointerSet)] = []
        if self.built {
            self.applyPointerChanges(pointerChanges, changed: &changedOwners, appeared: &appeared, vanished: &vanished)
        } else {
            firstPointers = self.placeFirstPointers(&firstContributions)
        }

        // A reverse zone whose content changed gets this build's serial, with its apex and negative
        // answers compiled again; every other zone keeps its serial and its answers.
        var touchedZones: Set<Int> = []
        for owner in changedOwners { if let zone = self.pointerOwner(named: owner)?.zone { touchedZones.insert(zone) } }
        for (_, zone) in appeared { touchedZones.insert(zone) }
        for (_, zone) in vanished { touchedZones.insert(zone) }
        // The apexes' NS answers carry the name server's addresses.
        let kubeDNS = Array(cluster.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? [])
        let nameServers = kubeDNS.isEmpty ? [self.options.dnsIP] : kubeDNS
        let nameServersChanged = self.nameServers != nameServers
        self.nameServers = nameServers
        if !self.built {
            for number in self.zones.indices where self.zones[number]?.isAlive == true { self.stamp(number) }
            self.rebuildAllReverseShards(firstPointers)
            self.zoneSetChanged = true
        } else {
            var touchedNames = changedOwners
            for number in touchedZones {
                guard let zone = self.zones[number] else { continue }
                touchedNames.insert(zone.apex)
                if zone.isAlive {
                    self.stamp(number)
                } else {
                    self.zoneEntries[number] = .vacant
                }
            }
            if nameServersChanged {
                for zone in self.zones { if let zone, zone.isAlive { touchedNames.insert(zone.apex) } }
            }
            self.updateReverseShards(changed: touchedNames, appeared: appeared, vanished: vanished)
        }
        CoreSharing.checkpoint()
        self.releaseEmptyZones()
        self.compileFileZones()
        CoreSharing.checkpoint()
        if self.zoneSetChanged {
            var apexes = self.zones.enumerated().map { number, zone in
                number == 0 ? domain.lowercased.wire : zone.map { $0.apex.lowercased.wire }
            }
            for (apex, number) in self.fileZoneNumbers { apexes[number] = apex.lowercased.wire }
            self.zoneIndex = ZoneIndex(apexes)
            self.zoneSetChanged = false
        }
        self.pendingPointers = [:]
        self.firstPointers = []
        self.built = true
        CoreSharing.checkpoint()
        let namespaceIndex =
            self.namespaceIndex
            ?? NamespaceIndex(
                self.shardOrder.enumerated().map { position, namespace in
                    CoreSharing.checkpoint()
                    return ([UInt8(namespace.utf8.count)] + Array(namespace.utf8), position)
                })
        self.namespaceIndex = namespaceIndex
        CoreSharing.checkpoint()
        return self.assemble(cluster, namespaceIndex: namespaceIndex)
    }

    // MARK: namespaces

    /// Sets (or, for nil, removes) the shard of `namespace`, keeping `shardOrder` sorted.
    private mutating func placeShard(_ shard: AnswerShard?, of namespace: String) {
        let had = self.namespaceShards[namespace] != nil
        self.namespaceShards[namespace] = shard
        let index = self.shardOrder.partitioningIndex { $0 >= namespace }
        switch (had, shard) {
        case (true, let shard?): self.orderedShards[index] = shard
        case (false, let shard?):
            self.shardOrder.insert(namespace, at: index)
            self.orderedShards.insert(shard, at: index)
            self.namespaceIndex = nil
        case (true, nil):
            self.shardOrder.remove(at: index)
            self.orderedShards.remove(at: index)
            self.namespaceIndex = nil
        case (false, nil): break
        }
    }

    /// One namespace's shard, compiled from its records; reads the builder's state, changes nothing.
    func compile(_ namespace: NamespaceRecords) -> AnswerShard {
        let roots = namespace.roots
        let compiled = EntryCompiler.compileForShard(
            records: namespace.records, emptyNames: namespace.emptyNames,
            addAncestors: { name in roots.contains { name.isSubdomain(of: $0) } },
            zoneOf: { _ in 0 }, lookup: { self.lookup($0) })
        return AnswerShard(entries: compiled.entries, direct: compiled.direct + namespace.direct)
    }

    // MARK: reverse zones

    /// Gives `block` a zone number: a free one, else the next.
    private mutating func register(_ block: IPNetwork, isCovering: Bool) -> Int? {
        guard let number = self.allocateNumber() else { return nil }
        let apex = ReverseZones.apex(of: block)
        self.zones[number] = ReverseZone(block: block, apex: apex, apexLabels: apex.labelCount, isCovering: isCovering)
        self.zoneNumbers[block] = number
        self.apexNumbers[apex] = number
        self.apexLabelCounts[apex.labelCount, default: 0] += 1
        self.reverseZoneCount += 1
        while self.zoneEntries.count <= number { self.zoneEntries.append(.vacant) }
        self.zoneSetChanged = true
        return number
    }

    /// A zone number: a free one, else the next; nil when all are taken.
    private mutating func allocateNumber() -> Int? {
        if let free = self.freeNumbers.popLast() { return free }
        guard self.zones.count <= Self.maximumZones else { return nil }
        self.zones.append(nil)
        while self.zoneEntries.count < self.zones.count { self.zoneEntries.append(.vacant) }
        return self.zones.count - 1
    }

    /// Gives a zone this build's serial, and its negative answers with it.
    private mutating func stamp(_ number: Int) {
        guard let zone = self.zones[number] else { return }
        self.zones[number]?.serial = self.options.serial
        self.zoneEntries[number] = self.zoneEntry(zone.apex, serial: self.options.serial)
    }

    /// A zone's apex and its NXDOMAIN and NODATA answers (the SOA in the authority section).
    private func zoneEntry(_ apex: DomainName, serial: UInt32) -> ShardedAnswerTable.ZoneEntry {
        let soa = ResourceRecord(apex, ttl: self.options.ttl, RecordGenerator.soa(self.options, serial: serial))
        return ShardedAnswerTable.ZoneEntry(
            apex: apex.lowercased.wire, name: apex, serial: serial,
            nameError: EntryCompiler.negative(rcode: .nameError, soa: soa),
            noData: EntryCompiler.negative(rcode: .noError, soa: soa))
    }

    /// The number of the zone holding `address`'s PTR record, counting one more owner in it;
    /// nil when a new zone is needed and no number is left.
    private mutating func claimZone(for address: IPAddress) -> Int? {
        var previous: (block: IPNetwork, isWhole: Bool, number: Int)?
        return self.claimZone(for: address, following: &previous)
    }

    /// `claimZone(for:)` for addresses in sorted order: `previous` is the last one's claim, and an
    /// address in its zone takes that zone without the hash probes.
    private mutating func claimZone(
        for address: IPAddress, following previous: inout (block: IPNetwork, isWhole: Bool, number: Int)?
    ) -> Int? {
        if let claimed = previous, claimed.isWhole, claimed.block.contains(address) {
            self.zones[claimed.number]?.owners += 1
            return claimed.number
        }
        let (block, isCovering) = self.reverseZones.block(for: address)
        guard let number = self.zoneNumbers[block] ?? self.register(block, isCovering: isCovering) else { return nil }
        self.zones[number]?.owners += 1
        previous = (block, self.reverseZones.isWholeZone(block, isCovering: isCovering), number)
        return number
    }

    /// Zones outside the allocation ranges whose last owner went in this build are gone; their
    /// numbers are free from the next build on (nothing compiled in this one refers to them).
    private mutating func releaseEmptyZones() {
        for number in self.emptiedZones {
            guard let zone = self.zones[number], !zone.isAlive else { continue }
            self.zones[number] = nil
            self.zoneNumbers[zone.block] = nil
            self.apexNumbers[zone.apex] = nil
            self.apexLabelCounts[zone.apexLabels, default: 1] -= 1
            if self.apexLabelCounts[zone.apexLabels] == 0 { self.apexLabelCounts[zone.apexLabels] = nil }
            self.reverseZoneCount -= 1
            self.zoneEntries[number] = .vacant
            self.freeNumbers.append(number)
            self.zoneSetChanged = true
        }
        self.emptiedZones = []
    }

    /// The zone of any reverse name (for CNAME chains into the reverse zones): one probe per
    /// distinct apex length, deepest first.
    private func reverseZone(of name: DomainName) -> Int? {
        guard name.isSubdomain(of: NamespaceRecords.inAddrArpa) || name.isSubdomain(of: NamespaceRecords.ip6Arpa) else {
            return nil
        }
        let labels = name.labelCount
        for length in self.apexLabelCounts.keys.sorted(by: >) where length <= labels {
            var suffix = name
            for _ in 0..<(labels - length) { suffix = suffix.parent }
            if let number = self.apexNumbers[suffix] { return number }
        }
        return nil
    }

    // MARK: pointers

    /// Applies one build's changes to the addresses' PTR targets: each address's targets are
    /// read back from its reverse entry, changed, and kept in `pendingPointers` until the build
    /// compiles them. Addresses in address order, so that new zones are numbered the same way
    /// whatever order the namespaces' changes came in.
    private mutating func applyPointerChanges(
        _ changes: [IPAddress: PointerChange], changed: inout Set<DomainName>,
        appeared: inout [(owner: DomainName, zone: Int)], vanished: inout [(owner: DomainName, zone: Int)]
    ) {
        self.pendingPointers.reserveCapacity(changes.count)
        for address in changes.keys.sorted() {
            guard let change = changes[address] else { continue }
            // Named only when a compiled entry may exist or must be listed: a cold start names
            // its 170,000 owners once, when their shards compile.
            let owner = self.built ? RecordGenerator.pointerOwner(address) : DomainName.root
            let current = self.built ? self.compiledPointers(of: owner) : nil
            var targets = current?.targets ?? []
            for target in change.removed { targets.removeAll { $0.name == target.name } }
            for target in change.added where !targets.contains(where: { $0.name == target.name }) { targets.append(target) }
            if let current {
                self.pointerCount += targets.count - current.targets.count
                if targets.isEmpty {
                    self.zones[current.zone]?.owners -= 1
                    if self.zones[current.zone]?.isAlive == false { self.emptiedZones.insert(current.zone) }
                    vanished.append((owner, current.zone))
                }
                self.pendingPointers[address] = PointerSet(zone: current.zone, targets: targets)
                changed.insert(owner)
            } else if !targets.isEmpty {
                guard let zone = self.claimZone(for: address) else {
                    self.droppedPointers += targets.count
                    continue
                }
                self.pointerCount += targets.count
                self.pendingPointers[address] = PointerSet(zone: zone, targets: targets)
                // The first build compiles every reverse name anyway: it lists none.
                if self.built {
                    appeared.append((owner, zone))
                    changed.insert(owner)
                }
            }
        }
    }

    /// The first build's PTR targets, from every contribution: each address's targets (the lowest
    /// rank kept where two name one target) and its zone, kept in `firstPointers` until the build
    /// compiles them, and returned in address order. New zones are numbered in address order, as
    /// `applyPointerChanges` numbers them in later builds.
    private mutating func placeFirstPointers(
        _ contributions: inout [NamespaceRecords.Pointer]
    ) -> [(address: IPAddress, pointers: PointerSet)] {
        contributions.sort { $0.address < $1.address }
        var placed: [(address: IPAddress, pointers: PointerSet)] = []
        placed.reserveCapacity(contributions.count)
        var claimed: (block: IPNetwork, isWhole: Bool, number: Int)?
        var start = 0
        while start < contributions.count {
            CoreSharing.checkpoint()
            let address = contributions[start].address
            var end = start + 1
            while end < contributions.count && contributions[end].address == address { end += 1 }
            var targets = [contributions[start].target]
            if end - start > 1 {
                targets = []
                for target in contributions[start..<end].map(\.target).sorted()
                where !targets.contains(where: { $0.name == target.name }) {
                    targets.append(target)
                }
            }
            start = end
            guard let zone = self.claimZone(for: address, following: &claimed) else {
                self.droppedPointers += targets.count
                continue
            }
            self.pointerCount += targets.count
            placed.append((address, PointerSet(zone: zone, targets: targets)))
        }
        contributions = []
        self.firstPointers = placed
        return placed
    }

    /// The PTR targets of the owner named `name` and its zone, if it is one: as changed in the
    /// build under way, else as its compiled reverse entry holds them.
    private func pointerOwner(named name: DomainName) -> PointerSet? {
        guard let address = RecordGenerator.pointerAddress(name) else { return nil }
        if let pending = self.pendingPointers[address] { return pending.targets.isEmpty ? nil : pending }
        if !self.firstPointers.isEmpty {
            let index = self.firstPointers.partitioningIndex { $0.address >= address }
            guard index < self.firstPointers.count, self.firstPointers[index].address == address else { return nil }
            return self.firstPointers[index].pointers
        }
        return self.compiledPointers(of: name)
    }

    /// The PTR targets that the compiled reverse entry of `owner` holds, and its zone; nil when
    /// it has none. Read from the records themselves: a service's name (three labels below the
    /// cluster domain) ranks before an endpoint's (four), as when they were made.
    private func compiledPointers(of owner: DomainName) -> PointerSet? {
        let shard = self.reverseShards[ShardedAnswerTable.reverseShard(NameHash.hash(owner.lowercased.wire))]
        guard let index = shard.index(of: owner) else { return nil }
        let serviceLabels = self.options.domain.labelCount + 3
        var targets: [PointerTarget] = []
        for (type, records) in shard.rrsets(at: index) where type == .ptr {
            for record in records {
                guard case .ptr(let target) = record.rdata else { continue }
                targets.append(PointerTarget(target, rank: target.labelCount == serviceLabels ? .clusterIP : .endpoint))
            }
        }
        return targets.isEmpty ? nil : PointerSet(zone: shard.zone(at: index), targets: targets)
    }

    /// Names strictly between a PTR owner and its zone's apex.
    private func reverseAncestors(of owner: DomainName, zone: Int) -> [DomainName] {
        guard let apexLabels = self.zones[zone]?.apexLabels else { return [] }
        var result: [DomainName] = []
        var current = owner.parent
        var labels = owner.labelCount - 1
        while labels > apexLabels {
            result.append(current)
            current = current.parent
            labels -= 1
        }
        return result
    }

    /// A reverse name's entry: a zone's apex (SOA, NS, and PTR when the zone is one address),
    /// a PTR owner, or an empty non-terminal; nil for a name that no longer exists.
    private func reverseEntry(_ name: DomainName) -> CompiledEntry? {
        self.reverseEntry(name, owner: self.pointerOwner(named: name))
    }

    /// The entry of `name`, whose PTR owner (if it is one) the caller has found already.
    private func reverseEntry(_ name: DomainName, owner: PointerSet?) -> CompiledEntry? {
        if let number = self.apexNumbers[name], let zone = self.zones[number] {
            guard zone.isAlive else { return nil }
            var records = RecordGenerator.reverseApexRecords(name, options: self.options, serial: zone.serial)
            if let owner {
                records += RecordGenerator.pointerRecords(name, owner.targets, ttl: self.options.ttl)
            }
            return EntryCompiler.compile(records: records, zoneOf: { _ in number }, lookup: { self.lookup($0) }).first
        }
        guard let zone = owner?.zone ?? self.reverseNames[name]?.zone else { return nil }
        if let targets = owner?.targets, targets.count == 1,
            let entry = EntryCompiler.pointerEntry(name, target: targets[0].name, ttl: self.options.ttl, zone: zone)
        {
            return entry
        }
        let records = RecordGenerator.pointerRecords(name, owner?.targets ?? [], ttl: self.options.ttl)
        if !records.isEmpty { return EntryCompiler.singleRRsetEntry(name, records, zone: zone) }
        // An empty non-terminal between PTR owners and their zone's apex.
        return EntryCompiler.compile(records: [], emptyNames: [name], zoneOf: { _ in zone }, lookup: { self.lookup($0) }).first
    }

    /// Compiles every reverse shard: the first build's, from its PTR targets in address order.
    private mutating func rebuildAllReverseShards(_ pointers: [(address: IPAddress, pointers: PointerSet)]) {
        // Names by hash shard, then every shard compiled on its own (in parallel). PTR owners are
        // placed by position and named again only while their shard compiles: holding 170,000
        // owner names until then left that much of the heap in holes once they were freed. The
        // owners are named, and their empty non-terminals counted, in slices of the address list
        // in parallel; the counts are then summed.
        @Sendable func shard(_ name: DomainName) -> Int { ShardedAnswerTable.reverseShard(NameHash.hash(name.lowercased.wire)) }
        let sliceLength = max(1024, (pointers.count + 63) / 64)
        let slices = stride(from: 0, to: pointers.count, by: sliceLength).map { $0..<min($0 + sliceLength, pointers.count) }
        let view = self
        let sliced = ParallelMap.map(slices) { slice in
            var ancestors: [DomainName: (count: Int, zone: Int)] = [:]
            var placed: [(shard: Int, position: Int)] = []
            // An owner with one target carries what its shard lays out (`DirectEntry`), read here
            // in address order: read while its shard compiles, each owner's place in `pointers` and
            // its list of targets were two cache misses.
            var direct: [(shard: Int, pointer: DirectPointer)] = []
            direct.reserveCapacity(slice.count)
            // Addresses come in order, so owners side by side mostly share their parent, and
            // with it every ancestor: a run of them is counted at once, its ancestors named
            // once. An IPv6 owner has up to 30 ancestors below its zone's apex.
            var run: (owner: DomainName, zone: Int, count: Int)?
            func countRun() {
                guard let run else { return }
                for ancestor in view.reverseAncestors(of: run.owner, zone: run.zone) {
                    ancestors[ancestor, default: (0, run.zone)].count += run.count
                }
            }
            for position in slice {
                CoreSharing.checkpoint()
                let (address, entry) = pointers[position]
                let owner = RecordGenerator.pointerOwner(address)
                if let current = run, current.zone == entry.zone, current.owner.hasSameParentBytes(as: owner) {
                    run?.count += 1
                } else {
                    countRun()
                    run = (owner, entry.zone, 1)
                }
                guard view.apexNumbers[owner] == nil else { continue }
                if entry.targets.count == 1, EntryCompiler.answersPointerDirectly(owner: owner, target: entry.targets[0].name) {
                    direct.append((shard(owner), DirectPointer(address: address, zone: entry.zone, target: entry.targets[0].name)))
                } else {
                    placed.append((shard(owner), position))
                }
            }
            countRun()
            return (ancestors, placed, direct)
        }
        var buckets = Array(
            repeating: (positions: [Int](), direct: [DirectPointer](), names: [DomainName]()), count: self.reverseShards.count)
        self.reverseNames = [:]
        for (ancestors, placed, direct) in sliced {
            CoreSharing.checkpoint()
            for (name, counted) in ancestors { self.reverseNames[name, default: (0, counted.zone)].count += counted.count }
            for (shard, position) in placed { buckets[shard].positions.append(position) }
            for (shard, pointer) in direct { buckets[shard].direct.append(pointer) }
        }
        // Empty non-terminals and apexes (an apex may also be a PTR owner: it is compiled once, as the apex).
        for name in self.reverseNames.keys where self.pointerOwner(named: name) == nil && self.apexNumbers[name] == nil {
            buckets[shard(name)].names.append(name)
        }
        for zone in self.zones { if let zone, zone.isAlive { buckets[shard(zone.apex)].names.append(zone.apex) } }
        let compiler = self
        let ttl = self.options.ttl
        // Most of the 4,096 shards of a small cluster are empty: they share the one empty shard.
        self.reverseShards = ParallelMap.map(buckets) { bucket in
            if bucket.positions.isEmpty && bucket.direct.isEmpty && bucket.names.isEmpty { return .empty }
            var entries = bucket.names.compactMap { compiler.reverseEntry($0) }
            // An address with one target (most) is laid into the shard directly.
            var direct: [DirectEntry] = []
            direct.reserveCapacity(bucket.direct.count)
            for pointer in bucket.direct {
                let name = RecordGenerator.pointerOwner(pointer.address)
                // Bucketed as direct only when `answersPointerDirectly`, which is what the layout asks.
                guard let entry = DirectEntry(owner: name, target: pointer.target, ttl: ttl, zone: pointer.zone) else {
                    assertionFailure("a direct PTR owner the direct layout refuses")
                    continue
                }
                direct.append(entry)
            }
            for position in bucket.positions {
                let (address, owner) = pointers[position]
                if let entry = compiler.reverseEntry(RecordGenerator.pointerOwner(address), owner: owner) { entries.append(entry) }
            }
            return AnswerShard(entries: entries, direct: direct)
        }
    }

    private mutating func updateReverseShards(
        changed: Set<DomainName>, appeared: [(owner: DomainName, zone: Int)], vanished: [(owner: DomainName, zone: Int)]
    ) {
        var touched = changed
        for (owner, zone) in appeared {
            for ancestor in self.reverseAncestors(of: owner, zone: zone) {
                self.reverseNames[ancestor, default: (0, zone)].count += 1
                touched.insert(ancestor)
            }
        }
        for (owner, zone) in vanished {
            for ancestor in self.reverseAncestors(of: owner, zone: zone) {
                let count = (self.reverseNames[ancestor]?.count ?? 1) - 1
                self.reverseNames[ancestor] = count > 0 ? (count, zone) : nil
                touched.insert(ancestor)
            }
        }
        var removals: [Int: Set<[UInt8]>] = [:]
        var additions: [Int: [CompiledEntry]] = [:]
        for name in touched {
            let wire = name.lowercased.wire
            let shard = ShardedAnswerTable.reverseShard(NameHash.hash(wire))
            if let entry = self.reverseEntry(name) {
                additions[shard, default: []].append(entry)
            } else {
                removals[shard, default: []].insert(wire)
            }
        }
        for shard in Set(removals.keys).union(additions.keys) {
            self.reverseShards[shard] = self.reverseShards[shard].updating(
                removing: removals[shard] ?? [], adding: additions[shard] ?? [])
        }
    }

    // MARK: zone files

    /// Lays the zone files out beside the generated zones (as they stood after the last build),
    /// numbering their zones: a zone keeps its number while its apex is served.
    private mutating func layOutFileZones(_ cluster: Cluster) {
        guard !self.zoneFiles.isEmpty || !self.fileZoneNumbers.isEmpty || !self.options.externalZones.isEmpty else { return }
        // The external zones' name server: the kube-dns Service's external addresses when it has
        // them, else its cluster IPs (as the cluster zone's), else --dns-ip.
        let kubeDNS = cluster.service(namespace: "kube-system", name: "kube-dns")
        let nameServers = kubeDNS.map { $0.externalAddresses.isEmpty ? Array($0.clusterIPs) : $0.externalAddresses } ?? []
        let external = ExternalZones.zones(
            self.externalEntries.keys.sorted().flatMap { self.externalEntries[$0] ?? [] }, zones: self.options.externalZones,
            nameServerAddresses: nameServers.isEmpty ? [self.options.dnsIP] : nameServers, options: self.options)
        let view = self
        self.fileZones = FileZoneSet(
            files: self.zoneFiles, external: external, options: self.options,
            generatedZone: { view.reverseZone(of: $0) != nil })
        let apexes = Set(self.fileZones.zones.map(\.apex))
        for (apex, number) in self.fileZoneNumbers where !apexes.contains(apex) {
            self.fileZoneNumbers[apex] = nil
            self.zoneEntries[number] = .vacant
            self.freeNumbers.append(number)
            self.zoneSetChanged = true
        }
        for zone in self.fileZones.zones where self.fileZoneNumbers[zone.apex] == nil {
            guard let number = self.allocateNumber() else {
                self.fileZones.leaveOut(zone.apex, "every one of the 65,535 zone numbers is taken")
                continue
            }
            self.fileZoneNumbers[zone.apex] = number
            self.zoneSetChanged = true
        }
        for (index, zone) in self.fileZones.zones.enumerated() {
            guard let number = self.fileZoneNumbers[zone.apex], let soa = zone.negativeSOA else { continue }
            self.zoneEntries[number] = ShardedAnswerTable.ZoneEntry(
                apex: zone.apex.lowercased.wire, name: zone.apex, serial: zone.serial,
                nameError: EntryCompiler.negative(rcode: .nameError, soa: soa),
                noData: EntryCompiler.negative(rcode: .noError, soa: soa), fileShard: index)
        }
    }

    /// Each zone file's zone compiled into its shard.
    private mutating func compileFileZones() {
        let view = self
        self.fileShards = ParallelMap.map(self.fileZones.zones) { zone in
            let apex = zone.apex
            return AnswerShard(
                entries: EntryCompiler.compile(
                    records: zone.records, addAncestors: { $0.isSubdomain(of: apex) },
                    zoneOf: { view.zoneNumber(of: $0) }, lookup: { view.lookup($0) }))
        }
    }

    /// The number of the zone that holds `name`, of all we serve; nil outside them.
    func zoneNumber(of name: DomainName) -> Int? {
        if name.isSubdomain(of: self.options.domain) { return 0 }
        if let number = self.reverseZone(of: name) { return number }
        guard let index = self.fileZones.zone(of: name) else { return nil }
        return self.fileZoneNumbers[self.fileZones.zones[index].apex]
    }

    /// What a name in a zone file's zone is; `.outside` for a name in none of them.
    private func fileZoneLookup(_ name: DomainName) -> NameLookup {
        guard let index = self.fileZones.zone(of: name), let number = self.fileZoneNumbers[self.fileZones.zones[index].apex]
        else { return .outside }
        if let rrsets = self.fileZones.rrsets(of: name, inZone: index) { return .exists(rrsets) }
        return .missing(zone: number)
    }

    // MARK: lookups across shards

    /// What a name of ours is, for CNAME chains that leave their namespace: a namespace being
    /// compiled answers from its new records, any other from its compiled shard.
    func lookup(_ name: DomainName) -> NameLookup {
        let domain = self.options.domain
        if name.isSubdomain(of: domain) {
            if let namespace = self.options.names.namespace(of: name) {
                if let inProgress = self.inProgress[namespace] {
                    return inProgress?.lookup(name) ?? .missing(zone: 0)
                }
                guard let shard = self.namespaceShards[namespace], let index = shard.index(of: name) else {
                    return .missing(zone: 0)
                }
                return .exists(shard.rrsets(at: index))
            }
            let kubeDNS = Array(self.cluster.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? [])
            var global = NamespaceRecords(namespace: "")
            global.records =
                RecordGenerator.apexRecords(kubeDNS: kubeDNS, options: self.options) + self.fileZones.clusterRecords.map(\.record)
            global.emptyNames = self.globalEmptyNames()
            return global.lookup(name)
        }
        guard let zone = self.reverseZone(of: name) else { return self.fileZoneLookup(name) }
        if let owner = self.pointerOwner(named: name) {
            return .exists([(.ptr, RecordGenerator.pointerRecords(name, owner.targets, ttl: self.options.ttl))])
        }
        if self.reverseNames[name] != nil || self.apexNumbers[name] != nil { return .exists([]) }
        return .missing(zone: zone)
    }

    private func globalEmptyNames() -> [DomainName] {
        guard !self.cluster.namespaces.isEmpty || !self.cluster.partitions.isEmpty else { return [] }
        var names = [self.options.names.fixed([ClusterNames.serviceMarker])]
        if self.options.pods != .disabled { names.append(self.options.names.fixed([ClusterNames.podMarker])) }
        return names
    }

    // MARK: assembly

    private func assemble(_ cluster: Cluster, namespaceIndex: NamespaceIndex) -> RecordSnapshot {
        let domain = self.options.domain
        let kubeDNS = Array(cluster.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? [])
        let records =
            RecordGenerator.apexRecords(kubeDNS: kubeDNS, options: self.options) + self.fileZones.clusterRecords.map(\.record)
        let count =
            self.namespaceRecordCounts.values.reduce(0, +) + self.pointerCount + records.count + 2 * self.reverseZoneCount
            + self.fileZones.zones.reduce(0) { $0 + $1.records.count }
        CoreSharing.checkpoint()
        let global = EntryCompiler.compile(
            records: records, emptyNames: self.globalEmptyNames(),
            addAncestors: { name in name.isSubdomain(of: domain) && name != domain },
            zoneOf: { self.zoneNumber(of: $0) }, lookup: { self.lookup($0) })
        CoreSharing.checkpoint()
        var zones = self.zoneEntries
        zones[0] = self.zoneEntry(domain, serial: self.options.serial)
        let table = ShardedAnswerTable(
            zones: zones, zoneIndex: self.zoneIndex, global: AnswerShard(entries: global), namespaceIndex: namespaceIndex,
            namespaceShards: self.orderedShards, reverseShards: self.reverseShards, fileShards: self.fileShards)
        CoreSharing.checkpoint()
        var problems = self.problems.keys.sorted().flatMap { self.problems[$0] ?? [] } + self.fileZones.problems
        problems += self.externalOutside.keys.sorted().flatMap { self.externalOutside[$0] ?? [] }
        if self.droppedPointers > 0 {
            problems.append("\(self.droppedPointers) PTR records left out: every one of the 65,535 reverse zone numbers is taken")
        }
        return RecordSnapshot(
            options: self.options, cluster: cluster, table: table, recordCount: count, problems: problems,
            fileZones: self.fileZones)
    }
}
