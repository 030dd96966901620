import ClusterModel
import DNSWire

/// Every record ClusterDNS serves, built from a cluster ahead of time: the compiled answers
/// (queries read them; `dump` and zone transfers read the zones back from them) and the cluster
/// they came from. Immutable: a server swaps whole snapshots, each query holds one reference to
/// one, and consecutive snapshots share the shards that did not change.
package final class RecordSnapshot: Sendable {
    package let options: RecordOptions
    package let cluster: Cluster
    package let table: ShardedAnswerTable
    /// The number of records in every zone.
    package let recordCount: Int
    /// Names that could not be formed (longer than 255 octets), each left out with its records:
    /// for `dump` and `check` to print, and `serve` to log.
    package let problems: [String]

    package init(
        options: RecordOptions, cluster: Cluster, table: ShardedAnswerTable, recordCount: Int, problems: [String] = []
    ) {
        self.options = options
        self.cluster = cluster
        self.table = table
        self.recordCount = recordCount
        self.problems = problems
    }

    /// Generates and compiles the records of `cluster` from scratch.
    package static func build(_ cluster: Cluster, options: RecordOptions) -> RecordSnapshot {
        var builder = SnapshotBuilder(options: options)
        return builder.build(cluster, serial: options.serial)
    }

    /// The zones, read back from the compiled answers (the records queries get, and nothing
    /// else): the cluster zone first, then the reverse zones in canonical order of their apexes.
    /// Each record appears once, with its owner; names that exist without records add nothing.
    package var zones: [Zone] {
        let table = self.table
        var cluster = Zone(apex: self.options.domain)
        var reverse: [Int: Zone] = [:]
        func take(_ shard: AnswerShard) {
            for (zone, records) in shard.ownedRecords() where !records.isEmpty {
                if zone == 0 {
                    cluster.records += records
                } else {
                    reverse[zone, default: Zone(apex: table.zones[zone].name)].records += records
                }
            }
        }
        take(table.global)
        table.namespaceShards.forEach(take)
        for shard in table.reverseShards where shard.count > 0 { take(shard) }
        return [cluster] + reverse.values.sorted { $0.apex < $1.apex }
    }

    /// The cluster zone's serial: one more at every publication.
    package var serial: UInt32 { self.options.serial }

    /// The zone with apex `name`, if it is one of ours.
    package func zone(named name: DomainName) -> Zone? { self.zones.first { $0.apex == name } }
}
