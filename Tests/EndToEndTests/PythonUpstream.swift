import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `bench/fake_upstream.py` on a loopback port: an upstream resolver that answers `huge...`
/// names with about 50 KB (truncated over UDP, whole over TCP), `slow...` names late and
/// `hang...` names never; everything else at once. Stopped by PID.
final class PythonUpstream {
    let process: Process
    let port: Int
    private let output: URL

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    init(delay: Double = 0.3) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            CommandRunner.packageRoot.appendingPathComponent("bench/fake_upstream.py").path, "--port", "0", "--delay", "\(delay)",
        ]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.output = output
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }) {
                port = Int(line.dropFirst(5))
            } else {
                usleep(20_000)
            }
        }
        guard let port else {
            self.process.terminate()
            throw StartFailure(description: "fake upstream did not start")
        }
        self.port = port
    }

    var address: String { "127.0.0.1:\(self.port)" }

    func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.output)
    }

    deinit { self.stop() }
}

/// Resident memory of a process, in MiB (VmRSS).
func residentMiB(_ pid: Int32) -> Double {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) }
        return (kilobytes ?? 0) / 1024
    }
    return 0
}

/// Open descriptors of a process.
func openDescriptors(_ pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
}
