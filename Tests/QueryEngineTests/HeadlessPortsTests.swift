import DNSWire
import IPAddressing
import Manifests
import Testing

@testable import ZoneCompiler

/// A headless service's SRV owners and targets (spec 2.4.2), as both the record path and the
/// direct layout take them: one owner per port name and protocol, in the order of their
/// `<name>/<protocol>` keys; per owner, the endpoints that list the port, in endpoint order, each
/// with the number of the first port of that name and protocol it lists.
@Suite("Headless services' named ports")
struct HeadlessPortsTests {
    typealias Endpoint = (name: DomainName, addresses: [IPAddress], ports: [EndpointPort])

    static func endpoint(_ label: String, _ ports: [EndpointPort]) -> Endpoint {
        (name("\(label).db.dev.svc.cluster.local."), [ip("10.244.0.1")], ports)
    }

    @Test func portsComeInKeyOrderWithTheirEndpointsInOrder() {
        let endpoints = [
            Self.endpoint("e0", [EndpointPort(name: "a", port: 1), EndpointPort(name: "a-b", port: 2), EndpointPort(port: 3)]),
            // The same name twice: the first is the target's port.
            Self.endpoint("e1", [EndpointPort(name: "a", port: 10), EndpointPort(name: "a", port: 11)]),
            // Only some endpoints list a port; one name under two protocols is two owners.
            Self.endpoint("e2", [EndpointPort(name: "dns", port: 53, protocol: .udp), EndpointPort(name: "dns", port: 53)]),
            Self.endpoint("e3", []),
            Self.endpoint("e4", [EndpointPort(name: "a-b", port: 20), EndpointPort(name: "a", port: 21)]),
        ]
        let ports = RecordGenerator.headlessPorts(endpoints)
        // "a-b/TCP" sorts before "a/TCP": '-' is below '/'.
        #expect(ports.map { "\($0.name)/\($0.protocol.rawValue)" } == ["a-b/TCP", "a/TCP", "dns/TCP", "dns/UDP"])
        #expect(ports[0].targets.map { [$0.endpoint, $0.port] } == [[0, 2], [4, 20]])
        #expect(ports[1].targets.map { [$0.endpoint, $0.port] } == [[0, 1], [1, 10], [4, 21]])
        #expect(ports[2].targets.map { [$0.endpoint, $0.port] } == [[2, 53]])
        #expect(ports[3].targets.map { [$0.endpoint, $0.port] } == [[2, 53]])
    }

    @Test func noNamedPortsNoOwners() {
        #expect(RecordGenerator.headlessPorts([Self.endpoint("e0", [EndpointPort(port: 80)])]).isEmpty)
        #expect(RecordGenerator.headlessPorts([]).isEmpty)
    }
}
