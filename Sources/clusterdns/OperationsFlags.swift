import ArgumentParser
import DNSServer
import NIOCore
import Operations

/// Flags of the operations surface: the HTTP listener and the shutdown.
struct OperationsFlags: ParsableArguments {
    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "Address of /health, /ready and /metrics, ADDR:PORT or :PORT; 'none' turns it off. Given explicitly, a port that cannot be bound stops the server; the default only warns. (default: \(Self.defaultHTTP))",
            valueName: "ADDR:PORT"))
    var http: String?

    /// CoreDNS's metrics port.
    static let defaultHTTP = ":9153"

    @Option(
        help: ArgumentHelp(
            "Seconds DNS keeps answering after SIGTERM/SIGINT while /ready says 503.", valueName: "SECONDS"))
    var lameduck: Double = 5

    @Option(
        name: .customLong("http-idle-timeout"),
        help: ArgumentHelp(
            "Seconds an HTTP connection may go without a complete request before it is closed.", valueName: "SECONDS"))
    var httpIdleTimeout: Double = 30

    @Option(
        name: .customLong("http-max-connections"),
        help: ArgumentHelp(
            "Most HTTP connections at once, and the listen backlog; past it the oldest connection idle between requests is closed, or with none idle new ones wait in the backlog.",
            valueName: "N"))
    var httpMaxConnections: Int = 256

    func validate() throws {
        guard self.lameduck >= 0 else { throw ValidationError("--lameduck must be 0 or more seconds") }
        guard self.httpIdleTimeout > 0 else {
            throw ValidationError("--http-idle-timeout must be more than 0 seconds, got \(self.httpIdleTimeout)")
        }
        guard (1...65535).contains(self.httpMaxConnections) else {
            throw ValidationError("--http-max-connections must be 1-65535, got \(self.httpMaxConnections)")
        }
        _ = try self.httpAddress()
    }

    /// Where the HTTP listener binds; nil with `--http none`. `:PORT` means every IPv4 address.
    func httpAddress() throws -> ListenAddress? {
        let http = self.http ?? Self.defaultHTTP
        if http == "none" { return nil }
        guard let addresses = ListenAddress.parse(http), let first = addresses.first else {
            throw ValidationError("--http must be ADDR:PORT, :PORT or none, got \"\(http)\"")
        }
        return first
    }

    /// The HTTP listener's limits.
    var httpSettings: HTTPSettings {
        HTTPSettings(
            idleTimeout: .nanoseconds(Int64(self.httpIdleTimeout * 1e9)), maximumConnections: self.httpMaxConnections)
    }

    /// Whether `--http` was given: only then is a port that cannot be bound fatal, so that a second
    /// server on one machine (or a test run beside a real one) starts without `--http none`.
    var httpIsExplicit: Bool { self.http != nil }
}
