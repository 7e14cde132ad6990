import Hummingbird

/// `GET`/`PATCH /api/v1/users/me/notification-preferences`: the caller's own defaults only.
struct PreferencesController {
    let preferences: any PreferencesRepository

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/users/me/notification-preferences") { _, context in
            let user = try context.requireUser()
            return Representations.response(Representations.preferences(try await preferences.preferences(userID: user), userID: user))
        }
        routes.add(.patch, "/users/me/notification-preferences") { request, context in
            let user = try context.requireUser()
            let body = try await RequestJSON.read(request, context: context)
            let updated = try PreferencesInput.update(try await preferences.preferences(userID: user), with: body)
            return Representations.response(Representations.preferences(try await preferences.save(updated, userID: user), userID: user))
        }
    }
}
