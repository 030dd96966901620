/// Hands out one stored instance for equal values, so that arrays and dictionaries repeated across
/// many objects (the same port list on a hundred Services, one label set on every pod of a
/// Deployment) share one heap buffer instead of holding a copy each. Copy-on-write keeps that
/// safe: a holder that changes its value gets a buffer of its own.
package struct ValueInterner<Value: Hashable> {
    private var stored: Set<Value> = []

    package init() {}

    /// `value`, or the equal value interned before it.
    package mutating func intern(_ value: Value) -> Value {
        self.stored.insert(value).memberAfterInsert
    }
}
