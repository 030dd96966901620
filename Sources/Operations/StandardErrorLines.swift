import Glibc
import Synchronization

/// Whole log lines to standard error: one `write` loop under one lock, so that lines from
/// several threads never interleave.
enum StandardErrorLines {
    private static let lock = Mutex(())

    static func write(_ bytes: [UInt8]) {
        Self.lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    guard let base = buffer.baseAddress else { return }
                    let written = Glibc.write(2, base + offset, buffer.count - offset)
                    if written < 0, errno == EINTR { continue }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
