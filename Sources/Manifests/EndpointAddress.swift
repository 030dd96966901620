import IPAddressing

/// An address of a legacy v1 Endpoints subset.
package struct EndpointAddress: Sendable, Hashable {
    package var ip: IPAddress
    package var hostname: String?
    package var targetRef: ObjectReference?
    package var nodeName: String?

    package init(ip: IPAddress, hostname: String? = nil, targetRef: ObjectReference? = nil, nodeName: String? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.targetRef = targetRef
        self.nodeName = nodeName
    }
}
