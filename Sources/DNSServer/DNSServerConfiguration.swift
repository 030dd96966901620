import Logging
import NIOCore
import QueryEngine

/// What the DNS listeners need: where to listen, and how to behave.
package struct DNSServerConfiguration: Sendable {
    package var listen: [ListenAddress]
    package var responder: ResponderSettings
    package var tcp: TCPSettings
    package var transfers: TransferPolicy
    /// UDP sockets (SO_REUSEPORT, each with its recvmmsg/sendmmsg thread) per address.
    package var udpWorkers: Int = System.coreCount
    /// Where listeners register their counters (nil: not counted).
    package var metrics: QueryMetrics?
    /// `--query-log`: one log line per query.
    package var queryLog: Logger?
    /// `--response-rate-limit`: UDP responses per second per client network; 0 is off.
    package var responseRateLimit: Int = 0
    /// Where reaching a limit is counted and logged (nil: neither).
    package var limits: LimitCounters?

    package init(
        listen: [ListenAddress], responder: ResponderSettings = ResponderSettings(), tcp: TCPSettings = TCPSettings(),
        transfers: TransferPolicy = TransferPolicy()
    ) {
        self.listen = listen
        self.responder = responder
        self.tcp = tcp
        self.transfers = transfers
    }
}
