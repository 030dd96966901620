import Metrics

/// The API source's series: requests, errors and relists per resource and verb, whether each
/// resource is synced, and how long ago its last event (or list) arrived.
package struct SourceMetrics: Sendable {
    package init() {}

    func request(_ resource: APIResource, _ verb: String) {
        Counter(label: "clusterdns_kubernetes_requests_total", dimensions: [("resource", resource.rawValue), ("verb", verb)])
            .increment()
    }

    func failure(_ resource: APIResource, _ verb: String) {
        Counter(
            label: "clusterdns_kubernetes_request_errors_total", dimensions: [("resource", resource.rawValue), ("verb", verb)]
        ).increment()
    }

    func relisted(_ resource: APIResource) {
        Counter(label: "clusterdns_kubernetes_relists_total", dimensions: [("resource", resource.rawValue)]).increment()
    }

    func synced(_ resource: APIResource, _ value: Bool) {
        Gauge(label: "clusterdns_kubernetes_synced", dimensions: [("resource", resource.rawValue)]).record(value ? 1 : 0)
    }

    func lastEventAge(_ resource: APIResource, seconds: Double) {
        Gauge(label: "clusterdns_kubernetes_last_event_age_seconds", dimensions: [("resource", resource.rawValue)])
            .record(seconds)
    }
}
