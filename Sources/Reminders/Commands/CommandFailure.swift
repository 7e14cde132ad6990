import ArgumentParser
import Foundation

/// Runs a command body; any error becomes one line on stderr and exit code 1,
/// never a stack trace.
func reportingFailures(of command: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("reminders \(command): \(error)\n".utf8))
        throw ExitCode.failure
    }
}
