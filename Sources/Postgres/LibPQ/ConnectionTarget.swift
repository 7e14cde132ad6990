import Foundation
internal import CLibPQ

/// Where a connection URI points, as libpq itself parses it; used to describe failures and to
/// know which password to scrub from messages.
struct ConnectionTarget {
    var host: String?
    var port: String?
    var database: String?
    var user: String?
    var password: String?

    init(url: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let reason = errorMessage.map { oneLine($0) } ?? "unknown error"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq may quote parts of the URI back; remove anything that looks like the password.
            let scrubbed = Self.passwordGuess(in: url).map { reason.replacingOccurrences(of: $0, with: "***") } ?? reason
            throw PostgresError(code: .connection, message: "invalid PostgreSQL connection URL: \(scrubbed)")
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            let value = option.pointee.val.map { String(cString: $0) }
            switch String(cString: keyword) {
            case "host": host = value
            case "hostaddr": host = host ?? value
            case "port": port = value
            case "dbname": database = value
            case "user": user = value
            case "password": password = value
            default: break
            }
            option = option.advanced(by: 1)
        }
    }

    func scrub(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    /// `secret` from `scheme://user:secret@host…`, for scrubbing when libpq could not parse the URI.
    private static func passwordGuess(in url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return nil }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let secret = userInfo[userInfo.index(after: colon)...]
        return secret.isEmpty ? nil : String(secret)
    }
}
