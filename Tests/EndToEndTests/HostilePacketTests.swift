import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Crafted messages sent to the real binary over UDP and TCP; after each, a normal query must
/// still be answered.
@Suite("Hostile packets against the running server", .serialized)
struct HostilePacketTests {
    static let name = "service-clusterip.dev.svc.cluster.local"

    /// (label, bytes, expected RCODE or nil for "no reply")
    static let cases: [(String, [UInt8], Int?)] = {
        let header: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        let good = RawDNSClient.query(name)
        var responseFlag = good
        responseFlag[2] |= 0x80
        var badVersion = good
        badVersion[11] = 1
        badVersion += [0, 0, 41, 0x04, 0xD0, 0, 1, 0, 0, 0, 0]
        var twoQuestions = good
        twoQuestions[5] = 2
        var lyingCount = good
        lyingCount[7] = 3
        var update = good
        update[2] = 0x28  // opcode 5
        var notify = good
        notify[2] = 0x20  // opcode 4
        let typeAClassIN: [UInt8] = [0, 1, 0, 1]
        let label63 = [63] + [UInt8](repeating: 0x61, count: 63)
        // 5 × 64 octets: over the 255-octet limit (RFC 1035 §2.3.4).
        let overlong = header + Array([[UInt8]](repeating: label63, count: 5).joined()) + [0] + typeAClassIN
        // 3 × 64 + 62 + the root = exactly 255 octets: legal, and outside our zones.
        let longest = header + Array([[UInt8]](repeating: label63, count: 3).joined()) + [61]
            + [UInt8](repeating: 0x62, count: 61) + [0] + typeAClassIN
        // A label of binary octets (a dot and a NUL among them) below an existing namespace.
        let binary = header + [4, 0x00, 0xFF, 0x2E, 0x7F] + Self.wire("dev.svc.cluster.local") + [0] + typeAClassIN
        let opt: [UInt8] = [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        var twoOPTs = good
        twoOPTs[11] = 2
        twoOPTs += opt + opt
        var optionOverrun = good
        optionOverrun[11] = 1
        optionOverrun += [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 6, 0x00, 0x0A, 0x00, 0x08, 1, 2]
        return [
            ("name over 255 octets", overlong, 1),
            ("legal 255-octet name", longest, 5),
            ("binary label", binary, 3),
            ("two OPTs", twoOPTs, 1),
            ("option overrunning its OPT", optionOverrun, 1),
            ("empty", [], nil),
            ("short header", [0xAB, 0xCD, 0x01], nil),
            ("QR set", responseFlag, nil),
            ("pointer loop in the question", header + [0xC0, 0x0C, 0, 1, 0, 1], 1),
            ("forward pointer", header + [3, 0x61, 0x62, 0x63, 0xC0, 0x20, 0, 1, 0, 1], 1),
            ("label type 0x40", header + [0x41, 0x61, 0, 0, 1, 0, 1], 1),
            ("label over 63", header + [64] + Array(repeating: 0x61, count: 64) + [0, 0, 1, 0, 1], 1),
            ("truncated question", header + [3, 0x61], 1),
            ("two questions", twoQuestions, 1),
            ("counts that lie", lyingCount, 1),
            ("EDNS version 1", badVersion, 16),
            ("UPDATE", update, 4),
            ("NOTIFY", notify, 4),
            ("random bytes", (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }, nil),
        ]
    }()

    /// `a.b.` in wire form, without the root.
    static func wire(_ name: String) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    @Test func udpHostilePacketsAreDroppedOrRefusedAndTheServerLivesOn() throws {
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        for (label, bytes, expected) in Self.cases {
            let reply = RawDNSClient.udp(bytes, port: server.port, timeout: expected == nil ? 0.3 : 2)
            if let expected {
                let rcode = reply.map { Int($0[3] & 0x0F) | (expected == 16 ? 16 : 0) }
                #expect(rcode == expected, "\(label)")
                #expect(reply.map { $0[0] == bytes[0] && $0[1] == bytes[1] } == true, "\(label): ID echoed")
            } else if label != "random bytes" {
                #expect(reply == nil, "\(label): no reply")
            }
            let normal = RawDNSClient.udp(RawDNSClient.query(Self.name), port: server.port, timeout: 2)
            #expect(normal.map { $0[3] & 0x0F } == 0, "after \(label)")
        }
        // AXFR over UDP is refused, never a partial zone; ANY is never an empty NOERROR (RFC 8482).
        let transfer = RawDNSClient.udp(RawDNSClient.query("cluster.local", type: 252), port: server.port, timeout: 2)
        #expect(transfer.map { ($0[3] & 0x0F, $0[7]) } ?? (0, 9) == (5, 0))
        let anyReply = RawDNSClient.udp(RawDNSClient.query(Self.name, type: 255), port: server.port, timeout: 2)
        #expect(anyReply.map { ($0[3] & 0x0F, $0[7] > 0) } ?? (9, false) == (0, true))
        #expect(server.process.isRunning)
    }

    @Test func tcpHostileFramesEndOnlyTheirConnection() throws {
        let server = try ServerProcess(["--manifests", "zones", "--tcp-message-timeout", "0.5"])
        defer { server.stop() }
        for (label, bytes, expected) in Self.cases where !bytes.isEmpty {
            guard let fd = RawDNSClient.connectTCP(port: server.port) else {
                Issue.record("cannot connect after \(label)")
                continue
            }
            #expect(RawDNSClient.send(fd, RawDNSClient.frame(bytes)))
            if let expected, expected != 16 {
                let reply = RawDNSClient.readFrame(fd)
                #expect(reply.map { Int($0[3] & 0x0F) } == expected, "\(label) over TCP")
            }
            // The same connection still answers a good query after a bad one.
            #expect(RawDNSClient.send(fd, RawDNSClient.frame(RawDNSClient.query(Self.name, id: 7))))
            var answered = false
            while let reply = RawDNSClient.readFrame(fd) {
                if reply[0] == 0, reply[1] == 7 {
                    answered = reply[3] & 0x0F == 0
                    break
                }
            }
            #expect(answered, "good query after \(label) over TCP")
            close(fd)
        }
        // A zero-length frame: nothing to answer, and the connection still serves.
        if let fd = RawDNSClient.connectTCP(port: server.port) {
            #expect(RawDNSClient.send(fd, [0x00, 0x00] + RawDNSClient.frame(RawDNSClient.query(Self.name, id: 9))))
            let reply = RawDNSClient.readFrame(fd)
            #expect(reply.map { $0[0] == 0 && $0[1] == 9 && $0[3] & 0x0F == 0 } == true, "answer after a zero-length frame")
            close(fd)
        }
        // A length longer than the data, then close: the server drops it and lives on.
        if let fd = RawDNSClient.connectTCP(port: server.port) {
            _ = RawDNSClient.send(fd, [0x01, 0x00, 0xAB, 0xCD])
            close(fd)
        }
        // A slow drip is cut off after the message timeout.
        if let fd = RawDNSClient.connectTCP(port: server.port) {
            _ = RawDNSClient.send(fd, [0x00, 0x30, 0x12])
            let started = Date()
            #expect(RawDNSClient.isClosed(fd))
            #expect(Date().timeIntervalSince(started) < 1.9)
            close(fd)
        }
        let normal = RawDNSClient.udp(RawDNSClient.query(Self.name), port: server.port, timeout: 2)
        #expect(normal.map { $0[3] & 0x0F } == 0)
        #expect(server.process.isRunning)
    }

    /// A reply that cannot be sent (its client's source port is 0, which the kernel refuses as a
    /// destination) costs that reply only, never the rest of its recvmmsg batch. The datagram
    /// from port 0 is forged on a raw socket (root or CAP_NET_RAW; skipped otherwise), then 20
    /// good queries follow at once, so that most share its batch.
    @Test func aReplyThatCannotBeSentCostsOnlyItself() throws {
        let raw = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard raw >= 0 else { return }  // no raw sockets here: nothing to forge with
        defer { close(raw) }
        let server = try ServerProcess(["--manifests", "zones", "--udp-workers", "1"])
        defer { server.stop() }
        let client = try #require(UDPClient())
        for round in 0..<5 {
            // IPv4 header (the kernel fills in the checksum and length), UDP from port 0, the query.
            let query = RawDNSClient.query(Self.name, id: UInt16(0x7000 + round))
            let udpLength = 8 + query.count
            var packet: [UInt8] = [0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]
            packet += [0, 0, UInt8(server.port >> 8), UInt8(server.port & 0xFF), UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0]
            packet += query
            var destination = sockaddr_in()
            destination.sin_family = sa_family_t(AF_INET)
            destination.sin_addr.s_addr = inet_addr("127.0.0.1")
            let sent = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(raw, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(sent == packet.count)
            for index in 0..<20 { client.send(RawDNSClient.query(Self.name, id: UInt16(round * 100 + index)), port: server.port) }
        }
        let replies = client.receive(until: 100, timeout: 5)
        #expect(replies.count == 100, "every good query answered, whatever shared a batch with the unsendable reply")
        #expect(RawDNSClient.udp(RawDNSClient.query(Self.name), port: server.port).map { $0[3] & 0x0F } == 0)
    }
}
