import Crypto
import Foundation
import ReminderContracts

/// HS256 JSON Web Tokens as the host application issues them: the user id in `sub`, the expiry
/// in `exp` (seconds since 1970), and `"admin"` among `roles` for a reminders administrator.
/// Only HS256 is accepted: a token naming another algorithm (or `none`) is refused, so a caller
/// cannot choose how its token is checked.
public struct JSONWebToken: Sendable {
    /// What a verified token says.
    public struct Claims: Sendable, Equatable {
        /// The user the token was issued to (`sub`).
        public var userID: Int
        /// When the token stops being valid (`exp`).
        public var expiresAt: Date
        /// Whether `roles` holds `"admin"`: may change and delete any reminder on a case the
        /// user can access, and read its private fields.
        public var isAdmin: Bool = false
    }

    private let key: SymmetricKey
    /// The `iss` every token must carry (`JWT_ISSUER`); `nil`: not checked.
    public var issuer: String?
    /// A value `aud` must carry (`JWT_AUDIENCE`); `nil`: not checked.
    public var audience: String?
    /// Clock skew allowed between the host application and the gateway, for `exp` and `nbf`.
    public var leeway: TimeInterval = 30

    /// A verifier and signer with the shared secret (`JWT_SECRET`).
    public init(secret: String, issuer: String? = nil, audience: String? = nil) {
        key = SymmetricKey(data: Data(secret.utf8))
        self.issuer = issuer
        self.audience = audience
    }

    /// Tokens longer than this are refused before any work is done.
    static let maximumLength = 8192

    /// Checks the signature, the algorithm, `exp` (and `nbf` when present) at `now`; throws a
    /// 401 ``GatewayError`` saying which check failed.
    public func verify(_ token: String, now: Date = Date()) throws(GatewayError) -> Claims {
        guard token.utf8.count <= Self.maximumLength else { throw .unauthorized("the token is too long") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Self.base64URLDecode(parts[0]),
              let payloadData = Self.base64URLDecode(parts[1]),
              let signature = Self.base64URLDecode(parts[2])
        else { throw .unauthorized("the token is not a JWT") }
        guard let header = JSONValue.parse(headerData), header["alg"]?.stringValue == "HS256"
        else { throw .unauthorized("the token must be signed with HS256") }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw .unauthorized("the token's signature is not valid")
        }
        guard let payload = JSONValue.parse(payloadData), case .object = payload else {
            throw .unauthorized("the token's payload is not a JSON object")
        }
        guard let exp = Self.number(payload["exp"]) else { throw .unauthorized("the token has no exp claim") }
        guard now.timeIntervalSince1970 < exp + leeway else { throw .unauthorized("the token has expired") }
        if let nbf = Self.number(payload["nbf"]), now.timeIntervalSince1970 + leeway < nbf {
            throw .unauthorized("the token is not valid yet")
        }
        if let issuer, payload["iss"]?.stringValue != issuer {
            throw .unauthorized("the token's iss claim is not \(issuer)")
        }
        if let audience {
            let audiences = payload["aud"]?.stringElements ?? [payload["aud"]?.stringValue].compactMap { $0 }
            guard audiences.contains(audience) else { throw .unauthorized("the token's aud claim does not name \(audience)") }
        }
        guard let userID = Self.userID(payload["sub"]) else {
            throw .unauthorized("the token's sub claim is not a user id")
        }
        let roles = payload["roles"]?.stringElements ?? []
        return Claims(userID: userID, expiresAt: Date(timeIntervalSince1970: exp), isAdmin: roles.contains("admin"))
    }

    /// A signed token for `userID`, valid until `expiresAt` (for the demo data and tests; the
    /// host application issues the real ones). Carries this verifier's issuer and audience.
    public func sign(userID: Int, expiresAt: Date, issuedAt: Date = Date(), roles: [String] = []) -> String {
        let header = Self.base64URLEncode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        var claims: [String: JSONValue] = [
            "sub": .string(String(userID)), "iat": .integer(Int64(issuedAt.timeIntervalSince1970)),
            "exp": .integer(Int64(expiresAt.timeIntervalSince1970)),
        ]
        if !roles.isEmpty { claims["roles"] = .array(roles.map(JSONValue.string)) }
        if let issuer { claims["iss"] = .string(issuer) }
        if let audience { claims["aud"] = .string(audience) }
        // Strings and whole numbers only: writing cannot fail.
        let payload = Self.base64URLEncode(Data(((try? JSONValue.object(claims).jsonText()) ?? "{}").utf8))
        return signSegments(header: header, payload: payload)
    }

    /// `header.payload.signature` for two base64url segments.
    func signSegments(header: String, payload: String) -> String {
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: key)
        return "\(header).\(payload).\(Self.base64URLEncode(Data(signature)))"
    }

    /// Base64url without padding, as JWT segments are written.
    public static func base64URLEncode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    private static func number(_ value: JSONValue?) -> Double? {
        guard let double = value?.doubleValue, double.isFinite else { return nil }
        return double
    }

    /// `sub` is a string by the standard; some issuers write a number. Either way a positive
    /// 32-bit integer, the type of `users.user_id`.
    private static func userID(_ value: JSONValue?) -> Int? {
        let id: Int?
        if let text = value?.stringValue {
            id = text.allSatisfy(\.isASCII) ? Int(text) : nil
        } else if let number = value?.int64Value, abs(number) < 10_000_000_000 {
            id = Int(number)
        } else {
            id = nil
        }
        guard let id, (1...Int(Int32.max)).contains(id) else { return nil }
        return id
    }
}
