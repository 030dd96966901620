/// Which `<a-b-c-d>.<ns>.pod.<zone>` names are answered (`--pods`), as CoreDNS's `pods` option.
package enum PodRecordsMode: String, Sendable, Hashable, CaseIterable {
    /// Only for pods that exist in that namespace with that IP (the default).
    case verified
    /// Any well-formed dashed IP in an existing namespace (kube-dns compatibility; spec 2.6).
    case insecure
    /// No pod records.
    case disabled
}
