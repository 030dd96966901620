import IPAddressing

extension DocumentDecoder {
    /// A discovery.k8s.io/v1 EndpointSlice.
    mutating func decodeEndpointSlice(_ metadata: ObjectMeta, _ document: ManifestNode) -> EndpointSlice? {
        let typeNode = document["addressType"]
        guard let addressType = self.string(typeNode, "addressType") else {
            self.error(typeNode ?? document, "addressType is required (IPv4, IPv6 or FQDN)")
            return nil
        }
        let family: IPAddress.Family?
        switch addressType {
        case "IPv4": family = .ipv4
        case "IPv6": family = .ipv6
        case "FQDN": family = nil
        default:
            self.error(typeNode ?? document, "addressType must be IPv4, IPv6 or FQDN, got \"\(addressType)\"")
            return nil
        }
        var endpoints: [SliceEndpoint] = []
        let endpointNodes = self.list(document["endpoints"], "endpoints")
        // The API server's limits (pkg/apis/discovery/validation): a slice past one is refused
        // whole, before its items are read.
        if endpointNodes.count > Self.maximumSliceEndpoints, let node = document["endpoints"] {
            self.error(node, "endpoints has \(endpointNodes.count) items; a slice holds at most \(Self.maximumSliceEndpoints)")
            return nil
        }
        for (index, item) in endpointNodes.enumerated() {
            func path() -> String { "endpoints[\(index)]" }
            guard let node = self.object(item, path()) else { continue }
            var endpoint = SliceEndpoint(addresses: [])
            let addressNodes = self.list(node["addresses"], "\(path()).addresses")
            if addressNodes.isEmpty { self.error(node, "\(path()).addresses must hold at least one address") }
            if addressNodes.count > Self.maximumEndpointAddresses, let addressesNode = node["addresses"] {
                self.error(
                    addressesNode,
                    "\(path()).addresses has \(addressNodes.count) items; an endpoint holds at most \(Self.maximumEndpointAddresses)")
                continue
            }
            for (addressIndex, addressNode) in addressNodes.enumerated() {
                func addressPath() -> String { "\(path()).addresses[\(addressIndex)]" }
                guard let family else {
                    _ = self.string(addressNode, addressPath())
                    continue
                }
                guard let address = self.podAddress(addressNode, addressPath()) else { continue }
                if address.family != family {
                    self.error(addressNode, "\(addressPath()) must be an \(family.rawValue) address, got \(address)")
                    continue
                }
                endpoint.addresses.append(address)
            }
            if let conditions = self.object(node["conditions"], "\(path()).conditions") {
                endpoint.ready = self.boolean(conditions["ready"], "\(path()).conditions.ready")
                // Validated as the API server does; nothing derives from it, so it is not kept.
                _ = self.boolean(conditions["serving"], "\(path()).conditions.serving")
                endpoint.terminating = self.boolean(conditions["terminating"], "\(path()).conditions.terminating")
            }
            if let hostNode = node["hostname"], let hostname = self.string(hostNode, "\(path()).hostname"),
                !hostname.isEmpty
            {
                self.checkName(hostname, hostNode, "\(path()).hostname", NameRules.dns1123LabelProblem)
                endpoint.hostname = hostname
            }
            endpoint.targetRef = self.decodeObjectReference(node["targetRef"], "\(path()).targetRef")
            _ = self.string(node["nodeName"], "\(path()).nodeName")  // validated, not kept
            endpoints.append(endpoint)
        }
        let ports = self.decodeSlicePorts(document["ports"])
        return EndpointSlice(metadata: metadata, addressType: addressType, endpoints: endpoints, ports: ports)
    }

    /// Endpoints in one slice, at most (the API server's `maxEndpoints`).
    static let maximumSliceEndpoints = 1000
    /// Addresses of one slice endpoint, at most (`maxAddresses`).
    static let maximumEndpointAddresses = 100
    /// Ports of one slice, at most (`maxPorts`).
    static let maximumSlicePorts = 100

    /// A slice's ports, checked as the API server checks them: at most 100, each name empty or
    /// an RFC 1123 label, and no name twice (an absent name is the empty name, so two unnamed
    /// ports are a repeat too). The SRV records of spec 2.4.2 are named by these names.
    private mutating func decodeSlicePorts(_ node: ManifestNode?) -> [EndpointPort] {
        // Read as written: a value that is not a list, an entry that is not an object and a name
        // that is not a string are each reported once, by `decodeEndpointPorts`.
        let items = node?.sequence ?? []
        if items.count > Self.maximumSlicePorts, let node {
            self.error(node, "ports has \(items.count) items; a slice holds at most \(Self.maximumSlicePorts)")
            return []
        }
        var firstUse: [String: Int] = [:]
        for (index, entry) in items.enumerated() where entry.isMapping {
            guard let name = Self.writtenPortName(entry) else { continue }
            if !name.isEmpty, let nameNode = entry["name"] {
                self.checkName(name, nameNode, "ports[\(index)].name", NameRules.dns1123LabelProblem)
            }
            if let first = firstUse[name] {
                let spelled = name.isEmpty ? "an empty name" : "name \"\(name)\""
                self.error(entry["name"] ?? entry, "ports[\(index)] repeats \(spelled) of ports[\(first)]")
            } else {
                firstUse[name] = index
            }
        }
        return self.decodeEndpointPorts(node, "ports")
    }

