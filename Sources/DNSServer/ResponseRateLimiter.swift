import Atomics
import CMMsg
import Glibc
import NIOCore

/// Response rate limiting for UDP (`--response-rate-limit N`), the defence NSD and Knot have
/// against being used to reflect traffic at a forged source: each client network — its /24
/// for IPv4, its /56 for IPv6, as NSD's defaults group clients — gets N responses per second
/// plus a burst of one second's worth. Over the limit, responses alternate between a slip
/// (truncated, no records: a real resolver retries over TCP, which is never limited) and
/// silence (slip 2, NSD's and Knot's default).
///
/// The rate is a generic cell rate algorithm: each network keeps only the time at which it
/// will next be within its allowance ("theoretical arrival time"), advanced by 1/N second per
/// response; a response is over the limit when that time is more than a second ahead of now.
/// The table is sized when the server starts and shared by every UDP thread: a network's
/// entry is found by a keyed hash in a group of four slots (the quietest slot is taken over
/// when the network has none), and updated with one compare-and-swap. No lock and no
/// allocation per response.
package final class ResponseRateLimiter: @unchecked Sendable {
    // Safety: `keys` and `states` are allocated and initialized in `init`, freed in `deinit`,
    // and every access in between is an atomic operation on one of their words.

    /// What to do with one response.
    package enum Decision: Sendable, Equatable {
        /// Send it.
        case answer
        /// Send the truncated reply instead (`QueryResponder.slip`).
        case slip
        /// Send nothing.
        case drop
    }

    /// N: responses per second per client network.
    package let responsesPerSecond: Int
    /// Nanoseconds of allowance one response uses: 1/N second.
    private let interval: UInt64
    /// How far ahead of now the allowance may run: one second's worth of responses.
    private static let burst: UInt64 = 1_000_000_000
    private let slots: Int
    private let keys: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    /// Per slot: the theoretical arrival time in nanoseconds since `origin`, shifted left one
    /// bit; the low bit says whether the next response over the limit slips (0) or drops (1).
    private let states: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    private let origin: UInt64

    /// `slots` is rounded up to a power of two, at least 4; 2^18 slots take 4 MiB.
    package init(responsesPerSecond: Int, slots: Int = 1 << 18, now: NIODeadline = .now()) {
        precondition(responsesPerSecond > 0)
        self.responsesPerSecond = responsesPerSecond
        self.interval = max(1, 1_000_000_000 / UInt64(responsesPerSecond))
        var size = 4
        while size < slots { size <<= 1 }
        self.slots = size
        self.keys = .allocate(capacity: size)
        self.keys.initialize(repeating: .init(0), count: size)
        self.states = .allocate(capacity: size)
        self.states.initialize(repeating: .init(0), count: size)
        self.origin = now.uptimeNanoseconds
    }

    deinit {
        self.keys.deinitialize(count: self.slots)
        self.keys.deallocate()
        self.states.deinitialize(count: self.slots)
        self.states.deallocate()
    }

    /// Whether a response to `network` (from `network(of:)`) may go out at `now`.
    package func decide(network key: UInt64, now: NIODeadline) -> Decision {
        let time = now.uptimeNanoseconds &- self.origin
        var hasher = Hasher()  // seeded per process, so no one can aim keys at one group
        hasher.combine(key)
        let group = (hasher.finalize() & (self.slots - 1)) & ~3
        var slot = -1
        var quietest = group
        var quietestTime = UInt64.max
        for index in group..<(group + 4) {
            if UnsafeAtomic<UInt64>(at: self.keys + index).load(ordering: .relaxed) == key {
                slot = index
                break
            }
            let arrival = UnsafeAtomic<UInt64>(at: self.states + index).load(ordering: .relaxed) >> 1
            if arrival < quietestTime {
                quietestTime = arrival
                quietest = index
            }
        }
        if slot < 0 {
            // The network has no slot: take the one quiet the longest. A network being limited
            // has its time far ahead, so others passing through the group do not reset it.
            slot = quietest
            UnsafeAtomic<UInt64>(at: self.keys + slot).store(key, ordering: .relaxed)
            UnsafeAtomic<UInt64>(at: self.states + slot).store(0, ordering: .relaxed)
        }
        let state = UnsafeAtomic<UInt64>(at: self.states + slot)
        var old = state.load(ordering: .relaxed)
        while true {
            let arrival = max(old >> 1, time)
            if arrival - time > Self.burst {
                let (exchanged, current) = state.compareExchange(expected: old, desired: old ^ 1, ordering: .relaxed)
                if exchanged { return old & 1 == 0 ? .slip : .drop }
                old = current
                continue
            }
            let next = ((arrival + self.interval) << 1) | (old & 1)
            let (exchanged, current) = state.compareExchange(expected: old, desired: next, ordering: .relaxed)
            if exchanged { return .answer }
            old = current
        }
    }

    // MARK: client networks

    /// The client's network as a table key: family and the first 24 (IPv4) or 56 (IPv6) bits;
    /// an IPv4-mapped IPv6 address counts as its IPv4 address. 0 for other families.
    package static func network(of storage: sockaddr_storage) -> UInt64 {
        withUnsafeBytes(of: storage) { Self.network(socketAddress: $0) }
    }

    /// The same for a NIO address.
    package static func network(of address: SocketAddress?) -> UInt64 {
        guard let address else { return 0 }
        return address.withSockAddr { pointer, length in
            Self.network(socketAddress: UnsafeRawBufferPointer(start: pointer, count: length))
        }
    }

    /// From the bytes of a `sockaddr_in` or `sockaddr_in6`: the family in the first two bytes,
    /// the IPv4 address at offset 4, the IPv6 address at offset 8 (the Linux layouts).
    private static func network(socketAddress bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard bytes.count >= 8 else { return 0 }
        let family = Int32(bytes.loadUnaligned(as: UInt16.self))
        if family == AF_INET {
            return (4 << 56) | UInt64(bytes[4]) << 16 | UInt64(bytes[5]) << 8 | UInt64(bytes[6])
        }
        guard family == AF_INET6, bytes.count >= 24 else { return 0 }
        let address = UnsafeRawBufferPointer(rebasing: bytes[8..<24])
        // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), as a dual-stack socket sees IPv4 clients.
        if address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            return (4 << 56) | UInt64(address[12]) << 16 | UInt64(address[13]) << 8 | UInt64(address[14])
        }
        var key: UInt64 = 6 << 56
        for index in 0..<7 { key |= UInt64(address[index]) << (8 * (6 - index)) }
        return key
    }
}
