import IPAddressing

/// An Ingress as DNS serves it: the hosts its rules name, and where its load balancer is.
package struct ClusterIngress: Sendable, Hashable {
    package var namespace: String
    package var name: String
    /// The rule hosts, without a trailing dot, in order.
    package var hosts: [String]
    package var addresses: [IPAddress]
    package var hostnames: [String]

    package init(namespace: String, name: String, hosts: [String], addresses: [IPAddress] = [], hostnames: [String] = []) {
        self.namespace = namespace
        self.name = name
        self.hosts = hosts
        self.addresses = addresses
        self.hostnames = hostnames
    }
}
