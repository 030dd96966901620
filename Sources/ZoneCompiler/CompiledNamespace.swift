/// What a build keeps of one namespace once its shard is compiled: the shard, and the few facts
/// of its records that later builds read (PTR contributions, chain targets, problems, the count).
/// The records themselves go.
struct CompiledNamespace: Sendable {
    var shard: AnswerShard
    var recordCount: Int
    var pointers: [NamespaceRecords.Pointer]
    var chainTargets: [String?]
    var problems: [String]

    init(_ records: NamespaceRecords, shard: AnswerShard) {
        self.shard = shard
        self.recordCount = records.recordCount
        self.pointers = records.pointers
        self.chainTargets = records.chainTargets
        self.problems = records.problems
    }
}
