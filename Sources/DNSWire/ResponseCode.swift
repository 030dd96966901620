/// The RCODE of a response (RFC 1035 §4.1.1; BADVERS from RFC 6891 §6.1.3, 12 bits with the OPT).
package enum ResponseCode: UInt16, Sendable, Hashable, CustomStringConvertible {
    case noError = 0
    case formatError = 1
    case serverFailure = 2
    case nameError = 3
    case notImplemented = 4
    case refused = 5
    case badVersion = 16

    package var description: String {
        switch self {
        case .noError: return "NOERROR"
        case .formatError: return "FORMERR"
        case .serverFailure: return "SERVFAIL"
        case .nameError: return "NXDOMAIN"
        case .notImplemented: return "NOTIMP"
        case .refused: return "REFUSED"
        case .badVersion: return "BADVERS"
        }
    }
}
