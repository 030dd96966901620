/// `metadata.ownerReferences[]`: which object controls this one (Pod → ReplicaSet → Deployment).
package struct OwnerReference: Sendable, Hashable {
    package var kind: String
    package var name: String
    package var isController: Bool

    package init(kind: String, name: String, isController: Bool) {
        self.kind = kind
        self.name = name
        self.isController = isController
    }
}
