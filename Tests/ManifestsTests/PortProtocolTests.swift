import Testing

@testable import Manifests

/// The SRV label of a protocol is its name in lower case (RFC 2782 §1: `_tcp`, `_udp`,
/// `_sctp`), whatever way it is spelled in the source.
@Suite("Port protocols: their SRV labels")
struct PortProtocolTests {
    @Test(arguments: [PortProtocol.tcp, .udp, .sctp])
    func srvLabelIsTheProtocolInLowerCase(_ proto: PortProtocol) {
        #expect(proto.srvLabel == proto.rawValue.lowercased())
        #expect(PortProtocol(rawValue: proto.srvLabel.uppercased()) == proto)
        #expect(proto.srvOwnerLabel == "_" + proto.srvLabel)
    }
}
