import ClusterModel
import IPAddressing
import Manifests
import Testing

@Suite("Cluster derivation: namespaces, duplicates, rejected objects")
struct ClusterDerivationTests {
    @Test func namespacesComeFromNamespaceObjectsAndFromObjects() {
        let derivation = derive(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}",
            service("web", namespace: "shop", spec: "ports: [{port: 80}]"),
            service("api", namespace: "default", spec: "ports: [{port: 80}]"))
        #expect(derivation.cluster.namespaces == ["default", "empty", "shop"])
    }

    @Test func laterFileCopyOfAnObjectIsTheError() {
        let derivation = derive(
            service("web", spec: "ports: [{port: 80}]"), service("web", spec: "ports: [{port: 81}]"))
        #expect(derivation.cluster.services.map { $0.ports[0].port } == [80])
        #expect(
            derivation.diagnostics.map(\.description) == [
                "b.yaml:4:9: error: Service dev/web is already defined at a.yaml:4:9"
            ])
    }

    /// However many later copies there are, each names the first definition.
    @Test func everyLaterCopyNamesTheFirstDefinition() {
        let derivation = derive(
            service("web", spec: "ports: [{port: 80}]"), service("web", spec: "ports: [{port: 81}]"),
            service("web", spec: "ports: [{port: 82}]"))
        #expect(derivation.cluster.services.map { $0.ports[0].port } == [80])
        #expect(
            derivation.diagnostics.map(\.description) == [
                "b.yaml:4:9: error: Service dev/web is already defined at a.yaml:4:9",
                "c.yaml:4:9: error: Service dev/web is already defined at a.yaml:4:9",
            ])
    }

    @Test func rejectedObjectLeavesTheRestServed() {
        let derivation = derive(
            service("bad", spec: "clusterIP: 1.2.3.4\nports: [{port: 80}]"),
            service("good", spec: "ports: [{port: 80}]"), options: ModelOptions(serviceCIDRs: [IPNetwork("10.96.0.0/12")!]))
        #expect(derivation.cluster.services.map(\.name) == ["good"])
        #expect(derivation.summary.errors == 1)
    }

    /// A second definition of an object is an error and left out: it is not counted either.
    @Test func summaryLeavesDuplicatesUncounted() {
        let derivation = derive(
            service("web", spec: "ports: [{port: 80}]"), service("web", spec: "ports: [{port: 81}]"),
            service("api", spec: "ports: [{port: 80}]"))
        #expect(derivation.summary.objectsByKind == [.service: 2])
        #expect(derivation.summary.errors == 1)
        #expect(derivation.cluster.services.map(\.name).sorted() == ["api", "web"])
    }

    @Test func summaryCountsKindsTypesAndSkipped() {
        let derivation = derive(
            nginxDeployment,
            service("web", spec: "selector: {app: web}\nports: [{port: 80}]"),
            service("hl", spec: "clusterIP: None"),
            service("ext", spec: "type: ExternalName\nexternalName: example.com"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}")
        let summary = derivation.summary
        #expect(summary.objectsByKind == [.deployment: 1, .service: 3])
        #expect(summary.servicesByType == ["ClusterIP": 1, "headless": 1, "ExternalName": 1])
        #expect(summary.skippedKinds == ["ConfigMap": 1])
        #expect(summary.podsSynthesized == 3)
        #expect(
            summary.description
                == "5 files: 4 objects (1 Deployment, 3 Service); services: 1 ClusterIP, 1 headless, 1 ExternalName; 3 pods synthesized; skipped: 1 ConfigMap; 0 errors, 0 warnings"
        )
    }

    @Test func externalNameIsStoredWithoutTrailingDot() {
        let derivation = derive(service("ext", spec: "type: ExternalName\nexternalName: www.example.com."))
        #expect(derivation.cluster.services.first?.externalName == "www.example.com")
        #expect(derivation.cluster.services.first?.clusterIPs == [])
    }
}
