/// `spec.type` of a Service.
package enum ServiceType: String, Sendable, Hashable, Comparable, CaseIterable {
    case clusterIP = "ClusterIP"
    case nodePort = "NodePort"
    case loadBalancer = "LoadBalancer"
    case externalName = "ExternalName"

    /// NodePort and LoadBalancer services get node ports.
    package var hasNodePorts: Bool { self == .nodePort || self == .loadBalancer }

    package static func < (lhs: ServiceType, rhs: ServiceType) -> Bool { lhs.rawValue < rhs.rawValue }
}
