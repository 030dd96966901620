import ClusterModel
import DNSWire
import IPAddressing
import Manifests

/// The zones of `--external-zone`, made from the cluster as CoreDNS's k8s_external makes them,
/// plus Ingress hosts. Pure.
/// - `<svc>.<ns>.<zone>`: a LoadBalancer Service's load balancer addresses and any Service's
///   `spec.externalIPs` (A/AAAA); a load balancer known only by name is a CNAME to that name.
///   A headless Service answers its published endpoints' addresses, and
///   `<hostname>.<svc>.<ns>.<zone>` each endpoint that has a hostname.
/// - Each Ingress rule host inside a zone: the Ingress's load balancer addresses (or CNAME).
/// - SOA and NS at each apex; every other name is NXDOMAIN.
package enum ExternalZones {
    /// What `partition` (namespace `namespace`) puts in `zones`, and its Ingress hosts that lie
    /// outside every zone (`check` warns of them; they are not errors).
    package static func entries(
        namespace: String, _ partition: NamespacePartition, zones: [DomainName]
    ) -> (entries: [ExternalZoneEntry], outside: [String]) {
        guard !zones.isEmpty else { return ([], []) }
        var entries: [ExternalZoneEntry] = []
        var outside: [String] = []
        for service in partition.services where service.type != .externalName {
            for zone in zones {
                guard let owner = Self.name([service.name, namespace], under: zone) else { continue }
                if service.isHeadless {
                    let published = service.endpoints.filter(service.publishes)
                    let addresses = Self.unique(published.flatMap(\.addresses))
                    if !addresses.isEmpty { entries.append(ExternalZoneEntry(owner: owner, addresses: addresses, hostnames: [])) }
                    for endpoint in published {
                        guard let hostname = endpoint.hostname, let name = Self.name([hostname], under: owner) else { continue }
                        entries.append(ExternalZoneEntry(owner: name, addresses: Array(endpoint.addresses), hostnames: []))
                    }
                } else if !service.externalAddresses.isEmpty || !service.externalHostnames.isEmpty {
                    entries.append(
                        ExternalZoneEntry(owner: owner, addresses: service.externalAddresses, hostnames: service.externalHostnames))
                }
            }
        }
        for ingress in partition.ingresses {
            for host in ingress.hosts {
                let subject = "Ingress \(namespace)/\(ingress.name)"
                guard !host.hasPrefix("*.") else {
                    outside.append("\(subject): wildcard host \(host) is not served in the external zones")
                    continue
                }
                guard let name = DomainName(host + "."), Self.deepest(zones, holding: name) != nil else {
                    outside.append("\(subject): host \(host) is outside every --external-zone")
                    continue
                }
                guard !ingress.addresses.isEmpty || !ingress.hostnames.isEmpty else { continue }
                entries.append(ExternalZoneEntry(owner: name, addresses: ingress.addresses, hostnames: ingress.hostnames))
            }
        }
        return (entries, outside)
    }

    /// The zones, each with its apex records and the entries inside it merged by owner: the
    /// addresses of every object naming an owner; a CNAME to the first load balancer name only
    /// where none gave an address (RFC 1034 §3.6.2: a CNAME owner has no other data).
    package static func zones(
        _ entries: [ExternalZoneEntry], zones: [DomainName], nameServerAddresses: [IPAddress], options: RecordOptions
    ) -> [FileZone] {
        var byZone: [DomainName: [DomainName: (addresses: [IPAddress], hostnames: [String])]] = [:]
        for entry in entries {
            guard let zone = Self.deepest(zones, holding: entry.owner) else { continue }
            var merged = byZone[zone]?[entry.owner] ?? ([], [])
            for address in entry.addresses where !merged.addresses.contains(address) { merged.addresses.append(address) }
            for hostname in entry.hostnames where !merged.hostnames.contains(hostname) { merged.hostnames.append(hostname) }
            byZone[zone, default: [:]][entry.owner] = merged
        }
        let ttl = options.ttl
        return zones.map { apex in
            let nameServer = Self.name(["ns", "dns"], under: apex) ?? apex
            let hostmaster = Self.name(["hostmaster"], under: apex) ?? apex
            var records = [
                ResourceRecord(
                    apex, ttl: ttl,
                    .soa(
                        mname: nameServer, rname: hostmaster, serial: options.serial, refresh: 7200, retry: 1800,
                        expire: 86400, minimum: ttl)),
                ResourceRecord(apex, ttl: ttl, .ns(nameServer)),
            ]
            records += nameServerAddresses.map { RecordGenerator.addressRecord(nameServer, $0, ttl: ttl) }
            let owners = byZone[apex] ?? [:]
            for owner in owners.keys.sorted() where owner != nameServer {
                guard let merged = owners[owner] else { continue }
                if !merged.addresses.isEmpty {
                    records += merged.addresses.map { RecordGenerator.addressRecord(owner, $0, ttl: ttl) }
                } else if owner != apex, let first = merged.hostnames.sorted().first, let target = DomainName(first + ".") {
                    records.append(ResourceRecord(owner, ttl: ttl, .cname(target)))
                }
            }
            return FileZone(apex: apex, path: "--external-zone \(apex)", records: records, lines: records.map { _ in 0 })
        }
    }

    /// The deepest of `zones` holding `name`.
    static func deepest(_ zones: [DomainName], holding name: DomainName) -> DomainName? {
        zones.filter { name.isSubdomain(of: $0) }.max { $0.labelCount < $1.labelCount }
    }

    /// `labels` put in front of `name`; nil when the result is not a valid name.
    package static func name(_ labels: [String], under name: DomainName) -> DomainName? {
        labels.reversed().reduce(Optional(name)) { result, label in result?.prepending(label) }
    }

    private static func unique(_ addresses: [IPAddress]) -> [IPAddress] {
        var seen: Set<IPAddress> = []
        return addresses.filter { seen.insert($0).inserted }
    }
}
