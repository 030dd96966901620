import ClusterModel
import IPAddressing
import Manifests
import Testing

@Suite("Allocation: deterministic, stable, explicit addresses win")
struct AllocationTests {
    private func services(_ count: Int, skipping: Int? = nil) -> [String] {
        (0..<count).filter { $0 != skipping }.map { service("svc-\($0)", spec: "ports: [{port: 80}]") }
    }

    private func addresses(_ derivation: ClusterDerivation) -> [String: [IPAddress]] {
        Dictionary(uniqueKeysWithValues: derivation.cluster.services.map { ($0.name, Array($0.clusterIPs)) })
    }

    @Test func sameTreeSameAddresses() {
        #expect(addresses(derive(services(50))) == addresses(derive(services(50))))
    }

    @Test func addressesComeFromTheServiceCIDR() {
        let all = derive(services(50)).cluster.services.flatMap(\.clusterIPs)
        #expect(all.count == 50)
        #expect(Set(all).count == 50)
        #expect(all.allSatisfy { ModelOptions.defaultServiceCIDRs[0].contains($0) })
    }

    @Test func addingOrRemovingAServiceRenumbersNoOther() {
        let before = addresses(derive(services(200, skipping: 77)))
        let after = addresses(derive(services(200)))
        for (name, ips) in before { #expect(after[name] == ips, "\(name) moved") }
        let removed = addresses(derive(services(200, skipping: 3)))
        for (name, ips) in removed { #expect(after[name] == ips, "\(name) moved") }
    }

    @Test func hintsKeepPreviousAllocationsEvenOnCollision() {
        // A tiny CIDR forces collisions; with the previous table as hints nobody moves.
        let options = ModelOptions(serviceCIDRs: [IPNetwork("10.0.0.0/28")!])
        let first = derive(services(6, skipping: 2), options: options)
        let second = derive(services(6), options: options, hints: first.allocations)
        let before = addresses(first)
        let after = addresses(second)
        for (name, ips) in before { #expect(after[name] == ips, "\(name) moved") }
        #expect(after["svc-2"]?.count == 1)
    }

    @Test func explicitAddressIsKeptAndNeverHandedOut() {
        let explicit = service("fixed", spec: "clusterIP: 10.96.0.7\nports: [{port: 80}]")
        let options = ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/29")!])
        let derivation = derive([explicit] + services(5), options: options)
        #expect(derivation.diagnostics.isEmpty)
        let fixed = derivation.cluster.services.first { $0.name == "fixed" }
        #expect(fixed?.clusterIPs.map(\.description) == ["10.96.0.7"])
        let others = derivation.cluster.services.filter { $0.name != "fixed" }.flatMap(\.clusterIPs)
        #expect(!others.contains(IPAddress("10.96.0.7")!))
        #expect(Set(others).count == 5)
    }

    @Test func firstClaimantInFileOrderKeepsAnAddress() {
        let derivation = derive(
            service("zeta", spec: "clusterIP: 10.97.0.1\nports: [{port: 80}]"),
            service("alpha", spec: "clusterIP: 10.97.0.1\nports: [{port: 80}]"))
        #expect(derivation.cluster.services.map(\.name) == ["zeta"])
        #expect(derivation.diagnostics.map(\.description) == [
            "b.yaml:7:14: error: Service dev/alpha: spec.clusterIP 10.97.0.1 is already allocated to Service dev/zeta (a.yaml:7:14)"
        ])
    }

    @Test func dualStackServiceGetsOneAddressPerFamily() {
        let options = ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/12")!, IPNetwork("fd00:10:96::/112")!])
        let derivation = derive(
            service("dual", spec: "ipFamilyPolicy: PreferDualStack\nipFamilies: [IPv6, IPv4]\nports: [{port: 80}]"),
            options: options)
        let ips = derivation.cluster.services.first?.clusterIPs ?? []
        #expect(ips.map(\.family) == [.ipv6, .ipv4])
    }

    @Test func askingForAFamilyTheGivenRangesLackIsAnError() {
        let derivation = derive(
            service("v6", spec: "ipFamilies: [IPv6]\nports: [{port: 80}]"),
            options: ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/12")!]))
        #expect(derivation.cluster.services.isEmpty)
        #expect(derivation.diagnostics.first?.message.contains("no IPv6 service CIDR") == true)
    }

    @Test func nodePortsAreAllocatedInRangeAndStable() {
        let nodePort = service("np", spec: "type: NodePort\nports: [{name: a, port: 80}, {name: b, port: 81}]")
        let first = derive(nodePort).cluster.services[0].ports.compactMap(\.nodePort)
        #expect(first.count == 2)
        #expect(first.allSatisfy { (30000...32767).contains($0) })
        #expect(Set(first).count == 2)
        #expect(derive(nodePort).cluster.services[0].ports.compactMap(\.nodePort) == first)
    }

    @Test func podAddressesSkipExplicitOnes() {
        let options = ModelOptions(podCIDRs: [IPNetwork("10.244.0.0/29")!])
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: fixed, namespace: dev}
            status: {podIP: 10.244.0.3}
            """
        let derivation = derive([pod, nginxDeployment], options: options)
        let synthesized = derivation.cluster.pods.filter { $0.name != "fixed" }.flatMap(\.ips)
        #expect(synthesized.count == 3)
        #expect(!synthesized.contains(IPAddress("10.244.0.3")!))
    }
}
