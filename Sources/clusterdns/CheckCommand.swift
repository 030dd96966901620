import ArgumentParser
import ClusterModel
import DNSWire
import Manifests
import ZoneCompiler

#if canImport(Glibc)
import Glibc
import IPAddressing
#endif

/// `clusterdns check`: validates a manifest tree as the API server would, printing every
/// diagnostic (stderr, compiler format) and a summary line (stdout). Exit 1 on any error.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate manifests the way the API server would, and summarize what they define."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup(title: "Cluster from an API server") var sourceFlags: ClusterSourceFlags
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    func run() async throws {
        let externalZones = try self.recordFlags.recordOptions(model: try self.modelFlags.modelOptions()).externalZones
        let (files, sourceName) = try await ManifestLoading.files(
            self.manifestOptions, self.sourceFlags, ingresses: !externalZones.isEmpty)
        let derivation = ClusterBuilder.derive(files, options: try self.modelFlags.modelOptions())
        // An API server lists every Pod: an endpoint naming one that is not there is worth saying.
        let references = self.sourceFlags.isAPI ? PodReferenceCheck.unknownPods(in: files) : []
        for diagnostic in derivation.diagnostics + references {
            StandardError.line("\(diagnostic)")
        }
        let model = try self.modelFlags.modelOptions()
        // Names the records would need that cannot be formed under --domain: left out by serve.
        let recordOptions = try self.recordFlags.recordOptions(model: model)
        let problems = RecordGenerator.problems(for: derivation.cluster, options: recordOptions)
        for problem in problems { StandardError.line("warning: \(problem)") }
        // Zone file records that a generated name or zone takes precedence over.
        let reverseApexes = ReverseZones(covering: recordOptions.reverseCIDRs).coveringBlocks.map(ReverseZones.apex(of:))
        let fileZones = FileZoneSet(
            files: FileZoneSet.zoneFiles(in: files), options: recordOptions,
            generatedZone: { name in reverseApexes.contains { name.isSubdomain(of: $0) } })
        for problem in fileZones.problems { StandardError.line("warning: \(problem)") }
        // Ingress hosts no --external-zone holds: not served, worth a warning, never an error.
        let outside = derivation.cluster.partitions.keys.sorted().flatMap { namespace in
            derivation.cluster.partitions[namespace].map {
                ExternalZones.entries(namespace: namespace, $0, zones: recordOptions.externalZones).outside
            } ?? []
        }
        for problem in outside { StandardError.line("warning: \(problem)") }
        print("\(sourceName): \(Self.addressLine(derivation.cluster, model))")
        var summary = derivation.summary
        summary.warnings += references.count + fileZones.problems.count + outside.count
        print("\(sourceName): \(summary.description)")
        if derivation.summary.errors > 0 { throw ExitCode(1) }
    }

    /// The address policy, the blocks in use, and the blocks of addresses outside them (each of
    /// which `serve` answers PTR queries for as a zone of its own).
    static func addressLine(_ cluster: Cluster, _ model: ModelOptions) -> String {
        let outside = cluster.blocks(outside: model.allocationCIDRs)
        guard !outside.isEmpty else { return model.policyDescription + "; no address outside them" }
        let shown = outside.prefix(4).map(\.description).joined(separator: ", ")
        let more = outside.count > 4 ? ", …" : ""
        let count = outside.count == 1 ? "1 block" : "\(outside.count) blocks"
        return model.policyDescription + "; addresses outside them in \(count): \(shown)\(more)"
    }
}
