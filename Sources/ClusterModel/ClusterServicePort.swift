import Manifests

/// A Service port after defaults and node-port allocation.
package struct ClusterServicePort: Sendable, Hashable {
    package var name: String?
    package var `protocol`: PortProtocol
    package var port: Int
    package var targetPort: TargetPort
    package var nodePort: Int?

    package init(name: String?, protocol: PortProtocol, port: Int, targetPort: TargetPort, nodePort: Int? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}
