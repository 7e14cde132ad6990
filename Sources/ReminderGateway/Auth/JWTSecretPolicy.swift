/// Which `JWT_SECRET`s the gateway runs with. Anyone who knows the secret can
/// sign a token for any user, so a short one (guessable offline from a single
/// token) or one of the development values shipped in our own files is
/// refused, except in demo mode.
public enum JWTSecretPolicy {
    /// Fewer bytes than this are refused: HS256 keys should be as long as its output.
    public static let minimumBytes = 32

    /// Pieces of the placeholder values in `.env.example`, the compose file and
    /// the documentation; a secret containing one was copied, not generated.
    static let placeholderMarkers = ["not-for-production", "change-me", "changeme", "placeholder", "your-secret", "example"]

    /// Why `secret` may not be used, or `nil` when it may. `demo` allows the
    /// development placeholders (never an empty secret).
    public static func problem(with secret: String, demo: Bool) -> String? {
        if secret.isEmpty {
            return "JWT_SECRET is not set; the gateway needs the HS256 secret the host application signs its tokens with"
        }
        if demo { return nil }
        let lowered = secret.lowercased()
        if let marker = placeholderMarkers.first(where: { lowered.contains($0) }) {
            return "JWT_SECRET is a placeholder (it contains \"\(marker)\"); generate one, e.g. openssl rand -base64 48 (only --demo accepts it)"
        }
        if secret.utf8.count < minimumBytes {
            return "JWT_SECRET has \(secret.utf8.count) bytes; at least \(minimumBytes) are required (e.g. openssl rand -base64 48)"
        }
        return nil
    }
}
