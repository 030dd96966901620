@testable import DNSWire
import Testing

/// Names are equal and hash alike regardless of ASCII case, and only of ASCII case (RFC 4343
/// §3): bytes outside A-Z and a-z, including those with the top bit set, compare exactly.
@Suite("DomainName: case-insensitive equality and hashing (RFC 4343)")
struct DomainNameEqualityTests {
    @Test("every byte value is lower-cased eight at a time exactly as one at a time")
    func wordLowerCasingMatchesByteLowerCasing() {
        for first in 0...255 {
            // Each byte value in each position of the word, beside neighbours that carry into it
            // if the arithmetic leaked between bytes.
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(255 - first), count: 8)
                bytes[position] = UInt8(first)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let lowered = DomainName.lowerASCII(word)
                let expected = bytes.map(DomainName.lower).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect(lowered == expected, "byte \(first) at \(position)")
            }
        }
    }

    @Test(
        "names that differ only in case are equal and hash alike; others are not equal",
        arguments: [
            ("web.dev.svc.cluster.local", "WEB.Dev.SVC.cluster.LOCAL", true),
            ("a-very-long-service-name-0001.namespace-0001.svc.cluster.local", "A-VERY-LONG-SERVICE-NAME-0001.NAMESPACE-0001.svc.cluster.local", true),
            ("_http._tcp.web.dev.svc.cluster.local", "_HTTP._TCP.web.dev.svc.cluster.local", true),
            ("web.dev.svc.cluster.local", "web.dev.svc.cluster.locam", false),
            ("web.dev.svc.cluster.local", "web.dev.svc.cluster.local.x", false),
            // '[' (0x5B) and '@' (0x40) sit beside 'Z' and 'A': no case of their own.
            ("a[b.example", "a{b.example", false),
            ("a@b.example", "a`b.example", false),
            ("\\200x.example", "\\200X.example", true),
            ("\\200.example", "\\224.example", false),
        ])
    func caseInsensitive(left: String, right: String, equal: Bool) throws {
        let a = try #require(DomainName(left))
        let b = try #require(DomainName(right))
        #expect((a == b) == equal)
        if equal { #expect(a.hashValue == b.hashValue) }
        #expect(Set([a, b]).count == (equal ? 1 : 2))
    }
}
