import ClusterModel
import DNSWire

/// Every record ClusterDNS serves, built from a cluster ahead of time: the zones (for `dump` and
/// zone transfers) and the compiled answer table (for queries). Immutable and Sendable: a server
/// swaps whole snapshots, and each query reads one.
package struct RecordSnapshot: Sendable {
    package let options: RecordOptions
    /// The cluster zone first, then the reverse zones in canonical order.
    package let zones: [Zone]
    package let table: AnswerTable

    package init(options: RecordOptions, zones: [Zone], table: AnswerTable) {
        self.options = options
        self.zones = zones
        self.table = table
    }

    /// Generates and compiles the records of `cluster`.
    package static func build(_ cluster: Cluster, options: RecordOptions) -> RecordSnapshot {
        let zones = RecordGenerator.zones(for: cluster, options: options)
        return RecordSnapshot(options: options, zones: zones, table: AnswerCompiler.compile(zones))
    }

    /// The number of records in every zone.
    package var recordCount: Int { self.zones.reduce(0) { $0 + $1.records.count } }

    package var serial: UInt32 { self.options.serial }

    /// The zone with apex `name`, if it is one of ours.
    package func zone(named name: DomainName) -> Zone? { self.zones.first { $0.apex == name } }
}
