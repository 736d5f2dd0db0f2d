import Foundation
import SafehavenCore
import SafehavenServer

/// The rules commands: pure, no data directory needed.
extension Commands {
    static func prettyJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func route(from: String, to: String, profile: String?, policyFile: String?, json: Bool) throws -> String {
        try describe(try RouteEngine(policy: try RoutePolicy.resolve(profile: profile, file: policyFile)).evaluate(from: from, to: to), json: json)
    }

    /// The answer the running service gives: its configured policy plus every organisation in the
    /// directory at `config` (opened without changing anything).
    public static func route(config: AppConfig, from: String, to: String, profile: String?, json: Bool) async throws -> String {
        let verdict = try await withRuntime(config, migrate: false) { runtime in
            try await runtime.policy.route(from: from, to: to, profile: profile)
        }
        return try describe(verdict, json: json)
    }

    static func describe(_ verdict: RouteVerdict, json: Bool) throws -> String {
        if json { return try prettyJSON(verdict) }
        var lines = [(verdict.secure ? "SECURE: " : "NOT SECURE: ") + verdict.verdict, "rule: \(verdict.rule)"]
        lines += verdict.reasons.map { "  - \($0)" }
        lines += verdict.warnings.map { "  ! \($0)" }
        return lines.joined(separator: "\n")
    }

    public static func advise(_ request: AdviceRequest, profile: String?, policyFile: String?, json: Bool) throws -> String {
        let advice = try ChannelAdvisor(engine: RouteEngine(policy: try RoutePolicy.resolve(profile: profile, file: policyFile)))
            .advise(request)
        if json { return try prettyJSON(advice) }
        var lines = ["\(advice.marking), \(advice.people) \(advice.people == 1 ? "person" : "people") (\(advice.scale)); direct email: \(advice.route.secure ? "secure" : "not secure") (\(advice.route.rule))", ""]
        for channel in advice.channels where channel.suitable {
            lines.append("\(channel.rank ?? 0). \(channel.title): \(channel.why)")
            lines += channel.checklist.steps.map { "     - \($0)" }
            lines += channel.checklist.mustNot.map { "     ✗ \($0)" }
        }
        let unsuitable = advice.channels.filter { !$0.suitable }
        if !unsuitable.isEmpty {
            lines.append("")
            lines.append("Not suitable here:")
            lines += unsuitable.map { "   \($0.title): \($0.why)" }
        }
        lines.append("")
        lines.append("Never:")
        lines += advice.never.map { "   \($0)" }
        return lines.joined(separator: "\n")
    }

    /// The report and whether the text was clean.
    public static func checkSubject(_ text: String, names: [String], json: Bool, today: Date = Date()) throws -> (String, Bool) {
        let findings = PersonalDataScanner(names: names, today: today).scan(text)
        if json {
            struct Out: Encodable { let clean: Bool; let findings: [PersonalDataFinding] }
            return (try prettyJSON(Out(clean: findings.isEmpty, findings: findings)), findings.isEmpty)
        }
        if findings.isEmpty { return ("clean: nothing identifying found", true) }
        return ((["found:"] + findings.map { "  \($0.description): \($0.match)" }).joined(separator: "\n"), false)
    }
}

extension Commands {
    /// A print-ready fax cover sheet, to a file or standard output.
    public static func faxCoverSheet(_ cover: FaxCover, out: String?) throws {
        try emit(try PageRenderer().faxCover(try cover.sheet()), to: out)
    }

    /// Print-ready double-envelope labels, to a file or standard output.
    public static func envelopeLabels(_ labels: EnvelopeLabels, out: String?) throws {
        try emit(try PageRenderer().envelope(try labels.labels()), to: out)
    }

    /// Writes to a file (refusing to overwrite) or to standard output.
    public static func emit(_ text: String, to path: String?) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        guard !FileManager.default.fileExists(atPath: path) else { throw ConfigError("\(path) already exists; choose another name") }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Addresses typed on one line: literal `\n` or commas separate the lines.
    public static func addressLines(_ raw: String) -> String {
        raw.replacingOccurrences(of: "\\n", with: "\n").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
    }
}
