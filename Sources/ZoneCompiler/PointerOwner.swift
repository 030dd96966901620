extension SnapshotBuilder {
    /// A PTR owner: the zone it is in, and what it points back to. Almost every address has one
    /// target, which is held inline; only the others take an array (at L, 170,000 owners would
    /// otherwise hold an array of one each).
    struct PointerOwner: Sendable {
        enum Removal {
            case absent
            case removed
            /// The owner's last target went: the owner goes too.
            case removedLast
        }

        // `first` then the zone number: the number fits in the target's tail padding (24 bytes in
        // all; zone numbers are 16 bits, see `SnapshotBuilder.maximumZones`).
        private var first: PointerTarget
        private var zoneNumber: UInt16
        private var others: [PointerTarget] = []

        init(zone: Int, target: PointerTarget) {
            self.first = target
            self.zoneNumber = UInt16(zone)
        }

        var zone: Int { Int(self.zoneNumber) }

        /// Every target, in no particular order (`RecordGenerator.pointerRecords` orders them).
        var targets: [PointerTarget] { [self.first] + self.others }

        /// Adds `target`; false when it is already there.
        mutating func insert(_ target: PointerTarget) -> Bool {
            guard target != self.first, !self.others.contains(target) else { return false }
            self.others.append(target)
            return true
        }

        mutating func remove(_ target: PointerTarget) -> Removal {
            if target == self.first {
                guard let next = self.others.popLast() else { return .removedLast }
                self.first = next
                return .removed
            }
            guard let index = self.others.firstIndex(of: target) else { return .absent }
            self.others.remove(at: index)
            return .removed
        }
    }
}
