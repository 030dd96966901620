/// The pod template of a workload: what each of its pods gets.
package struct PodTemplate: Sendable, Hashable {
    package var labels: [String: String]
    package var hostname: String?
    package var subdomain: String?
    package var ports: [ContainerPort]

    package init(
        labels: [String: String] = [:], hostname: String? = nil, subdomain: String? = nil, ports: [ContainerPort] = []
    ) {
        self.labels = labels
        self.hostname = hostname
        self.subdomain = subdomain
        self.ports = ports
    }
}
