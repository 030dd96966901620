/// One `subsets[]` entry of a legacy v1 Endpoints object.
package struct EndpointSubset: Sendable, Hashable {
    package var addresses: [EndpointAddress]
    package var notReadyAddresses: [EndpointAddress]
    package var ports: [EndpointPort]

    package init(addresses: [EndpointAddress], notReadyAddresses: [EndpointAddress] = [], ports: [EndpointPort] = []) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}
