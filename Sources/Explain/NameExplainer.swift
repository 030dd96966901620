import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import QueryEngine
import ZoneCompiler

/// `explain`: the answer `serve` gives to one question, each record traced back to the object
/// or zone-file line that made it, and for a name that does not exist, why. Pure: manifests,
/// derivation and snapshot in, an `Explanation` out.
package struct NameExplainer {
    let snapshot: RecordSnapshot
    let cluster: Cluster
    let diagnostics: [ManifestDiagnostic]
    /// Every object as first defined.
    var objects: [ObjectIdentity: ManifestObject] = [:]

    package init(files: [ManifestFile], derivation: ClusterDerivation, snapshot: RecordSnapshot) {
        self.snapshot = snapshot
        self.cluster = derivation.cluster
        self.diagnostics = derivation.diagnostics
        for file in files {
            for object in file.objects where self.objects[object.identity] == nil { self.objects[object.identity] = object }
        }
    }

    var options: RecordOptions { self.snapshot.options }

    package func explain(_ name: DomainName, _ type: RRType) -> Explanation {
        let query = QueryBuilder.query(name, type)
        var output = [UInt8](repeating: 0, count: QueryResponder.maximumMessageSize)
        let outcome = query.withUnsafeBytes { bytes in
            output.withUnsafeMutableBytes { QueryResponder.respond(to: bytes, over: .tcp, using: self.snapshot, into: $0) }
        }
        var chased: DomainName?
        let length: Int
        switch outcome.action {
        case .reply(let written):
            length = written
        case .chase(let written, let chain, _):
            length = written
            chased = chain.target
        case .outOfZone, .drop, .zoneTransfer:
            let zones = self.snapshot.table.zones.filter { !$0.apex.isEmpty }.map(\.name)
            let reverse = zones.filter { Self.isReverse($0) }
            var served = zones.filter { !Self.isReverse($0) }.map(\.description)
            if !reverse.isEmpty { served.append("\(reverse.count) reverse zone\(reverse.count == 1 ? "" : "s")") }
            return Explanation(
                rcode: nil, authoritative: false,
                why: [
                    "\(name) is in none of the zones served here (\(Self.list(served, limit: 6))): serve forwards it to the upstream resolvers"
                ], exists: false)
        }
        guard let reply = try? MessageParser.parse(Array(output[0..<length])) else {
            return Explanation(rcode: "SERVFAIL", authoritative: false, why: ["the reply could not be read back"], exists: false)
        }
        let rcode = ResponseCode(rawValue: reply.rcode) ?? .serverFailure
        var explanation = Explanation(
            rcode: "\(rcode)", authoritative: reply.flags & HeaderFlags.authoritative.rawValue != 0, exists: false)
        explanation.answer = reply.answer.map { self.line(Self.record($0)) }
        explanation.authority = reply.authority.map { self.line(Self.record($0)) }
        explanation.additional = reply.additional.filter { $0.type != .opt }.map { self.line(Self.record($0)) }
        let ownsAnswer = reply.answer.contains { $0.owner == name }
        explanation.exists = rcode == .noError || ownsAnswer
        if let chased {
            explanation.notes.append("the chain leaves the zones served here: serve asks the upstream resolvers for \(chased)")
        }
        if rcode == .nameError {
            // The name itself, or the end of its CNAME chain, does not exist.
            let missing = reply.answer.last(where: { $0.type == .cname }).flatMap { Self.record($0).rdata.target } ?? name
            explanation.why += self.whyMissing(missing)
        } else if rcode == .noError, !reply.answer.contains(where: { $0.type == type || $0.type == .cname }) {
            explanation.why.append(self.whyNoData(name, type))
        }
        return explanation
    }

    private func line(_ record: ResourceRecord) -> Explanation.Line {
        Explanation.Line(record: record, origin: self.origin(of: record))
    }

    static func record(_ wire: WireRecord) -> ResourceRecord {
        let rdata = RData(type: wire.type, uncompressed: wire.rdata) ?? .opaque(type: wire.type, bytes: wire.rdata)
        return ResourceRecord(wire.owner, ttl: wire.ttl, rdata)
    }

    static func isReverse(_ name: DomainName) -> Bool {
        ["in-addr.arpa.", "ip6.arpa."].contains { DomainName($0).map { name.isSubdomain(of: $0) } ?? false }
    }

    /// Up to `limit` items joined with commas, and how many more.
    static func list(_ items: [String], limit: Int = 5) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? "\(shown) and \(items.count - limit) more" : shown
    }

    /// `identity (file:line)`, or the identity alone when no file defines it.
    func described(_ identity: ObjectIdentity) -> String {
        guard let object = self.objects[identity] else { return identity.description }
        return "\(identity) (\(object.location.file):\(object.location.line))"
    }

    /// The labels of `name` in front of `apex`, lower-cased, leftmost first.
    static func relativeLabels(_ name: DomainName, under apex: DomainName) -> [String] {
        let labels = name.lowercased.labelBytes.map { String(decoding: $0, as: UTF8.self) }
        return Array(labels.prefix(max(0, labels.count - apex.labelCount)))
    }
}
