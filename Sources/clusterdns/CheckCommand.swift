import ArgumentParser
import ClusterModel
import Manifests

#if canImport(Glibc)
import Glibc
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
        print("\(ManifestDirectory.normalizedRoot(root)): \(derivation.summary.description)")
        if derivation.summary.errors > 0 { throw ExitCode(1) }
    }
}
