/// A port of an EndpointSlice or an Endpoints subset.
package struct EndpointPort: Sendable, Hashable {
    package var name: String?
    package var port: Int
    package var `protocol`: PortProtocol

    package init(name: String? = nil, port: Int, protocol: PortProtocol = .tcp) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}
