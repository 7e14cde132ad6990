import Crypto
import Foundation

/// A calendar feed token: `<user id>.<43 characters of base64url>` (32 random bytes). The user
/// id says whose stored hash to compare with; only the token's SHA-256 is stored, and the
/// comparison takes the same time wherever the hashes differ.
enum CalendarFeedToken {
    /// A new random token for `userID`.
    static func generate(userID: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "\(userID).\(secret)"
    }

    /// The user a well-formed token names, `nil` for anything else.
    static func userID(of token: String) -> Int? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].allSatisfy(\.isASCII), let id = Int(parts[0]), (1...Int(Int32.max)).contains(id),
              parts[1].utf8.count == 43,
              parts[1].utf8.allSatisfy({ byte in
                  (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
              })
        else { return nil }
        return id
    }

    /// The token's SHA-256 as lower-case hex, as stored.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// Whether `token` hashes to `storedHash`, compared in constant time.
    static func matches(_ token: String, storedHash: String) -> Bool {
        let computed = Array(hash(token).utf8)
        let stored = Array(storedHash.utf8)
        guard computed.count == stored.count else { return false }
        var difference: UInt8 = 0
        for index in computed.indices {
            difference |= computed[index] ^ stored[index]
        }
        return difference == 0
    }
}
