import KubernetesAPI
import NIOHTTP1
import Testing

/// Error replies as the reflectors act on them: 410 means list again, 429 and 503 carry how long
/// to wait, 401 and 403 say what to fix.
@Suite("API errors")
struct APIErrorTests {
    static let expired = Array(
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (3171407)","reason":"Expired","code":410}"#
            .utf8)

    @Test func goneIsItsOwnCase() {
        #expect(APIError.from(status: 410, body: Self.expired, headers: [:]) == .gone("too old resource version: 1 (3171407)"))
    }

    @Test func retryAfterIsKeptAndCapped() {
        let throttled = APIError.from(status: 429, body: [], headers: ["Retry-After": "3"])
        #expect(throttled.retryAfter == .seconds(3))
        #expect(APIError.from(status: 503, body: [], headers: ["Retry-After": "86400"]).retryAfter == .seconds(300))
        #expect(APIError.from(status: 500, body: [], headers: [:]).retryAfter == nil)
    }

    @Test func credentialsAndRBACSayWhatToFix() {
        let unauthorized = Array(
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
                .utf8)
        #expect(
            "\(APIError.from(status: 401, body: unauthorized, headers: [:]))"
                == "401 Unauthorized: Unauthorized (is the token valid and current?)")
        #expect("\(APIError.from(status: 403, body: [], headers: [:]))".hasSuffix("(does the RBAC role allow list and watch on it?)"))
        #expect("\(APIError.from(status: 502, body: Array("<html>".utf8), headers: [:]))" == "502: HTTP 502")
    }
}
