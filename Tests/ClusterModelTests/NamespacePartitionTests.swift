import ClusterModel
import IPAddressing
import Testing

/// A namespace's services, pods and ingresses are sorted by name whatever order they came in
/// (files are read in path order, objects in file order), and a list already in order is kept.
@Suite("Namespace partitions: each list sorted by name")
struct NamespacePartitionTests {
    @Test(arguments: [
        ["api", "db", "web"], ["web", "db", "api"], ["db", "api", "web"], ["api", "web", "db"], ["web"], [], ["db", "api", "db"],
    ])
    func listsAreSortedByNameWhateverTheOrderGiven(_ names: [String]) throws {
        let other = ClusterService(namespace: "other", name: "zz")
        let cluster = Cluster(
            namespaces: ["dev", "other"],
            services: names.map { ClusterService(namespace: "dev", name: $0) } + [other],
            pods: names.reversed().map { ClusterPod(namespace: "dev", name: "\($0)-0") },
            ingresses: names.map { ClusterIngress(namespace: "dev", name: $0, hosts: []) })
        let sorted = names.sorted()
        #expect((cluster.partition(of: "dev")?.services.map(\.name) ?? []) == sorted)
        #expect((cluster.partition(of: "dev")?.pods.map(\.name) ?? []) == sorted.map { "\($0)-0" })
        #expect((cluster.partition(of: "dev")?.ingresses.map(\.name) ?? []) == sorted)
        #expect(cluster.partition(of: "other")?.services.map(\.name) == ["zz"])
    }
}
