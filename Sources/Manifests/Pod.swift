import IPAddressing

/// A v1 Pod, with the fields DNS needs.
package struct Pod: Sendable, Hashable {
    package var metadata: ObjectMeta
    package var hostname: String?
    package var subdomain: String?
    package var ports: [ContainerPort]
    /// `status.podIPs` (or `status.podIP`); empty when the manifest gives none.
    package var podIPs: [IPAddress]
    /// Where the pod's addresses are written, for range errors.
    package var podIPsLocation: SourceLocation?
    /// `spec.hostNetwork`: the pod has its node's address, which lies outside every pod range.
    package var hostNetwork: Bool
    /// The `Ready` condition; a pod with no conditions written is taken as ready (a hand-written pod).
    package var isReady: Bool
    /// `status.phase`; Succeeded and Failed pods are never endpoints.
    package var phase: String?

    package init(
        metadata: ObjectMeta, hostname: String? = nil, subdomain: String? = nil, ports: [ContainerPort] = [],
        podIPs: [IPAddress] = [], podIPsLocation: SourceLocation? = nil, hostNetwork: Bool = false,
        isReady: Bool = true, phase: String? = nil
    ) {
        self.metadata = metadata
        self.hostname = hostname
        self.subdomain = subdomain
        self.ports = ports
        self.podIPs = podIPs
        self.podIPsLocation = podIPsLocation
        self.hostNetwork = hostNetwork
        self.isReady = isReady
        self.phase = phase
    }

    /// Deleted, or finished: such a pod serves nothing.
    package var isTerminated: Bool {
        self.metadata.deletionTimestamp != nil || self.phase == "Succeeded" || self.phase == "Failed"
    }
}
