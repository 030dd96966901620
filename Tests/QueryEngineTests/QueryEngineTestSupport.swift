import ClusterModel
import DNSWire
import IPAddressing
import LDNSTestSupport
import Manifests
import QueryEngine
import Testing
import ZoneCompiler

func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { fatalError("bad address \(text) in a test") }
    return address
}

func name(_ text: String) -> DomainName {
    guard let name = DomainName(text) else { fatalError("bad name \(text) in a test") }
    return name
}

/// A cluster built in code that exercises every record form of the specification.
let referenceCluster: Cluster = {
    func endpoint(_ address: String, hostname: String? = nil, ready: Bool = true, terminating: Bool = false,
        ports: [EndpointPort] = []) -> ClusterEndpoint
    {
        ClusterEndpoint(addresses: [ip(address)], hostname: hostname, isReady: ready, isTerminating: terminating, ports: ports)
    }
    let pg = [EndpointPort(name: "pg", port: 5432)]
    let services = [
        ClusterService(
            namespace: "dev", name: "web", clusterIPs: [ip("10.96.0.5")],
            ports: [
                ClusterServicePort(name: "http", protocol: .tcp, port: 80, targetPort: .number(8080)),
                ClusterServicePort(name: "metrics", protocol: .tcp, port: 9090, targetPort: .number(9090)),
            ],
            endpoints: [
                endpoint("10.244.0.1", ports: [EndpointPort(name: "http", port: 8080)]),
                endpoint("10.244.0.2", ports: [EndpointPort(name: "http", port: 8080)]),
                endpoint("10.244.0.3", ready: false),
            ]),
        ClusterService(
            namespace: "dev", name: "db", isHeadless: true,
            endpoints: [
                endpoint("10.244.1.1", hostname: "db-0", ports: pg), endpoint("10.244.1.2", hostname: "db-1", ports: pg),
                endpoint("10.244.1.3", hostname: "db-2", ready: false, ports: pg),
            ]),
        ClusterService(
            namespace: "dev", name: "shared", isHeadless: true,
            endpoints: [endpoint("10.244.2.1", hostname: "same"), endpoint("10.244.2.2", hostname: "same")]),
        ClusterService(namespace: "dev", name: "empty-headless", isHeadless: true),
        ClusterService(
            namespace: "dev", name: "unready", isHeadless: true,
            endpoints: [endpoint("10.244.3.1", ready: false), endpoint("10.244.3.2", ready: false, terminating: true)],
            publishesNotReadyAddresses: true),
        ClusterService(namespace: "dev", name: "ext", type: .externalName, externalName: "www.example.com"),
        ClusterService(
            namespace: "dev", name: "alias", type: .externalName, externalName: "web.dev.svc.cluster.local"),
        ClusterService(
            namespace: "dev", name: "dangling", type: .externalName, externalName: "nothing.dev.svc.cluster.local"),
        ClusterService(
            namespace: "dev", name: "loop1", type: .externalName, externalName: "loop2.dev.svc.cluster.local"),
        ClusterService(
            namespace: "dev", name: "loop2", type: .externalName, externalName: "loop1.dev.svc.cluster.local"),
        ClusterService(
            namespace: "dev", name: "dual", clusterIPs: [ip("10.96.0.6"), ip("fd00:10:96::6")],
            ipFamilies: [.ipv4, .ipv6]),
        ClusterService(
            namespace: "dev", name: "v6only", isHeadless: true, ipFamilies: [.ipv6],
            endpoints: [endpoint("fd00:10:244::5")]),
        ClusterService(namespace: "kube-system", name: "kube-dns", clusterIPs: [ip("10.96.0.10")]),
    ]
    let pods = [
        ClusterPod(namespace: "dev", name: "web-a", ips: [ip("10.244.0.1")]),
        ClusterPod(namespace: "dev", name: "web-b", ips: [ip("10.244.0.2"), ip("fd00:10:244::2")]),
    ]
    return Cluster(namespaces: ["dev", "empty", "kube-system"], services: services, pods: pods)
}()

let referenceOptions = RecordOptions(
    serial: 7,
    reverseCIDRs: [
        IPNetwork("10.96.0.0/16")!, IPNetwork("10.244.0.0/16")!, IPNetwork("fd00:10:96::/112")!,
        IPNetwork("fd00:10:244::/112")!,
    ])

let referenceSnapshot = RecordSnapshot.build(referenceCluster, options: referenceOptions)

/// Sends `query` through the responder and decodes the reply with libldns, checking the
/// invariants every response must keep: ID, opcode and question echoed, QR set, RD copied.
func exchange(
    _ query: [UInt8], over transport: Transport = .udp, snapshot: RecordSnapshot = referenceSnapshot,
    settings: ResponderSettings = ResponderSettings(), sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> (message: LDNSDecodedMessage, bytes: [UInt8])? {
    guard let (bytes, _) = QueryResponder.reply(to: query, over: transport, using: snapshot, settings: settings) else {
        return nil
    }
    guard let message = LDNSDecodedMessage.decode(bytes) else {
        Issue.record("libldns rejected the reply \(bytes)", sourceLocation: sourceLocation)
        return nil
    }
    let queryMessage = LDNSDecodedMessage.decode(query)
    #expect(message.qr, "QR must be set", sourceLocation: sourceLocation)
    #expect(message.id == UInt16(query[0]) << 8 | UInt16(query[1]), "ID echoed", sourceLocation: sourceLocation)
    #expect(message.rd == (query[2] & 0x01 != 0), "RD copied", sourceLocation: sourceLocation)
    #expect(message.opcode == Int((query[2] >> 3) & 0x0F), "opcode echoed", sourceLocation: sourceLocation)
    if let queryMessage, !message.question.isEmpty {
        #expect(message.question == queryMessage.question, "question echoed", sourceLocation: sourceLocation)
    }
    return (message, bytes)
}

func ask(
    _ qname: String, _ type: RRType, over transport: Transport = .udp, snapshot: RecordSnapshot = referenceSnapshot,
    payloadSize: UInt16? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> LDNSDecodedMessage? {
    exchange(
        QueryBuilder.query(name(qname), type, payloadSize: payloadSize), over: transport, snapshot: snapshot,
        sourceLocation: sourceLocation)?.message
}

extension QueryResponder {
    /// Convenience for tests and tools: the reply as an array, nil when the query is dropped.
    static func reply(
        to query: [UInt8], over transport: Transport, using snapshot: RecordSnapshot,
        settings: ResponderSettings = ResponderSettings()
    ) -> (bytes: [UInt8], outcome: QueryOutcome)? {
        var output = [UInt8](repeating: 0, count: Self.outputCapacity(for: transport, settings: settings))
        let outcome = query.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                Self.respond(to: input, over: transport, using: snapshot, settings: settings, into: out)
            }
        }
        switch outcome.action {
        case .drop: return nil
        case .reply(let length), .outOfZone(refusedLength: let length, request: _),
            .chase(length: let length, chain: _, request: _):
            return (Array(output[0..<length]), outcome)
        case .zoneTransfer: return ([], outcome)
        }
    }
}
