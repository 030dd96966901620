import IPAddressing

/// One `endpoints[]` entry of an EndpointSlice.
package struct SliceEndpoint: Sendable, Hashable {
    package var addresses: [IPAddress]
    /// `conditions.ready`; nil (unknown) is taken as ready, as the API documents.
    package var ready: Bool?
    package var serving: Bool?
    package var terminating: Bool?
    package var hostname: String?
    package var targetRef: ObjectReference?
    package var nodeName: String?

    package init(
        addresses: [IPAddress], ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil,
        hostname: String? = nil, targetRef: ObjectReference? = nil, nodeName: String? = nil
    ) {
        self.addresses = addresses
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
        self.hostname = hostname
        self.targetRef = targetRef
        self.nodeName = nodeName
    }
}
