import Foundation

/// A `clusterdns serve` started by a test on a free loopback port, stopped by PID.
final class ServerProcess {
    let process: Process
    let logFile: URL
    let port: Int
    let host: String

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the server with `arguments` (after `serve`), listening on `host` port 0, and waits
    /// (polling, at most `timeout` seconds) for its "listening on" line to learn the port.
    /// `environment` adds to (or overrides) the test runner's environment for the server alone.
    init(
        _ arguments: [String], host: String = "127.0.0.1", timeout: TimeInterval = 30, environment: [String: String] = [:]
    ) throws {
        self.host = host
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let listen = host.contains(":") ? "[\(host)]:0" : "\(host):0"
        let hasListen = arguments.contains("--listen")
        // Hermetic by default: no forwarding unless the test names upstreams.
        let hasUpstream = arguments.contains("--upstream")
        let hasHTTP = arguments.contains("--http")
        process.arguments =
            ["serve"] + arguments + (hasListen ? [] : ["--listen", listen]) + (hasUpstream ? [] : ["--upstream", "none"])
            + (hasHTTP ? [] : ["--http", "none"])
        process.currentDirectoryURL = CommandRunner.packageRoot
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        self.process = process
        self.logFile = log
        let deadline = Date().addingTimeInterval(timeout)
        var port: Int?
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on udp+tcp ") {
                let rest = text[range.upperBound...]
                let address = rest.prefix { $0 != " " }
                if let colon = address.lastIndex(of: ":"), let value = Int(address[address.index(after: colon)...]) {
                    port = value
                    break
                }
            }
            usleep(20_000)
        }
        guard let port else {
            process.terminate()
            process.waitUntilExit()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw StartFailure(description: "server did not start listening: \(text)")
        }
        self.port = port
    }

    var log: String { (try? String(contentsOf: self.logFile, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits (at most 20 s, then SIGKILL) for the process to end; returns its status.
    @discardableResult
    func stop() -> Int32 {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while self.process.isRunning && Date() < deadline { usleep(10_000) }
            if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        }
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.logFile)
        return self.process.terminationStatus
    }

    deinit {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    /// `dig @host -p port <arguments>`, its standard output. A try that got no reply at all is
    /// made again (three in all): a loaded test run can drop a datagram on the loopback, and no
    /// test here expects silence from dig. So is a try whose "reply" was dig's own query: dig
    /// sets SO_REUSEPORT and lets the kernel pick its source port, and since it runs as the same
    /// user as the server, whose UDP sockets set SO_REUSEPORT too, the kernel may pick the
    /// server's port; dig's socket, connected to that very address and port, then receives its
    /// own datagram (dig prints that it is not a response). Seen once in a full run.
    func dig(_ arguments: [String]) throws -> String {
        var output = ""
        for _ in 0..<3 {
            output = try CommandRunner.run(
                "/usr/bin/dig", ["@\(self.host)", "-p", "\(self.port)", "+time=2", "+tries=1"] + arguments, timeout: 30
            ).stdout
            if !output.contains("no servers could be reached") && !output.contains(";; Warning: query response not set") {
                break
            }
        }
        return output
    }

    /// `dig +norec +noall +answer` (plus `extra`) records, normalized: one space between fields, sorted.
    func records(_ name: String, _ type: String, _ extra: [String] = ["+answer"]) throws -> [String] {
        try normalizedRecords(self.dig(["+norec", "+noall"] + extra + [name, type]))
    }

    /// `kdig @host -p port <arguments>`, its standard output.
    func kdig(_ arguments: [String]) throws -> String {
        let output = try CommandRunner.run(
            "/usr/bin/kdig", ["@\(self.host)", "-p", "\(self.port)", "+time=2", "+retry=0"] + arguments, timeout: 30)
        return output.stdout
    }
}

/// Zone-file or dig lines → `owner ttl class type rdata` with single spaces, comments and blanks
/// dropped, sorted.
func normalizedRecords(_ text: String) -> [String] {
    text.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        .sorted()
}
