import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that take more than their share of the DNS transports, against the real binary: a TCP
/// client that pipelines and never reads (RFC 7766 §10: bounded transactions per connection),
/// one that shuts its side down early (RFC 7766 §6.2.3, §7: every question is still answered),
/// and questions still with the forwarder when the server shuts down.
@Suite("Transport limits: TCP without reading, half-close, shutdown order", .serialized)
struct TransportLimitsTests {
    static let name = "service-clusterip.dev.svc.cluster.local"

    /// Frames from `fd` until `count` came, the peer closed, or a read timed out.
    static func readFrames(_ fd: Int32, count: Int) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while frames.count < count, let frame = RawDNSClient.readFrame(fd) { frames.append(frame) }
        return frames
    }

    static func id(_ message: [UInt8]) -> Int { Int(message[0]) << 8 | Int(message[1]) }

    @Test func aClientThatPipelinesAndNeverReadsCostsBoundedMemoryAndIsAnsweredWhenItReads() throws {
        let upstream = try PythonUpstream()
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", upstream.address, "--http", "127.0.0.1:0", "--tcp-idle-timeout", "60",
            "--lameduck", "0",
        ])
        defer { server.stop() }
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let pid = server.process.processIdentifier
        // Warm the cache with the 50 KB answer, then take the baseline.
        #expect(try server.dig(["+tcp", "+short", "huge.example.test", "TXT"]).split(separator: "\n").count == 200)
        let before = residentMiB(pid)

        // 3,000 questions in one go, half of them for the 50 KB forwarded answer, from a client
        // with a small receive window that reads nothing. Before the in-flight limit, 600 such
        // questions grew the server by about 40 MB, each holding a 64 KiB buffer.
        let fd = try #require(RawDNSClient.connectTCP(port: server.port, timeout: 5, receiveBuffer: 4096))
        defer { close(fd) }
        let count = 3000
        var stream: [UInt8] = []
        for index in 0..<count {
            let query =
                index % 2 == 0
                ? RawDNSClient.query("huge.example.test", id: UInt16(index), type: 16)
                : RawDNSClient.query(Self.name, id: UInt16(index))
            stream += RawDNSClient.frame(query)
        }
        #expect(RawDNSClient.sendWhileTaken(fd, stream) == stream.count)
        // Until the server has stopped reading: the in-flight limit is reached and counted.
        let reached = WatchEndToEndTests.eventually(true, timeout: 10) {
            OperationsEndToEndTests.metric(
                HTTPClient.request(port: http, path: "/metrics")?.body ?? "",
                "clusterdns_limit_reached_total{limit=\"tcp-max-in-flight\"}") >= 1
        }
        #expect(reached)
        // Memory over a second of the client not reading: it stays put.
        var peak = residentMiB(pid)
        for _ in 0..<20 {
            usleep(50_000)
            peak = max(peak, residentMiB(pid))
        }
        #expect(peak - before < 16, "RSS grew from \(before) to \(peak) MiB")
        // Everyone else is served meanwhile.
        #expect(RawDNSClient.udp(RawDNSClient.query(Self.name), port: server.port, timeout: 2).map { $0[3] & 0x0F } == 0)
        #expect(try server.dig(["+tcp", "+short", Self.name]) == "10.97.97.97\n")
        #expect(server.log.contains("flag=--tcp-max-in-flight"))

        // Once the client reads, every question is answered, none twice.
        let frames = Self.readFrames(fd, count: count)
        #expect(frames.count == count)
        #expect(Set(frames.map(Self.id)) == Set(0..<count))
        #expect(frames.allSatisfy { $0[3] & 0x0F == 0 })
        #expect(frames.filter { $0.count > 40_000 }.count == count / 2)
    }

    @Test func theInFlightLimitHoldsFurtherQuestionsUntilAnswersLeave() throws {
        let upstream = try PythonUpstream()
        defer { upstream.stop() }
        // Five questions the upstream never answers (SERVFAIL after the 1 s forward timeout),
        // then one we answer ourselves: with a limit of five it waits for the SERVFAILs.
        func timeToOwnAnswer(_ limit: [String]) throws -> (seconds: Double, frames: [[UInt8]]) {
            let server = try ServerProcess(
                ["--manifests", "zones", "--upstream", upstream.address, "--forward-timeout", "1", "--lameduck", "0"] + limit)
            defer { server.stop() }
            let fd = try #require(RawDNSClient.connectTCP(port: server.port, timeout: 5))
            defer { close(fd) }
            var stream: [UInt8] = []
            for index in 0..<5 { stream += RawDNSClient.frame(RawDNSClient.query("hang\(index).example.test", id: UInt16(index))) }
            stream += RawDNSClient.frame(RawDNSClient.query(Self.name, id: 99))
            let started = Date()
            #expect(RawDNSClient.send(fd, stream))
            var frames: [[UInt8]] = []
            var seconds = 0.0
            while frames.count < 6, let frame = RawDNSClient.readFrame(fd) {
                frames.append(frame)
                if Self.id(frame) == 99 { seconds = Date().timeIntervalSince(started) }
            }
            return (seconds, frames)
        }
        let limited = try timeToOwnAnswer(["--tcp-max-in-flight", "5"])
        #expect(limited.frames.count == 6)
        #expect(limited.seconds >= 0.8, "answered after \(limited.seconds) s")
        let unlimited = try timeToOwnAnswer([])
        #expect(unlimited.frames.count == 6)
        #expect(unlimited.seconds < 0.8, "answered after \(unlimited.seconds) s")
        #expect(Self.id(unlimited.frames.first ?? [0, 0]) == 99)
    }

    @Test func aClientThatShutsItsSideGetsEveryAnswerThenTheClose() throws {
        let upstream = try PythonUpstream(delay: 0.3)
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", upstream.address, "--forward-timeout", "1", "--lameduck", "0",
        ])
        defer { server.stop() }
        #expect(try server.dig(["+short", "www.example.test"]) == "192.0.2.1\n")  // now cached
        let questions: [(String, UInt16, UInt8)] = [
            ("www.example.test", 1, 0),  // forwarded, from the cache
            ("slow.example.test", 1, 0),  // forwarded, answered 0.3 s later
            (Self.name, 1, 0),  // ours
            ("hang.example.test", 1, 2),  // never answered upstream: SERVFAIL at the forward timeout
            ("huge.example.test", 16, 0),  // truncated upstream, fetched again over TCP
        ]
        let fd = try #require(RawDNSClient.connectTCP(port: server.port, timeout: 5))
        defer { close(fd) }
        var stream: [UInt8] = []
        for (index, question) in questions.enumerated() {
            stream += RawDNSClient.frame(RawDNSClient.query(question.0, id: UInt16(index), type: question.1))
        }
        #expect(RawDNSClient.send(fd, stream))
        #expect(shutdown(fd, Int32(SHUT_WR)) == 0)
        let frames = Self.readFrames(fd, count: questions.count)
        #expect(frames.count == questions.count)
        for frame in frames {
            let index = Self.id(frame)
            #expect(index < questions.count && frame[3] & 0x0F == questions[index].2, "\(questions[min(index, 4)].0)")
        }
        // Then the server closes.
        #expect(RawDNSClient.isClosed(fd))
    }

    @Test func questionsWithTheForwarderAtShutdownAreAnsweredBeforeTheSocketsClose() throws {
        let upstream = try PythonUpstream()
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", upstream.address, "--forward-timeout", "10", "--lameduck", "0",
            "--http", "127.0.0.1:0",
        ])
        defer { server.stop() }
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let client = try #require(UDPClient())
        for index in 0..<20 {
            client.send(RawDNSClient.query("hang\(index).example.test", id: UInt16(index)), port: server.port)
        }
        let fd = try #require(RawDNSClient.connectTCP(port: server.port, timeout: 5))
        defer { close(fd) }
        #expect(RawDNSClient.send(fd, RawDNSClient.frame(RawDNSClient.query("hang-tcp.example.test", id: 100))))
        // Every question has reached the upstream (and will never be answered there).
        let asked = WatchEndToEndTests.eventually(21.0, timeout: 10) {
            OperationsEndToEndTests.metric(
                HTTPClient.request(port: http, path: "/metrics")?.body ?? "",
                "clusterdns_forward_requests_total{to=\"\(upstream.address)\"}")
        }
        #expect(asked == 21)
        let started = Date()
        kill(server.process.processIdentifier, SIGTERM)
        // The forwarder stops before the sockets close: every client hears SERVFAIL at once,
        // where it used to hear nothing (the replies went to closed descriptors).
        let replies = client.receive(until: 20, timeout: 5)
        #expect(replies.count == 20)
        #expect(replies.allSatisfy { $0[3] & 0x0F == 2 })
        let tcpReply = RawDNSClient.readFrame(fd)
        #expect(tcpReply.map { Self.id($0) == 100 && $0[3] & 0x0F == 2 } == true)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(server.stop() == 0)
    }
}
