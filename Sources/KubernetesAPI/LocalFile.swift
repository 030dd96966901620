#if canImport(Glibc)
import Glibc
#endif

/// Whole small files (kubeconfig, certificates, tokens), read with a size limit.
package enum LocalFile {
    package struct Failure: Error, CustomStringConvertible {
        package var path: String
        package var message: String
        package var description: String { "\(self.path): \(self.message)" }
    }

    package static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(path: path, message: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, message: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw Failure(path: path, message: "larger than \(limit) bytes") }
        }
    }
}
