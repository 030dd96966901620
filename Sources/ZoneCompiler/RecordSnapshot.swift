import ClusterModel
import DNSWire
import IPAddressing
import Manifests

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
    /// True while the source has not delivered its first complete state (the API server not yet
    /// listed): names in our zones get SERVFAIL, never an NXDOMAIN that clients would cache.
    package let awaitingSource: Bool
    /// With `--autopath`: the namespace of each pod address (pods on their node's network and
    /// finished pods left out, since their address says nothing of who asks).
    package let podNamespaces: [IPAddress: String]
    /// The zone files' and external zones' layout: where each of their records came from.
    package let fileZones: FileZoneSet

    package init(
        options: RecordOptions, cluster: Cluster, table: ShardedAnswerTable, recordCount: Int, problems: [String] = [],
        awaitingSource: Bool = false, fileZones: FileZoneSet = .empty
    ) {
        self.fileZones = fileZones
        self.options = options
        self.cluster = cluster
        self.table = table
        self.recordCount = recordCount
        self.problems = problems
        self.awaitingSource = awaitingSource
        self.podNamespaces = options.autopath ? Self.podNamespaces(cluster) : [:]
    }

    private static func podNamespaces(_ cluster: Cluster) -> [IPAddress: String] {
        var result: [IPAddress: String] = [:]
        for pod in cluster.pods where !pod.hostNetwork && !pod.isTerminated {
            for address in pod.ips { result[address] = pod.namespace }
        }
        return result
    }

    /// The snapshot served before the source's first complete state: our zones exist (so their
    /// names are never forwarded) and answer SERVFAIL.
    package static func awaitingSource(options: RecordOptions) -> RecordSnapshot {
        let empty = Self.build(Cluster(), options: options)
        return RecordSnapshot(
            options: options, cluster: empty.cluster, table: empty.table, recordCount: 0, awaitingSource: true)
    }

    /// Generates and compiles the records of `cluster`, and the zone files' zones, from scratch.
    package static func build(
        _ cluster: Cluster, options: RecordOptions, zoneFiles: [(path: String, content: ZoneFileContent)] = []
    ) -> RecordSnapshot {
        var builder = SnapshotBuilder(options: options)
        return builder.build(cluster, serial: options.serial, zoneFiles: zoneFiles)
    }

    /// The zones, read back from the compiled answers (the records queries get, and nothing
    /// else): the cluster zone first, then the reverse zones and the zone files' zones in
    /// canonical order of their apexes.
    /// Each record appears once, with its owner; names that exist without records add nothing.
    package var zones: [Zone] {
        let numbers = self.table.zones.indices.filter { $0 > 0 && self.table.zones[$0].apexLength > 0 }
        let reverse = numbers.compactMap { self.zone(number: $0) }.sorted { $0.apex < $1.apex }
        return [self.zone(number: 0)].compactMap { $0 } + reverse
    }

    /// One zone, read back from the compiled answers: what a transfer of it sends. nil for a
    /// number no zone holds.
    package func zone(number: Int) -> Zone? {
        guard number < self.table.zones.count, self.table.zones[number].apexLength > 0 else { return nil }
        var zone = Zone(apex: number == 0 ? self.options.domain : self.table.zones[number].name)
        func take(_ shard: AnswerShard) {
            for entry in shard.entryList where shard.zone(at: entry) == number {
                zone.records += shard.rrsets(at: entry).flatMap(\.records)
            }
        }
        if number == 0 {
            take(self.table.global)
            self.table.namespaceShards.forEach(take)
        } else if self.table.zones[number].fileShard >= 0 {
            take(self.table.fileShards[self.table.zones[number].fileShard])
        } else {
            for shard in self.table.reverseShards where shard.count > 0 { take(shard) }
        }
        return zone
    }

    /// The cluster zone's serial: one more at every publication.
    package var serial: UInt32 { self.options.serial }

}
