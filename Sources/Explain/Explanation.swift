import DNSWire

/// What `explain` says of one question: the answer `serve` gives, where each record came from,
/// and, for a name that does not exist, why.
package struct Explanation: Sendable {
    /// One record of the answer, with the sentence naming its origin.
    package struct Line: Sendable {
        package var record: ResourceRecord
        package var origin: String
    }

    /// `NOERROR`, `NXDOMAIN`...; nil when the name is outside every zone served here.
    package var rcode: String?
    package var authoritative: Bool
    package var answer: [Line] = []
    package var authority: [Line] = []
    package var additional: [Line] = []
    /// Why the name (or the type) is missing, in sentences.
    package var why: [String] = []
    /// Anything else worth knowing: where a chain leaves the zones served here.
    package var notes: [String] = []
    /// Whether the asked name exists (with data of some type, or as a name with names below it).
    package var exists: Bool

    /// The text `explain` prints.
    package var text: String {
        var lines: [String] = []
        if let rcode {
            lines.append("status: \(rcode)\(self.authoritative ? ", authoritative" : "")")
        } else {
            lines.append("status: outside every zone served here")
        }
        for (title, section) in [("answer", self.answer), ("authority", self.authority), ("additional", self.additional)]
        where !section.isEmpty {
            lines.append("\(title):")
            for line in section {
                lines.append("  \(line.record.description)")
                lines.append("    from \(line.origin)")
            }
        }
        for sentence in self.why { lines.append("why: \(sentence)") }
        for note in self.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
