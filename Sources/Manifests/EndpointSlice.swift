/// A discovery.k8s.io/v1 EndpointSlice.
package struct EndpointSlice: Sendable, Hashable {
    /// The label that ties a slice to its Service.
    package static let serviceNameLabel = "kubernetes.io/service-name"

    package var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN` (FQDN slices are not used by DNS).
    package var addressType: String
    package var endpoints: [SliceEndpoint]
    package var ports: [EndpointPort]

    package init(metadata: ObjectMeta, addressType: String, endpoints: [SliceEndpoint], ports: [EndpointPort]) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    package var serviceName: String? { self.metadata.labels[Self.serviceNameLabel] }
}
