import ClusterModel
import IPAddressing
import Manifests
import Testing

@Suite("Endpoints: slices, legacy Endpoints, or the pods a selector picks")
struct EndpointDerivationTests {
    private func endpoints(_ derivation: ClusterDerivation, _ name: String) -> [ClusterEndpoint] {
        derivation.cluster.services.first { $0.name == name }?.endpoints ?? []
    }

    @Test func selectedPodsBecomeEndpointsWithNamedTargetPortResolved() {
        let derivation = derive(
            nginxDeployment,
            service("web", spec: "selector: {app: web}\nports: [{name: http, port: 80, targetPort: http}]"))
        let result = endpoints(derivation, "web")
        #expect(result.count == 3)
        #expect(result.allSatisfy { $0.ports == [EndpointPort(name: "http", port: 8080)] })
        #expect(result.allSatisfy { $0.isReady && $0.hostname == nil && $0.podName != nil })
    }

    @Test func namedTargetPortThePodLacksIsLeftOut() {
        let derivation = derive(
            nginxDeployment,
            service("web", spec: "selector: {app: web}\nports: [{name: grpc, port: 90, targetPort: grpc}]"))
        #expect(endpoints(derivation, "web").allSatisfy { $0.ports.isEmpty })
    }

    @Test func hostnameOnlyWhenSubdomainNamesTheService() {
        let pods = ["db", "other"].map { subdomain in
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: pod-\(subdomain), namespace: dev, labels: {app: db}}
            spec: {hostname: host-\(subdomain), subdomain: \(subdomain)}
            status: {podIP: 10.244.9.\(subdomain == "db" ? 1 : 2)}
            """
        }
        let derivation = derive(pods + [service("db", spec: "clusterIP: None\nselector: {app: db}")])
        let result = endpoints(derivation, "db").sorted { $0.addresses[0] < $1.addresses[0] }
        #expect(result.map(\.hostname) == ["host-db", nil])
    }

    @Test func notReadyAndTerminatingPodsAreKeptAndMarked() {
        let derivation = derive(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: slow, namespace: dev, labels: {app: a}}
            status: {podIP: 10.244.1.1, phase: Running, conditions: [{type: Ready, status: "False"}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: going, namespace: dev, labels: {app: a}, deletionTimestamp: "2026-01-01T00:00:00Z"}
            status: {podIP: 10.244.1.2, phase: Running}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: done, namespace: dev, labels: {app: a}}
            status: {podIP: 10.244.1.3, phase: Succeeded}
            """,
            service("a", spec: "clusterIP: None\nselector: {app: a}"))
        let result = endpoints(derivation, "a")
        #expect(result.count == 2)
        #expect(result.first { $0.podName == "slow" }.map { !$0.isReady && !$0.isTerminating } == true)
        #expect(result.first { $0.podName == "going" }.map(\.isTerminating) == true)
    }

    @Test func endpointSlicesWinOverSelectedPods() {
        let slice = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-x, namespace: dev, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
              - addresses: [10.1.1.1]
                hostname: manual
                conditions: {ready: false}
              - addresses: [10.1.1.2]
            ports: [{name: http, port: 9000}]
            """
        let derivation = derive(
            nginxDeployment, slice, service("web", spec: "selector: {app: web}\nports: [{name: http, port: 80}]"))
        let result = endpoints(derivation, "web")
        #expect(result.map { $0.addresses.map(\.description) } == [["10.1.1.1"], ["10.1.1.2"]])
        #expect(result.map(\.isReady) == [false, true])
        #expect(result[0].hostname == "manual")
        #expect(result[0].ports == [EndpointPort(name: "http", port: 9000)])
    }

    @Test func legacyEndpointsServeASelectorlessService() {
        let legacy = """
            apiVersion: v1
            kind: Endpoints
            metadata: {name: ext, namespace: dev}
            subsets:
              - addresses: [{ip: 192.0.2.1, hostname: a}]
                notReadyAddresses: [{ip: 192.0.2.2}]
                ports: [{name: pg, port: 5432}]
            """
        let result = endpoints(derive(legacy, service("ext", spec: "ports: [{name: pg, port: 5432}]")), "ext")
        #expect(result.map(\.isReady) == [true, false])
        #expect(result[0].hostname == "a")
    }

    @Test func serviceWithoutSelectorOrEndpointsHasNone() {
        #expect(endpoints(derive(nginxDeployment, service("web", spec: "ports: [{port: 80}]")), "web").isEmpty)
    }

    @Test func podsOfOtherFamiliesAreNotEndpoints() {
        let options = ModelOptions(
            serviceCIDRs: [IPNetwork("10.96.0.0/12")!], podCIDRs: [IPNetwork("10.244.0.0/16")!, IPNetwork("fd00:10:244::/64")!])
        let derivation = derive(
            nginxDeployment, service("web", spec: "clusterIP: None\nselector: {app: web}"), options: options)
        #expect(derivation.cluster.pods.allSatisfy { $0.ips.map(\.family) == [.ipv4, .ipv6] })
        #expect(endpoints(derivation, "web").allSatisfy { $0.addresses.map(\.family) == [.ipv4] })
    }

    @Test func publishNotReadyByFieldOrAnnotation() {
        let byField = service("a", spec: "clusterIP: None\npublishNotReadyAddresses: true")
        let byAnnotation = """
            apiVersion: v1
            kind: Service
            metadata:
              name: b
              namespace: dev
              annotations: {service.alpha.kubernetes.io/tolerate-unready-endpoints: "true"}
            spec: {clusterIP: None}
            """
        let services = derive(byField, byAnnotation, service("c", spec: "clusterIP: None")).cluster.services
        #expect(services.map(\.publishesNotReadyAddresses) == [true, true, false])
    }
}
