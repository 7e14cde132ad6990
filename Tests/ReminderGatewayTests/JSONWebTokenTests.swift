import Foundation
import Testing
@testable import ReminderGateway

@Suite("JWT verification")
struct JSONWebTokenTests {
    let tokens = JSONWebToken(secret: "unit-secret")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a token it signed verifies and yields sub and exp")
    func roundTrip() throws {
        let token = tokens.sign(userID: 42, expiresAt: now.addingTimeInterval(60), issuedAt: now)
        let claims = try tokens.verify(token, now: now)
        #expect(claims.userID == 42)
        #expect(claims.expiresAt == now.addingTimeInterval(60))
    }

    @Test("expired once exp plus the 30 s leeway has passed, not before")
    func expiry() throws {
        let token = tokens.sign(userID: 1, expiresAt: now, issuedAt: now.addingTimeInterval(-60))
        #expect(throws: GatewayError.self) { try tokens.verify(token, now: now.addingTimeInterval(30)) }
        #expect((try? tokens.verify(token, now: now.addingTimeInterval(29))) != nil)
        #expect((try? tokens.verify(token, now: now.addingTimeInterval(-1))) != nil)
    }

    @Test("nbf within the leeway is accepted, beyond it refused")
    func notBefore() throws {
        func token(nbf: Date) -> String {
            let header = JSONWebToken.base64URLEncode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
            let body = JSONWebToken.base64URLEncode(Data(#"{"sub":"3","exp":1900000000,"nbf":\#(Int(nbf.timeIntervalSince1970))}"#.utf8))
            return tokens.signForTesting(header: header, payload: body)
        }
        #expect((try? tokens.verify(token(nbf: now.addingTimeInterval(29)), now: now)) != nil)
        #expect(throws: GatewayError.self) { try tokens.verify(token(nbf: now.addingTimeInterval(31)), now: now) }
    }

    @Test("issuer and audience, when configured, must match; roles admin marks an administrator")
    func issuerAudienceAndRoles() throws {
        let strict = JSONWebToken(secret: "unit-secret", issuer: "https://hub.example", audience: "reminders")
        let good = strict.sign(userID: 5, expiresAt: now.addingTimeInterval(60), roles: ["admin"])
        let claims = try strict.verify(good, now: now)
        #expect(claims.isAdmin)
        // The plain signer writes neither iss nor aud.
        let bare = tokens.sign(userID: 5, expiresAt: now.addingTimeInterval(60))
        #expect(throws: GatewayError.self) { try strict.verify(bare, now: now) }
        #expect(try tokens.verify(bare, now: now).isAdmin == false)
        let otherIssuer = JSONWebToken(secret: "unit-secret", issuer: "https://other.example", audience: "reminders")
            .sign(userID: 5, expiresAt: now.addingTimeInterval(60))
        #expect(throws: GatewayError.self) { try strict.verify(otherIssuer, now: now) }
        let otherAudience = JSONWebToken(secret: "unit-secret", issuer: "https://hub.example", audience: "billing")
            .sign(userID: 5, expiresAt: now.addingTimeInterval(60))
        #expect(throws: GatewayError.self) { try strict.verify(otherAudience, now: now) }
        // aud as a list naming ours is accepted.
        let header = JSONWebToken.base64URLEncode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let listed = JSONWebToken.base64URLEncode(Data(
            #"{"sub":"5","exp":1900000000,"iss":"https://hub.example","aud":["billing","reminders"],"roles":["user"]}"#.utf8
        ))
        let listedClaims = try strict.verify(strict.signForTesting(header: header, payload: listed), now: now)
        #expect(listedClaims.isAdmin == false)
    }

    @Test("a bad signature, another secret, a changed payload or alg none is refused with 401")
    func forgeries() throws {
        let token = tokens.sign(userID: 7, expiresAt: now.addingTimeInterval(60))
        let other = JSONWebToken(secret: "other").sign(userID: 7, expiresAt: now.addingTimeInterval(60))
        var parts = token.split(separator: ".").map(String.init)
        let tamperedPayload = JSONWebToken.base64URLEncode(Data(#"{"sub":"8","exp":1900000000}"#.utf8))
        let none = JSONWebToken.base64URLEncode(Data(#"{"alg":"none"}"#.utf8))
        let hs512 = JSONWebToken.base64URLEncode(Data(#"{"alg":"HS512"}"#.utf8))
        parts[2] = String(parts[2].reversed())
        for candidate in [parts.joined(separator: "."), other, token.replacingOccurrences(of: token.split(separator: ".")[1], with: tamperedPayload),
                          "\(none).\(token.split(separator: ".")[1]).", "\(hs512).\(token.split(separator: ".")[1]).\(token.split(separator: ".")[2])",
                          "", "a.b", "a.b.c.d", "!!!.???.***"] {
            do {
                _ = try tokens.verify(candidate, now: now)
                Issue.record("accepted \(candidate)")
            } catch {
                #expect(error.status == .unauthorized)
                #expect(error.field == "Authorization")
            }
        }
    }

    @Test("sub must be a positive 32-bit user id; exp is required")
    func claims() throws {
        func token(_ payload: String) -> String {
            let header = JSONWebToken.base64URLEncode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
            let body = JSONWebToken.base64URLEncode(Data(payload.utf8))
            return tokens.signForTesting(header: header, payload: body)
        }
        #expect(try tokens.verify(token(#"{"sub":12,"exp":1900000000}"#), now: now).userID == 12)
        for payload in [#"{"sub":"abc","exp":1900000000}"#, #"{"sub":"0","exp":1900000000}"#, #"{"sub":"99999999999","exp":1900000000}"#,
                        #"{"sub":"5"}"#, #"{"sub":"5","exp":"soon"}"#, #"{"sub":"5","exp":1900000000,"nbf":1900000000}"#, #"[1]"#] {
            #expect(throws: GatewayError.self, "\(payload)") { try tokens.verify(token(payload), now: now) }
        }
    }
}

extension JSONWebToken {
    /// Signs arbitrary header and payload segments (already base64url) with this secret.
    func signForTesting(header: String, payload: String) -> String {
        signSegments(header: header, payload: payload)
    }
}

@Suite("Verified token cache")
struct VerifiedTokensTests {
    let tokens = JSONWebToken(secret: "unit-secret")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a verified token is served from memory until its expiry plus the leeway; a refused one never is")
    func lifetime() throws {
        let cache = VerifiedTokens()
        let token = tokens.sign(userID: 4, expiresAt: now.addingTimeInterval(60), issuedAt: now)
        #expect(try cache.claims(of: token, verifier: tokens, now: now).userID == 4)
        // Another verifier (another secret) would refuse it: a hit proves it came from memory.
        let other = JSONWebToken(secret: "rotated")
        #expect(try cache.claims(of: token, verifier: other, now: now.addingTimeInterval(89)).userID == 4)
        // Past exp + leeway the entry is dead and the check runs (and refuses) again.
        #expect(throws: GatewayError.self) { try cache.claims(of: token, verifier: tokens, now: now.addingTimeInterval(90)) }
        let forged = other.sign(userID: 4, expiresAt: now.addingTimeInterval(60))
        #expect(throws: GatewayError.self) { try cache.claims(of: forged, verifier: tokens, now: now) }
        #expect(throws: GatewayError.self) { try cache.claims(of: forged, verifier: tokens, now: now) }
    }

    @Test("a full cache drops expired entries first, then starts over")
    func capacity() throws {
        let cache = VerifiedTokens(capacity: 2)
        let short = tokens.sign(userID: 1, expiresAt: now.addingTimeInterval(1))
        let long = tokens.sign(userID: 2, expiresAt: now.addingTimeInterval(600))
        _ = try cache.claims(of: short, verifier: tokens, now: now)
        _ = try cache.claims(of: long, verifier: tokens, now: now)
        let third = tokens.sign(userID: 3, expiresAt: now.addingTimeInterval(600))
        _ = try cache.claims(of: third, verifier: tokens, now: now.addingTimeInterval(100))
        // `long` survived the sweep: a verifier that would refuse it still gets the stored claims.
        #expect(try cache.claims(of: long, verifier: JSONWebToken(secret: "rotated"), now: now.addingTimeInterval(100)).userID == 2)
    }
}
