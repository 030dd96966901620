import DNSWire
import Manifests

extension ZoneFileRecord {
    /// What makes two records the same record (RFC 2181 §5): owner (any case), type and data.
    struct Identity: Hashable {
        var owner: DomainName
        var type: UInt16
        var rdata: [UInt8]
    }

    /// The RRset a record belongs to.
    struct SetKey: Hashable {
        var owner: DomainName
        var type: UInt16
    }

    var identity: Identity { Identity(owner: DomainName(uncheckedWire: self.owner), type: self.type, rdata: self.rdata) }
    var setKey: SetKey { SetKey(owner: DomainName(uncheckedWire: self.owner), type: self.type) }
}
