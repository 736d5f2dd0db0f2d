import Foundation
import HTTPTypes
import Hummingbird
import SafehavenCore
import SafehavenCrypto

/// Resumable uploads for the compose and reply pages' script: the same tus routes as the API,
/// under `/compose/uploads`, for the browser's session. The script sends the page's form token
/// in `X-CSRF-Token` with every request, so no other site can upload into someone's drafts.
/// Without JavaScript the pages send files in the form itself, as before.
extension WebController {
    static let formTokenHeader = HTTPField.Name("X-CSRF-Token")!

    func addUploadRoutes(to group: RouterGroup<AppRequestContext>) {
        let controller = UploadController(uploads: UploadService(runtime.deps), limits: runtime.deps.limits, base: "/compose/uploads",
                                          person: Self.uploader)
        group.post("/compose/drafts", use: controller.createDraft)
        group.delete("/compose/drafts/:id", use: controller.deleteDraft)
        let tus = group.group().add(middleware: TusProtocolMiddleware())
        tus.on("/compose/uploads", method: .options, use: controller.options)
        tus.post("/compose/uploads", use: controller.create)
        tus.head("/compose/uploads/:id", use: controller.status)
        tus.patch("/compose/uploads/:id", use: controller.append)
        tus.delete("/compose/uploads/:id", use: controller.terminate)
    }

    /// A signed-in person whose request carries their session's form token.
    @Sendable static func uploader(_ request: Request, _ context: AppRequestContext) throws -> User {
        guard let token = context.identity?.webToken, let user = context.identity?.user, !user.mustChangePassword,
              !(user.has(.external) && !user.totpEnabled) else { throw SafehavenError.unauthenticated }
        guard Tokens.constantTimeEqual(request.headers[formTokenHeader] ?? "", AuthService.formToken(forSession: token)) else {
            throw SafehavenError.forbidden("form_expired", "This page has expired. Reload it and try again.")
        }
        return user
    }
}
