import Foundation
import Testing

/// The commands README.md shows are run as shown, and must print what it shows.
@Suite("README.md commands", .serialized)
struct ReadmeTests {
    static var readme: String {
        (try? String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }

    /// `$ command` lines followed by their output, from fenced or indented blocks.
    static func examples(prefix: String) -> [(command: String, output: [String])] {
        var result: [(String, [String])] = []
        var current: (String, [String])?
        for rawLine in Self.readme.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasPrefix("    ") ? String(rawLine.dropFirst(4)) : String(rawLine)
            if line.hasPrefix("$ ") {
                if let current { result.append(current) }
                let command = String(line.dropFirst(2))
                current = command.hasPrefix(prefix) ? (command, []) : nil
            } else if line.isEmpty || line.hasPrefix("```") {
                if let current { result.append(current) }
                current = nil
            } else if current != nil {
                current?.1.append(line)
            }
        }
        if let current { result.append(current) }
        return result
    }

    @Test func tryItDigCommandsPrintWhatTheReadmeShows() throws {
        let examples = Self.examples(prefix: "dig ")
        #expect(examples.count >= 7)
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        for example in examples {
            let arguments = example.command.split(separator: " ").dropFirst().map(String.init)
                .map { $0 == "5353" ? "\(server.port)" : $0 }
            let output = try CommandRunner.run("/usr/bin/dig", arguments)
            #expect(output.stdout.split(separator: "\n").map(String.init) == example.output, "\(example.command)")
        }
    }

    @Test func checkCommandsPrintWhatTheReadmeShows() throws {
        let examples = Self.examples(prefix: "clusterdns check")
        #expect(examples.count == 2)
        for example in examples {
            let arguments = example.command.split(separator: " ").dropFirst().map(String.init)
            let output = try CommandRunner.clusterdns(arguments)
            let printed = (output.stderr + output.stdout).split(separator: "\n").map(String.init)
            #expect(printed == example.output, "\(example.command)")
        }
    }

    @Test func explainCommandsPrintWhatTheReadmeShows() throws {
        let examples = Self.examples(prefix: "clusterdns explain")
        #expect(examples.count == 2)
        for example in examples {
            let arguments = example.command.split(separator: " ").dropFirst().map(String.init)
            let output = try CommandRunner.clusterdns(arguments)
            // `examples` reads a four-space indent as an indented block's: the same for both.
            let printed = output.stdout.split(separator: "\n").map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }
            #expect(printed == example.output, "\(example.command)")
        }
    }
}
