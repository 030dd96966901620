import Manifests
import NIOHTTP1

/// What went wrong talking to the API server, as the reflectors act on it.
package enum APIError: Error, CustomStringConvertible, Equatable {
    /// 410 Gone (an HTTP status, or a watch ERROR event): the resourceVersion or continue token is
    /// too old. The only cure is a new list.
    case gone(String)
    /// Any other status: 401 and 403 (credentials, RBAC), 429 (with Retry-After), 5xx.
    case status(Int, String, retryAfter: Duration?)
    /// A body that is not the JSON the API promises.
    case malformed(String)

    package var description: String {
        switch self {
        case .gone(let message): return "410 Gone: \(message)"
        case .status(let code, let message, _):
            switch code {
            case 401: return "401 Unauthorized: \(message) (is the token valid and current?)"
            case 403: return "403 Forbidden: \(message) (does the RBAC role allow list and watch on it?)"
            default: return "\(code): \(message)"
            }
        case .malformed(let message): return "malformed reply: \(message)"
        }
    }

    /// How long the server asked us to wait (429 and 503 with Retry-After).
    package var retryAfter: Duration? {
        if case .status(_, _, let retryAfter) = self { return retryAfter }
        return nil
    }

    package static func from(status: Int, body: [UInt8], headers: HTTPHeaders) -> APIError {
        let message = Self.statusMessage(body) ?? "HTTP \(status)"
        if status == 410 { return .gone(message) }
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0) }.map { Duration.seconds(min($0, 300)) }
        return .status(status, message, retryAfter: retryAfter)
    }

    /// The `message` of a `Status` object, if `body` is one.
    package static func statusMessage(_ body: [UInt8]) -> String? {
        guard case .success(let documents) = body.withUnsafeBytes({ JSONDocumentParser.parse($0) }),
            let status = documents.first, status["kind"]?.scalar?.text == "Status"
        else { return nil }
        return status["message"]?.scalar?.text
    }
}
