import IPAddressing
import NIOCore

/// A `--listen` (or `--http`) value: `ADDR:PORT`, `[IPV6]:PORT`, or `:PORT` for every address.
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses the forms above; nil when the text is none of them.
    package static func parse(_ text: String) -> [ListenAddress]? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.isEmpty { return [ListenAddress(host: "0.0.0.0", port: port), ListenAddress(host: "::", port: port)] }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil  // IPv6 needs brackets: [::1]:53
        }
        guard (try? SocketAddress(ipAddress: host, port: port)) != nil else { return nil }
        return [ListenAddress(host: host, port: port)]
    }

    package var isIPv6: Bool { self.host.contains(":") }

    /// `0.0.0.0` or `::`: every address of the host, so a reply must name its source.
    package var isWildcard: Bool { IPAddress(self.host)?.isUnspecified ?? false }

    package var description: String { self.isIPv6 ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }

    package func socketAddress() throws -> SocketAddress { try SocketAddress(ipAddress: self.host, port: self.port) }
}
