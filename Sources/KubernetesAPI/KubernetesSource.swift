import Logging
import Manifests

/// The API server as the cluster's source: one reflector per resource (Namespaces, Services,
/// EndpointSlices, Pods) keeping `store` in step until the task running `run()` is cancelled.
/// It never gives up: an unreachable API server is retried with backoff for as long as it takes.
package final class KubernetesSource: Sendable {
    private let client: APIClient
    private let store: ClusterObjectStore
    private let relistInterval: Duration
    private let logger: Logger
    private let metrics = SourceMetrics()
    private let activity = SourceActivity()
    /// What is listed and watched (the store's resources).
    private let resources: [APIResource]

    package init(endpoint: APIServerEndpoint, store: ClusterObjectStore, relistInterval: Duration, logger: Logger) throws {
        self.client = try APIClient(endpoint: endpoint)
        self.store = store
        self.resources = store.resources
        self.relistInterval = relistInterval
        self.logger = logger
    }

    package var server: String { self.client.endpoint.server }

    /// Lists and watches until cancelled, then closes the connections.
    package func run() async {
        for resource in self.resources { self.metrics.synced(resource, false) }
        await withTaskGroup(of: Void.self) { group in
            for resource in self.resources {
                let reflector = self.reflector(resource)
                group.addTask { await reflector.run() }
            }
            group.addTask {
                // The age of the last event, refreshed each second for /metrics.
                while !Task.isCancelled {
                    for (resource, age) in self.activity.ages { self.metrics.lastEventAge(resource, seconds: age) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await group.waitForAll()
        }
        await self.client.shutdown()
    }

    private func reflector(_ resource: APIResource) -> ResourceReflector {
        ResourceReflector(
            resource: resource, client: self.client, store: self.store, relistInterval: self.relistInterval,
            logger: self.logger, metrics: self.metrics, activity: self.activity)
    }

    /// Lists every resource once (for `dump` and `check`): the virtual files, in path order.
    package func listOnce() async throws -> [ManifestFile] {
        do {
            for resource in self.resources {
                _ = try await self.reflector(resource).list()
            }
        } catch {
            await self.client.shutdown()
            throw error
        }
        await self.client.shutdown()
        return self.store.take().files
    }
}
