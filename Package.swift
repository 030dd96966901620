// swift-tools-version:6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode with complete checking comes with the tools
/// version; these add the upcoming features we rely on and make every warning an error.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "clusterdns",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clusterdns", targets: ["clusterdns"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The Kubernetes API source: HTTP/1.1 and TLS with a streaming body (watches), client
        // certificates and a private CA — the server-side Swift client, on the NIO we already run.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CLDNS"),
        .systemLibrary(name: "CYAML"),
        // jemalloc as the process's allocator (cmalloc.c says why), and its controls.
        .target(name: "CMalloc", linkerSettings: [.linkedLibrary("jemalloc")]),
        // zlib: the last good bytes of manifest files whose objects are set aside, kept compressed.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CMMsg"),
        // Rebuilds give their core up to the answering threads at checkpoints.
        .target(name: "CoreSharing", swiftSettings: swiftSettings),
        .target(name: "DNSWire", dependencies: ["IPAddressing"], swiftSettings: swiftSettings),
        // libldns as the independent decoder the tests read every reply with.
        .target(name: "LDNSTestSupport", dependencies: ["CLDNS"], swiftSettings: swiftSettings),
        .target(name: "IPAddressing", swiftSettings: swiftSettings),
        .target(name: "Manifests", dependencies: ["CYAML", "CZlib", "IPAddressing", "CoreSharing"], swiftSettings: swiftSettings),
        .target(name: "ClusterModel", dependencies: ["Manifests", "IPAddressing", "CoreSharing"], swiftSettings: swiftSettings),
        .target(name: "ZoneCompiler", dependencies: ["ClusterModel", "DNSWire", "IPAddressing", "CoreSharing"], swiftSettings: swiftSettings),
        .target(name: "QueryEngine", dependencies: ["ZoneCompiler", "DNSWire"], swiftSettings: swiftSettings),
        .target(
            name: "Forwarder",
            dependencies: [
                "DNSWire", "IPAddressing", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "Watcher", dependencies: ["Manifests"], swiftSettings: swiftSettings),
        // `explain`: answers traced back to the lines that made them.
        .target(
            name: "Explain", dependencies: ["ClusterModel", "Manifests", "ZoneCompiler", "QueryEngine", "DNSWire", "IPAddressing"],
            swiftSettings: swiftSettings),
        // Zone files (RFC 1035 master files) read with libldns: the one product target that calls it.
        .target(name: "ZoneFiles", dependencies: ["CLDNS", "Manifests", "DNSWire"], swiftSettings: swiftSettings),
        .target(
            name: "KubernetesAPI",
            dependencies: [
                "Manifests", "CMalloc",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "DNSServer",
            dependencies: [
                "QueryEngine", "ZoneCompiler", "DNSWire", "IPAddressing", "Manifests", "Forwarder", "CMMsg", "CoreSharing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Operations",
            dependencies: [
                "DNSServer", "Forwarder",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "clusterdns",
            dependencies: [
                "Manifests", "ClusterModel", "DNSWire", "IPAddressing", "ZoneCompiler", "QueryEngine", "DNSServer", "Watcher", "Forwarder",
                "Operations", "KubernetesAPI", "ZoneFiles", "Explain", "CoreSharing", "CMalloc",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "DNSServer", "QueryEngine", "ZoneCompiler", "ClusterModel", "Manifests", "DNSWire", "IPAddressing", "Forwarder",
                "ZoneFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "clusterdns-fuzz", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "DNSWire", "IPAddressing"], swiftSettings: swiftSettings),
        .testTarget(name: "ZoneFilesTests", dependencies: ["ZoneFiles", "Manifests", "DNSWire"], swiftSettings: swiftSettings),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire", "CLDNS", "LDNSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ManifestsTests", dependencies: ["Manifests", "ClusterModel", "IPAddressing", "CoreSharing"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel", "Manifests", "IPAddressing"], swiftSettings: swiftSettings),
        .testTarget(
            name: "QueryEngineTests",
            dependencies: [
                "QueryEngine", "ZoneCompiler", "ClusterModel", "Manifests", "DNSWire", "IPAddressing", "LDNSTestSupport",
                "ZoneFiles",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DNSServerTests",
            dependencies: [
                "DNSServer", "QueryEngine", "ZoneCompiler", "ClusterModel", "Manifests", "DNSWire", "IPAddressing", "CMMsg",
                "LDNSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ForwarderTests",
            dependencies: [
                "Forwarder", "QueryEngine", "DNSWire", "IPAddressing", "LDNSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FuzzRegressionTests", dependencies: ["FuzzTargets"], exclude: [], swiftSettings: swiftSettings),
        .testTarget(name: "WatcherTests", dependencies: ["Watcher", "Manifests"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KubernetesAPITests",
            dependencies: ["KubernetesAPI", "Manifests", .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests", dependencies: [], swiftSettings: swiftSettings),
    ]
)
