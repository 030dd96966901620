import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends raw bytes to a DNS server over UDP or TCP: for hostile packets dig will not send.
enum RawDNSClient {
    /// Sends `bytes` in one datagram to 127.0.0.1:`port`; the reply, or nil after `timeout`.
    static func udp(_ bytes: [UInt8], port: Int, timeout: TimeInterval = 1) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let received = recv(fd, &buffer, buffer.count, 0)
        guard received >= 0 else { return nil }
        return Array(buffer[0..<received])
    }

    /// Opens a TCP connection to 127.0.0.1:`port`; nil when it cannot. `receiveBuffer` shrinks
    /// the socket's receive buffer (and so the window the server may fill) before connecting.
    static func connectTCP(port: Int, timeout: TimeInterval = 2, receiveBuffer: Int32? = nil) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Sends as much of `bytes` as the peer takes, waiting at most `stall` seconds for room each
    /// time the socket is full; returns how many bytes went.
    static func sendWhileTaken(_ fd: Int32, _ bytes: [UInt8], stall: TimeInterval = 1) -> Int {
        var tv = timeval(tv_sec: Int(stall), tv_usec: Int((stall - Double(Int(stall))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }
            offset += written
        }
        return offset
    }

    /// Reads one length-prefixed message; nil on timeout or close.
    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = self.readExactly(fd, 2) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        return self.readExactly(fd, length)
    }

    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: max(count, 1))
        while result.count < count {
            let received = recv(fd, &buffer, count - result.count, 0)
            if received <= 0 { return nil }
            result += buffer[0..<received]
        }
        return result
    }

    /// Whether the peer has closed: a read returns 0 (or fails) within `timeout`.
    static func isClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    static func frame(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }

    /// A well-formed query for `name` type A, RD set; with `edns`, an OPT offering 1232 bytes.
    static func query(_ name: String, id: UInt16 = 0x4242, type: UInt16 = 1, edns: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        if edns { bytes += [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0] }
        return bytes
    }
}
