import DNSWire
import IPAddressing
import Testing

@testable import Explain

/// The pure helpers `explain` leans on: nearest names, and the address a reverse name spells.
@Suite("explain: closest names and reverse names")
struct ExplainHelpersTests {
    @Test(
        arguments: [
            ("servce-clusterip", ["service-clusterip", "service-nodeport", "web"], ["service-clusterip"]),
            ("dev", ["dev", "default", "kube-system"], ["dev"]),
            ("xyz", ["kube-system", "default"], []),
            ("web", ["web-1", "web-0", "db"], ["web-0", "web-1"]),
        ])
    func closestNames(name: String, candidates: [String], expected: [String]) {
        #expect(ClosestNames.to(name, among: candidates) == expected)
    }

    @Test func editDistanceCountsInsertionsDeletionsAndChanges() {
        #expect(ClosestNames.distance("kitten", "sitting") == 3)
        #expect(ClosestNames.distance("", "abc") == 3)
        #expect(ClosestNames.distance("same", "same") == 0)
    }

    @Test(
        arguments: [
            ("97.97.97.10.in-addr.arpa.", "10.97.97.97"),
            ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::1"),
            ("97.97.10.in-addr.arpa.", nil),
            ("example.com.", nil),
        ])
    func addressFromReverseName(name: String, address: String?) {
        let parsed = IPAddress.parsing(reverseName: name)
        #expect(parsed == address.flatMap { IPAddress($0) })
    }
}
