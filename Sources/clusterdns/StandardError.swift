#if canImport(Glibc)
import Glibc
#endif

/// Writes to file descriptor 2 directly: C's `stderr` global is not concurrency-safe in Swift 6.
enum StandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let base = buffer.baseAddress else { return }
                let written = Glibc.write(2, base + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    static func line(_ text: String) { Self.write(text.hasSuffix("\n") ? text : text + "\n") }
}
