/// One entry of a Service's `spec.ports`.
package struct ServicePort: Sendable, Hashable {
    package var name: String?
    package var `protocol`: PortProtocol
    package var port: Int
    /// nil when the manifest gives none: the target is then the same number as `port`.
    package var targetPort: TargetPort?
    package var nodePort: Int?
    /// Where `nodePort` is written, for the cluster-wide uniqueness check.
    package var nodePortLocation: SourceLocation?

    package init(
        name: String? = nil, protocol: PortProtocol = .tcp, port: Int, targetPort: TargetPort? = nil,
        nodePort: Int? = nil, nodePortLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
        self.nodePortLocation = nodePortLocation
    }

    /// The target port with the API default (the service port) applied.
    package var effectiveTargetPort: TargetPort { self.targetPort ?? .number(self.port) }
}
