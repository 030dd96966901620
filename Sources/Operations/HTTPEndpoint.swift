import NIOCore

/// What the operations listener serves: a path's response, computed on request.
package struct HTTPEndpoint: Sendable {
    /// A status, a content type and a body.
    package struct Response: Sendable {
        package var status: Int
        package var contentType: String
        package var body: String

        package init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    package var path: String
    package var respond: @Sendable (any EventLoop) -> EventLoopFuture<Response>

    package init(path: String, respond: @escaping @Sendable (any EventLoop) -> EventLoopFuture<Response>) {
        self.path = path
        self.respond = respond
    }
}
