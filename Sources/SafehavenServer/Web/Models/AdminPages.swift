/// The administration home: organisations, the routing profile in force, the audit trail.
struct AdminPage: PageModel {
    static let template = "admin"
    let title = "Administration"
    struct Org: Sendable { var id: String; var name: String; var domains: String }
    var organisations: [Org]
    var canAddOrganisation: Bool
    var profile: String
    var profileDescription: String
    var serviceWide: Bool
    var auditEvents: String?
    var lastCheckpoint: String?
    var auditResult: String?
    var auditBroken: Bool = false
    var failedNotices = ""
}

struct OrganisationFormPage: PageModel {
    static let template = "admin-organisation-new"
    var title: String { errors.isEmpty ? "Add an organisation" : "Error: Add an organisation" }
    var name = ""
    var domains = ""
    var switchboard = ""
    var address = ""
    var errors: [FieldError] = []
}

struct OrganisationPage: PageModel {
    static let template = "admin-organisation"
    var title: String { name }
    struct Person: Sendable { var id: String; var name: String; var email: String; var roles: String; var state: String; var totp: Bool }
    var id: String
    var name: String
    var domains: [String]
    var switchboard: String
    var address: String
    var people: [Person]
    var external: [Choice] = []
    var externalDomains = ""
    var notice: String?
    var errors: [FieldError] = []
}

/// Adding or editing a person. After adding, the one-time password is shown once.
struct UserFormPage: PageModel {
    static let template = "admin-user"
    var title: String { errors.isEmpty ? heading : "Error: \(heading)" }
    var heading: String
    var organisationID: String
    var organisationName: String
    var domains: String
    var userID: String?
    var isNew: Bool
    var email = ""
    var name = ""
    var jobTitle = ""
    var department = ""
    var phone = ""
    var roles: [Choice] = []
    var disabled = false
    var totp = false
    var oneTimePassword: String?
    var notice: String?
    var errors: [FieldError] = []
}

/// Notifications that could not be delivered, for the service's administrators.
struct OutboxPage: PageModel {
    static let template = "admin-outbox"
    let title = "Notifications not delivered"
    struct Row: Sendable { var id: String; var kind: String; var to: String; var queued: String; var attempts: Int; var error: String }
    var rows: [Row]
    var transport: String
    var notice: String?
}
