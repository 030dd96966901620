import IPAddressing

extension DocumentDecoder {
    /// A Service's spec, validated as the API server validates it (pkg/apis/core/validation).
    mutating func decodeService(_ metadata: ObjectMeta, spec: ManifestNode?, document: ManifestNode) -> Service? {
        var service = Service(metadata: metadata)
        guard let spec else {
            self.error(document, "spec is required")
            return nil
        }
        if let typeNode = spec["type"], let text = self.string(typeNode, "spec.type") {
            if let type = ServiceType(rawValue: text) {
                service.type = type
            } else {
                self.error(typeNode, "spec.type must be ClusterIP, NodePort, LoadBalancer or ExternalName, got \"\(text)\"")
            }
        }
        self.decodeClusterIPs(&service, spec)
        service.ipFamilies = self.decodeIPFamilies(spec)
        if let policyNode = spec["ipFamilyPolicy"], let policy = self.string(policyNode, "spec.ipFamilyPolicy") {
            if ["SingleStack", "PreferDualStack", "RequireDualStack"].contains(policy) {
                service.ipFamilyPolicy = policy
            } else {
                self.error(
                    policyNode,
                    "spec.ipFamilyPolicy must be SingleStack, PreferDualStack or RequireDualStack, got \"\(policy)\"")
            }
        }
        service.ports = self.decodeServicePorts(spec, type: service.type)
        if let selectorNode = spec["selector"] {
            service.selector = self.stringMap(selectorNode, "spec.selector")
        }
        service.publishNotReadyAddresses =
            self.boolean(spec["publishNotReadyAddresses"], "spec.publishNotReadyAddresses") ?? false
        for (index, item) in self.list(spec["externalIPs"], "spec.externalIPs").enumerated() {
            guard let text = self.string(item, "spec.externalIPs[\(index)]") else { continue }
            guard IPAddress(text) != nil else {
                self.error(item, "spec.externalIPs[\(index)] must be an IP address, got \"\(text)\"")
                continue
            }
            service.externalIPs.append(text)
        }
        service.loadBalancer = self.decodeLoadBalancerStatus(document)

        switch service.type {
        case .externalName:
            let node = spec["externalName"]
            guard let name = self.string(node, "spec.externalName"), !name.isEmpty else {
                self.error(node ?? spec, "spec.externalName is required for an ExternalName service")
                return nil
            }
            if let problem = NameRules.externalNameProblem(name) {
                self.error(node ?? spec, "spec.externalName \"\(name)\" is not a valid DNS name: \(problem)")
            }
            service.externalName = name.hasSuffix(".") ? String(name.dropLast()) : name
            if let target = service.externalName, target.split(separator: ".").count == 4, IPAddress(target) != nil {
                // Kubernetes documents this: the CNAME is served, to the name `1.2.3.4.`, which
                // resolvers look up as a name, never as the address it spells.
                self.warning(
                    node ?? spec,
                    "spec.externalName \"\(name)\" is an IPv4 address: it is served as a CNAME to the name \"\(target).\", which resolvers will not turn into that address; for a fixed address, use a Service without a selector and an EndpointSlice holding it")
            }
            if !service.clusterIPs.isEmpty {
                self.error(
                    spec["clusterIP"] ?? spec["clusterIPs"] ?? spec,
                    "spec.clusterIP must be empty for an ExternalName service, got \"\(service.clusterIPs[0])\"")
            }
        case .nodePort, .loadBalancer:
            if service.isHeadless {
                self.error(
                    spec["clusterIP"] ?? spec["clusterIPs"] ?? spec,
                    "spec.clusterIP may not be None for a \(service.type.rawValue) service")
            }
            fallthrough
        case .clusterIP:
            if service.ports.isEmpty && !service.isHeadless && spec["ports"].map({ $0.sequence?.isEmpty ?? true }) ?? true {
                self.error(spec, "spec.ports is required (at least one port) for a \(service.type.rawValue) service")
            }
        }
        return service
    }

    private mutating func decodeClusterIPs(_ service: inout Service, _ spec: ManifestNode) {
        let single = spec["clusterIP"]
        let singleValue = self.string(single, "spec.clusterIP")
        var values: [String] = []
        var valueNodes: [ManifestNode] = []
        if let listNode = spec["clusterIPs"] {
            for (index, item) in self.list(listNode, "spec.clusterIPs").enumerated() {
                if let value = self.string(item, "spec.clusterIPs[\(index)]") {
                    values.append(value)
                    valueNodes.append(item)
                }
            }
            if let singleValue, !singleValue.isEmpty, let first = values.first, first != singleValue {
                self.error(
                    listNode, "spec.clusterIPs[0] must match spec.clusterIP, got \"\(first)\" and \"\(singleValue)\"")
            }
        }
        if values.isEmpty, let singleValue, !singleValue.isEmpty, let single {
            values = [singleValue]
            valueNodes = [single]
        }
        service.clusterIPLocation = (single ?? spec["clusterIPs"]).map { self.location($0) }
        guard !values.isEmpty else { return }
        if values.first == "None" {
            if values.count > 1 { self.error(valueNodes[1], "spec.clusterIPs must hold only \"None\" when headless") }
            service.clusterIPs = ["None"]
            return
        }
        var families: [IPAddress.Family] = []
        for (index, value) in values.enumerated() {
            func path() -> String { spec["clusterIPs"] == nil ? "spec.clusterIP" : "spec.clusterIPs[\(index)]" }
            guard let address = IPAddress(value) else {
                self.error(valueNodes[index], "\(path()) must be an IP address or None, got \"\(value)\"")
                continue
            }
            families.append(address.family)
        }
        if values.count > 2 {
            self.error(valueNodes[2], "spec.clusterIPs may hold at most two addresses (one per family)")
        } else if families.count == 2, families[0] == families[1] {
            self.error(valueNodes[1], "spec.clusterIPs must hold one address of each family when dual-stack")
        }
        service.clusterIPs = values
    }

