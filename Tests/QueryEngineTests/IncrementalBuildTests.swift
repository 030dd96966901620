import ClusterModel
import DNSWire
import Manifests
import QueryEngine
import Testing
import ZoneCompiler

/// A snapshot rebuilt incrementally must answer every question exactly as one built from scratch.
@Suite("Incremental rebuilds answer as full builds do")
struct IncrementalBuildTests {
    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var value = self.state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(self.next() % UInt64(bound)) }
    }

    static let namespaces = ["alpha", "beta", "gamma", "kube-system"]

    static func randomService(_ random: inout Random, namespace: String, name: String) -> ClusterService {
        switch random.below(5) {
        case 0:
            let count = random.below(4)
            let endpoints = (0..<count).map { index in
                ClusterEndpoint(
                    addresses: [ip("10.244.\(random.below(3)).\(random.below(20) + 1)")],
                    hostname: random.below(2) == 0 ? "host-\(index)" : nil, isReady: random.below(4) != 0,
                    ports: [EndpointPort(name: "http", port: 8000 + random.below(3))])
            }
            return ClusterService(namespace: namespace, name: name, isHeadless: true, endpoints: endpoints)
        case 1:
            let targets = ["www.example.com", "web.alpha.svc.cluster.local", "db.beta.svc.cluster.local",
                "missing.gamma.svc.cluster.local", "ns.dns.cluster.local"]
            return ClusterService(
                namespace: namespace, name: name, type: .externalName, externalName: targets[random.below(targets.count)])
        case 2:
            // Endpoints outside the CIDRs: reverse zones of their own.
            return ClusterService(
                namespace: namespace, name: name, isHeadless: true,
                endpoints: [ClusterEndpoint(addresses: [ip("192.0.2.\(random.below(4) + 1)")], hostname: "ext")])
        default:
            return ClusterService(
                namespace: namespace, name: name, clusterIPs: [ip("10.96.\(random.below(3)).\(random.below(30) + 1)")],
                ports: [ClusterServicePort(name: "http", protocol: .tcp, port: 80, targetPort: .number(80))],
                endpoints: random.below(2) == 0
                    ? [ClusterEndpoint(addresses: [ip("10.244.9.\(random.below(20) + 1)")])] : [])
        }
    }

    static func randomCluster(_ random: inout Random) -> Cluster {
        var services: [ClusterService] = []
        var pods: [ClusterPod] = []
        var namespaces: [String] = []
        for namespace in Self.namespaces where random.below(5) != 0 {
            namespaces.append(namespace)
            for name in ["web", "db", "cache", "kube-dns"] where random.below(3) != 0 {
                services.append(Self.randomService(&random, namespace: namespace, name: name))
            }
            for index in 0..<random.below(3) {
                pods.append(ClusterPod(namespace: namespace, name: "pod-\(index)", ips: [ip("10.244.5.\(random.below(30) + 1)")]))
            }
        }
        return Cluster(
            namespaces: namespaces, services: services.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) },
            pods: pods.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) })
    }

    /// Names worth asking about: every owner and its ancestors, and names that do not exist.
    static func questions(_ snapshot: RecordSnapshot) -> [String] {
        var names: Set<String> = ["nothere.alpha.svc.cluster.local.", "x.y.z.cluster.local.", "9.9.9.10.in-addr.arpa."]
        for zone in snapshot.zones {
            for record in zone.records {
                var current = record.owner
                while !current.isRoot {
                    names.insert(current.description)
                    current = current.parent
                }
            }
        }
        return names.sorted()
    }

    @Test func randomEditsKeepIncrementalAndFullBuildsIdentical() {
        var random = Random(state: 42)
        let options = RecordOptions(
            reverseCIDRs: [IPNetwork("10.96.0.0/16")!, IPNetwork("10.244.0.0/16")!])
        var builder = SnapshotBuilder(options: options)
        var cluster = Self.randomCluster(&random)
        for round in 0..<40 {
            // Each round changes a few namespaces (or everything).
            if round % 10 == 9 {
                cluster = Self.randomCluster(&random)
            } else {
                var services = cluster.services
                for _ in 0..<(1 + random.below(3)) where !services.isEmpty {
                    let index = random.below(services.count)
                    switch random.below(3) {
                    case 0: services.remove(at: index)
                    default:
                        services[index] = Self.randomService(
                            &random, namespace: services[index].namespace, name: services[index].name)
                    }
                }
                cluster.services = services
            }
            let serial = UInt32(100 + round)
            let incremental = builder.build(cluster, serial: serial)
            var fullOptions = options
            fullOptions.serial = serial
            let full = RecordSnapshot.build(cluster, options: fullOptions)
            #expect(incremental.recordCount == full.recordCount, "round \(round): record count")
            for question in Self.questions(full) {
                for type in [RRType.a, .aaaa, .srv, .ptr, .cname, .txt, .soa, .ns, .any] {
                    let query = QueryBuilder.query(name(question), type, payloadSize: 1232)
                    let left = QueryResponder.reply(to: query, over: .udp, using: incremental)?.bytes
                    let right = QueryResponder.reply(to: query, over: .udp, using: full)?.bytes
                    if left != right {
                        Issue.record("round \(round): \(question) \(type) differs")
                        return
                    }
                }
            }
        }
    }
}
