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
            // Headless: endpoints by hostname, two of them.
            ClusterService(
                namespace: "dev", name: "db", isHeadless: true, ports: [port("pg", .tcp, 5432)],
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.1.1")], hostname: "db-0", ports: [EndpointPort(name: "pg", port: 5432)]),
                    ClusterEndpoint(addresses: [ip("10.244.1.2")], hostname: "db-1", ports: [EndpointPort(name: "pg", port: 5432)]),
                ]),
            // Headless IPv6: by hostname and by address, a port number per endpoint, ports one
            // endpoint lacks, two protocols, one endpoint not ready.
            ClusterService(
                namespace: "dev", name: "cache", isHeadless: true,
                endpoints: [
                    ClusterEndpoint(
                        addresses: [ip("fd00:10:244::11")],
                        ports: [EndpointPort(name: "redis", port: 6380), EndpointPort(name: "dns", port: 53, protocol: .udp)]),
                    ClusterEndpoint(
                        addresses: [ip("fd00:10:244::10")], hostname: "cache-0",
                        ports: [EndpointPort(name: "redis", port: 6379), EndpointPort(name: "metrics", port: 9100), EndpointPort(port: 22)]),
                    ClusterEndpoint(addresses: [ip("fd00:10:244::12")], isReady: false, ports: [EndpointPort(name: "redis", port: 6379)]),
                ]),
            // Headless with an endpoint listing one port name twice (the first is its target's).
            ClusterService(
                namespace: "dev", name: "twin", isHeadless: true,
                endpoints: [
                    ClusterEndpoint(
                        addresses: [ip("10.244.8.1")], hostname: "t-0",
                        ports: [EndpointPort(name: "web", port: 80), EndpointPort(name: "web", port: 8080)]),
                    ClusterEndpoint(addresses: [ip("10.244.8.2")], hostname: "t-1", ports: [EndpointPort(name: "web", port: 81)]),
                ]),
            // Headless with one endpoint; with none ready; with one address under two names.
            ClusterService(
                namespace: "dev", name: "solo", isHeadless: true,
                endpoints: [ClusterEndpoint(addresses: [ip("10.244.2.1")], ports: [EndpointPort(name: "web", port: 80)])]),
            ClusterService(
                namespace: "dev", name: "idle", isHeadless: true,
                endpoints: [ClusterEndpoint(addresses: [ip("10.244.2.2")], isReady: false, ports: [EndpointPort(name: "web", port: 80)])]),
            ClusterService(
                namespace: "dev", name: "shared", isHeadless: true,
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.3.1")], hostname: "a"),
                    ClusterEndpoint(addresses: [ip("10.244.3.1")]),
                ]),
            // Headless with more endpoints than are compared in place, two of them spelling
            // another's address: 30 SRV targets, past the writer's 24 names searched in a row.
            ClusterService(
                namespace: "dev", name: "many", isHeadless: true,
                endpoints: (0..<28).map { index in
                    ClusterEndpoint(
                        addresses: [IPAddress(ipv4: 0x0AF4_0600 + UInt32(index))], hostname: "m-\(index)",
                        ports: [EndpointPort(name: "web", port: 80)])
                } + [
                    ClusterEndpoint(addresses: [ip("10.244.6.0")], ports: [EndpointPort(name: "web", port: 81)]),
                    ClusterEndpoint(addresses: [ip("10.244.6.1")], ports: [EndpointPort(name: "web", port: 81)]),
                ]),
            // Record path: two addresses for one hostname; dual-stack; headless over both
            // families; a headless port's answer past 16 KiB; endpoint port names that differ
            // only in case (one SRV owner); no cluster IP.
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
                namespace: "dev", name: "mixed", isHeadless: true,
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.4.1")], ports: [EndpointPort(name: "web", port: 80)]),
                    ClusterEndpoint(addresses: [ip("fd00:10:244::4:1")], ports: [EndpointPort(name: "web", port: 80)]),
                ]),
            ClusterService(
                namespace: "dev", name: "wide", isHeadless: true,
                endpoints: (0..<300).map { index in
                    ClusterEndpoint(
                        addresses: [IPAddress(ipv4: 0x0AF4_0500 + UInt32(index))], hostname: "a-rather-long-endpoint-hostname-\(index)",
                        ports: [EndpointPort(name: "web", port: 80)])
                }),
            ClusterService(
                namespace: "dev", name: "cased", isHeadless: true,
                endpoints: [
                    ClusterEndpoint(addresses: [ip("10.244.7.1")], hostname: "a", ports: [EndpointPort(name: "web", port: 80)]),
                    ClusterEndpoint(addresses: [ip("10.244.7.2")], hostname: "b", ports: [EndpointPort(name: "WEB", port: 81)]),
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
        #expect(
            direct.direct.count == 70,
            """
            web: its name, 3 named ports, _tcp and _udp; api: its name, 2 endpoints, 1 port, _tcp; bare: its name; \
            db: its name, 2 endpoints, 1 port, _tcp; cache: its name, 2 endpoints, 3 ports, _tcp and _udp; \
            solo: its name, its endpoint, 1 port, _tcp; idle: nothing; shared: its name, 2 endpoints; \
            many: its name, 30 endpoints, 1 port, _tcp; twin: its name, 2 endpoints, 1 port, _tcp
            """)
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
