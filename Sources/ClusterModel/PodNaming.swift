/// Names for synthesized pods, shaped like the controllers' (`web-7d9f8c6b5d-x2k9q`,
/// `db-0`), but derived from the names alone so that every run gives the same pods.
package enum PodNaming {
    /// The alphabet Kubernetes uses for generated suffixes (no vowels, no confusable digits).
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func encode(_ seed: String, length: Int) -> String {
        var value = StableHash.fnv1a(seed)
        var result = ""
        for _ in 0..<length {
            result.append(Self.alphabet[Int(value % UInt64(Self.alphabet.count))])
            value /= UInt64(Self.alphabet.count)
            if value == 0 { value = StableHash.fnv1a(result + seed) }
        }
        return result
    }

    /// The ReplicaSet a Deployment would create: `<deployment>-<pod-template-hash>`.
    package static func replicaSetName(deployment: String, namespace: String) -> String {
        "\(deployment)-\(Self.encode("\(namespace)/\(deployment)", length: 10))"
    }

    /// A ReplicaSet's pod: `<replicaset>-<5 characters>`.
    package static func replicaSetPodName(replicaSet: String, namespace: String, ordinal: Int) -> String {
        "\(replicaSet)-\(Self.encode("\(namespace)/\(replicaSet)#\(ordinal)", length: 5))"
    }

    /// A StatefulSet's pod: `<statefulset>-<ordinal>`.
    package static func statefulSetPodName(statefulSet: String, ordinal: Int) -> String {
        "\(statefulSet)-\(ordinal)"
    }
}
