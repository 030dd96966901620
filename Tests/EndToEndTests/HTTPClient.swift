import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 client over a loopback socket, for the operations endpoints.
enum HTTPClient {
    struct Response {
        var status: Int
        var body: String
    }

    static func request(_ method: String = "GET", port: Int, path: String, body: String = "") -> Response? {
        guard let fd = RawDNSClient.connectTCP(port: port) else { return nil }
        defer { close(fd) }
        let length = body.isEmpty ? "" : "Content-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\n"
        let request = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\(length)\r\n\(body)"
        guard RawDNSClient.send(fd, Array(request.utf8)) else { return nil }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n").first,
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }
}
