import IPAddressing
import Manifests

/// A Service as the cluster serves it: addresses allocated, endpoints resolved.
package struct ClusterService: Sendable, Hashable {
    package var namespace: String
    package var name: String
    package var type: ServiceType
    /// The cluster IPs, primary family first; empty for headless and ExternalName services.
    package var clusterIPs: AddressList
    package var isHeadless: Bool
    /// The CNAME target of an ExternalName service, without a trailing dot.
    package var externalName: String?
    /// The address families the service serves (for headless services, which endpoint addresses count).
    package var ipFamilies: [IPAddress.Family]
    package var ports: [ClusterServicePort]
    /// The pod selector; nil when the service's endpoints are managed by hand.
    package var selector: [String: String]?
    package var endpoints: [ClusterEndpoint]
    /// `publishNotReadyAddresses`, or the tolerate-unready-endpoints annotation.
    package var publishesNotReadyAddresses: Bool
    /// Where the service is reached from outside the cluster: its load balancer's addresses
    /// (`status.loadBalancer.ingress[].ip`), then `spec.externalIPs`, without repeats.
    package var externalAddresses: [IPAddress] = []
    /// Its load balancer's names (`status.loadBalancer.ingress[].hostname`).
    package var externalHostnames: [String] = []

    package init(
        namespace: String, name: String, type: ServiceType = .clusterIP, clusterIPs: AddressList = [],
        isHeadless: Bool = false, externalName: String? = nil, ipFamilies: [IPAddress.Family] = [.ipv4],
        ports: [ClusterServicePort] = [], selector: [String: String]? = nil, endpoints: [ClusterEndpoint] = [], publishesNotReadyAddresses: Bool = false
    ) {
        self.namespace = namespace
        self.name = name
        self.type = type
        self.clusterIPs = clusterIPs
        self.isHeadless = isHeadless
        self.externalName = externalName
        self.ipFamilies = ipFamilies
        self.ports = ports
        self.selector = selector
        self.endpoints = endpoints
        self.publishesNotReadyAddresses = publishesNotReadyAddresses
    }

    /// Whether DNS treats an endpoint as published: ready (or the service publishes not-ready
    /// addresses), and never while terminating.
    package func publishes(_ endpoint: ClusterEndpoint) -> Bool {
        !endpoint.isTerminating && (endpoint.isReady || self.publishesNotReadyAddresses)
    }
}
