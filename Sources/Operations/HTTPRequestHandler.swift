import NIOCore
import NIOHTTP1

/// Routes a request to its endpoint: GET and HEAD only (405 otherwise), 404 for unknown paths.
final class HTTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: [String: HTTPEndpoint]
    private var head: HTTPRequestHead?

    init(endpoints: [HTTPEndpoint]) {
        self.endpoints = Dictionary(endpoints.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            self.route(head, context: context)
        }
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        let channel = context.channel
        let keepAlive = head.isKeepAlive
        let isHead = head.method == .HEAD
        guard head.method == .GET || head.method == .HEAD else {
            Self.write(
                HTTPEndpoint.Response(status: 405, body: "method not allowed\n"), head: head, extraHeaders: [("Allow", "GET, HEAD")],
                isHead: false, keepAlive: keepAlive, channel: channel)
            return
        }
        guard let endpoint = self.endpoints[path] else {
            Self.write(
                HTTPEndpoint.Response(status: 404, body: "not found\n"), head: head, extraHeaders: [], isHead: isHead,
                keepAlive: keepAlive, channel: channel)
            return
        }
        endpoint.respond(context.eventLoop).whenComplete { result in
            let response: HTTPEndpoint.Response
            switch result {
            case .success(let value): response = value
            case .failure(let error): response = HTTPEndpoint.Response(status: 500, body: "\(error)\n")
            }
            Self.write(response, head: head, extraHeaders: [], isHead: isHead, keepAlive: keepAlive, channel: channel)
        }
    }

    private static func write(
        _ response: HTTPEndpoint.Response, head: HTTPRequestHead, extraHeaders: [(String, String)], isHead: Bool,
        keepAlive: Bool, channel: any Channel
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        channel.write(HTTPServerResponsePart.head(responseHead), promise: nil)
        if !isHead {
            var buffer = channel.allocator.buffer(capacity: response.body.utf8.count)
            buffer.writeString(response.body)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        }
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
