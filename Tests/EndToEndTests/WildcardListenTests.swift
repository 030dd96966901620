import Foundation
import Testing

/// A server listening on a wildcard address answers each question from the address it was asked
/// at (RFC 1123 §6.1.3.5): a resolver drops a reply from any other address as unexpected, so on a
/// host with several addresses (a node with a link-local cache address, say) nothing would resolve.
/// Loopback has many: 127.0.0.2 and 127.0.0.3 are this host's too, and the kernel would answer
/// from 127.0.0.1 if not told otherwise.
@Suite("Wildcard listeners answer from the address asked", .serialized)
struct WildcardListenTests {
    /// `dig` reports a reply from another address as "reply from unexpected source" and times out.
    static func answer(at host: String, port: Int, _ name: String) throws -> String {
        try CommandRunner.run(
            "/usr/bin/dig", ["@\(host)", "-p", "\(port)", "+time=2", "+tries=1", "+norec", "+short", name, "A"], timeout: 30
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func ipv4WildcardAnswersFromEachLoopbackAddress() throws {
        let server = try ServerProcess(["--manifests", "zones", "--lameduck", "0"], host: "0.0.0.0")
        defer { server.stop() }
        for host in ["127.0.0.1", "127.0.0.2", "127.0.0.3"] {
            #expect(try Self.answer(at: host, port: server.port, "service-clusterip.dev.svc.cluster.local.") == "10.97.97.97", "asked at \(host)")
        }
    }

    @Test func dualStackWildcardAnswersIPv4FromTheAddressAsked() throws {
        // [::] alone is one dual-stack socket: IPv4 arrives as IPv4-mapped addresses.
        let server = try ServerProcess(["--manifests", "zones", "--lameduck", "0"], host: "::")
        defer { server.stop() }
        for host in ["127.0.0.2", "::1"] {
            #expect(try Self.answer(at: host, port: server.port, "service-clusterip.dev.svc.cluster.local.") == "10.97.97.97", "asked at \(host)")
        }
    }

    @Test func forwardedAnswersLeaveFromTheAddressAsked() throws {
        let upstream = try PythonUpstream()
        defer { upstream.stop() }
        let server = try ServerProcess(
            ["--manifests", "zones", "--lameduck", "0", "--upstream", upstream.address], host: "0.0.0.0")
        defer { server.stop() }
        let output = try CommandRunner.run(
            "/usr/bin/dig", ["@127.0.0.2", "-p", "\(server.port)", "+time=3", "+tries=1", "+short", "www.example.test", "A"],
            timeout: 30
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(output == "192.0.2.1")
    }
}
