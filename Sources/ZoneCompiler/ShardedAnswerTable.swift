import DNSWire

/// Every compiled name of a snapshot, in shards that a rebuild replaces independently: one per
/// namespace (`<ns>.svc.<zone>`, `<ns>.pod.<zone>` and below), the reverse zones (apexes
/// included) spread over hash buckets, and a small global shard (the cluster zone's apex and the
/// names between it and the namespaces), and one shard per zone file's zone. A query
/// finds its shard from its own labels, then probes that shard.
package struct ShardedAnswerTable: Sendable {
    /// One zone: its apex (lower-cased wire), and its negative answers (built with each
    /// snapshot, so their SOA carries the current serial).
    /// One zone's apex and negative answers. What the query path reads for every question (the
    /// apex's length, the zone file's shard) is held inline; the rest sits in one shared box, so
    /// that copying the zone list (a build changes a few of thousands of zones) costs one retain
    /// per zone instead of one per array in it.
    package struct ZoneEntry: Sendable {
        /// The apex's length in wire form (0 for a vacant number).
        package let apexLength: Int
        /// A zone from a zone file: its shard in `fileShards`; -1 for the generated zones.
        package let fileShard: Int
        private let content: Content

        private final class Content: Sendable {
            let apex: [UInt8]
            let name: DomainName
            let serial: UInt32
            let nameError: CompiledBlob
            let noData: CompiledBlob

            init(apex: [UInt8], name: DomainName, serial: UInt32, nameError: CompiledBlob, noData: CompiledBlob) {
                self.apex = apex
                self.name = name
                self.serial = serial
                self.nameError = nameError
                self.noData = noData
            }
        }

        package init(
            apex: [UInt8], name: DomainName, serial: UInt32, nameError: CompiledBlob, noData: CompiledBlob, fileShard: Int = -1
        ) {
            self.apexLength = apex.count
            self.fileShard = fileShard
            self.content = Content(apex: apex, name: name, serial: serial, nameError: nameError, noData: noData)
        }

        /// The apex, lower-cased wire form.
        package var apex: [UInt8] { self.content.apex }
        package var name: DomainName { self.content.name }
        /// The serial in the zone's SOA.
        package var serial: UInt32 { self.content.serial }
        package var nameError: CompiledBlob { self.content.nameError }
        package var noData: CompiledBlob { self.content.noData }

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
        let apexLength = self.zones[zone].apexLength
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
