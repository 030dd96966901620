import IPAddressing

/// A v1 Service, with the fields DNS needs.
package struct Service: Sendable, Hashable {
    /// The annotation that, before `publishNotReadyAddresses`, made unready endpoints public.
    package static let tolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints"

    package var metadata: ObjectMeta
    package var type: ServiceType
    /// `clusterIPs` (or `clusterIP` alone) as written; `["None"]` for a headless service; empty
    /// when the cluster is to allocate.
    package var clusterIPs: [String]
    /// Where `spec.clusterIP`/`clusterIPs` is written, for range and uniqueness errors.
    package var clusterIPLocation: SourceLocation?
    package var ipFamilies: [IPAddress.Family]
    /// `spec.ipFamilyPolicy`: SingleStack (nil or written), PreferDualStack or RequireDualStack.
    package var ipFamilyPolicy: String?
    package var ports: [ServicePort]
    /// nil when the service has no selector (its endpoints are managed by hand).
    package var selector: [String: String]?
    package var externalName: String?
    package var publishNotReadyAddresses: Bool
    /// `spec.externalIPs`: addresses outside the cluster that route to the service.
    package var externalIPs: [String] = []
    /// `status.loadBalancer.ingress`, for a LoadBalancer service its cloud has provisioned.
    package var loadBalancer: [LoadBalancerIngress] = []

    package init(
        metadata: ObjectMeta, type: ServiceType = .clusterIP, clusterIPs: [String] = [],
        clusterIPLocation: SourceLocation? = nil, ipFamilies: [IPAddress.Family] = [], ports: [ServicePort] = [],
        selector: [String: String]? = nil, externalName: String? = nil, publishNotReadyAddresses: Bool = false
    ) {
        self.metadata = metadata
        self.type = type
        self.clusterIPs = clusterIPs
        self.clusterIPLocation = clusterIPLocation
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = nil
        self.ports = ports
        self.selector = selector
        self.externalName = externalName
        self.publishNotReadyAddresses = publishNotReadyAddresses
    }

    /// `clusterIP: None`: DNS answers with the endpoints' addresses instead of a virtual IP.
    package var isHeadless: Bool { self.clusterIPs.first == "None" }

    /// Whether not-ready endpoints are published, by the field or the legacy annotation.
    package var publishesNotReadyAddresses: Bool {
        self.publishNotReadyAddresses || self.metadata.annotations[Self.tolerateUnreadyAnnotation] == "true"
    }
}
