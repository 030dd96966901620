import IPAddressing

/// An `--upstream` value: `ADDR`, `ADDR:PORT`, `[IPV6]` or `[IPV6]:PORT` (port 53 by default).
package struct UpstreamAddress: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    package static func parse(_ text: String) -> UpstreamAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard host.contains(":"), Self.isAddress(host) else { return nil }
            if rest.isEmpty { return UpstreamAddress(host: host, port: 53) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return UpstreamAddress(host: host, port: port)
        }
        if text.contains(":"), text.split(separator: ":").count > 2 {
            // A bare IPv6 address, port 53.
            return Self.isAddress(text) ? UpstreamAddress(host: text, port: 53) : nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, Self.isAddress(String(parts[0])) else { return nil }
        if parts.count == 1 { return UpstreamAddress(host: text, port: 53) }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return UpstreamAddress(host: String(parts[0]), port: port)
    }

    package var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }

    /// Whether sending here would reach a listener of ours: the same address and port, or a
    /// local address (`isLocal`) on the port of a wildcard listener.
    package func reaches(host listenHost: String, port listenPort: Int, isLocal: (IPAddress) -> Bool) -> Bool {
        guard listenPort == self.port else { return false }
        guard let listen = IPAddress(listenHost), let upstream = IPAddress(self.host) else { return false }
        if listen == upstream { return true }
        let wildcard = listen.high == 0 && listen.low == 0
        return wildcard && isLocal(upstream)
    }

    private static func isAddress(_ text: String) -> Bool { IPAddress(text) != nil }
}

