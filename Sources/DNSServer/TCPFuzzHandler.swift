import NIOCore
import QueryEngine

/// Builds the TCP query handler with test settings, for fuzzing and tests outside the module.
package enum TCPFuzzHandler {
    package static func make(store: SnapshotStore, maximumInFlight: Int = 100) -> any ChannelHandler {
        TCPQueryHandler(
            store: store, pipeline: QueryPipeline(settings: ResponderSettings()),
            tcp: TCPSettings(maximumInFlight: maximumInFlight), registry: TCPConnectionRegistry(maximum: 10))
    }
}
