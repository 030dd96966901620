import IPAddressing

extension DocumentDecoder {
    /// A Pod: hostname, subdomain, container ports, IPs and readiness.
    mutating func decodePod(_ metadata: ObjectMeta, spec: ManifestNode?, status: ManifestNode?) -> Pod? {
        var pod = Pod(metadata: metadata)
        if let spec {
            let template = self.decodePodSpec(spec, path: "spec")
            pod.hostname = template.hostname
            pod.subdomain = template.subdomain
            pod.ports = template.ports
            pod.hostNetwork = self.boolean(spec["hostNetwork"], "spec.hostNetwork") ?? false
        }
        guard let status else { return pod }
        var addresses: [IPAddress] = []
        for (index, item) in self.list(status["podIPs"], "status.podIPs").enumerated() {
            guard let entry = self.object(item, "status.podIPs[\(index)]") else { continue }
            if let address = self.podAddress(entry["ip"], "status.podIPs[\(index)].ip") { addresses.append(address) }
        }
        if addresses.count == 2, addresses[0].family == addresses[1].family {
            self.error(status["podIPs"] ?? status, "status.podIPs must hold one address of each family when dual-stack")
        } else if addresses.count > 2 {
            self.error(status["podIPs"] ?? status, "status.podIPs may hold at most two addresses (one per family)")
        }
        pod.podIPsLocation = (status["podIPs"] ?? status["podIP"]).map { self.location($0) }
        // `podIP` repeats `podIPs[0]`: checked as an address of a pod only when it stands alone.
        let podIPNode = status["podIP"]
        let podIP = status["podIPs"] == nil ? self.podAddress(podIPNode, "status.podIP") : self.ipAddress(podIPNode, "status.podIP")
        if let podIPNode, let address = podIP {
            if addresses.isEmpty {
                addresses = [address]
            } else if addresses[0] != address {
                self.error(podIPNode, "status.podIP must equal status.podIPs[0].ip, got \(address) and \(addresses[0])")
            }
        }
        pod.podIPs = addresses
        pod.phase = self.string(status["phase"], "status.phase")
        var readyCondition: Bool?
        for (index, item) in self.list(status["conditions"], "status.conditions").enumerated() {
            guard let condition = self.object(item, "status.conditions[\(index)]") else { continue }
            if self.string(condition["type"], "status.conditions[\(index)].type") == "Ready" {
                readyCondition = self.string(condition["status"], "status.conditions[\(index)].status") == "True"
            }
        }
        // Without a Ready condition a pod counts as ready unless its phase says it is not running.
        pod.isReady = readyCondition ?? (pod.phase.map { $0 == "Running" } ?? true)
        return pod
    }

    /// The DNS-relevant part of a pod spec (also a workload's `spec.template.spec`).
    mutating func decodePodSpec(_ spec: ManifestNode, path: @autoclosure () -> String) -> PodTemplate {
        var template = PodTemplate()
        if let node = spec["hostname"], let hostname = self.string(node, "\(path()).hostname"), !hostname.isEmpty {
            self.checkName(hostname, node, "\(path()).hostname", NameRules.dns1123LabelProblem)
            template.hostname = hostname
        }
        if let node = spec["subdomain"], let subdomain = self.string(node, "\(path()).subdomain"), !subdomain.isEmpty {
            self.checkName(subdomain, node, "\(path()).subdomain", NameRules.dns1123LabelProblem)
            template.subdomain = subdomain
        }
        for (containerIndex, containerNode) in self.list(spec["containers"], "\(path()).containers").enumerated() {
            func containerPath() -> String { "\(path()).containers[\(containerIndex)]" }
            guard let container = self.object(containerNode, containerPath()) else { continue }
            for (portIndex, portNode) in self.list(container["ports"], "\(containerPath()).ports").enumerated() {
                func portPath() -> String { "\(containerPath()).ports[\(portIndex)]" }
                guard let portObject = self.object(portNode, portPath()) else { continue }
                var port = ContainerPort(containerPort: 0)
                if let nameNode = portObject["name"], let name = self.string(nameNode, "\(portPath()).name"),
                    !name.isEmpty
                {
                    self.checkName(name, nameNode, "\(portPath()).name", NameRules.ianaServiceNameProblem)
                    port.name = name
                }
                port.protocol = self.portProtocol(portObject, portPath())
                guard let number = self.portNumber(portObject, "containerPort", portPath(), required: true) else {
                    continue
                }
                port.containerPort = number
                template.ports.append(port)
            }
        }
        return template
    }
}
