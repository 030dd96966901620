import CMMsg
import CoreSharing
import Foundation
import Glibc
import Logging
import Forwarder
import NIOCore
import QueryEngine
import Synchronization
import ZoneCompiler

/// The UDP transport that measured fastest here: one SO_REUSEPORT socket and one thread per
/// core, each moving up to 64 datagrams per recvmmsg/sendmmsg call, answering straight from the
/// snapshot into a reused output arena — no allocation, no event loop, no locks per query.
/// Questions that need the forwarder are handed to it and answered with sendto when they resolve.
package final class MMsgUDPListener: Sendable {
    private let descriptors: [Int32]
    /// Bound to a wildcard address: each datagram's local address is read, and its reply sent
    /// from it (IP_PKTINFO / IPV6_PKTINFO), as a client that asked one of several addresses of
    /// the host only accepts a reply from that one.
    private let answersFromAddressAsked: Bool
    private let running = Atomic<Bool>(true)
    /// This listener's registration with `CoreSharing` while it serves.
    private let queueToken = Mutex<Int?>(nil)
    /// Threads started (none until `start`).
    private let threads = Atomic<Int>(0)
    /// Threads that ended, and who waits for the last one.
    private let finished: Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?)>
    package let address: ListenAddress

    private static let batch: UInt32 = 64
    private static let inputSize = 2048

    private init(descriptors: [Int32], address: ListenAddress) {
        self.descriptors = descriptors
        self.address = address
        self.answersFromAddressAsked = address.isWildcard
        self.finished = Mutex((0, nil))
    }

    /// Binds `workers` sockets on `address` (which must have its port, not 0).
    package static func bind(_ address: ListenAddress, workers: Int, v6only: Bool) throws -> MMsgUDPListener {
        var descriptors: [Int32] = []
        do {
            for _ in 0..<max(1, workers) {
                descriptors.append(try Self.makeSocket(address, v6only: v6only))
            }
        } catch {
            for descriptor in descriptors { close(descriptor) }
            throw error
        }
        return MMsgUDPListener(descriptors: descriptors, address: address)
    }

    /// Whether no UDP socket is bound to `address`: a socket without SO_REUSEPORT can bind it
    /// only then (sockets with that flag would share it silently).
    static func isUnbound(_ address: ListenAddress, v6only: Bool) -> Bool {
        guard let target = try? address.socketAddress() else { return false }
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if address.isIPv6 {
            var flag: Int32 = v6only ? 1 : 0
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &flag, socklen_t(MemoryLayout<Int32>.size))
        }
        return target.withSockAddr { pointer, length in Glibc.bind(descriptor, pointer, socklen_t(length)) } == 0
    }

    private static func makeSocket(_ address: ListenAddress, v6only: Bool) throws -> Int32 {
        let target = try address.socketAddress()
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        // SO_REUSEPORT lets this server's own workers share the port (the kernel allows it only
        // to sockets of the same user). Not SO_REUSEADDR: on UDP it lets a socket of any user
        // that also sets it bind the same port (on the wildcard address, say) and take
        // datagrams meant for us; UDP has no TIME_WAIT for it to help with.
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.isIPv6 {
            var flag: Int32 = v6only ? 1 : 0
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &flag, socklen_t(MemoryLayout<Int32>.size))
        }
        if address.isWildcard, cmmsg_enable_local_addresses(descriptor, family) != 0 {
            let code = errno
            close(descriptor)
            throw IOError(errnoCode: code, reason: "setsockopt(PKTINFO)")
        }
        var buffer: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        let result = target.withSockAddr { pointer, length in Glibc.bind(descriptor, pointer, socklen_t(length)) }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw IOError(errnoCode: code, reason: "bind")
        }
        return descriptor
    }

    /// Starts one thread per socket, each with counters of its own from `makeCounters` (summed
    /// at scrape time), so that threads never contend for a counter's cache line.
    package func start(
        store: SnapshotStore, settings: ResponderSettings, forwarding: ForwardingPath?,
        makeCounters: () -> QueryCounters?, queryLog: Logger?, rateLimiter: ResponseRateLimiter? = nil,
        limits: LimitCounters? = nil
    ) {
        for descriptor in self.descriptors {
            let pipeline = QueryPipeline(
                settings: settings, forwarding: forwarding,
                recorder: QueryRecorder(counters: makeCounters(), queryLog: queryLog), rateLimiter: rateLimiter,
                limits: limits)
            let thread = Thread { [self] in
                self.serve(descriptor, store: store, pipeline: pipeline)
                let waiter = self.finished.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.count += 1
                    guard state.count == self.threads.load(ordering: .acquiring) else { return nil }
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
            self.threads.add(1, ordering: .releasing)
            thread.name = "clusterdns-udp"
            thread.start()
        }
        let token = CoreSharing.addQueryQueue { [self] in self.hasWaitingQueries }
        self.queueToken.withLock { $0 = token }
    }

    /// Whether a datagram waits in one of the sockets: a worker woken and not yet run (a
    /// rebuild on its core gives the core up then, `CoreSharing`).
    package var hasWaitingQueries: Bool {
        guard self.running.load(ordering: .relaxed) else { return false }
        return self.descriptors.contains { cmmsg_has_pending($0) == 1 }
    }

    /// Stops receiving: each thread, blocked in recvmmsg, is woken by shutting its socket's
    /// receiving side (no timeout, no polling) and ends. The sockets stay open for answers still
    /// owed by the forwarder, until `closeSockets`.
    package func stopReceiving() async {
        self.running.store(false, ordering: .releasing)
        for descriptor in self.descriptors { shutdown(descriptor, Int32(SHUT_RD)) }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = self.finished.withLock { state -> Bool in
                if state.count >= self.threads.load(ordering: .acquiring) { return true }
                state.waiter = waiter
                return false
            }
            if done { waiter.resume() }
        }
    }

    /// Closes the sockets; the forwarder must write no more to them (`ForwardingPath.stop`).
    package func closeSockets() {
        if let token = self.queueToken.withLock({ $0.take() }) { CoreSharing.removeQueryQueue(token) }
        for descriptor in self.descriptors { close(descriptor) }
    }

    /// Stops the threads and closes the sockets (a listener that never served forwarded answers).
    package func stop() async {
        await self.stopReceiving()
        self.closeSockets()
    }

    private func serve(_ descriptor: Int32, store: SnapshotStore, pipeline: QueryPipeline) {
        let count = Int(Self.batch)
        let outputSize = QueryResponder.outputCapacity(for: .udp, settings: pipeline.settings)
        var input = [UInt8](repeating: 0, count: count * Self.inputSize)
        var output = [UInt8](repeating: 0, count: count * outputSize)
        var inputLengths = [UInt32](repeating: 0, count: count)
        var outputLengths = [UInt32](repeating: 0, count: count)
        var addresses = [sockaddr_storage](repeating: sockaddr_storage(), count: count)
        var addressLengths = [socklen_t](repeating: 0, count: count)
        var replyAddresses = [sockaddr_storage](repeating: sockaddr_storage(), count: count)
        var replyAddressLengths = [socklen_t](repeating: 0, count: count)
        let withLocals = self.answersFromAddressAsked
        var locals = [cmmsg_local_address](repeating: cmmsg_local_address(), count: withLocals ? count : 0)
        var replyLocals = locals
        let clocked = pipeline.recorder.isRecording || pipeline.rateLimiter != nil

        while self.running.load(ordering: .acquiring) {
            let received = Int(
                locals.withUnsafeMutableBufferPointer { locals in
                    // An empty array's buffer may still have a base address: nil says "no locals".
                    cmmsg_receive(
                        descriptor, &input, Self.inputSize, &inputLengths, &addresses, &addressLengths,
                        withLocals ? locals.baseAddress : nil, Self.batch)
                })
            guard received > 0 else { continue }
            // One clock reading per batch serves the metrics and the rate limit alike.
            let started = clocked ? NIODeadline.now() : .uptimeNanoseconds(0)
            let snapshot = store.current
            var replies = 0
            input.withUnsafeBytes { inputBytes in
                output.withUnsafeMutableBytes { outputBytes in
                    for index in 0..<received where inputLengths[index] > 0 {
                        let query = UnsafeRawBufferPointer(
                            rebasing: inputBytes[(index * Self.inputSize)..<(index * Self.inputSize + Int(inputLengths[index]))])
                        let slot = UnsafeMutableRawBufferPointer(
                            rebasing: outputBytes[(replies * outputSize)..<((replies + 1) * outputSize)])
                        let address = addresses[index]
                        let addressLength = addressLengths[index]
                        let local = withLocals ? locals[index] : nil
                        let next = pipeline.handle(
                            query, over: .udp, from: .storage(address), using: snapshot, started: started, into: slot
                        ) {
                            { bytes in Self.sendOne(descriptor, bytes, address, addressLength, from: local) }
                        }
                        guard case .send(let length) = next else { continue }
                        outputLengths[replies] = UInt32(length)
                        replyAddresses[replies] = address
                        replyAddressLengths[replies] = addressLength
                        if let local { replyLocals[replies] = local }
                        replies += 1
                    }
                }
            }
            if replies > 0 {
                _ = replyLocals.withUnsafeBufferPointer { locals in
                    cmmsg_send(
                        descriptor, &output, outputSize, outputLengths, &replyAddresses, replyAddressLengths,
                        withLocals ? locals.baseAddress : nil, UInt32(replies))
                }
            }
        }
    }

    /// A forwarded answer, sent when it resolves (from the address asked, when known), without
    /// waiting: it is written from the forwarder's thread.
    private static func sendOne(
        _ descriptor: Int32, _ bytes: [UInt8], _ address: sockaddr_storage, _ length: socklen_t,
        from local: cmmsg_local_address?
    ) {
        var target = address
        _ = bytes.withUnsafeBufferPointer { buffer in
            if var local {
                cmmsg_send_one(descriptor, buffer.baseAddress, buffer.count, &target, length, &local)
            } else {
                cmmsg_send_one(descriptor, buffer.baseAddress, buffer.count, &target, length, nil)
            }
        }
    }
}
