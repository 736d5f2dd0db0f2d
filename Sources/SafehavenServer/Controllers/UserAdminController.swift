import Foundation
import Hummingbird
import SafehavenCore

/// What an administrator does to other people's accounts: disable, enable, reset the second factor.
struct UserAdminController {
    let auth: AuthService

    struct UserStateDTO: ResponseEncodable {
        let id: String
        let disabled: Bool
        let totpEnabled: Bool
        init(_ user: User) {
            id = user.id
            disabled = user.disabled
            totpEnabled = user.totpEnabled
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.disableUser) { request, context in try await setDisabled(true, context: context) }
        group.on(.enableUser) { request, context in try await setDisabled(false, context: context) }
        group.on(.resetUserTOTP, use: resetTOTP)
    }

    @Sendable func setDisabled(_ disabled: Bool, context: AppRequestContext) async throws -> UserStateDTO {
        let actor = try context.requireUser()
        return UserStateDTO(try await auth.setDisabled(try context.parameters.require("id"), disabled, by: actor))
    }

    @Sendable func resetTOTP(_ request: Request, context: AppRequestContext) async throws -> UserStateDTO {
        let actor = try context.requireUser()
        return UserStateDTO(try await auth.resetTOTP(try context.parameters.require("id"), by: actor))
    }
}
