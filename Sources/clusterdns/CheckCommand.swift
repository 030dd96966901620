import ArgumentParser
import ClusterModel
import Manifests
import ZoneCompiler

#if canImport(Glibc)
import Glibc
import IPAddressing
#endif

/// `clusterdns check`: validates a manifest tree as the API server would, printing every
/// diagnostic (stderr, compiler format) and a summary line (stdout). Exit 1 on any error.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate manifests the way the API server would, and summarize what they define."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    func run() throws {
        let root = self.manifestOptions.root
        let derivation: ClusterDerivation
        do {
            derivation = try ManifestLoading.derive(root: root, options: try self.modelFlags.modelOptions())
        } catch let error as ManifestLoading.MissingRoot {
            StandardError.line("error: \(error)")
            throw ExitCode(2)
        }
        for diagnostic in derivation.diagnostics {
            StandardError.line("\(diagnostic)")
        }
        let model = try self.modelFlags.modelOptions()
        // Names the records would need that cannot be formed under --domain: left out by serve.
        let problems = RecordGenerator.problems(for: derivation.cluster, options: try self.recordFlags.recordOptions(model: model))
        for problem in problems { StandardError.line("warning: \(problem)") }
        let normalizedRoot = ManifestDirectory.normalizedRoot(root)
        print("\(normalizedRoot): \(Self.addressLine(derivation.cluster, model))")
        print("\(normalizedRoot): \(derivation.summary.description)")
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
