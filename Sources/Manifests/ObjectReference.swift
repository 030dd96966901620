/// An endpoint's `targetRef`: usually the Pod behind the address.
package struct ObjectReference: Sendable, Hashable {
    package var kind: String
    package var namespace: String?
    package var name: String

    package init(kind: String, namespace: String? = nil, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
}
