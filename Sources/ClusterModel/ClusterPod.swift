import IPAddressing
import Manifests

/// A pod of the cluster: written in the manifests, or synthesized for a workload.
package struct ClusterPod: Sendable, Hashable {
    package var namespace: String
    package var name: String
    package var ips: AddressList
    package var labels: [String: String]
    package var hostname: String?
    package var subdomain: String?
    package var ports: [ContainerPort]
    package var isReady: Bool
    /// Deleted or finished: never an endpoint.
    package var isTerminated: Bool
    /// Being deleted (deletionTimestamp set): an endpoint only as terminating.
    package var isTerminating: Bool
    /// The workload it was synthesized for (`Deployment/web`), nil for pods from the manifests.
    package var synthesizedFor: String?
    /// `spec.hostNetwork`: its address is its node's, shared with everything on the node.
    package var hostNetwork = false

    package init(
        namespace: String, name: String, ips: AddressList = [], labels: [String: String] = [:],
        hostname: String? = nil, subdomain: String? = nil, ports: [ContainerPort] = [], isReady: Bool = true,
        isTerminated: Bool = false, isTerminating: Bool = false, synthesizedFor: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.ips = ips
        self.labels = labels
        self.hostname = hostname
        self.subdomain = subdomain
        self.ports = ports
        self.isReady = isReady
        self.isTerminated = isTerminated
        self.isTerminating = isTerminating
        self.synthesizedFor = synthesizedFor
    }
}
