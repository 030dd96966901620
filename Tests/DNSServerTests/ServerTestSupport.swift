import ClusterModel
import DNSServer
import DNSWire
import IPAddressing
import Manifests
import NIOCore
import ZoneCompiler

func testSnapshot() -> RecordSnapshot {
    let cluster = Cluster(
        namespaces: ["dev"],
        services: [ClusterService(namespace: "dev", name: "web", clusterIPs: [IPAddress("10.96.0.5")!])])
    return RecordSnapshot.build(cluster, options: RecordOptions())
}

func webQuery(id: UInt16 = 1) -> [UInt8] {
    QueryBuilder.query(DomainName("web.dev.svc.cluster.local.")!, .a, id: id)
}

func frame(_ message: [UInt8]) -> [UInt8] {
    [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
}

/// Splits length-prefixed frames out of `bytes`.
func frames(_ bytes: [UInt8]) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var offset = 0
    while offset + 2 <= bytes.count {
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        guard offset + 2 + length <= bytes.count else { break }
        result.append(Array(bytes[(offset + 2)..<(offset + 2 + length)]))
        offset += 2 + length
    }
    return result
}
