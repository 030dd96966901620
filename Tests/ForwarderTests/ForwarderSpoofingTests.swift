import DNSWire
import Forwarder
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("Forwarder: source ports, letter case, ICMP errors, client shares (RFC 5452)")
struct ForwarderSpoofingTests {
    /// Polls `condition` every 10 ms for at most `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func everyQueryLeavesFromItsOwnRandomPort() async throws {
        let responder = CountingResponder(delay: .milliseconds(1))
        try await ForwarderBehaviourTests.withResponder(responder) { forwarder, _ in
            for index in 0..<30 {
                _ = try await forwarder.resolve(ForwardQuestion(name: DomainName("n\(index).example.test.")!, type: .a)).get()
            }
            let ports = responder.seen.withLock { $0.map(\.port) }
            #expect(ports.count == 30)
            // RFC 5452 §9.2: from the kernel's ephemeral range, chosen anew for each socket.
            #expect(Set(ports).count >= 25, "\(ports)")
        }
    }

    @Test func lettersAreSentInRandomCaseAndAnswersComeBackInTheClientsSpelling() async throws {
        let responder = CountingResponder(delay: .milliseconds(1))
        try await ForwarderBehaviourTests.withResponder(responder) { forwarder, _ in
            for index in 0..<10 {
                let name = DomainName("www\(index).example-domain.test.")!
                let answer = try await forwarder.resolve(ForwardQuestion(name: name, type: .a)).get()
                #expect(answer.answer.records.first?.owner.wire == name.wire, "the owner in the asked spelling")
            }
            let sent = responder.seen.withLock { $0.map(\.name) }
            #expect(sent.filter { $0.wire != $0.lowercased.wire }.count >= 9, "\(sent)")
            let statistics = try await forwarder.statistics().get()
            #expect(statistics.repairs["case-not-echoed"] == nil)
        }
    }

    @Test func anUpstreamThatDoesNotEchoTheCaseIsAskedInLowerCaseFromThenOn() async throws {
        let responder = CountingResponder(delay: .milliseconds(1), lowercaseEcho: true)
        try await ForwarderBehaviourTests.withResponder(responder) { forwarder, _ in
            for index in 0..<5 {
                let answer = try await forwarder.resolve(ForwardQuestion(name: DomainName("w\(index).example.test.")!, type: .a)).get()
                #expect(answer.answer.records.map(\.rdata) == [[192, 0, 2, 1]])
            }
            let sent = responder.seen.withLock { $0.map(\.name) }
            // The first question in random case, its reply dropped, then lower case only.
            #expect(sent.count == 6)
            #expect(sent.dropFirst().allSatisfy { $0.wire == $0.lowercased.wire })
            let statistics = try await forwarder.statistics().get()
            #expect(statistics.repairs["case-not-echoed"] == 1)
        }
    }

    @Test(.enabled(if: canForgeICMP, "forging ICMP needs a raw socket (root or CAP_NET_RAW)"))
    func aForgedICMPErrorFailsOnlyTheQueryItNames() async throws {
        // The upstream never answers the first question, and answers the second only when told:
        // both are in flight when the forged error comes, and only a timeout or an ICMP error
        // could end the first. Times are taken on the forwarder's loop, which a busy test run
        // does not hold up; the timeout is far beyond any wait of the test itself (a loaded run
        // once held this test's task for over a minute, and the second query timed out meanwhile).
        let responder = CountingResponder(delay: .milliseconds(1))
        try await ForwarderBehaviourTests.withResponder(responder, configure: { $0.timeout = .seconds(900) }) { forwarder, upstream in
            let started = ContinuousClock.now
            let first = forwarder.resolve(ForwardQuestion(name: DomainName("silent-first.example.test.")!, type: .a))
            let firstDone = Mutex<ContinuousClock.Instant?>(nil)
            first.whenComplete { _ in firstDone.withLock { $0 = .now } }
            let second = forwarder.resolve(ForwardQuestion(name: DomainName("held-second.example.test.")!, type: .a))
            let secondEnded = Mutex<String?>(nil)
            second.whenComplete { result in secondEnded.withLock { $0 = "\(result) after \(ContinuousClock.now - started)" } }
            #expect(try await Self.eventually { responder.seen.withLock { $0.count } == 2 })
            let port = try #require(
                responder.seen.withLock { seen in seen.first { $0.name.lowercased.description.hasPrefix("silent") }?.port })
            // A datagram can be lost on a loopback a loaded test run keeps busy: when the first
            // query has not failed 3 s after the error, it is forged again (at most 5 times). Not
            // sooner: a forwarder loop slowed by the run may still be handling the first one.
            for _ in 0..<5 where firstDone.withLock({ $0 == nil }) {
                #expect(forgePortUnreachable(sourcePort: port, upstreamPort: upstream.port ?? 0))
                for _ in 0..<60 where firstDone.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(50)) }
            }
            await #expect(throws: ForwarderError.self) { try await first.get() }
            let failedAfter = try #require(firstDone.withLock { $0 }) - started
            #expect(failedAfter < .seconds(300), "failed by the ICMP error, not by the timeout")
            let secondEnd = secondEnded.withLock { $0 }
            #expect(secondEnd == nil, "the other query is still waiting for its answer, not \(secondEnd ?? "")")
            responder.release()
            let answer = try await second.get()
            #expect(answer.answer.records.map(\.rdata) == [[192, 0, 2, 1]], "and gets it")
        }
    }

    @Test func oneClientNetworkCannotHoldEveryFetch() async throws {
        let responder = CountingResponder(delay: .milliseconds(1))
        let configure: (inout ForwarderConfiguration) -> Void = { configuration in
            configuration.maximumConcurrent = 8
            // The held fetches must still hold when the other client asks, however long a loaded
            // test run holds this task up (it once did for over a minute).
            configuration.timeout = .seconds(900)
        }
        try await ForwarderBehaviourTests.withResponder(responder, configure: configure) { forwarder, _ in
            let greedy = ClientPrefix(ipv4: 0x7F00_0001)
            let other = ClientPrefix(ipv4: 0x7F00_0201)
            let held = (0..<8).map { forwarder.resolve(ForwardQuestion(name: DomainName("silent\($0).test.")!, type: .a), from: greedy) }
            await #expect(throws: ForwarderError.self) {
                try await forwarder.resolve(ForwardQuestion(name: DomainName("silent-more.test.")!, type: .a), from: greedy).get()
            }
            let answer = try await forwarder.resolve(ForwardQuestion(name: DomainName("www.example.test.")!, type: .a), from: other).get()
            #expect(answer.answer.records.map(\.rdata) == [[192, 0, 2, 1]])
            // The greedy network's newest fetch gave way.
            await #expect(throws: ForwarderError.self) { try await held[7].get() }
            let statistics = try await forwarder.statistics().get()
            #expect(statistics.shareEvictions == 1 && statistics.overloaded == 1)
            #expect(statistics.limitsReached["max-concurrent-forwards"] == 1)
            #expect(statistics.limitsReached["client-share"] == 1)
            await forwarder.stop()
            for future in held { _ = try? await future.get() }
        }
    }
}
