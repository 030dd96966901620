import CMMsg
import Glibc
import Testing

/// sendmmsg stops at the first datagram it cannot send; the batch sender skips that one and sends
/// the rest, so one bad destination (a source port 0 answered back) never costs the other replies.
@Suite("Batched UDP send: one bad destination loses one reply")
struct BatchSendTests {
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    @Test func aDatagramToPortZeroIsSkippedAndTheRestAreSent() throws {
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(receiver)
            close(sender)
        }
        var bound = Self.loopback(port: 0)
        let bindResult = withUnsafePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bindResult == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(receiver, $0, &length) }
        }
        let port = UInt16(bigEndian: bound.sin_port)
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        // Five replies; the second and fourth go to port 0, which the kernel refuses (EINVAL).
        let count = 5
        let stride = 16
        var buffers = [UInt8](repeating: 0, count: count * stride)
        var lengths = [UInt32](repeating: 4, count: count)
        var addresses = [sockaddr_storage](repeating: sockaddr_storage(), count: count)
        var addressLengths = [socklen_t](repeating: socklen_t(MemoryLayout<sockaddr_in>.size), count: count)
        for index in 0..<count {
            buffers[index * stride] = UInt8(index)
            var destination = Self.loopback(port: index == 1 || index == 3 ? 0 : port)
            withUnsafeBytes(of: &destination) { source in
                withUnsafeMutableBytes(of: &addresses[index]) { $0.copyMemory(from: source) }
            }
        }
        let sent = cmmsg_send(sender, &buffers, stride, &lengths, &addresses, &addressLengths, nil, UInt32(count))
        #expect(sent == 3)
        var received: [UInt8] = []
        for _ in 0..<3 {
            var byte = [UInt8](repeating: 0, count: 16)
            let got = recv(receiver, &byte, 16, 0)
            if got > 0 { received.append(byte[0]) }
        }
        #expect(received == [0, 2, 4])
    }
}
