import Hummingbird
import ReminderStore

/// `GET`/`PATCH /api/v1/users/me/notification-preferences`: the caller's own defaults only.
struct PreferencesController<Preferences: PreferencesRepository> {
    let preferences: Preferences
    let emailDomains: EmailDomainPolicy

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/users/me/notification-preferences") { _, context in
            let user = try context.requireUser()
            return Representations.response(Representations.preferences(try await preferences.preferences(userID: user), userID: user))
        }
        routes.add(.patch, "/users/me/notification-preferences") { request, context in
            let user = try context.requireUser()
            let body = try await RequestJSON.read(request, context: context)
            let stored = try await preferences.preferences(userID: user)
            let updated = try PreferencesInput.update(stored, with: body)
            // The override receives the company's mail: only allowed domains (a stored one stays).
            if let address = updated.emailOverride {
                try emailDomains.require(address, field: "email_override", previously: stored.emailOverride.map { [$0] } ?? [])
            }
            return Representations.response(Representations.preferences(try await preferences.save(updated, userID: user), userID: user))
        }
    }
}
