import DNSWire
import Manifests

/// The zone files of a snapshot, laid out beside the zones ClusterDNS generates. Pure.
/// - A file whose apex is the cluster zone or lies below it adds its records to the cluster
///   zone, outside the `svc` and `pod` subtrees; a record whose owner the cluster zone generates
///   (its apex, `ns.dns`, `dns-version`, `svc`, `pod`) is left out with a diagnostic: the
///   generated records win. The file's SOA, and NS at its apex, are not served (its apex is not
///   a zone cut of ours).
/// - Any other file is a zone of its own, unless a zone ClusterDNS generates holds its apex.
///   Its records at or below a generated zone's apex are left out with a diagnostic: the deeper
///   zone answers those names. Two files with one apex: the first path serves it.
package struct FileZoneSet: Sendable {
    /// The zones of their own, by apex in canonical order.
    package private(set) var zones: [FileZone] = []
    /// Records added to the cluster zone, with their file and line.
    package private(set) var clusterRecords: [(record: ResourceRecord, path: String, line: Int)] = []
    /// Records left out, as `FILE:LINE: message`.
    package private(set) var problems: [String] = []
    /// By zone (index in `zones`): every name that exists in it, with its RRsets (empty for an
    /// empty non-terminal).
    private var names: [[DomainName: [(type: RRType, records: [ResourceRecord])]]] = []

    package static let empty = FileZoneSet()

    private init() {}

    /// Lays out `files` (path order) for a cluster zone `domain`, after the `external` zones
    /// (`--external-zone`, made from the cluster: they come first); `generatedZone` says whether
    /// a name lies in a zone ClusterDNS generates other than the cluster zone (the reverse zones).
    package init(
        files: [(path: String, content: ZoneFileContent)], external: [FileZone] = [], options: RecordOptions,
        generatedZone: (DomainName) -> Bool
    ) {
        let domain = options.domain
        let generated: Set<DomainName> = [
            domain, options.names.nameServer, options.names.dnsVersion, options.names.fixed([ClusterNames.serviceMarker]),
            options.names.fixed([ClusterNames.podMarker]),
        ]
        let clusterSubtrees = [options.names.fixed([ClusterNames.serviceMarker]), options.names.fixed([ClusterNames.podMarker])]
        var apexes: [DomainName: String] = [:]
        for zone in external where !generatedZone(zone.apex) {
            apexes[zone.apex] = zone.path
            self.zones.append(zone)
        }
        for (path, content) in files {
            let apex = DomainName(uncheckedWire: content.apex)
            let records = content.records.map(Self.record)
            let lines = content.records.map(\.line)
            func leaveOut(_ index: Int, _ message: String) { self.problems.append("\(path):\(lines[index]): \(message)") }
            if apex.isSubdomain(of: domain) {
                for (index, record) in records.enumerated() {
                    if record.type == .soa || (record.type == .ns && record.owner == apex) { continue }
                    if record.owner.isWildcard {
                        leaveOut(index, "\(record.owner) \(record.type) left out: a wildcard in the cluster zone would answer for names the cluster owns")
                    } else if generated.contains(record.owner) {
                        leaveOut(index, "\(record.owner) \(record.type) left out: the cluster zone generates \(record.owner)")
                    } else if clusterSubtrees.contains(where: { record.owner.isSubdomain(of: $0) }) {
                        leaveOut(index, "\(record.owner) \(record.type) left out: names under \(clusterSubtrees[0]) and \(clusterSubtrees[1]) are the cluster's")
                    } else {
                        self.clusterRecords.append((record, path, lines[index]))
                    }
                }
                continue
            }
            if generatedZone(apex) {
                self.problems.append("\(path):\(lines[0]): the zone \(apex) is left out: ClusterDNS generates a zone that holds it")
                continue
            }
            if let first = apexes[apex] {
                self.problems.append("\(path):\(lines[0]): the zone \(apex) is left out: \(first) serves it already")
                continue
            }
            apexes[apex] = path
            if !records.contains(where: { $0.type == .ns && $0.owner == apex }) {
                self.problems.append("\(path):\(lines[0]): the zone \(apex) has no NS record at its apex (RFC 1034 §4.2.1)")
            }
            var zone = FileZone(apex: apex, path: path, records: [], lines: [])
            for (index, record) in records.enumerated() {
                if record.owner.isSubdomain(of: domain) || (record.owner != apex && generatedZone(record.owner)) {
                    leaveOut(index, "\(record.owner) \(record.type) left out: it lies in a zone ClusterDNS generates")
                    continue
                }
                zone.records.append(record)
                zone.lines.append(lines[index])
            }
            self.zones.append(zone)
        }
        self.zones.sort { $0.apex < $1.apex }
        self.names = self.zones.map(Self.names)
    }

    /// The zone files among `files`, in their order.
    package static func zoneFiles(in files: [ManifestFile]) -> [(path: String, content: ZoneFileContent)] {
        files.compactMap { file in file.zone.map { (file.path, $0) } }
    }

    /// Takes a zone out, saying why.
    package mutating func leaveOut(_ apex: DomainName, _ reason: String) {
        guard let index = self.zones.firstIndex(where: { $0.apex == apex }) else { return }
        let zone = self.zones.remove(at: index)
        self.names.remove(at: index)
        self.problems.append("\(zone.path):\(zone.lines.first ?? 1): the zone \(apex) is left out: \(reason)")
    }

    /// The index in `zones` of the deepest zone holding `name`.
    package func zone(of name: DomainName) -> Int? {
        var best: Int?
        for (index, zone) in self.zones.enumerated() where name.isSubdomain(of: zone.apex) {
            if let current = best, self.zones[current].apex.labelCount >= zone.apex.labelCount { continue }
            best = index
        }
        return best
    }

    /// What `name` is in zone `index`: its RRsets (empty: it exists without data), those a
    /// wildcard gives it (RFC 4592 §3.3.1: `*.` the closest encloser, its records owned by
    /// `name`), or nil.
    package func rrsets(of name: DomainName, inZone index: Int) -> [(type: RRType, records: [ResourceRecord])]? {
        if let rrsets = self.names[index][name] { return rrsets }
        let apex = self.zones[index].apex
        var encloser = name
        while encloser != apex, !encloser.isRoot {
            encloser = encloser.parent
            guard self.names[index][encloser] != nil else { continue }
            guard let wildcard = encloser.prepending("*"), let rrsets = self.names[index][wildcard] else { return nil }
            return rrsets.map { set in (set.type, set.records.map { ResourceRecord(name, ttl: $0.ttl, $0.rdata) }) }
        }
        return nil
    }

    /// Every name of a zone, with its RRsets; the names between an owner and the apex exist too
    /// (empty non-terminals, RFC 8020).
    private static func names(_ zone: FileZone) -> [DomainName: [(type: RRType, records: [ResourceRecord])]] {
        var result: [DomainName: [(type: RRType, records: [ResourceRecord])]] = [:]
        for record in zone.records {
            var sets = result[record.owner] ?? []
            if let index = sets.firstIndex(where: { $0.type == record.type }) {
                sets[index].records.append(record)
            } else {
                sets.append((record.type, [record]))
            }
            result[record.owner] = sets
            var ancestor = record.owner
            while ancestor != zone.apex, !ancestor.isRoot {
                ancestor = ancestor.parent
                if result[ancestor] == nil { result[ancestor] = [] }
            }
        }
        return result
    }

    /// A zone file record as served: the types ClusterDNS knows are typed, any other is opaque.
    static func record(_ record: ZoneFileRecord) -> ResourceRecord {
        let type = RRType(rawValue: record.type)
        let rdata = RData(type: type, uncompressed: record.rdata) ?? .opaque(type: type, bytes: record.rdata)
        return ResourceRecord(DomainName(uncheckedWire: record.owner), ttl: record.ttl, rdata)
    }
}
