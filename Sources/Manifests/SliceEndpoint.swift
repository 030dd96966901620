import IPAddressing

/// One `endpoints[]` entry of an EndpointSlice: what derivation reads of it (`conditions.serving`
/// and `nodeName` are validated when decoded, and not kept: parsed objects stay in memory for as
/// long as their file is unchanged).
package struct SliceEndpoint: Sendable, Hashable {
    package var addresses: [IPAddress]
    /// `conditions.ready`; nil (unknown) is taken as ready, as the API documents.
    package var ready: Bool?
    package var terminating: Bool?
    package var hostname: String?
    package var targetRef: ObjectReference?

    package init(
        addresses: [IPAddress], ready: Bool? = nil, terminating: Bool? = nil, hostname: String? = nil,
        targetRef: ObjectReference? = nil
    ) {
        self.addresses = addresses
        self.ready = ready
        self.terminating = terminating
        self.hostname = hostname
        self.targetRef = targetRef
    }
}
