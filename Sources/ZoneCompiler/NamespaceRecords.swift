import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import CoreSharing

/// One namespace's records, generated once per change of the namespace: what its shard is
/// compiled from, what other namespaces' CNAME chains into it see while it is being compiled,
/// and the PTR contributions the reverse zones are diffed with.
package struct NamespaceRecords: Sendable {
    package var namespace: String
    /// `<ns>.svc.<zone>` (and `<ns>.pod.<zone>`): every name of the namespace lies below them.
    package var roots: [DomainName] = []
    package var records: [ResourceRecord] = []
    /// The names of the services laid out directly (`ServiceEntries`), in place of their records;
    /// only when asked for, and never for records other namespaces' chains read (`lookup`).
    package var direct: [DirectEntry] = []
    /// How many records `direct` stands for.
    package var directRecordCount = 0
    /// Names that exist without records of their own (the roots, for one).
    package var emptyNames: [DomainName] = []
    /// Its PTR contributions, as generated (an address and target may repeat): the first build
    /// takes them all at once, and later builds diff them as sets. Hashing 170,000 of them into a
    /// set here was most of what generating a namespace's PTR contributions cost at L.
    package var pointers: [Pointer] = []
    /// The namespaces its in-zone ExternalName targets are in (nil: outside any namespace).
    package var chainTargets: [String?] = []
    /// Names that could not be formed, each left out with its records.
    package var problems: [String] = []

    /// A PTR contribution: an address and the name it points back to.
    package struct Pointer: Hashable, Sendable {
        package var address: IPAddress
        package var target: PointerTarget
    }

    /// Records given as they are (the zone apex's, say).
    package init(namespace: String) {
        self.namespace = namespace
    }

    /// How many records the namespace has.
    package var recordCount: Int { self.records.count + self.directRecordCount }

    /// The records of `partition`, the namespace `namespace`, under `options`. With
    /// `layingOutDirectly`, the services `ServiceEntries` takes are laid out directly instead,
    /// unless a CNAME chain of the namespace could lead back into it (a target in it, or outside
    /// every namespace, where a zone file's CNAME may come back): such a chain looks names up in
    /// the owner table the records make.
    package init(_ namespace: String, _ partition: NamespacePartition, options: RecordOptions, layingOutDirectly: Bool = false) {
        self.namespace = namespace
        let names = options.names
        self.roots = names.namespaceRoots(namespace, pods: options.pods != .disabled)
        self.emptyNames = self.roots
        if self.roots.isEmpty {
            self.problems.append(
                "Namespace \(namespace): \(namespace).svc.\(options.domain) would be longer than 255 octets (RFC 1035 §2.3.4); its names are left out")
        }
        // The services' names are made from the namespace's root, made once.
        let serviceRoot = names.namespaceRoots(namespace, pods: false).first
        self.chainTargets = Self.chainTargets(partition, names: names)
        let direct = layingOutDirectly && !self.chainTargets.contains { $0 == nil || $0 == namespace }
        // Read by index: a copy of a service or pod retains each of its fields.
        let services = partition.services
        for index in services.indices {
            CoreSharing.checkpoint()
            if direct, let serviceRoot, let made = ServiceEntries(services[index], serviceRoot: serviceRoot, options: options) {
                self.direct += made.entries
                self.directRecordCount += made.recordCount
                for (address, target) in made.pointers { self.pointers.append(Pointer(address: address, target: target)) }
                continue
            }
            let unit = RecordGenerator.serviceRecords(services[index], options: options, namespaceRoot: serviceRoot)
            self.records += unit.records
            self.emptyNames += unit.emptyNames
            self.problems += unit.problems
            for (address, target) in unit.pointers { self.pointers.append(Pointer(address: address, target: target)) }
        }
        let pods = partition.pods
        for index in pods.indices {
            CoreSharing.checkpoint()
            self.records += RecordGenerator.podRecords(pods[index], options: options, problems: &self.problems)
        }
    }

    /// The PTR contributions of `partition` alone, as `init` makes them.
    package static func pointers(_ partition: NamespacePartition, options: RecordOptions) -> Set<Pointer> {
        var pointers: Set<Pointer> = []
        for service in partition.services {
            CoreSharing.checkpoint()
            for (address, target) in RecordGenerator.servicePointers(service, options: options) {
                pointers.insert(Pointer(address: address, target: target))
            }
        }
        return pointers
    }

    /// What `name` is in this namespace: its RRsets, an empty non-terminal, or missing.
    package func lookup(_ name: DomainName) -> NameLookup {
        assert(self.direct.isEmpty, "a namespace laid out directly is not looked up by its records")
        var rrsets: [(type: RRType, records: [ResourceRecord])] = []
        var below = false
        for record in self.records {
            if record.owner == name {
                if let index = rrsets.firstIndex(where: { $0.type == record.type }) {
                    rrsets[index].records.append(record)
                } else {
                    rrsets.append((record.type, [record]))
                }
            } else if !below, record.owner.isSubdomain(of: name) {
                below = true
            }
        }
        if rrsets.isEmpty && !below && !self.emptyNames.contains(where: { $0 == name || $0.isSubdomain(of: name) }) {
            return .missing(zone: 0)
        }
        rrsets.sort { $0.type < $1.type }
        return .exists(rrsets.map { ($0.type, Zone.canonicallySorted($0.records)) })
    }

    /// The namespaces a partition's in-zone ExternalName targets are in. A target in the reverse
    /// zones, or in the cluster zone outside every namespace, counts as nil: followed again every
    /// build.
    static func chainTargets(_ partition: NamespacePartition, names: ClusterNames) -> [String?] {
        // Read in place, by index: a copy of each service (every one, for the few ExternalNames)
        // retained each of its fields, and this runs for every namespace of every build.
        var targets: [String?] = []
        for index in partition.services.indices where partition.services[index].type == .externalName {
            guard let target = partition.services[index].externalName.flatMap({ DomainName($0 + ".") }) else { continue }
            if target.isSubdomain(of: names.domain) {
                targets.append(names.namespace(of: target))
            } else if target.isSubdomain(of: Self.inAddrArpa) || target.isSubdomain(of: Self.ip6Arpa) {
                targets.append(nil)
            }
        }
        return targets
    }

    static let inAddrArpa = DomainName("in-addr.arpa.") ?? .root
    static let ip6Arpa = DomainName("ip6.arpa.") ?? .root
}
