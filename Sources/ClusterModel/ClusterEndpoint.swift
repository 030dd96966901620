import IPAddressing
import Manifests

/// One endpoint of a Service, from an EndpointSlice, an Endpoints object, or a selected pod.
/// Not-ready and terminating endpoints are kept and marked; the records stage decides.
package struct ClusterEndpoint: Sendable, Hashable {
    package var addresses: AddressList
    /// The endpoint's hostname, when it has one (StatefulSet pods, pods with hostname+subdomain).
    package var hostname: String?
    package var isReady: Bool
    package var isTerminating: Bool
    package var ports: [EndpointPort]
    /// The pod behind the endpoint, when known.
    package var podName: String?

    package init(
        addresses: AddressList, hostname: String? = nil, isReady: Bool = true, isTerminating: Bool = false,
        ports: [EndpointPort] = [], podName: String? = nil
    ) {
        self.addresses = addresses
        self.hostname = hostname
        self.isReady = isReady
        self.isTerminating = isTerminating
        self.ports = ports
        self.podName = podName
    }
}
