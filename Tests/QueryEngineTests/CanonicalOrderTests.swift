import DNSWire
import IPAddressing
import Testing

@testable import ZoneCompiler

/// RFC 4034 §6.3: an RRset's records in canonical order — owner, type, then rdata as unsigned
/// octets (an address as its number). Records given in order come back as they were; any other
/// order is sorted; records of other types are keyed by their canonical rdata.
@Suite("Canonical order of records (RFC 4034 §6)")
struct CanonicalOrderTests {
    static func a(_ owner: String, _ address: String) -> ResourceRecord {
        ResourceRecord(DomainName(owner)!, ttl: 5, RData(address: IPAddress(address)!))
    }

    static let sorted: [ResourceRecord] = [
        a("a.dev.svc.cluster.local.", "10.244.0.2"), a("a.dev.svc.cluster.local.", "10.244.0.10"),
        a("a.dev.svc.cluster.local.", "10.244.1.1"), a("a.dev.svc.cluster.local.", "fd00::1"),
        a("b.dev.svc.cluster.local.", "10.0.0.1"),
    ]

    @Test(arguments: [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 0, 2, 3, 4], [0, 1, 2, 4, 3], [3, 0, 4, 2, 1], [0, 0, 1]])
    func addressRecordsComeInCanonicalOrder(_ order: [Int]) {
        let given = order.map { Self.sorted[$0] }
        let expected = order.sorted().map { Self.sorted[$0] }
        #expect(Zone.canonicallySorted(given).map(\.description) == expected.map(\.description))
    }

    /// Records equal in owner, type and data (a TTL apart) keep the order they came in, as a
    /// stable sort leaves them.
    @Test func equalRecordsKeepTheirOrder() throws {
        let owner = try #require(DomainName("web.dev.svc.cluster.local."))
        let address = RData(address: try #require(IPAddress("10.0.0.1")))
        let given = [ResourceRecord(owner, ttl: 30, address), ResourceRecord(owner, ttl: 5, address)]
        #expect(Zone.canonicallySorted(given).map(\.ttl) == [30, 5])
        let mixed = [given[0], ResourceRecord(owner, ttl: 7, RData(address: try #require(IPAddress("9.0.0.1")))), given[1]]
        #expect(Zone.canonicallySorted(mixed).map(\.ttl) == [7, 30, 5])
    }

    @Test func otherRecordsAreKeyedByTheirCanonicalRdata() throws {
        let owner = try #require(DomainName("_http._tcp.web.dev.svc.cluster.local."))
        func srv(_ port: UInt16, _ target: String) throws -> ResourceRecord {
            ResourceRecord(owner, ttl: 5, .srv(priority: 0, weight: 100, port: port, target: try #require(DomainName(target))))
        }
        let given = [try srv(80, "web-1.web.dev.svc.cluster.local."), try srv(80, "web-0.web.dev.svc.cluster.local."), try srv(8, "b.")]
        #expect(Zone.canonicallySorted(given).map(\.description) == [given[2], given[1], given[0]].map(\.description))
    }
}
