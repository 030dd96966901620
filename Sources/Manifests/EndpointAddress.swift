import IPAddressing

/// An address of a legacy v1 Endpoints subset: what derivation reads of it (`nodeName` is
/// validated when decoded, and not kept).
package struct EndpointAddress: Sendable, Hashable {
    package var ip: IPAddress
    package var hostname: String?
    package var targetRef: ObjectReference?

    package init(ip: IPAddress, hostname: String? = nil, targetRef: ObjectReference? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.targetRef = targetRef
    }
}
