import Foundation
import SafehavenCore
import SafehavenServer

/// `safehaven register export`: an organisation's register (or another set of its records) as CSV or JSON, columns as documented.
extension Commands {
    public static func exportRegister(config: AppConfig, organisation: String, from: String?, to: String?, format: String,
                                      set rawSet: String = "register") async throws -> String {
        guard let set = RecordsExport.Set(rawValue: rawSet) else {
            throw SafehavenError.invalid("set", "--set is one of \(RecordsExport.Set.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        func date(_ raw: String?, _ name: String) throws -> Date? {
            guard let raw else { return nil }
            guard let value = ISODate.parse(raw) ?? ISODate.parse(raw + "T00:00:00Z") else {
                throw SafehavenError.invalid(name, "--\(name) is a date (2026-04-01) or an ISO 8601 date and time.")
            }
            return value
        }
        let rows = try await withRuntime(config, migrate: false) {
            try await RecordsExport($0.deps).rows(set, organisation: organisation, from: try date(from, "from"), to: try date(to, "to"))
        }
        switch format {
        case "csv": return RecordsExport.csv(set, rows)
        case "json":
            let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(RecordsExport.columns(set), $0)) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return String(decoding: try encoder.encode(objects), as: UTF8.self)
        default:
            throw SafehavenError.invalid("format", "--format is csv or json.")
        }
    }
}
