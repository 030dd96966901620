import ClusterModel
import DNSServer
import Glibc
import Manifests
import Metrics
import ZoneCompiler

/// The reload series (swift-metrics, exported by swift-prometheus): `reload_total{result}`,
/// `reload_duration_seconds`, `last_reload_success_timestamp_seconds`, `records`, `manifest_errors`;
/// the limits met while deriving go to the shared `LimitCounters`.
struct ReloadMetrics: Sendable {
    private let successes = Counter(label: "clusterdns_reload_total", dimensions: [("result", "success")])
    private let failures = Counter(label: "clusterdns_reload_total", dimensions: [("result", "failure")])
    private let duration = Timer(label: "clusterdns_reload_duration_seconds")
    private let lastSuccess = Gauge(label: "clusterdns_last_reload_success_timestamp_seconds")
    private let records = Gauge(label: "clusterdns_records")
    private let manifestErrors = Gauge(label: "clusterdns_manifest_errors")
    /// Where limits reached while deriving are counted (`limit_reached_total{limit}`).
    private let limits: LimitCounters?

    init(limits: LimitCounters? = nil) {
        self.limits = limits
    }

    /// A rebuild was published; `success` is false when a changed file failed.
    func published(_ report: ClusterPipeline.Report, success: Bool) {
        (success ? self.successes : self.failures).increment()
        let (seconds, attoseconds) = report.buildTime.components
        self.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        if success {
            self.lastSuccess.record(Double(time(nil)))
        }
        self.records.record(report.snapshot.recordCount)
        self.manifestErrors.record(report.derivation.diagnostics.filter(\.isError).count)
        if report.derivation.synthesisCapReached > 0, let limits = self.limits {
            for _ in 0..<report.derivation.synthesisCapReached { limits.reached(.synthesizedPods) }
        }
    }
}
