import ClusterModel
import IPAddressing
import Manifests
import Testing

/// The address policy: without `--service-cidr` / `--pod-cidr` the manifests are the truth and
/// missing addresses come from dual-stack defaults; with them, addresses are checked.
@Suite("Address policy: manifests as written by default, checked against given ranges")
struct AddressPolicyTests {
    static let strict = ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/12")!], podCIDRs: [IPNetwork("10.244.0.0/16")!])

    struct ServiceCase: CustomTestStringConvertible, Sendable {
        var what: String
        var spec: String
        var options: ModelOptions = ModelOptions()
        /// The cluster IPs served, or nil when the Service is rejected.
        var clusterIPs: [String]?
        var families: [IPAddress.Family]? = nil
        var testDescription: String { self.what }
    }

    static let serviceCases: [ServiceCase] = [
        ServiceCase(what: "EKS cluster IP, default flags", spec: "clusterIP: 10.100.0.10\nports: [{port: 53}]", clusterIPs: ["10.100.0.10"]),
        ServiceCase(what: "GKE cluster IP, default flags", spec: "clusterIP: 34.118.224.10\nports: [{port: 53}]", clusterIPs: ["34.118.224.10"]),
        ServiceCase(what: "AKS cluster IP, default flags", spec: "clusterIP: 10.0.0.10\nports: [{port: 53}]", clusterIPs: ["10.0.0.10"]),
        ServiceCase(
            what: "dual-stack cluster IPs of any range, default flags",
            spec: "ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]\nclusterIPs: [10.43.0.20, \"2001:db8:43::20\"]\nports: [{port: 80}]",
            clusterIPs: ["10.43.0.20", "2001:db8:43::20"]),
        ServiceCase(
            what: "IPv6-only cluster IP, default flags", spec: "ipFamilies: [IPv6]\nclusterIP: fd00:10:96::a\nports: [{port: 53}]",
            clusterIPs: ["fd00:10:96::a"]),
        ServiceCase(
            what: "IPv6 family allocated from fd00:10:96::/112 by default", spec: "ipFamilies: [IPv6]\nports: [{port: 80}]",
            clusterIPs: nil, families: [.ipv6]),
        ServiceCase(
            what: "PreferDualStack gets both families by default", spec: "ipFamilyPolicy: PreferDualStack\nports: [{port: 80}]",
            clusterIPs: nil, families: [.ipv4, .ipv6]),
        ServiceCase(
            what: "PreferDualStack on a given single-stack range gets one", spec: "ipFamilyPolicy: PreferDualStack\nports: [{port: 80}]",
            options: strict, clusterIPs: nil, families: [.ipv4]),
        ServiceCase(
            what: "RequireDualStack on a given single-stack range is an error",
            spec: "ipFamilyPolicy: RequireDualStack\nports: [{port: 80}]", options: strict, clusterIPs: nil, families: []),
        ServiceCase(
            what: "SingleStack gets the primary family only", spec: "ports: [{port: 80}]", clusterIPs: nil, families: [.ipv4]),
        ServiceCase(
            what: "explicit address outside the given service CIDR is an error", spec: "clusterIP: 172.20.0.10\nports: [{port: 53}]",
            options: strict, clusterIPs: nil, families: []),
        ServiceCase(
            what: "second given range of the same family is honoured",
            spec: "clusterIP: 172.20.0.10\nports: [{port: 53}]",
            options: ModelOptions(serviceCIDRs: [IPNetwork("10.100.0.0/16")!, IPNetwork("172.20.0.0/16")!]),
            clusterIPs: ["172.20.0.10"]),
        ServiceCase(
            what: "selector-less headless RequireDualStack is valid on a given single-stack range",
            spec: "clusterIP: None\nipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]", options: strict,
            clusterIPs: [], families: [.ipv4, .ipv6]),
        ServiceCase(
            what: "selector-less headless without a policy defaults to RequireDualStack", spec: "clusterIP: None",
            options: strict, clusterIPs: [], families: [.ipv4, .ipv6]),
        ServiceCase(
            what: "headless with a selector asking for a missing family is an error",
            spec: "clusterIP: None\nselector: {app: web}\nipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]",
            options: strict, clusterIPs: nil, families: []),
    ]

    @Test(arguments: Self.serviceCases)
    func serviceAddresses(_ example: ServiceCase) {
        let derivation = derive(service("svc", spec: example.spec), options: example.options)
        let served = derivation.cluster.services.first
        if example.families == [] {
            #expect(served == nil, "rejected")
            #expect(derivation.summary.errors == 1)
            return
        }
        #expect(derivation.diagnostics.isEmpty, "\(derivation.diagnostics)")
        if let clusterIPs = example.clusterIPs {
            #expect(served?.clusterIPs.map(\.description) == clusterIPs)
        }
        if let families = example.families {
            #expect(served?.ipFamilies == families)
            if served?.isHeadless == false {
                #expect(served?.clusterIPs.map(\.family) == families)
                for address in served?.clusterIPs ?? [] {
                    #expect(ModelOptions.defaultServiceCIDRs.contains { $0.contains(address) })
                }
            }
        }
    }

