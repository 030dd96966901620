import Forwarder
import NIOCore
import Testing

@Suite("Client networks share the fetches in flight")
struct FetchQuotaTests {
    static let a = ClientPrefix(ipv4: 0x7F00_0001)  // 127.0.0.1
    static let b = ClientPrefix(ipv4: 0x7F00_0101)  // 127.0.1.1
    static let c = ClientPrefix(ipv4: 0x7F00_0201)  // 127.0.2.1

    @Test func belowTheCapEveryoneIsAdmitted() {
        var quota = FetchQuota(capacity: 3)
        quota.add(1, for: Self.a)
        quota.add(2, for: Self.a)
        #expect(quota.decide(for: Self.a) == .admit)
        #expect(quota.decide(for: Self.b) == .admit)
    }

    @Test func atTheCapANewNetworkTakesTheBusiestNetworksNewestFetch() {
        var quota = FetchQuota(capacity: 50)
        for serial in 1...50 { quota.add(UInt64(serial), for: Self.a) }
        #expect(quota.decide(for: Self.a) == .refuse, "the network holding everything gets no more")
        #expect(quota.decide(for: Self.b) == .admitEvicting(50))
        quota.remove(50)
        quota.add(51, for: Self.b)
        #expect(quota.count(for: Self.a) == 49 && quota.count(for: Self.b) == 1)
    }

    @Test func repeatedTheCapIsSharedEvenly() {
        var quota = FetchQuota(capacity: 50)
        var serial: UInt64 = 0
        var live: [UInt64] = []
        for _ in 0..<50 {
            serial += 1
            quota.add(serial, for: Self.a)
            live.append(serial)
        }
        // b and c keep asking: each evicts a's newest until the shares are as even as they go.
        for round in 0..<100 {
            let prefix = round % 2 == 0 ? Self.b : Self.c
            switch quota.decide(for: prefix) {
            case .admit:
                Issue.record("the cap is full")
            case .admitEvicting(let victim):
                quota.remove(victim)
                live.removeAll { $0 == victim }
                serial += 1
                quota.add(serial, for: prefix)
                live.append(serial)
            case .refuse:
                break
            }
        }
        let counts = [Self.a, Self.b, Self.c].map { quota.count(for: $0) }
        #expect(counts.reduce(0, +) == 50)
        #expect(counts.max()! - counts.min()! <= 1, "\(counts)")
        #expect(quota.total == live.count)
    }

    @Test func removingInAnyOrderKeepsTheBooks() {
        var quota = FetchQuota(capacity: 4)
        for serial in 1...4 { quota.add(UInt64(serial), for: serial % 2 == 0 ? Self.a : Self.b) }
        quota.remove(2)
        quota.remove(3)
        quota.remove(99)  // unknown: nothing
        #expect(quota.total == 2 && quota.count(for: Self.a) == 1 && quota.count(for: Self.b) == 1)
        quota.add(5, for: Self.a)
        quota.add(6, for: Self.a)
        #expect(quota.decide(for: Self.c) == .admitEvicting(6))
        for serial: UInt64 in [1, 4, 5, 6] { quota.remove(serial) }
        #expect(quota.total == 0 && quota.decide(for: Self.a) == .admit)
    }
}

@Suite("Client networks: IPv4 /24, IPv6 /56")
struct ClientPrefixTests {
    private func prefix(_ text: String) throws -> ClientPrefix {
        ClientPrefix(try SocketAddress(ipAddress: text, port: 53))
    }

    @Test(arguments: [
        ("192.0.2.1", "192.0.2.254", true), ("192.0.2.1", "192.0.3.1", false),
        ("2001:db8:0:ff00::1", "2001:db8:0:ffee::1", true), ("2001:db8:0:ff00::1", "2001:db8:0:fe00::1", false),
        ("::ffff:192.0.2.1", "192.0.2.77", true), ("::1", "127.0.0.1", false),
    ])
    func sameNetwork(left: String, right: String, same: Bool) throws {
        #expect((try prefix(left) == prefix(right)) == same)
    }

    @Test func describesItself() throws {
        #expect(try prefix("192.0.2.77").description == "192.0.2.0/24")
        #expect(try prefix("2001:db8:0:ff12::1").description == "2001:db8:0:ff00::/56")
        #expect(ClientPrefix(nil).description == "local")
    }
}