    private mutating func decodeIPFamilies(_ spec: ManifestNode) -> [IPAddress.Family] {
        var families: [IPAddress.Family] = []
        for (index, item) in self.list(spec["ipFamilies"], "spec.ipFamilies").enumerated() {
            guard let text = self.string(item, "spec.ipFamilies[\(index)]") else { continue }
            guard let family = IPAddress.Family(rawValue: text) else {
                self.error(item, "spec.ipFamilies[\(index)] must be IPv4 or IPv6, got \"\(text)\"")
                continue
            }
            if families.contains(family) {
                self.error(item, "spec.ipFamilies[\(index)] repeats \(text)")
                continue
            }
            families.append(family)
        }
        return families
    }

    private mutating func decodeServicePorts(_ spec: ManifestNode, type: ServiceType) -> [ServicePort] {
        let items = self.list(spec["ports"], "spec.ports")
        var ports: [ServicePort] = []
        // Each name, and each number and protocol, with the last index that used it. A service
        // has a port or two: those are searched in a list (a pair of tables and a key spelled per
        // port were a fifth of decoding a Service); a long list of ports uses the tables.
        let searchesTables = items.count > 16
        var seenNames: [String: Int] = [:]
        var seenPorts: [String: Int] = [:]
        var namesSeen: [(name: String, index: Int)] = []
        var portsSeen: [(number: Int, protocol: PortProtocol, index: Int)] = []
        func lastUse(ofName name: String) -> Int? {
            searchesTables ? seenNames[name] : namesSeen.last { $0.name == name }?.index
        }
        func use(name: String, at index: Int) {
            if searchesTables { seenNames[name] = index } else { namesSeen.append((name, index)) }
        }
        func lastUse(ofPort number: Int, _ proto: PortProtocol) -> Int? {
            searchesTables
                ? seenPorts["\(number)/\(proto.rawValue)"] : portsSeen.last { $0.number == number && $0.protocol == proto }?.index
        }
        func use(port number: Int, _ proto: PortProtocol, at index: Int) {
            if searchesTables { seenPorts["\(number)/\(proto.rawValue)"] = index } else { portsSeen.append((number, proto, index)) }
        }
        for (index, item) in items.enumerated() {
            func path() -> String { "spec.ports[\(index)]" }
            guard let portNode = self.object(item, path()) else { continue }
            var port = ServicePort(port: 0)
            if let nameNode = portNode["name"], let name = self.string(nameNode, "\(path()).name"), !name.isEmpty {
                self.checkName(name, nameNode, "\(path()).name", NameRules.dns1123LabelProblem)
                if let first = lastUse(ofName: name) {
                    self.error(nameNode, "\(path()).name \"\(name)\" is already used by spec.ports[\(first)]")
                }
                use(name: name, at: index)
                port.name = name
            } else if items.count > 1 {
                self.error(portNode, "\(path()).name is required when a service has more than one port")
            }
            port.protocol = self.portProtocol(portNode, path())
            guard let number = self.portNumber(portNode, "port", path(), required: true) else { continue }
            port.port = number
            if let first = lastUse(ofPort: number, port.protocol) {
                self.error(portNode, "\(path()) repeats port \(number)/\(port.protocol.rawValue) of spec.ports[\(first)]")
            }
            use(port: number, port.protocol, at: index)
            if let targetNode = portNode["targetPort"], let target = self.intOrString(targetNode, "\(path()).targetPort") {
                switch target {
                case .number(let value):
                    if !(1...65535).contains(value) {
                        self.error(targetNode, "\(path()).targetPort must be 1-65535, got \(value)")
                    }
                case .name(let name):
                    self.checkName(name, targetNode, "\(path()).targetPort", NameRules.ianaServiceNameProblem)
                }
                port.targetPort = target
            }
            if let nodePortNode = portNode["nodePort"], let nodePort = self.integer(nodePortNode, "\(path()).nodePort"),
                nodePort != 0
            {
                if !type.hasNodePorts {
                    self.error(nodePortNode, "\(path()).nodePort may not be used when spec.type is \(type.rawValue)")
                }
                port.nodePort = nodePort
                port.nodePortLocation = self.location(nodePortNode)
            }
            ports.append(port)
        }
        return ports
    }
}