    @Test func givenRangeErrorNamesFileLineAndField() {
        let derivation = derive(service("dns", spec: "clusterIP: 10.100.0.10\nports: [{port: 53}]"), options: Self.strict)
        #expect(derivation.diagnostics.isEmpty, "10.100.0.0/16 lies inside 10.96.0.0/12")
        let outside = derive(service("dns", spec: "clusterIP: 172.20.0.10\nports: [{port: 53}]"), options: Self.strict)
        #expect(
            outside.diagnostics.map(\.description) == [
                "a.yaml:7:14: error: Service dev/dns: spec.clusterIP 172.20.0.10 is not in the service CIDR 10.96.0.0/12"
            ])
    }

    static func pod(_ name: String, ips: [String], hostNetwork: Bool = false, namespace: String = "dev") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name), namespace: \(namespace), labels: {app: web}}
        spec: {hostNetwork: \(hostNetwork), containers: [{name: c}]}
        status:
          podIP: "\(ips[0])"
          podIPs: [\(ips.map { "{ip: \"\($0)\"}" }.joined(separator: ", "))]
        """
    }

    @Test func podAddressesOfAnyRangeAreTakenByDefault() {
        let derivation = derive(
            Self.pod("eks", ips: ["192.168.12.7"]), Self.pod("gke", ips: ["10.8.3.4"]),
            Self.pod("v6", ips: ["2600:1f14::7"]))
        #expect(derivation.diagnostics.isEmpty)
        #expect(derivation.cluster.pods.map(\.ips).flatMap { $0 }.map(\.description) == ["192.168.12.7", "10.8.3.4", "2600:1f14::7"])
    }

    @Test func podAddressOutsideTheGivenPodRangeIsAnErrorButHostNetworkIsNot() {
        let derivation = derive(
            Self.pod("vpc", ips: ["192.168.12.7"]), Self.pod("node-agent", ips: ["172.18.0.2"], hostNetwork: true),
            options: Self.strict)
        #expect(derivation.cluster.pods.map(\.name) == ["node-agent"])
        #expect(
            derivation.diagnostics.map(\.description) == [
                "a.yaml:7:11: error: Pod dev/vpc: status.podIPs holds 192.168.12.7, which is not in the pod CIDR 10.244.0.0/16 (a host-network pod says spec.hostNetwork: true)"
            ])
    }

    struct SpecialCase: Sendable, CustomTestStringConvertible {
        var address: String
        var range: String
        var testDescription: String { self.address }
    }

    static let specialAddresses: [SpecialCase] = [
        SpecialCase(address: "127.0.0.1", range: "loopback"), SpecialCase(address: "::1", range: "loopback"),
        SpecialCase(address: "169.254.1.1", range: "link-local range"), SpecialCase(address: "fe80::1", range: "link-local range"),
        SpecialCase(address: "224.0.0.251", range: "link-local multicast"), SpecialCase(address: "ff02::fb", range: "link-local multicast"),
        SpecialCase(address: "0.0.0.0", range: "unspecified"), SpecialCase(address: "::", range: "unspecified"),
    ]

    /// The API server refuses these in EndpointSlices, Endpoints and pod status under both policies.
    @Test(arguments: Self.specialAddresses, [false, true])
    func specialAddressesAreErrorsUnderBothPolicies(_ example: SpecialCase, strict: Bool) {
        let family = example.address.contains(":") ? "IPv6" : "IPv4"
        let slice = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: dev, labels: {kubernetes.io/service-name: web}}
            addressType: \(family)
            endpoints: [{addresses: ["\(example.address)"]}]
            """
        let legacy = """
            apiVersion: v1
            kind: Endpoints
            metadata: {name: web, namespace: dev}
            subsets: [{addresses: [{ip: "\(example.address)"}]}]
            """
        let options = strict ? ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/12")!, IPNetwork("fd00::/112")!]) : ModelOptions()
        for text in [slice, legacy, Self.pod("p", ips: [example.address])] {
            let derivation = derive(text, options: options)
            #expect(derivation.summary.errors == 1, "\(example.address)")
            #expect(derivation.diagnostics.first?.message.contains(example.range) == true, "\(derivation.diagnostics)")
        }
    }

    @Test func ordinaryAddressesAreNotSpecial() {
        for text in ["10.0.0.1", "192.168.1.1", "224.0.1.1", "ff05::1", "fd00::1", "2001:db8::1", "169.253.0.1", "fec0::1"] {
            #expect(IPAddress(text)?.specialRange == nil, "\(text)")
        }
    }

    @Test func podsGetTheFamiliesTheirNamespaceServicesUse() {
        let dualStackService = service(
            "web", spec: "clusterIP: None\nipFamilyPolicy: PreferDualStack\nselector: {app: web}\nports: [{name: http, port: 80}]")
        let derivation = derive(dualStackService, nginxDeployment)
        let pods = derivation.cluster.pods
        #expect(pods.count == 3)
        for pod in pods {
            #expect(pod.ips.map(\.family) == [.ipv4, .ipv6])
            #expect(ModelOptions.defaultPodCIDRs[0].contains(pod.ips[0]))
            #expect(ModelOptions.defaultPodCIDRs[1].contains(pod.ips[1]))
        }
        let endpoints = derivation.cluster.services.first?.endpoints ?? []
        #expect(endpoints.map(\.addresses.count) == [2, 2, 2])
        // Single-stack namespaces keep single-stack pods.
        #expect(derive(nginxDeployment).cluster.pods.allSatisfy { $0.ips.map(\.family) == [.ipv4] })
    }

    @Test func policyLineSaysWhatWasApplied() {
        #expect(
            ModelOptions().policyDescription
                == "addresses: services as written, missing ones allocated from 10.96.0.0/12, fd00:10:96::/112; pods as written, missing ones allocated from 10.244.0.0/16, fd00:10:244::/56"
        )
        #expect(
            Self.strict.policyDescription
                == "addresses: services checked against --service-cidr 10.96.0.0/12; pods checked against --pod-cidr 10.244.0.0/16")
    }
}
