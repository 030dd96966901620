import DNSWire
import IPAddressing

extension SnapshotBuilder {
    /// A PTR owner with one target, as the first build carries it to its shard to be laid out
    /// directly (`DirectEntry`): the address its owner is named from, its zone, its target.
    struct DirectPointer: Sendable {
        var address: IPAddress
        var zone: Int
        var target: DomainName
    }
}
