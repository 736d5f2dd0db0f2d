/// Someone invited from outside sets up their access: their details (recorded as they give
/// them) and a password; the authenticator app comes next.
struct InvitationPage: PageModel {
    static let template = "invitation"
    var title: String { errors.isEmpty ? "Set up your access to Safehaven" : "Error: Set up your access to Safehaven" }
    var token: String
    var formToken: String
    var email: String
    var sender: String
    var marking: String
    var expires: String
    var name = ""
    var jobTitle = ""
    var organisation = ""
    var phone = ""
    var errors: [FieldError] = []
}
