extension RandomAccessCollection {
    /// The first index whose element `belongsInSecondPartition` says yes to, in a collection
    /// already partitioned by it (all the noes first): a binary search. For a sorted array and
    /// `{ $0 >= x }`, where `x` is, or would be inserted to keep the order. (swift-algorithms'
    /// method of the same name, without the dependency.)
    package func partitioningIndex(where belongsInSecondPartition: (Element) throws -> Bool) rethrows -> Index {
        var low = self.startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = self.index(low, offsetBy: half)
            if try belongsInSecondPartition(self[middle]) {
                count = half
            } else {
                low = self.index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
