import Dispatch

/// Maps independent items on every core: parsing a thousand manifest files is the biggest part
/// of a cold start, and files do not depend on each other. Results keep the input order.
package enum ParallelMap {
    /// Below this many items the threads cost more than they save.
    static let minimumItems = 8

    package static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ transform: @Sendable (Item) -> Result
    ) -> [Result] {
        guard items.count >= Self.minimumItems else { return items.map(transform) }
        let results = ResultSlots<Result>(count: items.count)
        items.withUnsafeBufferPointer { buffer in
            let input = UnsafeSendableBuffer(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: items.count) { index in
                results.store(transform(input.buffer[index]), at: index)
            }
        }
        return results.collect()
    }
}

/// Read-only input shared by the workers of one `concurrentPerform`, which returns only after
/// every worker finished.
private struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>
}

/// One slot per item; each worker writes only its own index, and the slots are read only after
/// `concurrentPerform` returned, so no two threads ever touch the same slot at once.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Result?>
    private let count: Int

    init(count: Int) {
        self.count = count
        self.slots = .allocate(capacity: count)
        self.slots.initialize(repeating: nil, count: count)
    }

    deinit {
        self.slots.deinitialize(count: self.count)
        self.slots.deallocate()
    }

    func store(_ result: Result, at index: Int) { self.slots[index] = result }

    func collect() -> [Result] {
        (0..<self.count).map { index in
            guard let result = self.slots[index] else { preconditionFailure("slot \(index) never written") }
            return result
        }
    }
}
