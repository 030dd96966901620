import ArgumentParser

/// Where the manifests are: `--manifests DIR`, or the directory as the one argument.
struct ManifestOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The manifest directory (or file) to read: YAML or JSON manifests, and .zone master files.", valueName: "DIR"))
    var manifests: String?

    @Argument(help: ArgumentHelp("The manifest directory, instead of --manifests.", valueName: "DIR"))
    var directory: String?

    /// The directory to read: the argument, else `--manifests`, else `./zones`.
    var root: String { self.directory ?? self.manifests ?? "zones" }

    func validate() throws {
        if let directory = self.directory, let manifests = self.manifests, directory != manifests {
            throw ValidationError("give the manifest directory once: --manifests \(manifests) or \(directory)")
        }
    }
}
