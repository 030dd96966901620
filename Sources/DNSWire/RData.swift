import IPAddressing

/// The data of the record types ClusterDNS serves: those it generates, MX (whose exchange gets
/// additional addresses), and any other type from a zone file as opaque bytes (RFC 3597).
package enum RData: Sendable, Hashable {
    /// An IPv4 address, held inline: no allocation per record (a cluster's records are mostly these).
    case a(IPAddress)
    /// An IPv6 address, held inline.
    case aaaa(IPAddress)
    case ns(DomainName)
    case cname(DomainName)
    case ptr(DomainName)
    case txt([[UInt8]])  // character-strings, each at most 255 octets
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName)
    case soa(
        mname: DomainName, rname: DomainName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32)
    case mx(preference: UInt16, exchange: DomainName)
    /// Any other type, as its uncompressed wire rdata: sent as it is, never compressed (RFC 3597 §4).
    case opaque(type: RRType, bytes: [UInt8])

    package var type: RRType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .ptr: return .ptr
        case .txt: return .txt
        case .srv: return .srv
        case .soa: return .soa
        case .mx: return .mx
        case .opaque(let type, _): return type
        }
    }

    /// The name this record points at, if any (what additional-section processing follows).
    package var target: DomainName? {
        switch self {
        case .ns(let name), .cname(let name), .ptr(let name): return name
        case .srv(_, _, _, let target): return target
        case .mx(_, let exchange): return exchange
        default: return nil
        }
    }

    /// Presentation form of the rdata, as dig and zone files print it.
    package var presentation: String {
        switch self {
        case .a(let address), .aaaa(let address):
            return address.description
        case .ns(let name), .cname(let name), .ptr(let name):
            return name.description
        case .txt(let strings):
            return strings.map(Self.quoted).joined(separator: " ")
        case .srv(let priority, let weight, let port, let target):
            return "\(priority) \(weight) \(port) \(target)"
        case .soa(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            return "\(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
        case .mx(let preference, let exchange):
            return "\(preference) \(exchange)"
        case .opaque(_, let bytes):
            // RFC 3597 §5: the generic form, which every zone-file parser reads for any type.
            let hex = bytes.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
            return bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(hex)"
        }
    }

    /// Canonical (RFC 4034 §6.2) wire form: uncompressed, names lower-cased.
    package var canonicalWire: [UInt8] {
        var writer = WireWriter(compression: false)
        writer.writeRData(self, lowercaseNames: true)
        return writer.bytes
    }

    /// A TXT character-string, quoted with `"` and `\` escaped and non-printables as `\DDD`.
    static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                text += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E:
                text.append(Character(UnicodeScalar(byte)))
            default:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text + "\""
    }
}
