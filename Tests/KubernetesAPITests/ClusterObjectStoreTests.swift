import KubernetesAPI
import Manifests
import Synchronization
import Testing

/// The store between the reflectors and the pipeline: virtual files per namespace and resource,
/// changes named precisely, lists swapped in whole.
@Suite("Cluster object store")
struct ClusterObjectStoreTests {
    static func service(_ name: String, _ namespace: String, _ ip: String) -> ManifestFile {
        let json = """
            {"metadata": {"name": "\(name)", "namespace": "\(namespace)"}, "spec": {"clusterIP": "\(ip)", "ports": [{"port": 80}]}}
            """
        let node = try! json.utf8.withContiguousStorageIfAvailable { JSONDocumentParser.parse(UnsafeRawBufferPointer($0)) }!.get()[0]
        return ManifestParser.decodeAPIObject(node, as: .service, path: ClusterObjectStore.path(.services, namespace: namespace))
    }

    static func file(_ path: String, _ decoded: ManifestFile) -> VirtualFile {
        VirtualFile(path: path, objects: decoded.objects, rejected: [:])
    }

    @Test func eventsNameTheirVirtualFileAndEqualObjectsChangeNothing() {
        let posted = Mutex<[Set<String>]>([])
        let store = ClusterObjectStore { paths in posted.withLock { $0.append(paths) } }
        store.apply(ClusterObjectStore.path(.services, namespace: "dev"), name: "web", decoded: Self.service("web", "dev", "10.96.0.5"))
        store.apply(ClusterObjectStore.path(.services, namespace: "dev"), name: "web", decoded: Self.service("web", "dev", "10.96.0.5"))
        store.apply(ClusterObjectStore.path(.services, namespace: "prod"), name: "api", decoded: Self.service("api", "prod", "10.96.0.6"))
        #expect(posted.withLock { $0 } == [["kubernetes/dev/services"], ["kubernetes/prod/services"]])
        let (files, changed) = store.take()
        #expect(files.map(\.path) == ["kubernetes/dev/services", "kubernetes/prod/services"])
        #expect(files.map { $0.objects.count } == [1, 1])
        #expect(changed == ["kubernetes/dev/services", "kubernetes/prod/services"])
        #expect(store.take().changed.isEmpty)

        store.apply(ClusterObjectStore.path(.services, namespace: "dev"), name: "web", decoded: nil)
        let after = store.take()
        #expect(after.files.map(\.path) == ["kubernetes/prod/services"])
        #expect(after.changed == ["kubernetes/dev/services"])
    }

    @Test func aListReplacesTheResourceAndChangesOnlyWhatDiffers() {
        let store = ClusterObjectStore()
        #expect(store.unsynced == [.namespaces, .services, .endpointSlices, .pods])
        store.replace(
            .services,
            with: [
                "kubernetes/a/services": Self.file("kubernetes/a/services", Self.service("one", "a", "10.96.1.1")),
                "kubernetes/b/services": Self.file("kubernetes/b/services", Self.service("two", "b", "10.96.1.2")),
            ])
        #expect(store.unsynced == [.namespaces, .endpointSlices, .pods])
        _ = store.take()
        // Relisted: a unchanged, b gone, c new.
        store.replace(
            .services,
            with: [
                "kubernetes/a/services": Self.file("kubernetes/a/services", Self.service("one", "a", "10.96.1.1")),
                "kubernetes/c/services": Self.file("kubernetes/c/services", Self.service("three", "c", "10.96.1.3")),
            ])
        let (files, changed) = store.take()
        #expect(files.map(\.path) == ["kubernetes/a/services", "kubernetes/c/services"])
        #expect(changed == ["kubernetes/b/services", "kubernetes/c/services"])
    }

    @Test func aRejectedObjectKeepsItsDiagnosticUntilItIsFixedOrGone() {
        let store = ClusterObjectStore()
        let path = ClusterObjectStore.path(.services, namespace: "dev")
        let broken = ManifestFile(
            path: path, diagnostics: [.error(at: SourceLocation(file: path, line: 1, column: 1), "Service dev/web: bad")])
        store.apply(path, name: "web", decoded: broken)
        store.apply(path, name: "api", decoded: Self.service("api", "dev", "10.96.3.1"))
        var file = store.take().files[0]
        #expect(file.objects.map(\.metadata.name) == ["api"])
        #expect(file.diagnostics.count == 1)
        store.apply(path, name: "web", decoded: Self.service("web", "dev", "10.96.3.2"))
        file = store.take().files[0]
        #expect(file.objects.map(\.metadata.name) == ["api", "web"])
        #expect(file.diagnostics.isEmpty)
        store.apply(path, name: "web", decoded: broken)
        store.apply(path, name: "web", decoded: nil)
        file = store.take().files[0]
        #expect(file.objects.map(\.metadata.name) == ["api"])
        #expect(file.diagnostics.isEmpty)
    }

    @Test func objectsOfAFileAreInNameOrder() {
        let store = ClusterObjectStore()
        for name in ["zeta", "alpha", "mid"] {
            store.apply(ClusterObjectStore.path(.services, namespace: "dev"), name: name, decoded: Self.service(name, "dev", "10.96.2.\(name.count)"))
        }
        #expect(store.take().files[0].objects.map(\.metadata.name) == ["alpha", "mid", "zeta"])
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func startsAtAFifthOfASecondDoublesAndStopsAtFive() {
        var backoff = Backoff()
        let delays = (0..<8).map { _ in backoff.delay() }
        #expect(delays[0] >= .milliseconds(160) && delays[0] <= .milliseconds(240))
        #expect(delays[1] >= .milliseconds(320) && delays[1] <= .milliseconds(480))
        #expect(delays.allSatisfy { $0 <= .seconds(5) })
        #expect(delays[7] >= .seconds(4))
        backoff.reset()
        #expect(backoff.delay() <= .milliseconds(240))
        // A server's Retry-After wins when longer.
        #expect(backoff.delay(retryAfter: .seconds(30)) == .seconds(30))
    }
}
