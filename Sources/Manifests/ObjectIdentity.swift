/// What makes an object unique in a cluster: its kind, namespace and name.
package struct ObjectIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var kind: ObjectKind
    package var namespace: String
    package var name: String

    package init(kind: ObjectKind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Service dev/web`, or `Namespace dev` for cluster-scoped objects: how messages name objects.
    package var description: String {
        self.kind.isNamespaced ? "\(self.kind.rawValue) \(self.namespace)/\(self.name)" : "\(self.kind.rawValue) \(self.name)"
    }

    package static func < (lhs: ObjectIdentity, rhs: ObjectIdentity) -> Bool {
        (lhs.namespace, lhs.name, lhs.kind) < (rhs.namespace, rhs.name, rhs.kind)
    }
}
