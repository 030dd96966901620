/// Addresses in order, the first held inline. A service's cluster IPs and an endpoint's
/// addresses are one address nearly always, and an array of one is a heap block of its own
/// (64 bytes behind the 8-byte reference): at L's 200,000 of them, 12 MiB.
package struct AddressList: RandomAccessCollection, RangeReplaceableCollection, MutableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral, CustomStringConvertible
{
    /// nil only when the list is empty (then `others` is empty too).
    private var head: IPAddress?
    private var others: [IPAddress]

    package init() {
        self.head = nil
        self.others = []
    }

    package init(arrayLiteral elements: IPAddress...) {
        self.init(elements)
    }

    package init<S: Sequence>(_ elements: S) where S.Element == IPAddress {
        var iterator = elements.makeIterator()
        self.head = iterator.next()
        self.others = []
        while let next = iterator.next() { self.others.append(next) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { self.head == nil ? 0 : 1 + self.others.count }

    package subscript(position: Int) -> IPAddress {
        get {
            precondition(position >= 0 && position < self.endIndex, "AddressList index out of range")
            return position == 0 ? self.head! : self.others[position - 1]
        }
        set {
            precondition(position >= 0 && position < self.endIndex, "AddressList index out of range")
            if position == 0 { self.head = newValue } else { self.others[position - 1] = newValue }
        }
    }

    package mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == IPAddress {
        var all = Array(self)
        all.replaceSubrange(subrange, with: newElements)
        self = AddressList(all)
    }

    package mutating func append(_ newElement: IPAddress) {
        if self.head == nil { self.head = newElement } else { self.others.append(newElement) }
    }

    package var description: String { Array(self).description }
}
