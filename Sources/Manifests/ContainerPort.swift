/// `containers[].ports[]` of a pod (or pod template): what a named targetPort resolves against.
package struct ContainerPort: Sendable, Hashable {
    package var name: String?
    package var containerPort: Int
    package var `protocol`: PortProtocol

    package init(name: String? = nil, containerPort: Int, protocol: PortProtocol = .tcp) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}
