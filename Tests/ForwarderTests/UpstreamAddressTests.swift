import Forwarder
import IPAddressing
import Testing

@Suite("--upstream values and the loop check")
struct UpstreamAddressTests {
    @Test(arguments: [
        ("8.8.8.8", "8.8.8.8:53"), ("127.0.0.1:5353", "127.0.0.1:5353"), ("[::1]:5353", "[::1]:5353"),
        ("2001:db8::1", "[2001:db8::1]:53"), ("[2001:db8::1]", "[2001:db8::1]:53"),
    ])
    func parses(text: String, expected: String) {
        #expect(UpstreamAddress.parse(text)?.description == expected)
    }

    @Test(arguments: ["localhost", "1.2.3.4:0", "1.2.3.4:99999", "[::1", "::1:53:x", "1.2.3.4.5"])
    func rejects(text: String) {
        #expect(UpstreamAddress.parse(text) == nil)
    }

    @Test func anUpstreamThatIsOurOwnListenerIsALoop() {
        let isLocal: (IPAddress) -> Bool = { $0.family == .ipv4 && $0.ipv4Value >> 24 == 127 }
        let resolved = UpstreamAddress(host: "127.0.0.53", port: 53)
        #expect(resolved.reaches(host: "0.0.0.0", port: 53, isLocal: isLocal))
        #expect(!resolved.reaches(host: "0.0.0.0", port: 5353, isLocal: isLocal))
        #expect(!resolved.reaches(host: "127.0.0.1", port: 53, isLocal: isLocal))
        #expect(UpstreamAddress(host: "127.0.0.1", port: 5353).reaches(host: "127.0.0.1", port: 5353, isLocal: isLocal))
        #expect(!UpstreamAddress(host: "10.255.255.53", port: 53).reaches(host: "0.0.0.0", port: 53, isLocal: isLocal))
    }

    @Test func resolvConfNameservers() {
        let text = "# comment\nsearch dev.svc.cluster.local\nnameserver 10.96.0.10\nnameserver fe80::1%eth0\noptions ndots:5\n"
        #expect(ResolvConf.nameservers(in: text) == ["10.96.0.10", "fe80::1"])
    }
}
