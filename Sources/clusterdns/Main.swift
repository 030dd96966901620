import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The entry point. Usage errors exit with 2 (as `check` documents), not ArgumentParser's 64.
@main
enum Main {
    static func main() async {
        do {
            var command = try ClusterDNS.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = ClusterDNS.exitCode(for: error)
            if code == .validationFailure {
                let message = ClusterDNS.fullMessage(for: error)
                StandardError.line(message)
                exit(2)
            }
            ClusterDNS.exit(withError: error)
        }
    }
}
