import ClusterModel
import IPAddressing
import Manifests
import Testing

@Suite("Workload pods: synthesized only when the manifests hold none")
struct WorkloadSynthesisTests {
    @Test func deploymentGetsReplicasPodsNamedLikeTheController() {
        let derivation = derive(nginxDeployment)
        let pods = derivation.cluster.pods
        #expect(pods.count == 3)
        #expect(derivation.summary.podsSynthesized == 3)
        for pod in pods {
            let parts = pod.name.split(separator: "-")
            #expect(parts.count == 3 && parts[0] == "web" && parts[1].count == 10 && parts[2].count == 5, "\(pod.name)")
            #expect(pod.isReady)
            #expect(pod.ips.count == 1 && ModelOptions.defaultPodCIDRs[0].contains(pod.ips[0]))
            #expect(pod.labels == ["app": "web"])
        }
        #expect(Set(pods.map(\.name)).count == 3)
        // The same manifests give the same pods, names and addresses.
        #expect(derive(nginxDeployment).cluster.pods == pods)
    }

    @Test func statefulSetPodsAreOrdinalsWithHostnameAndSubdomain() {
        let derivation = derive(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: dev}
            spec:
              serviceName: db-headless
              replicas: 2
              selector: {matchLabels: {app: db}}
              template: {metadata: {labels: {app: db}}}
            """)
        #expect(derivation.cluster.pods.map(\.name) == ["db-0", "db-1"])
        #expect(derivation.cluster.pods.map(\.hostname) == ["db-0", "db-1"])
        #expect(derivation.cluster.pods.allSatisfy { $0.subdomain == "db-headless" })
    }

    @Test func podsOwnedThroughReplicaSetStopSynthesis() {
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-5d4f8c7b9-abcde
              namespace: dev
              labels: {app: other}
              ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f8c7b9, controller: true}]
            status: {podIP: 10.244.3.3}
            """
        let derivation = derive(nginxDeployment, pod)
        #expect(derivation.cluster.pods.map(\.name) == ["web-5d4f8c7b9-abcde"])
        #expect(derivation.summary.podsSynthesized == 0)
    }

    @Test func unownedPodMatchingTheSelectorStopsSynthesis() {
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: hand-made, namespace: dev, labels: {app: web}}
            """
        #expect(derive(nginxDeployment, pod).cluster.pods.map(\.name) == ["hand-made"])
    }

    @Test func podOwnedByAnotherControllerDoesNotCount() {
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: job-pod
              namespace: dev
              labels: {app: web}
              ownerReferences: [{kind: Job, name: batch, controller: true}]
            """
        #expect(derive(nginxDeployment, pod).cluster.pods.count == 4)
    }

    @Test func podInAnotherNamespaceDoesNotCount() {
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: elsewhere, namespace: prod, labels: {app: web}}
            """
        #expect(derive(nginxDeployment, pod).cluster.pods.count == 4)
    }

    @Test func deploymentWithItsReplicaSetSynthesizesOnce() {
        let replicaSet = """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: web-abc
              namespace: dev
              ownerReferences: [{kind: Deployment, name: web, controller: true}]
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template: {metadata: {labels: {app: web}}}
            """
        let pods = derive(nginxDeployment, replicaSet).cluster.pods
        #expect(pods.count == 2)
        #expect(pods.allSatisfy { $0.name.hasPrefix("web-abc-") })
    }
}
