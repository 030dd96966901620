import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import ZoneCompiler

extension NameExplainer {
    /// Why a name that is in our zones does not exist, in sentences.
    func whyMissing(_ name: DomainName) -> [String] {
        if let problem = self.snapshot.problems.first(where: { $0.contains(name.description) }) {
            return ["it was left out: \(problem)"]
        }
        let fileZones = self.snapshot.fileZones
        if let index = fileZones.zone(of: name) {
            let zone = fileZones.zones[index]
            if zone.path.hasPrefix("--external-zone") { return self.whyMissingExternally(name, apex: zone.apex) }
            let owners = Array(Set(zone.records.map { $0.owner.description })).sorted()
            return [Self.sentence("\(zone.path) has no record at \(name)", closest: name.description, among: owners)]
        }
        let domain = self.options.domain
        guard name.isSubdomain(of: domain) else {
            if let address = IPAddress.parsing(reverseName: name.description) {
                return ["no Service, endpoint or Pod in the cluster has the address \(address)"]
            }
            return ["\(name) does not exist in its zone"]
        }
        let labels = Self.relativeLabels(name, under: domain)
        guard labels.count >= 2, let marker = labels.last, marker == ClusterNames.serviceMarker || marker == ClusterNames.podMarker
        else {
            return [
                "\(domain) has no name \(name): the cluster's names are <service>.<namespace>.svc.\(domain) and <a-b-c-d>.<namespace>.pod.\(domain)"
            ]
        }
        let namespace = labels[labels.count - 2]
        guard self.cluster.namespaces.contains(namespace) else {
            return [Self.sentence("the namespace \"\(namespace)\" does not exist", closest: namespace, among: self.cluster.namespaces)]
        }
        if marker == ClusterNames.podMarker {
            guard labels.count == 3, let address = ClusterNames.podAddress(dashed: Array(labels[0].utf8)) else {
                return ["pod names are <a-b-c-d>.\(namespace).pod.\(domain), the address with dashes"]
            }
            if self.options.pods == .disabled { return ["pod records are off (--pods disabled)"] }
            return ["no Pod in namespace \"\(namespace)\" has the address \(address)"]
        }
        guard labels.count >= 3 else { return ["\(name) exists only as a parent of the namespace's services"] }
        let serviceName = labels[labels.count - 3]
        let identity = ObjectIdentity(kind: .service, namespace: namespace, name: serviceName)
        guard let service = self.cluster.service(namespace: namespace, name: serviceName) else {
            if let rejection = self.diagnostics.first(where: { $0.isError && $0.message.hasPrefix("\(identity): ") }) {
                return ["\(identity) was rejected: \(rejection)"]
            }
            let names = self.cluster.partitions[namespace]?.services.map(\.name) ?? []
            return [Self.sentence("there is no Service \"\(serviceName)\" in namespace \"\(namespace)\"", closest: serviceName, among: names)]
        }
        let published = service.endpoints.filter(service.publishes)
        if labels.count == 3 {
            if service.isHeadless, published.isEmpty {
                var sentence = "\(self.described(identity)) is headless and has no ready endpoints"
                let waiting = service.endpoints.map { endpoint -> String in
                    let address = endpoint.addresses.map(\.description).joined(separator: ", ")
                    let pod = endpoint.podName.map { " (\(self.podDescription(namespace: namespace, name: $0)))" } ?? ""
                    return address + pod + (endpoint.isTerminating ? ", terminating" : ", not ready")
                }
                sentence += waiting.isEmpty ? "" : "; not published: " + Self.list(waiting)
                return [sentence]
            }
            return ["\(self.described(identity)) has no address records of that family"]
        }
        if labels.count == 4 {
            let label = labels[0]
            let names = published.map { $0.hostname ?? $0.addresses.first.map(\.dashed) ?? "" }
            if let unready = service.endpoints.first(where: { !service.publishes($0) && $0.hostname == label }) {
                return ["the endpoint \"\(label)\" of \(identity) is \(unready.isTerminating ? "terminating" : "not ready")"]
            }
            return [Self.sentence("\(self.described(identity)) has no endpoint named \"\(label)\"", closest: label, among: names)]
        }
        let ports = service.ports.compactMap { port in port.name.map { "_\($0)._\(port.protocol.rawValue.lowercased())" } }
        return [Self.sentence("\(self.described(identity)) has no named port \(labels[0]).\(labels[1])", closest: "\(labels[0]).\(labels[1])", among: ports)]
    }

    private func whyMissingExternally(_ name: DomainName, apex: DomainName) -> [String] {
        let labels = Self.relativeLabels(name, under: apex)
        if labels.count == 2, let service = self.cluster.service(namespace: labels[1], name: labels[0]) {
            let identity = ObjectIdentity(kind: .service, namespace: service.namespace, name: service.name)
            return ["\(self.described(identity)) has no load balancer address or external IP (and is not headless with ready endpoints)"]
        }
        return [
            "no Service gives \(name) an external address (<service>.<namespace>.\(apex)) and no Ingress in the cluster has it as a host"
        ]
    }

    /// Why a name that exists has no record of `type`.
    func whyNoData(_ name: DomainName, _ type: RRType) -> String {
        let types = (self.snapshot.table.rrsets(of: name) ?? []).map { "\($0.type)" }
        guard !types.isEmpty else {
            return "\(name) exists only because names exist below it (an empty non-terminal): it has no records"
        }
        return "\(name) exists, with \(types.joined(separator: ", ")), but has no \(type) record"
    }

    /// `statement`, then the closest of `candidates` when any are close.
    static func sentence(_ statement: String, closest name: String, among candidates: [String]) -> String {
        let close = ClosestNames.to(name, among: candidates.filter { $0 != name })
        return close.isEmpty ? statement : "\(statement); the closest: \(close.joined(separator: ", "))"
    }
}
