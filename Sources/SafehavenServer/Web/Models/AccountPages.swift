/// The sign-in form; `formToken` guards the form before there is a session.
struct SignInPage: PageModel {
    static let template = "sign-in"
    var title: String { errors.isEmpty ? "Sign in" : "Error: Sign in" }
    var formToken: String
    var email: String
    var errors: [FieldError] = []
}

/// A safe message for something that went wrong; the frame adds the request id.
struct ErrorPage: PageModel {
    static let template = "error"
    var title: String
    var message: String
}

struct AccountPage: PageModel {
    static let template = "account"
    let title = "Your account"
    var name: String
    var email: String
    var organisation: String
    var jobTitle: String
    var totp: Bool
}

struct ChangePasswordPage: PageModel {
    static let template = "change-password"
    var title: String { errors.isEmpty ? "Change your password" : "Error: Change your password" }
    var mustChange: Bool
    var errors: [FieldError] = []
}

/// Setting up the authenticator app: the start, the QR code and key, then the recovery codes.
struct TOTPPage: PageModel {
    static let template = "totp"
    var title: String { errors.isEmpty ? "Authenticator app" : "Error: Authenticator app" }
    var enabled = false
    var start = false
    /// Invited from outside: this step comes before anything else.
    var invited = false
    var enrol = false
    /// SVG drawn by our own encoder from the secret's URI; no user text goes into it.
    var qr = ""
    var secret = ""
    var codes: [String] = []
    var errors: [FieldError] = []
}
