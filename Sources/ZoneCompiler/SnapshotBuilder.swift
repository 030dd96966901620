import ClusterModel
import DNSWire
import Manifests

/// Builds snapshots, and rebuilds them incrementally: only namespaces whose services or pods
/// changed are compiled again (one shard each), only the reverse names whose PTR records changed
/// are recompiled in their hash shard, and the small global shard and the zones' negative
/// answers (which carry the serial) are made anew. Everything else is shared with the previous
/// snapshot. A change of the reverse zones themselves rebuilds everything.
package struct SnapshotBuilder: Sendable {
    private var options: RecordOptions
    private var partitions: [String: NamespacePartition] = [:]
    private var namespaceShards: [String: AnswerShard] = [:]
    private var namespaceRecordCounts: [String: Int] = [:]
    private var reverseShards: [AnswerShard]
    /// PTR targets by owner: the reverse zones' records.
    private var pointers: [DomainName: [DomainName]] = [:]
    /// How many PTR owners lie below each reverse name (empty non-terminals while above zero).
    private var reverseNameCounts: [DomainName: Int] = [:]
    private var reverseApexes: [DomainName] = []
    /// Per namespace, the namespaces its in-zone ExternalName targets are in (nil: outside any).
    private var chainTargets: [String: [String?]] = [:]
    private var pointerCount = 0
    /// The zones covering the CIDRs, and the PTR owners outside them (each a zone of its own).
    private let coveringApexes: [DomainName]
    private var outsideOwners: Set<DomainName> = []
    private var built = false

    package init(options: RecordOptions) {
        self.options = options
        self.reverseShards = Array(repeating: .empty, count: 1 << ShardedAnswerTable.reverseBits)
        self.coveringApexes = ReverseZones.apexes(covering: options.reverseCIDRs)
    }

    /// The snapshot of `cluster` with SOA serial `serial`; only what changed since the last
    /// build is compiled again: the namespaces in `changed` when the caller knows them (a
    /// namespace not listed must be as it was), else those whose partition differs.
    package mutating func build(_ cluster: Cluster, serial: UInt32, changed: Set<String>? = nil) -> RecordSnapshot {
        self.options.serial = serial
        var next = cluster.partitions
        for namespace in cluster.namespaces where next[namespace] == nil { next[namespace] = NamespacePartition() }

        var dirty: Set<String> = []
        if let changed {
            // Only those that really differ (a file re-read to the same objects changes nothing).
            dirty = changed.filter { self.partitions[$0] != next[$0] }
            for namespace in next.keys where self.partitions[namespace] == nil { dirty.insert(namespace) }
        } else {
            for (namespace, partition) in next where self.partitions[namespace] != partition { dirty.insert(namespace) }
        }
        for namespace in self.partitions.keys where next[namespace] == nil { dirty.insert(namespace) }
        // A namespace whose ExternalName services point into a changed namespace (or at names
        // outside every namespace) follows its chains again — to a fixed point, for chains of chains.
        let domain = self.options.domain
        if !self.built {
            for (namespace, partition) in next { self.chainTargets[namespace] = Self.chainTargets(partition, domain: domain) }
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

        let previous = self.partitions
        self.partitions = next
        var changedOwners: Set<DomainName> = []
        var appeared: [DomainName] = []
        var vanished: [DomainName] = []
        // Each dirty namespace compiles on its own (in parallel); the shared state is then updated
        // in one pass.
        let view = self
        let upcoming = next
        let builds = ParallelMap.map(dirty.sorted()) { namespace in
            view.compileNamespace(namespace, before: previous[namespace], after: upcoming[namespace])
        }
        for build in builds {
            let namespace = build.namespace
            self.namespaceShards[namespace] = build.shard
            self.namespaceRecordCounts[namespace] = build.shard == nil ? nil : build.recordCount
            self.chainTargets[namespace] = build.shard == nil ? nil : build.chainTargets
            for pointer in build.before.subtracting(build.after) {
                self.removePointer(pointer.address, pointer.target, changed: &changedOwners, vanished: &vanished)
            }
            for pointer in build.after.subtracting(build.before) {
                self.addPointer(pointer.address, pointer.target, changed: &changedOwners, appeared: &appeared)
            }
        }

        let apexes = (self.coveringApexes + self.outsideOwners).sorted()
        if !self.built || apexes != self.reverseApexes {
            self.reverseApexes = apexes
            self.rebuildAllReverseShards()
        } else {
            self.updateReverseShards(changed: changedOwners, appeared: appeared, vanished: vanished)
        }
        self.built = true
        return self.assemble(cluster)
    }

    // MARK: namespaces

    /// One namespace compiled: its shard (nil once the namespace is gone) and the PTR
    /// contributions of its services before and after the change.
    struct NamespaceBuild: Sendable {
        var namespace: String
        var shard: AnswerShard?
        var recordCount = 0
        var chainTargets: [String?] = []
        var before: Set<Pointer> = []
        var after: Set<Pointer> = []
    }

    /// Compiles one namespace's shard; reads the builder's state, changes nothing.
    func compileNamespace(_ namespace: String, before: NamespacePartition?, after: NamespacePartition?) -> NamespaceBuild {
        var build = NamespaceBuild(namespace: namespace)
        for service in before?.services ?? [] {
            for (address, target) in RecordGenerator.serviceRecords(service, options: self.options).pointers {
                build.before.insert(Pointer(address: address, target: target))
            }
        }
        guard let partition = after else { return build }
        var records: [ResourceRecord] = []
        let roots = RecordGenerator.namespaceNames(namespace, options: self.options)
        var emptyNames = roots
        for service in partition.services {
            let unit = RecordGenerator.serviceRecords(service, options: self.options)
            records += unit.records
            emptyNames += unit.emptyNames
            for (address, target) in unit.pointers { build.after.insert(Pointer(address: address, target: target)) }
        }
        for pod in partition.pods { records += RecordGenerator.podRecords(pod, options: self.options) }
        let entries = EntryCompiler.compile(
            records: records, emptyNames: emptyNames,
            addAncestors: { name in roots.contains { name.isSubdomain(of: $0) } },
            zoneOf: { _ in 0 }, lookup: { self.lookup($0) })
        build.shard = AnswerShard(entries: entries)
        build.recordCount = records.count
        build.chainTargets = Self.chainTargets(partition, domain: self.options.domain)
        return build
    }

    // MARK: pointers

    private mutating func addPointer(
        _ address: IPAddress, _ target: DomainName, changed: inout Set<DomainName>, appeared: inout [DomainName]
    ) {
        let owner = RecordGenerator.pointerOwner(address)
        var targets = self.pointers[owner] ?? []
        guard !targets.contains(target) else { return }
        if targets.isEmpty {
            appeared.append(owner)
            if !self.coveringApexes.contains(where: { owner.isSubdomain(of: $0) }) { self.outsideOwners.insert(owner) }
        }
        targets.append(target)
        self.pointers[owner] = targets
        self.pointerCount += 1
        changed.insert(owner)
    }

    private mutating func removePointer(
        _ address: IPAddress, _ target: DomainName, changed: inout Set<DomainName>, vanished: inout [DomainName]
    ) {
        let owner = RecordGenerator.pointerOwner(address)
        guard var targets = self.pointers[owner], let index = targets.firstIndex(of: target) else { return }
        targets.remove(at: index)
        self.pointerCount -= 1
        changed.insert(owner)
        if targets.isEmpty {
            self.pointers[owner] = nil
            self.outsideOwners.remove(owner)
            vanished.append(owner)
        } else {
            self.pointers[owner] = targets
        }
    }

    /// The zone index (1-based among reverse zones) holding a reverse name, if any.
    private func reverseZone(of name: DomainName) -> Int? {
        var best: (zone: Int, labels: Int)?
        for (index, apex) in self.reverseApexes.enumerated() where name.isSubdomain(of: apex) {
            let labels = apex.labelCount
            if best == nil || labels > (best?.labels ?? 0) { best = (index + 1, labels) }
        }
        return best?.zone
    }

    /// Names strictly between a PTR owner and its zone's apex.
    private func reverseAncestors(of owner: DomainName) -> [DomainName] {
        guard let zone = self.reverseZone(of: owner) else { return [] }
        let apex = self.reverseApexes[zone - 1]
        var result: [DomainName] = []
        var current = owner
        while current != apex, !current.isRoot {
            current = current.parent
            if current == apex { break }
            result.append(current)
        }
        return result
    }

    private func pointerEntry(_ owner: DomainName) -> CompiledEntry? {
        guard let zone = self.reverseZone(of: owner) else { return nil }
        let apex = self.reverseApexes[zone - 1]
        guard owner != apex else { return nil }  // an exact zone's PTR lives with its apex (global)
        let records = (self.pointers[owner] ?? []).map { ResourceRecord(owner, ttl: self.options.ttl, .ptr($0)) }
        return EntryCompiler.compile(
            records: records, emptyNames: records.isEmpty ? [owner] : [], zoneOf: { _ in zone },
            lookup: { self.lookup($0) }
        ).first
    }

    private mutating func rebuildAllReverseShards() {
        self.reverseNameCounts = [:]
        for owner in self.pointers.keys {
            for ancestor in self.reverseAncestors(of: owner) { self.reverseNameCounts[ancestor, default: 0] += 1 }
        }
        // Names by hash shard, then every shard compiled on its own (in parallel).
        var buckets = Array(repeating: [DomainName](), count: self.reverseShards.count)
        for owner in self.pointers.keys {
            buckets[ShardedAnswerTable.reverseShard(NameHash.hash(owner.lowercased.wire))].append(owner)
        }
        for name in self.reverseNameCounts.keys where self.pointers[name] == nil {
            buckets[ShardedAnswerTable.reverseShard(NameHash.hash(name.lowercased.wire))].append(name)
        }
        let view = self
        // Most of the 4,096 shards of a small cluster are empty: they share the one empty shard.
        self.reverseShards = ParallelMap.map(buckets) { names in
            names.isEmpty ? .empty : AnswerShard(entries: names.compactMap { view.pointerEntry($0) })
        }
    }

    private mutating func updateReverseShards(changed: Set<DomainName>, appeared: [DomainName], vanished: [DomainName]) {
        var touched = changed
        for owner in appeared {
            for ancestor in self.reverseAncestors(of: owner) {
                self.reverseNameCounts[ancestor, default: 0] += 1
                touched.insert(ancestor)
            }
        }
        for owner in vanished {
            for ancestor in self.reverseAncestors(of: owner) {
                let count = (self.reverseNameCounts[ancestor] ?? 1) - 1
                self.reverseNameCounts[ancestor] = count > 0 ? count : nil
                touched.insert(ancestor)
            }
        }
        var removals: [Int: Set<[UInt8]>] = [:]
        var additions: [Int: [CompiledEntry]] = [:]
        for name in touched {
            let wire = name.lowercased.wire
            let shard = ShardedAnswerTable.reverseShard(NameHash.hash(wire))
            let exists = self.pointers[name] != nil || self.reverseNameCounts[name] != nil
            if exists, let entry = self.pointerEntry(name) {
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

    /// A PTR contribution: an address and the name it points back to.
    struct Pointer: Hashable, Sendable {
        var address: IPAddress
        var target: DomainName
    }

    /// The namespaces a partition's in-zone ExternalName targets are in (nil: outside any).
    static func chainTargets(_ partition: NamespacePartition, domain: DomainName) -> [String?] {
        partition.services.compactMap { service -> String?? in
            guard service.type == .externalName, let target = service.externalName.flatMap({ DomainName($0 + ".") }),
                target.isSubdomain(of: domain)
            else { return nil }
            return .some(Self.namespace(of: target, domain: domain))
        }
    }

    // MARK: lookups across shards

    /// The namespace of a name under `<ns>.svc.<zone>` or `<ns>.pod.<zone>`.
    static func namespace(of name: DomainName, domain: DomainName) -> String? {
        let labels = name.labelBytes
        let zoneLabels = domain.labelCount
        guard labels.count >= zoneLabels + 2 else { return nil }
        let marker = String(decoding: labels[labels.count - zoneLabels - 1], as: UTF8.self)
        guard marker == "svc" || marker == "pod" else { return nil }
        return String(decoding: labels[labels.count - zoneLabels - 2], as: UTF8.self).lowercased()
    }

    /// What a name of ours is, made from the cluster (for CNAME chains that leave their namespace).
    func lookup(_ name: DomainName) -> NameLookup {
        let domain = self.options.domain
        if name.isSubdomain(of: domain) {
            if let namespace = Self.namespace(of: name, domain: domain) {
                guard let partition = self.partitions[namespace] else { return .missing(zone: 0) }
                var records: [ResourceRecord] = []
                var names = RecordGenerator.namespaceNames(namespace, options: self.options)
                for service in partition.services {
                    let unit = RecordGenerator.serviceRecords(service, options: self.options)
                    records += unit.records
                    names += unit.emptyNames
                }
                for pod in partition.pods { records += RecordGenerator.podRecords(pod, options: self.options) }
                return Self.find(name, in: records, emptyNames: names)
            }
            let kubeDNS = self.partitions["kube-system"]?.services.first { $0.name == "kube-dns" }?.clusterIPs ?? []
            let global = RecordGenerator.apexRecords(kubeDNS: kubeDNS, options: self.options)
            return Self.find(name, in: global, emptyNames: self.globalEmptyNames())
        }
        guard let zone = self.reverseZone(of: name) else { return .outside }
        if let targets = self.pointers[name] {
            return .exists([(.ptr, targets.map { ResourceRecord(name, ttl: self.options.ttl, .ptr($0)) })])
        }
        if self.reverseNameCounts[name] != nil || self.reverseApexes.contains(name) { return .exists([]) }
        return .missing(zone: zone)
    }

    private static func find(_ name: DomainName, in records: [ResourceRecord], emptyNames: [DomainName]) -> NameLookup {
        var rrsets: [(type: RRType, records: [ResourceRecord])] = []
        var below = false
        for record in records {
            if record.owner == name {
                if let index = rrsets.firstIndex(where: { $0.type == record.type }) {
                    rrsets[index].records.append(record)
                } else {
                    rrsets.append((record.type, [record]))
                }
            } else if record.owner.isSubdomain(of: name) {
                below = true
            }
        }
        if rrsets.isEmpty && !below && !emptyNames.contains(name) && !emptyNames.contains(where: { $0.isSubdomain(of: name) }) {
            return .missing(zone: 0)
        }
        rrsets.sort { $0.type < $1.type }
        return .exists(rrsets.map { ($0.type, Zone.canonicallySorted($0.records)) })
    }

    private func globalEmptyNames() -> [DomainName] {
        guard !self.partitions.isEmpty else { return [] }
        var names = [RecordGenerator.name(["svc"], under: self.options.domain)]
        if self.options.pods != .disabled { names.append(RecordGenerator.name(["pod"], under: self.options.domain)) }
        return names
    }

    // MARK: assembly

    private func assemble(_ cluster: Cluster) -> RecordSnapshot {
        let domain = self.options.domain
        let kubeDNS = cluster.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? []
        var records = RecordGenerator.apexRecords(kubeDNS: kubeDNS, options: self.options)
        for apex in self.reverseApexes { records += RecordGenerator.reverseApexRecords(apex, options: self.options) }
        let count = self.namespaceRecordCounts.values.reduce(0, +) + self.pointerCount + records.count
        // An exact zone's PTR lives with its apex, in the global shard.
        for owner in self.outsideOwners {
            records += (self.pointers[owner] ?? []).map { ResourceRecord(owner, ttl: self.options.ttl, .ptr($0)) }
        }
        let apexes = [domain] + self.reverseApexes
        let global = EntryCompiler.compile(
            records: records, emptyNames: self.globalEmptyNames(),
            addAncestors: { name in name.isSubdomain(of: domain) && name != domain },
            zoneOf: { name in name.isSubdomain(of: domain) ? 0 : (apexes.firstIndex(of: name) ?? 0) },
            lookup: { self.lookup($0) })
        var zones: [ShardedAnswerTable.ZoneEntry] = []
        for apex in apexes {
            let soa = ResourceRecord(apex, ttl: self.options.ttl, RecordGenerator.soa(self.options))
            zones.append(
                ShardedAnswerTable.ZoneEntry(
                    apex: apex.lowercased.wire, name: apex,
                    nameError: EntryCompiler.negative(rcode: .nameError, soa: soa),
                    noData: EntryCompiler.negative(rcode: .noError, soa: soa)))
        }
        let namespaces = self.namespaceShards.keys.sorted()
        let index = NamespaceIndex(
            namespaces.enumerated().map { position, namespace in
                ([UInt8(namespace.utf8.count)] + Array(namespace.utf8), position)
            })
        let table = ShardedAnswerTable(
            zones: zones, global: AnswerShard(entries: global), namespaceIndex: index,
            namespaceShards: namespaces.compactMap { self.namespaceShards[$0] }, reverseShards: self.reverseShards)
        return RecordSnapshot(options: self.options, cluster: cluster, table: table, recordCount: count)
    }
}
