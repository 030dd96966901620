/// A legacy v1 Endpoints object; its name is its Service's name.
package struct Endpoints: Sendable, Hashable {
    package var metadata: ObjectMeta
    package var subsets: [EndpointSubset]

    package init(metadata: ObjectMeta, subsets: [EndpointSubset]) {
        self.metadata = metadata
        self.subsets = subsets
    }
}
