/// One entry of `status.loadBalancer.ingress` (of a Service or an Ingress): where the load
/// balancer can be reached, by address or by name.
package struct LoadBalancerIngress: Sendable, Hashable {
    package var ip: String?
    package var hostname: String?

    package init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}
