import IPAddressing

extension DocumentDecoder {
    /// An Ingress's rule hosts and load balancer, validated as the API server validates them
    /// (pkg/apis/networking/validation: a host is a DNS subdomain, `*.` allowed as its first
    /// label, never an IP address).
    mutating func decodeIngress(_ metadata: ObjectMeta, spec: ManifestNode?, document: ManifestNode) -> Ingress? {
        var ingress = Ingress(metadata: metadata)
        for (index, rule) in self.list(spec?["rules"], "spec.rules").enumerated() {
            func path() -> String { "spec.rules[\(index)].host" }
            guard let ruleNode = self.object(rule, "spec.rules[\(index)]"), let hostNode = ruleNode["host"],
                let host = self.string(hostNode, path()), !host.isEmpty
            else { continue }
            if IPAddress(host) != nil {
                self.error(hostNode, "\(path()) must be a DNS name, not an IP address, got \"\(host)\"")
                continue
            }
            let checked = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
            if let problem = NameRules.dns1123SubdomainProblem(checked) {
                self.error(hostNode, "\(path()) \"\(host)\" is not a valid DNS name: \(problem)")
                continue
            }
            if !ingress.hosts.contains(host) { ingress.hosts.append(host) }
        }
        ingress.loadBalancer = self.decodeLoadBalancerStatus(document)
        return ingress
    }

    /// `status.loadBalancer.ingress` of a Service or an Ingress: each entry's `ip` (a valid
    /// address) and `hostname`.
    mutating func decodeLoadBalancerStatus(_ document: ManifestNode) -> [LoadBalancerIngress] {
        guard let status = self.object(document["status"], "status"),
            let loadBalancer = self.object(status["loadBalancer"], "status.loadBalancer")
        else { return [] }
        var result: [LoadBalancerIngress] = []
        for (index, item) in self.list(loadBalancer["ingress"], "status.loadBalancer.ingress").enumerated() {
            func path() -> String { "status.loadBalancer.ingress[\(index)]" }
            guard let entry = self.object(item, path()) else { continue }
            var ingress = LoadBalancerIngress()
            if let ipNode = entry["ip"], let ip = self.string(ipNode, "\(path()).ip"), !ip.isEmpty {
                if IPAddress(ip) == nil {
                    self.error(ipNode, "\(path()).ip must be an IP address, got \"\(ip)\"")
                } else {
                    ingress.ip = ip
                }
            }
            if let hostNode = entry["hostname"], let hostname = self.string(hostNode, "\(path()).hostname"), !hostname.isEmpty {
                if let problem = NameRules.dns1123SubdomainProblem(hostname) {
                    self.error(hostNode, "\(path()).hostname \"\(hostname)\" is not a valid DNS name: \(problem)")
                } else {
                    ingress.hostname = hostname
                }
            }
            if ingress.ip != nil || ingress.hostname != nil { result.append(ingress) }
        }
        return result
    }
}
