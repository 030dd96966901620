import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on a chosen loopback source address, for clients that send many queries and
/// collect the replies as they come (`RawDNSClient.udp` is one query, one reply).
final class UDPClient {
    let fd: Int32

    /// Bound to `source` (any address of 127.0.0.0/8 is local), port chosen by the kernel.
    init?(source: String = "127.0.0.1") {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var buffer: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { close(self.fd) }

    /// Sends one datagram to 127.0.0.1:`port`.
    @discardableResult
    func send(_ bytes: [UInt8], port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(self.fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return sent == bytes.count
    }

    /// Every datagram waiting now, without blocking.
    func receiveWaiting() -> [[UInt8]] {
        var replies: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65535)
        while replies.count < 100_000 {
            let count = recv(self.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 { break }
            replies.append(Array(buffer[0..<count]))
        }
        return replies
    }

    /// Datagrams arriving within `timeout` seconds (ending early once `until` of them came).
    func receive(until count: Int, timeout: TimeInterval) -> [[UInt8]] {
        var replies: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(timeout)
        while replies.count < count, Date() < deadline {
            let batch = self.receiveWaiting()
            if batch.isEmpty { usleep(5_000) }
            replies += batch
        }
        return replies
    }
}
