import DNSWire
import QueryEngine
import Testing

@Suite("Autopath: the rest of a pod's search list")
struct AutopathSearchTests {
    static let zone = DomainName("cluster.local.")!

    @Test(arguments: [
        ("www.example.com.dev.svc.cluster.local.", "dev", ["www.example.com.svc.cluster.local.", "www.example.com.cluster.local.", "www.example.com."]),
        ("Web.DEV.svc.Cluster.Local.", "dev", ["web.svc.cluster.local.", "web.cluster.local.", "web."]),
        ("db.prod.svc.cluster.local.", "prod", ["db.svc.cluster.local.", "db.cluster.local.", "db."]),
    ])
    func aFirstExpansionGivesTheRestOfTheList(name: String, namespace: String, names: [String]) throws {
        let search = try #require(AutopathSearch.remainingSearch(for: DomainName(name)!, zone: Self.zone))
        #expect(search.namespace == namespace)
        #expect(search.names.map(\.description) == names)
    }

    @Test(arguments: [
        "dev.svc.cluster.local.", "svc.cluster.local.", "www.example.com.", "x.dev.pod.cluster.local.", "cluster.local.",
        "a.dev.svc.other.local.",
    ])
    func otherNamesAreNoSearch(name: String) {
        #expect(AutopathSearch.remainingSearch(for: DomainName(name)!, zone: Self.zone) == nil)
    }
}