    /// A port's name as written: empty when absent or null; nil when it is not a string, which
    /// `decodeEndpointPorts` reports.
    private static func writtenPortName(_ entry: ManifestNode) -> String? {
        guard let node = entry["name"], !node.isNull else { return "" }
        guard case .string(let text) = node.scalar?.value else { return nil }
        return text
    }

    /// A legacy v1 Endpoints object.
    mutating func decodeEndpoints(_ metadata: ObjectMeta, _ document: ManifestNode) -> Endpoints? {
        var subsets: [EndpointSubset] = []
        for (index, item) in self.list(document["subsets"], "subsets").enumerated() {
            func path() -> String { "subsets[\(index)]" }
            guard let node = self.object(item, path()) else { continue }
            let ready = self.decodeEndpointAddresses(node["addresses"], "\(path()).addresses")
            let notReady = self.decodeEndpointAddresses(node["notReadyAddresses"], "\(path()).notReadyAddresses")
            // As the API server's validateEndpointSubsets checks a subset (pkg/apis/core/validation).
            // Counted as written; a value that is not a list is reported above, and only that.
            func written(_ key: String) -> Int? {
                guard let list = node[key], !list.isNull else { return 0 }
                return list.sequence?.count
            }
            if let ready = written("addresses"), let notReady = written("notReadyAddresses"), ready + notReady == 0 {
                self.error(node, "\(path()) must list addresses or notReadyAddresses")
            }
            self.checkSubsetPortNames(node["ports"], path())
            let ports = self.decodeEndpointPorts(node["ports"], "\(path()).ports", numberRequired: true)
            subsets.append(EndpointSubset(addresses: ready, notReadyAddresses: notReady, ports: ports))
        }
        return Endpoints(metadata: metadata, subsets: subsets)
    }

    private mutating func decodeEndpointAddresses(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> [EndpointAddress] {
        var result: [EndpointAddress] = []
        for (index, item) in self.list(node, path()).enumerated() {
            func itemPath() -> String { "\(path())[\(index)]" }
            guard let entry = self.object(item, itemPath()) else { continue }
            guard let ip = self.podAddress(entry["ip"], "\(itemPath()).ip") else {
                if entry["ip"] == nil { self.error(entry, "\(itemPath()).ip is required") }
                continue
            }
            var address = EndpointAddress(ip: ip)
            if let hostNode = entry["hostname"], let hostname = self.string(hostNode, "\(itemPath()).hostname"),
                !hostname.isEmpty
            {
                self.checkName(hostname, hostNode, "\(itemPath()).hostname", NameRules.dns1123LabelProblem)
                address.hostname = hostname
            }
            address.targetRef = self.decodeObjectReference(entry["targetRef"], "\(itemPath()).targetRef")
            _ = self.string(entry["nodeName"], "\(itemPath()).nodeName")  // validated, not kept
            result.append(address)
        }
        return result
    }

    /// A legacy subset's port names, as the API server's validateEndpointPort checks them: with
    /// more than one port each needs a name, and a name is an RFC 1123 label. (Unlike a slice's,
    /// a subset's names may repeat.)
    private mutating func checkSubsetPortNames(_ node: ManifestNode?, _ subsetPath: String) {
        // Read as written, as in `decodeSlicePorts`.
        let entries = (node?.sequence ?? []).enumerated().filter { $0.element.isMapping }
        for (index, entry) in entries {
            guard let name = Self.writtenPortName(entry) else { continue }
            if name.isEmpty {
                if entries.count > 1 {
                    self.error(
                        entry["name"] ?? entry, "\(subsetPath).ports[\(index)].name is required when a subset has more than one port")
                }
            } else if let nameNode = entry["name"] {
                self.checkName(name, nameNode, "\(subsetPath).ports[\(index)].name", NameRules.dns1123LabelProblem)
            }
        }
    }

    private mutating func decodeEndpointPorts(
        _ node: ManifestNode?, _ path: @autoclosure () -> String, numberRequired: Bool = false
    ) -> [EndpointPort] {
        var ports: [EndpointPort] = []
        for (index, item) in self.list(node, path()).enumerated() {
            func itemPath() -> String { "\(path())[\(index)]" }
            guard let entry = self.object(item, itemPath()) else { continue }
            let name = self.string(entry["name"], "\(itemPath()).name")
            let proto = self.portProtocol(entry, itemPath())
            // A slice port without a number means "all ports"; DNS has nothing to say about it. A
            // legacy subset's port needs one.
            guard let number = self.portNumber(entry, "port", itemPath(), required: numberRequired) else { continue }
            ports.append(EndpointPort(name: name?.isEmpty == true ? nil : name, port: number, protocol: proto))
        }
        return ports
    }

    private mutating func decodeObjectReference(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> ObjectReference? {
        guard let node = self.object(node, path()) else { return nil }
        guard let name = self.string(node["name"], "\(path()).name") else { return nil }
        let kind = self.string(node["kind"], "\(path()).kind") ?? "Pod"
        let namespace = self.string(node["namespace"], "\(path()).namespace")
        return ObjectReference(kind: kind, namespace: namespace, name: name)
    }
}
