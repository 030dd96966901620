import DNSWire

extension ForwardedAnswer {
    /// What is kept of an upstream's reply to `question`, the one path from reply to answer: the
    /// relevant records (`RelevanceFilter`), our random letter case taken out of their names
    /// (`askedAs` is the name as sent), packed, with TTLs as `policy` serves them on the first
    /// reply and from the cache alike. Also says what had to be dropped or changed.
    package static func kept(
        from message: ParsedMessage, for question: ForwardQuestion, askedAs: DomainName? = nil, policy: TTLPolicy,
        isLocal: (DomainName) -> Bool = { _ in false }
    ) -> (answer: ForwardedAnswer, dropped: Int, changes: TTLPolicy.Changes) {
        let selection = RelevanceFilter.select(message, for: question, isLocal: isLocal)
        let restoreName = QueryCase.restorer(sent: askedAs ?? question.name, original: question.name)
        func restore(_ record: WireRecord) -> WireRecord { record.mappingNames(restoreName) }
        let kept = ForwardedAnswer(
            rcode: selection.rcode, authenticData: message.flags & HeaderFlags.authenticData.rawValue != 0,
            packedAnswer: PackedRRsets(selection.answer.lazy.map(restore)),
            packedAuthority: PackedRRsets(selection.authority.lazy.map(restore)))
        let (answer, changes) = policy.apply(to: kept)
        return (answer, selection.dropped, changes)
    }
}
