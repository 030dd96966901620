import ClusterModel
import DNSWire
import IPAddressing
import LDNSTestSupport
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
            // Now and then a cluster IP that is also an endpoint's address: its PTR records rank
            // the service's name first.
            let clusterIP = random.below(4) == 0 ? "10.244.9.\(random.below(20) + 1)" : "10.96.\(random.below(3)).\(random.below(30) + 1)"
            return ClusterService(
                namespace: namespace, name: name, clusterIPs: [ip(clusterIP)],
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

    /// A reply as libldns reads it, every SOA serial blanked.
    static func withoutSerials(_ bytes: [UInt8]) -> LDNSDecodedMessage? {
        guard var message = LDNSDecodedMessage.decode(bytes) else { return nil }
        func blank(_ records: [String]) -> [String] {
            records.map { record in
                var fields = record.split(separator: " ").map(String.init)
                guard fields.count == 10, fields[2] == "SOA" else { return record }
                fields[5] = "S"
                return fields.joined(separator: " ")
            }
        }
        message.answer = blank(message.answer)
        message.authority = blank(message.authority)
        return message
    }

    @Test func aReverseZoneKeepsItsSerialUntilItsContentChanges() {
        let options = RecordOptions(reverseCIDRs: [IPNetwork("10.96.0.0/16")!])
        var builder = SnapshotBuilder(options: options)
        func soaSerial(_ zone: String, _ snapshot: RecordSnapshot) -> String? {
            let reply = QueryResponder.reply(to: QueryBuilder.query(name(zone), .soa, payloadSize: 1232), over: .udp, using: snapshot)
            let record = reply.flatMap { LDNSDecodedMessage.decode($0.bytes) }?.answer.first
            let fields = record?.split(separator: " ") ?? []
            return fields.count == 10 ? String(fields[5]) : nil
        }
        func service(_ name: String, _ address: String, namespace: String = "alpha") -> ClusterService {
            ClusterService(namespace: namespace, name: name, clusterIPs: [ip(address)])
        }
        var cluster = Cluster(namespaces: ["alpha", "beta"], services: [service("web", "10.96.0.5"), service("db", "192.0.2.7", namespace: "beta")])
        let first = builder.build(cluster, serial: 10)
        #expect(soaSerial("96.10.in-addr.arpa.", first) == "10")
        #expect(soaSerial("2.0.192.in-addr.arpa.", first) == "10")
        // A change in 10.96.0.0/16 only: its zone moves on, the /24 of 192.0.2.7 stays.
        cluster.services = [service("web", "10.96.0.6"), service("db", "192.0.2.7", namespace: "beta")]
        let second = builder.build(cluster, serial: 11)
        #expect(soaSerial("cluster.local.", second) == "11")
        #expect(soaSerial("96.10.in-addr.arpa.", second) == "11")
        #expect(soaSerial("2.0.192.in-addr.arpa.", second) == "10")
        // The last address of the /24 goes, and the zone with it; another appears.
        cluster.services = [service("web", "10.96.0.6"), service("db", "198.51.100.9", namespace: "beta")]
        let third = builder.build(cluster, serial: 12)
        #expect(soaSerial("2.0.192.in-addr.arpa.", third) == nil)
        #expect(soaSerial("100.51.198.in-addr.arpa.", third) == "12")
        #expect(soaSerial("96.10.in-addr.arpa.", third) == "11")
        // The transferred zone carries the serial its SOA answers give.
        #expect(third.zones.first { $0.apex == name("96.10.in-addr.arpa.") }?.sortedRecords.first?.description.contains(" 11 ") == true)
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
                    // A reverse zone keeps the serial of the build that last changed it; a full
                    // build stamps every zone with the current one.
                    if left.map(Self.withoutSerials) != right.map(Self.withoutSerials) {
                        Issue.record("round \(round): \(question) \(type) differs")
                        return
                    }
                }
            }
        }
    }
}
