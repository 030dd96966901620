/// A networking.k8s.io/v1 Ingress, with the fields DNS needs: the hosts its rules name and where
/// its load balancer is.
package struct Ingress: Sendable, Hashable {
    package var metadata: ObjectMeta
    /// `spec.rules[].host`, in order, without repeats; a rule without a host adds none.
    package var hosts: [String]
    package var loadBalancer: [LoadBalancerIngress]

    package init(metadata: ObjectMeta, hosts: [String] = [], loadBalancer: [LoadBalancerIngress] = []) {
        self.metadata = metadata
        self.hosts = hosts
        self.loadBalancer = loadBalancer
    }
}
