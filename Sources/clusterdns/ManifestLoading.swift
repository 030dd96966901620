import ArgumentParser
import ClusterModel
import KubernetesAPI
import Logging
import Manifests
import ZoneFiles

/// Load + derive, the stages `check`, `dump` and `serve` share, from either source.
enum ManifestLoading {
    /// A usage-level failure: the manifest root does not exist.
    struct MissingRoot: Error, CustomStringConvertible {
        var root: String
        var description: String { "\(self.root): no such file or directory" }
    }

    /// Every file of the source the flags name: the manifest tree, or one list of each resource
    /// from the API server (as virtual files). Also how the source is named in output. Errors
    /// reading the source are printed and exit 2.
    static func files(_ manifests: ManifestOptions, _ source: ClusterSourceFlags, ingresses: Bool = false) async throws -> (
        files: [ManifestFile], name: String
    ) {
        let endpoint: APIServerEndpoint?
        do {
            endpoint = try source.endpoint(manifests: manifests)
        } catch let error as ValidationError {
            throw error
        } catch {
            StandardError.line("error: \(error)")
            throw ExitCode(2)
        }
        guard let endpoint else {
            guard let files = ManifestDirectory.loadAll(manifests.root, zoneReader: ZoneFileParser.reader) else {
                StandardError.line("error: \(MissingRoot(root: manifests.root))")
                throw ExitCode(2)
            }
            return (files, ManifestDirectory.normalizedRoot(manifests.root))
        }
        do {
            var logger = Logger(label: "clusterdns.kubernetes")
            logger.logLevel = .critical
            let once = try KubernetesSource(
                endpoint: endpoint, store: ClusterObjectStore(resources: APIResource.read(ingresses: ingresses)),
                relistInterval: .seconds(3600), logger: logger)
            return (try await once.listOnce(), endpoint.server)
        } catch {
            StandardError.line("error: \(endpoint.server): \(error)")
            throw ExitCode(2)
        }
    }
}
