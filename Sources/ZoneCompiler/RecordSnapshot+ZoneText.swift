import DNSWire

extension RecordSnapshot {
    /// The zones as an RFC 1035 master file: absolute names, one record per line, each zone's
    /// SOA first and the rest in canonical order; zones separated by a blank line. `only` picks
    /// one zone (a file `nsd-checkzone` takes: it holds one zone per file).
    package func zoneText(only: DomainName? = nil) -> String {
        Self.zoneText(self.zones, only: only)
    }

    /// The same for zones already made.
    package static func zoneText(_ zones: [Zone], only: DomainName? = nil) -> String {
        var text = ""
        for zone in zones where only == nil || zone.apex == only {
            if !text.isEmpty { text += "\n" }
            for record in zone.sortedRecords {
                text += record.description
                text += "\n"
            }
        }
        return text
    }
}
