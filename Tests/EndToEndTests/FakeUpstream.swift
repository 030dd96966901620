import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A scripted upstream resolver on 127.0.0.1 (UDP and TCP on one port) for hostile-upstream
/// tests: `answer` decides the reply to each query (nil: stay silent). It keeps every query it
/// got, with the source port and the question exactly as spelled. Stopped by `stop()`, which
/// joins its two threads; every wait in them is bounded by a 50 ms poll.
final class FakeUpstream: @unchecked Sendable {
    // Safety: `queries` and `stopping` are guarded by `lock`; the descriptors are written in init only.

    /// A query as received.
    struct Query: Sendable {
        var id: UInt16
        var flags: UInt16
        /// The question name's wire bytes, exactly as sent.
        var nameWire: [UInt8]
        var type: UInt16
        var sourcePort: Int
        var tcp: Bool

        /// The name in presentation form, lower-cased.
        var name: String { FakeUpstream.text(self.nameWire).lowercased() }
        /// The name exactly as spelled.
        var spelling: String { FakeUpstream.text(self.nameWire) }
    }

    /// A record to answer with; `owner` in presentation form.
    struct Record: Sendable {
        var owner: String
        var type: UInt16
        var ttl: UInt32
        var rdata: [UInt8]

        static func a(_ owner: String, _ address: [UInt8], ttl: UInt32 = 300) -> Record {
            Record(owner: owner, type: 1, ttl: ttl, rdata: address)
        }

        static func ns(_ owner: String, _ target: String, ttl: UInt32 = 300) -> Record {
            Record(owner: owner, type: 2, ttl: ttl, rdata: FakeUpstream.wire(target))
        }

        static func soa(_ owner: String, ttl: UInt32, minimum: UInt32) -> Record {
            var rdata = FakeUpstream.wire("ns.\(owner)") + FakeUpstream.wire("admin.\(owner)")
            for value: UInt32 in [1, 3600, 600, 86400, minimum] { rdata += FakeUpstream.bytes(value) }
            return Record(owner: owner, type: 6, ttl: ttl, rdata: rdata)
        }
    }

    let port: Int
    private var udp: Int32 = -1
    private var tcp: Int32 = -1
    private let lock = NSLock()
    private var received: [Query] = []
    private var stopping = false
    private var threads: [Thread] = []
    private let answer: @Sendable (Query) -> [UInt8]?

    init(answer: @escaping @Sendable (Query) -> [UInt8]?) throws {
        self.answer = answer
        var port = 0
        // A socket binds once: each try gets new ones (a port free for UDP may be taken for TCP).
        for _ in 0..<20 {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            port = NSDServer.freePort()
            if Self.bind(udp, port: port), Self.bind(tcp, port: port), listen(tcp, 128) == 0 {
                self.udp = udp
                self.tcp = tcp
                break
            }
            close(udp)
            close(tcp)
            port = 0
        }
        guard port != 0 else {
            throw ServerProcess.StartFailure(description: "fake upstream: no free port")
        }
        self.port = port
        let udpThread = Thread { [unowned self] in self.serveUDP() }
        let tcpThread = Thread { [unowned self] in self.serveTCP() }
        self.threads = [udpThread, tcpThread]
        udpThread.start()
        tcpThread.start()
    }

    /// The queries received so far.
    var queries: [Query] { self.lock.withLock { self.received } }

    /// Stops both threads (each notices within 50 ms) and closes the sockets.
    func stop() {
        let already = self.lock.withLock { () -> Bool in
            defer { self.stopping = true }
            return self.stopping
        }
        guard !already else { return }
        let deadline = Date().addingTimeInterval(5)
        while self.threads.contains(where: { $0.isExecuting }) && Date() < deadline { usleep(10_000) }
        close(self.udp)
        close(self.tcp)
    }

    deinit { self.stop() }

    private var isStopping: Bool { self.lock.withLock { self.stopping } }

