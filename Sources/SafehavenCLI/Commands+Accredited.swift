import Foundation
import SafehavenCore
import SafehavenServer

/// `safehaven accredited import|list|remove`: the organisations accredited to the secure email standard.
extension Commands {
    public static func importAccredited(config: AppConfig, file: String) async throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SafehavenError.badRequest("file_unreadable", "\(file) cannot be read.")
        }
        let text = String(decoding: data, as: UTF8.self)
        let count = try await withRuntime(config) { try await $0.accredited.importCSV(text, source: "csv:\(URL(fileURLWithPath: file).lastPathComponent)") }
        return "imported \(count) accredited domains; route checks use them from now on"
    }

    public static func listAccredited(config: AppConfig) async throws -> String {
        let list = try await withRuntime(config, migrate: false) { try await $0.accredited.list() }
        if list.isEmpty { return "no accredited organisations listed yet (import a CSV of domain,organisation)" }
        return list.map { "\($0.domain)\t\($0.organisation)\t\($0.source)" }.joined(separator: "\n")
    }

    public static func removeAccredited(config: AppConfig, domain: String) async throws -> String {
        try await withRuntime(config) { try await $0.accredited.remove(domain) }
        return "removed \(domain) from the accredited list"
    }
}
