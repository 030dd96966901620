import ArgumentParser
import DNSServer
import IPAddressing
import Manifests
import NIOCore
import QueryEngine

/// Flags of the DNS listeners: addresses, transfers, TCP and UDP limits.
struct ServerFlags: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Address to answer on, ADDR:PORT or [IPV6]:PORT; repeat for several. Default 0.0.0.0:53 and [::]:53.",
            valueName: "ADDR:PORT"))
    var listen: [String] = []

    @Option(
        name: .customLong("transfer-allow"),
        help: ArgumentHelp("Clients allowed zone transfers (AXFR/IXFR); repeatable. Default: none, loopback included.", valueName: "CIDR"))
    var transferAllow: [String] = []

    @Option(name: .customLong("tcp-idle-timeout"), help: ArgumentHelp("Seconds an idle TCP connection stays open.", valueName: "SECONDS"))
    var tcpIdleTimeout: Double = 10

    @Option(
        name: .customLong("tcp-message-timeout"),
        help: ArgumentHelp("Seconds a started TCP message has to arrive whole.", valueName: "SECONDS"))
    var tcpMessageTimeout: Double = 3

    @Option(
        name: .customLong("max-tcp-connections"),
        help: ArgumentHelp("Most TCP connections at once; past it the oldest idle one is closed.", valueName: "N"))
    var maxTCPConnections: Int = 1000

    @Option(
        name: .customLong("tcp-max-in-flight"),
        help: ArgumentHelp(
            "Most queries one TCP connection may have unanswered; at the limit it is not read until answers are written.",
            valueName: "N"))
    var tcpMaxInFlight: Int = 100

    @Option(
        name: .customLong("response-rate-limit"),
        help: ArgumentHelp(
            "UDP responses per second to each client /24 (IPv4) or /56 (IPv6), plus a burst of one second's worth; over it every second response is sent truncated and the rest dropped. 0 is off. TCP is never limited.",
            valueName: "N"))
    var responseRateLimit: Int = 0

    @Option(
        name: .customLong("udp-workers"),
        help: ArgumentHelp(
            "UDP sockets per address, each with a recvmmsg/sendmmsg thread (SO_REUSEPORT; default: one per core).",
            valueName: "N"))
    var udpWorkers: Int?

    func validate() throws {
        _ = try self.serverConfiguration()
    }

    func serverConfiguration() throws -> DNSServerConfiguration {
        var addresses: [ListenAddress] = []
        for text in self.listen.isEmpty ? ["0.0.0.0:53", "[::]:53"] : self.listen {
            guard let parsed = ListenAddress.parse(text) else {
                throw ValidationError("--listen must be ADDR:PORT or [IPV6]:PORT, got \"\(text)\"")
            }
            addresses += parsed
        }
        var allowed: [IPNetwork] = []
        for text in self.transferAllow {
            guard let network = IPNetwork(text) else {
                throw ValidationError("--transfer-allow must be a CIDR such as 10.0.0.0/8, got \"\(text)\"")
            }
            allowed.append(network)
        }
        guard self.tcpIdleTimeout > 0, self.tcpMessageTimeout > 0 else {
            throw ValidationError("TCP timeouts must be more than 0 seconds")
        }
        guard self.maxTCPConnections > 0 else {
            throw ValidationError("--max-tcp-connections must be at least 1, got \(self.maxTCPConnections)")
        }
        guard (1...65535).contains(self.tcpMaxInFlight) else {
            throw ValidationError("--tcp-max-in-flight must be 1-65535, got \(self.tcpMaxInFlight)")
        }
        guard (0...1_000_000_000).contains(self.responseRateLimit) else {
            throw ValidationError("--response-rate-limit must be 0 (off) to 1000000000, got \(self.responseRateLimit)")
        }
        if let workers = self.udpWorkers, !(1...64).contains(workers) {
            throw ValidationError("--udp-workers must be 1-64, got \(workers)")
        }
        var configuration = DNSServerConfiguration(
            listen: addresses,
            tcp: TCPSettings(
                idleTimeout: .nanoseconds(Int64(self.tcpIdleTimeout * 1e9)),
                messageTimeout: .nanoseconds(Int64(self.tcpMessageTimeout * 1e9)),
                maximumConnections: self.maxTCPConnections, maximumInFlight: self.tcpMaxInFlight),
            transfers: TransferPolicy(allowed: allowed))
        configuration.responseRateLimit = self.responseRateLimit
        configuration.responder.tcpIdleTimeoutUnits = UInt16(min(65535, max(1, (self.tcpIdleTimeout * 10).rounded())))
        if let workers = self.udpWorkers { configuration.udpWorkers = workers }
        return configuration
    }
}
