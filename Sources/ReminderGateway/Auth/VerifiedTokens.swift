import Foundation
import Synchronization

/// Tokens this gateway has verified, by their exact text: a browser polls with
/// the same token until it expires, and checking its signature and claims again
/// each time was a measurable share of a `pending/me` answer. Only a token that
/// passed ``JSONWebToken/verify(_:now:)`` is stored, and only until its own
/// expiry (plus the leeway the check allows), so a lookup never accepts what the
/// check would refuse.
final class VerifiedTokens: Sendable {
    private struct Entry {
        var claims: JSONWebToken.Claims
        var validUntil: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The claims of `token`, verified now or before.
    func claims(of token: String, verifier: JSONWebToken, now: Date = Date()) throws(GatewayError) -> JSONWebToken.Claims {
        if let entry = entries.withLock({ $0[token] }), entry.validUntil > now {
            return entry.claims
        }
        let claims = try verifier.verify(token, now: now)
        let validUntil = claims.expiresAt.addingTimeInterval(verifier.leeway)
        entries.withLock { entries in
            if entries.count >= capacity {
                // Full: drop what has expired, or start over (rare, and only costs re-checks).
                entries = entries.filter { $0.value.validUntil > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = Entry(claims: claims, validUntil: validUntil)
        }
        return claims
    }
}
