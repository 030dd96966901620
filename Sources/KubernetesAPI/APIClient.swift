import AsyncHTTPClient
import Logging
import Manifests
import NIOCore
import NIOHTTP1
import NIOSSL

/// HTTP(S) GETs against one API server: whole JSON bodies for lists, streamed lines for watches.
/// Every request carries the current bearer token (a token file is read again each time).
package final class APIClient: Sendable {
    package let endpoint: APIServerEndpoint
    private let http: HTTPClient

    /// A reply with a body read whole.
    package struct Reply: Sendable {
        package var status: Int
        package var body: [UInt8]
    }

    package init(endpoint: APIServerEndpoint) throws {
        self.endpoint = endpoint
        var tls = TLSConfiguration.makeClientConfiguration()
        if let authority = endpoint.certificateAuthorityPEM {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(authority))
        }
        if endpoint.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if let certificate = endpoint.clientCertificatePEM, let key = endpoint.clientKeyPEM {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: nil))
        // Each watch holds its connection for minutes; HTTP/1.1 gives each its own, as client-go's
        // watches over HTTP/1.1 do, and a dropped connection ends one watch only.
        configuration.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes every connection; the client is unusable afterwards.
    package func shutdown() async {
        try? await self.http.shutdown()
    }

    private func request(_ pathAndQuery: String) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: self.endpoint.server + pathAndQuery)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "clusterdns")
        if let token = try self.endpoint.credential.currentToken() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        return request
    }

    /// GET, reading at most `limit` bytes of body.
    package func get(_ pathAndQuery: String, limit: Int, timeout: Duration) async throws -> Reply {
        let response = try await self.http.execute(
            try self.request(pathAndQuery), timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let status = Int(response.status.code)
        if status != 200 {
            throw APIError.from(status: status, body: try await Self.smallBody(response), headers: response.headers)
        }
        let body = try await response.body.collect(upTo: limit)
        return Reply(status: status, body: Array(body.readableBytesView))
    }

    /// GET a watch: the stream's lines, each handed to `line` as it arrives, until the server
    /// ends the stream (a routine close) or `timeout` passes. Throws for a status other than 200.
    package func stream(
        _ pathAndQuery: String, timeout: Duration, maximumLine: Int, line: (ArraySlice<UInt8>) throws -> Void
    ) async throws {
        let response = try await self.http.execute(
            try self.request(pathAndQuery), timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let status = Int(response.status.code)
        if status != 200 {
            throw APIError.from(status: status, body: try await Self.smallBody(response), headers: response.headers)
        }
        var pending: [UInt8] = []
        for try await chunk in response.body {
            pending += chunk.readableBytesView
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if newline > start { try line(pending[start..<newline]) }
                start = newline + 1
            }
            pending.removeFirst(start)
            if pending.count > maximumLine { throw APIError.malformed("a watch event longer than \(maximumLine) bytes") }
        }
        if !pending.isEmpty { try line(pending[...]) }
    }

    /// An error reply's body, for its Status message (at most 64 KiB of it).
    private static func smallBody(_ response: HTTPClientResponse) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in response.body where bytes.count < 65536 {
            bytes += chunk.readableBytesView.prefix(65536 - bytes.count)
        }
        return bytes
    }
}
