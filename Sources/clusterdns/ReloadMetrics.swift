import ClusterModel
import Glibc
import Manifests
import Metrics
import ZoneCompiler

/// The reload series (swift-metrics, exported by swift-prometheus): `reload_total{result}`,
/// `reload_duration_seconds`, `last_reload_success_timestamp_seconds`, `records`, `manifest_errors`,
/// and `limit_reached_total{limit}` for the limits met while deriving.
struct ReloadMetrics: Sendable {
    private let successes = Counter(label: "clusterdns_reload_total", dimensions: [("result", "success")])
    private let failures = Counter(label: "clusterdns_reload_total", dimensions: [("result", "failure")])
    private let duration = Timer(label: "clusterdns_reload_duration_seconds")
    private let lastSuccess = Gauge(label: "clusterdns_last_reload_success_timestamp_seconds")
    private let records = Gauge(label: "clusterdns_records")
    private let manifestErrors = Gauge(label: "clusterdns_manifest_errors")
    /// Limits reached while deriving and compiling, by flag: `limit_reached_total{limit}`.
    private let synthesisCap = Counter(label: "clusterdns_limit_reached_total", dimensions: [("limit", "max-synthesized-pods")])

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
        if report.derivation.synthesisCapReached > 0 { self.synthesisCap.increment(by: report.derivation.synthesisCapReached) }
    }
}
