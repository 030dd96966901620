#if canImport(Glibc)
import Glibc
#endif
// sockaddr_in's fields, as the C module that first declares them in this target sees them.
#if canImport(CNIOLinux)
import CNIOLinux
#endif

/// Whether this process may open a raw ICMP socket (root or CAP_NET_RAW), to forge ICMP errors.
let canForgeICMP: Bool = {
    let descriptor = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
    guard descriptor >= 0 else { return false }
    close(descriptor)
    return true
}()

/// Sends 127.0.0.1 an ICMP port unreachable that claims 127.0.0.1:`upstreamPort` refused a
/// datagram from 127.0.0.1:`sourcePort`, as an off-path forger who guessed the port would.
func forgePortUnreachable(sourcePort: Int, upstreamPort: Int) -> Bool {
    func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for index in stride(from: 0, to: bytes.count, by: 2) {
            sum += UInt32(bytes[index]) << 8 | UInt32(index + 1 < bytes.count ? bytes[index + 1] : 0)
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
    var inner: [UInt8] = [0x45, 0, 0, 48, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]
    let innerChecksum = checksum(inner)
    inner[10] = UInt8(innerChecksum >> 8)
    inner[11] = UInt8(innerChecksum & 0xFF)
    inner += [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(upstreamPort >> 8), UInt8(upstreamPort & 0xFF), 0, 28, 0, 0]
    var icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + inner
    let icmpChecksum = checksum(icmp)
    icmp[2] = UInt8(icmpChecksum >> 8)
    icmp[3] = UInt8(icmpChecksum & 0xFF)
    let descriptor = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let sent = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(descriptor, icmp, icmp.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return sent == icmp.count
}

