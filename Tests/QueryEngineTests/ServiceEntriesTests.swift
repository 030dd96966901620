import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import Testing

@testable import ZoneCompiler

/// A namespace whose ClusterIP services are laid out directly from the model holds exactly the
/// names, answers, record count and PTR contributions it holds when they are made into records
/// and compiled; services of any other shape take the record path either way.
@Suite("Services laid out directly: the record path's names and answers")
struct ServiceEntriesTests {
    static func port(_ name: String?, _ proto: PortProtocol = .tcp, _ number: Int = 80) -> ClusterServicePort {
        ClusterServicePort(name: name, protocol: proto, port: number, targetPort: .number(number))
    }

    static let services: [ClusterService] = {
        var services = [
            // One address, named ports over two protocols, an unnamed one.
            ClusterService(
                namespace: "dev", name: "web", clusterIPs: [ip("10.96.0.5")],
                ports: [port("http"), port("dns", .udp, 53), port("dns", .tcp, 53), port(nil, .tcp, 9000)]),
            // IPv6; endpoints by hostname and by address, one not ready, one terminating.
            ClusterService(
                namespace: "dev", name: "api", clusterIPs: [ip("fd00:10:96::7")], ipFamilies: [.ipv6], ports: [port("grpc", .tcp, 9090)],
                endpoints: [
                    ClusterEndpoint(addresses: [ip("fd00:10:244::1")], hostname: "api-0"),
                    ClusterEndpoint(addresses: [ip("fd00:10:244::2")]),
                    ClusterEndpoint(addresses: [ip("fd00:10:244::3")], isReady: false),
                    ClusterEndpoint(addresses: [ip("fd00:10:244::4")], isTerminating: true),
                ]),
            // No ports.
            ClusterService(namespace: "dev", name: "bare", clusterIPs: [ip("10.96.0.6")]),
            // Record path: two addresses for one hostname; dual-stack; headless; no cluster IP.
            ClusterService(
                namespace: "dev", name: "twice", clusterIPs: [ip("10.96.0.8")], ports: [port("http")],
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.0.8")], hostname: "same"),
                    ClusterEndpoint(addresses: [ip("10.244.0.9")], hostname: "same"),
                ]),
            ClusterService(
                namespace: "dev", name: "dual", clusterIPs: [ip("10.96.0.9"), ip("fd00:10:96::9")], ipFamilies: [.ipv4, .ipv6],
                ports: [port("http")]),
            ClusterService(
                namespace: "dev", name: "db", isHeadless: true, ports: [port("pg", .tcp, 5432)],
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.1.1")], hostname: "db-0", ports: [EndpointPort(name: "pg", port: 5432)]),
                    ClusterEndpoint(addresses: [ip("10.244.1.2")], hostname: "db-1", ports: [EndpointPort(name: "pg", port: 5432)]),
                ]),
            ClusterService(namespace: "dev", name: "none", ports: [port("http")]),
            // A CNAME out of the cluster does not stop the namespace being laid out directly.
            ClusterService(namespace: "dev", name: "ext", type: .externalName, externalName: "example.com"),
        ]
        services[2].selector = ["app": "bare"]
        return services
    }()

    /// The shard `SnapshotBuilder.compile` makes of `records`.
    static func shard(_ records: NamespaceRecords) -> AnswerShard {
        let roots = records.roots
        let compiled = EntryCompiler.compileForShard(
            records: records.records, emptyNames: records.emptyNames,
            addAncestors: { name in roots.contains { name.isSubdomain(of: $0) } }, zoneOf: { _ in 0 }, lookup: { _ in .outside })
        return AnswerShard(entries: compiled.entries, direct: compiled.direct + records.direct)
    }

    @Test func directLayoutHoldsWhatTheRecordsMake() throws {
        let partition = NamespacePartition(services: Self.services)
        let options = RecordOptions(reverseCIDRs: [])
        let viaRecords = NamespaceRecords("dev", partition, options: options)
        let direct = NamespaceRecords("dev", partition, options: options, layingOutDirectly: true)
        #expect(direct.direct.count == 12, "web: its name, 3 named ports, _tcp and _udp; api: its name, 2 endpoints, 1 port, _tcp; bare: its name")
        #expect(viaRecords.direct.isEmpty)
        #expect(Set(Self.shard(direct).entries()) == Set(Self.shard(viaRecords).entries()))
        #expect(Self.shard(direct).count == Self.shard(viaRecords).count)
        #expect(direct.recordCount == viaRecords.recordCount)
        #expect(Set(direct.pointers) == Set(viaRecords.pointers))
        #expect(direct.problems == viaRecords.problems)
    }

    /// A chain that may lead back into the namespace (an ExternalName to a name in it, or to a
    /// name of the cluster domain outside every namespace) keeps every service on the record path.
    @Test(arguments: ["web.dev.svc.cluster.local", "zone-file-name.cluster.local"])
    func aChainBackIntoTheNamespaceKeepsTheRecordPath(_ target: String) {
        var services = Self.services
        services.append(ClusterService(namespace: "dev", name: "alias", type: .externalName, externalName: target))
        let records = NamespaceRecords("dev", NamespacePartition(services: services), options: RecordOptions(), layingOutDirectly: true)
        #expect(records.direct.isEmpty)
    }
}