    private static func bind(_ descriptor: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Waits at most 50 ms for `descriptor` to be readable.
    private static func readable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 50) > 0
    }

    private func serveUDP() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !self.isStopping {
            guard Self.readable(self.udp) else { continue }
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(self.udp, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0, let query = Self.parse(Array(buffer[0..<count]), port: Int(UInt16(bigEndian: from.sin_port)), tcp: false)
            else { continue }
            self.lock.withLock { self.received.append(query) }
            guard let reply = self.answer(query) else { continue }
            _ = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(self.udp, reply, reply.count, 0, $0, length) }
            }
        }
    }

    private func serveTCP() {
        while !self.isStopping {
            guard Self.readable(self.tcp) else { continue }
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let connection = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(self.tcp, $0, &length) }
            }
            guard connection >= 0 else { continue }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let message = RawDNSClient.readFrame(connection),
                let query = Self.parse(message, port: Int(UInt16(bigEndian: from.sin_port)), tcp: true)
            {
                self.lock.withLock { self.received.append(query) }
                if let reply = self.answer(query) { _ = RawDNSClient.send(connection, RawDNSClient.frame(reply)) }
            }
            close(connection)
        }
    }

    private static func parse(_ bytes: [UInt8], port: Int, tcp: Bool) -> Query? {
        guard bytes.count >= 17 else { return nil }
        var offset = 12
        while offset < bytes.count, bytes[offset] != 0 { offset += 1 + Int(bytes[offset]) }
        guard offset + 5 <= bytes.count else { return nil }
        return Query(
            id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), flags: UInt16(bytes[2]) << 8 | UInt16(bytes[3]),
            nameWire: Array(bytes[12...offset]), type: UInt16(bytes[offset + 1]) << 8 | UInt16(bytes[offset + 2]),
            sourcePort: port, tcp: tcp)
    }

    // MARK: - Building replies

    /// A reply to `query`: its ID and question echoed (as spelled), QR, RD and RA set, plus
    /// `flags` (AD, TC...), and the records in their sections; an owner that is the question's
    /// name is a pointer to it (as servers compress), others are written out.
    static func reply(
        to query: Query, rcode: UInt8 = 0, flags: UInt16 = 0, answer: [Record] = [], authority: [Record] = [],
        additional: [Record] = []
    ) -> [UInt8] {
        let header = 0x8180 | (query.flags & 0x0100) | flags | UInt16(rcode)
        var bytes = Self.bytes(query.id) + Self.bytes(header) + Self.bytes(UInt16(1))
        bytes += Self.bytes(UInt16(answer.count)) + Self.bytes(UInt16(authority.count)) + Self.bytes(UInt16(additional.count))
        bytes += query.nameWire + Self.bytes(query.type) + Self.bytes(UInt16(1))
        for record in answer + authority + additional {
            let owner = Self.wire(record.owner)
            bytes += owner.map(Self.lower) == query.nameWire.map(Self.lower) ? [0xC0, 0x0C] : owner
            bytes += Self.bytes(record.type) + Self.bytes(UInt16(1)) + Self.bytes(record.ttl)
            bytes += Self.bytes(UInt16(record.rdata.count)) + record.rdata
        }
        return bytes
    }

    /// A truncated (TC) reply with no records, which sends the client to TCP.
    static func truncated(_ query: Query) -> [UInt8] { Self.reply(to: query, flags: 0x0200) }

    static func wire(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0]
    }

    static func text(_ wire: [UInt8]) -> String {
        var labels: [String] = []
        var offset = 0
        while offset < wire.count, wire[offset] != 0 {
            let end = min(wire.count, offset + 1 + Int(wire[offset]))
            labels.append(String(decoding: wire[(offset + 1)..<end], as: UTF8.self))
            offset = end
        }
        return labels.joined(separator: ".") + "."
    }

    static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    static func bytes(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func bytes(_ value: UInt32) -> [UInt8] { Self.bytes(UInt16(value >> 16)) + Self.bytes(UInt16(value & 0xFFFF)) }
}
