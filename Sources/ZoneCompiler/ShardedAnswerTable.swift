import DNSWire

/// Every compiled name of a snapshot, in shards that a rebuild replaces independently: one per
/// namespace (`<ns>.svc.<zone>`, `<ns>.pod.<zone>` and below), the reverse zones (apexes
/// included) spread over hash buckets, and a small global shard (the cluster zone's apex and the
/// names between it and the namespaces), and one shard per zone file's zone. A query
/// finds its shard from its own labels, then probes that shard.
package struct ShardedAnswerTable: Sendable {
    /// One zone: its apex (lower-cased wire), and its negative answers (built with each
    /// snapshot, so their SOA carries the current serial).
    package struct ZoneEntry: Sendable {
        package var apex: [UInt8]
        package var name: DomainName
        /// The serial in the zone's SOA.
        package var serial: UInt32
        package var nameError: CompiledBlob
        package var noData: CompiledBlob
        /// A zone from a zone file: its shard in `fileShards`; -1 for the generated zones.
        package var fileShard: Int

        package init(
            apex: [UInt8], name: DomainName, serial: UInt32, nameError: CompiledBlob, noData: CompiledBlob, fileShard: Int = -1
        ) {
            self.apex = apex
            self.name = name
            self.serial = serial
            self.nameError = nameError
            self.noData = noData
            self.fileShard = fileShard
        }

        /// What a zone number no zone holds carries.
        package static let vacant = ZoneEntry(
            apex: [], name: .root, serial: 0, nameError: CompiledBlob(rcode: 2, bytes: [], answerCount: 0, cuts: []),
            noData: CompiledBlob(rcode: 2, bytes: [], answerCount: 0, cuts: []))
    }

    /// By zone number: 0 is the cluster zone, the reverse zones follow. A number whose zone is
    /// gone holds a placeholder until a new zone takes it (numbers never shift, so a new zone
    /// leaves every compiled answer as it is).
    package var zones: [ZoneEntry]
    package var zoneIndex: ZoneIndex
    package var global: AnswerShard
    package var namespaceIndex: NamespaceIndex
    package var namespaceShards: [AnswerShard]
    /// Reverse names by `hash >> (32 - reverseBits)`.
    package var reverseShards: [AnswerShard]
    /// One shard per zone file's zone (`ZoneEntry.fileShard`).
    package var fileShards: [AnswerShard]

    package static let reverseBits = 12

    package init(
        zones: [ZoneEntry], zoneIndex: ZoneIndex, global: AnswerShard, namespaceIndex: NamespaceIndex, namespaceShards: [AnswerShard],
        reverseShards: [AnswerShard], fileShards: [AnswerShard] = []
    ) {
        self.zones = zones
        self.zoneIndex = zoneIndex
        self.global = global
        self.namespaceIndex = namespaceIndex
        self.namespaceShards = namespaceShards
        self.reverseShards = reverseShards
        self.fileShards = fileShards
    }

    /// The reverse shard of a name with `hash`.
    @inlinable
    package static func reverseShard(_ hash: UInt32) -> Int { Int(hash >> UInt32(32 - Self.reverseBits)) }

    /// The zone whose apex is the longest suffix of `name` (lower-cased wire), given the offsets
    /// where its labels start; nil when the name is outside every zone.
    @inlinable
    package func zone(containing name: UnsafeRawBufferPointer, labelStarts: UnsafeBufferPointer<UInt8>) -> Int? {
        self.zoneIndex.zone(containing: name, labelStarts: labelStarts)
    }

    /// The shard that holds `name` if it exists, in zone `zone`.
    @inlinable
    package func shard(
        for name: UnsafeRawBufferPointer, hash: UInt32, zone: Int, labelStarts: UnsafeBufferPointer<UInt8>
    ) -> AnswerShard? {
        let apexLength = self.zones[zone].apex.count
        if zone == 0 {
            // `<...>.<ns>.svc.<zone>` and `<...>.<ns>.pod.<zone>`: the namespace's shard.
            guard let (range, _) = ClusterNames.namespaceLabel(in: name, labelStarts: labelStarts, apexLength: apexLength)
            else { return self.global }
            guard let shard = self.namespaceIndex.find(UnsafeRawBufferPointer(rebasing: name[range])) else { return nil }
            return self.namespaceShards[shard]
        }
        let fileShard = self.zones[zone].fileShard
        if fileShard >= 0 { return self.fileShards[fileShard] }
        // Reverse names, their zones' apexes included, by hash.
        return self.reverseShards[Self.reverseShard(hash)]
    }
}
