import Foundation

/// The administrator's list of organisations accredited to the secure email standard (DCB1596).
/// Mail between two of them, or between one and NHSmail, meets the standard; the route checks
/// and the advisor use the list as soon as it changes.
public struct AccreditedService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public func list() async throws -> [AccreditedDomain] {
        try await deps.store.read { try await $0.accreditedDomains() }
    }

    /// Reads `domain,organisation` rows (a header row naming the columns is optional, in either
    /// order), checks every row, and saves all of them or none. Returns how many rows were saved.
    @discardableResult
    public func importCSV(_ text: String, source: String) async throws -> Int {
        var rows = CSV.parse(text).filter { !$0.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        var domainColumn = 0, organisationColumn = 1
        if let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }), header.contains("domain") {
            domainColumn = header.firstIndex(of: "domain")!
            organisationColumn = header.firstIndex { $0.hasPrefix("organisation") || $0.hasPrefix("organization") || $0 == "name" }
                ?? (domainColumn == 0 ? 1 : 0)
            rows.removeFirst()
        }
        var problems: [String] = []
        var entries: [AccreditedDomain] = []
        let now = deps.clock.now()
        for (index, row) in rows.enumerated() {
            let line = index + 1
            guard row.count > max(domainColumn, organisationColumn) else {
                problems.append("row \(line): needs a domain and an organisation"); continue
            }
            do {
                entries.append(try entry(domain: row[domainColumn], organisation: row[organisationColumn], source: source, at: now))
            } catch let error as SafehavenError {
                problems.append("row \(line): \(error.message)")
            }
        }
        guard problems.isEmpty else {
            throw SafehavenError.invalid("accredited", "Nothing was imported. " + problems.prefix(20).joined(separator: "; ")
                                            + (problems.count > 20 ? "; and \(problems.count - 20) more" : ""))
        }
        guard !entries.isEmpty else { throw SafehavenError.invalid("accredited", "The file holds no rows.") }
        let saved = entries
        try await deps.store.write { tx in
            for entry in saved { try await tx.upsert(entry) }
            try await tx.appendAudit(AuditEntry(.accreditedListChanged, actor: nil, organisation: nil, target: nil,
                                                details: ["imported": String(saved.count), "source": source]), at: now)
        }
        return saved.count
    }

    public func remove(_ rawDomain: String) async throws {
        let domain = try EmailAddress.normaliseDomain(rawDomain)
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard try await tx.removeAccredited(domain: domain) else { throw SafehavenError.notFound }
            try await tx.appendAudit(AuditEntry(.accreditedListChanged, actor: nil, organisation: nil, target: nil,
                                                details: ["removed": domain]), at: now)
        }
    }

    func entry(domain raw: String, organisation rawName: String, source: String, at now: Date) throws -> AccreditedDomain {
        let domain = try EmailAddress.normaliseDomain(raw.trimmingCharacters(in: .whitespaces))
        _ = try DomainKinds.check(organisationDomain: domain)
        let organisation = try Text.required(rawName, field: "organisation", max: 200)
        return AccreditedDomain(domain: domain, organisation: organisation, addedAt: now, source: source)
    }
}

/// RFC 4180 CSV: fields separated by commas, quoted with double quotes (a doubled quote inside
/// stands for one), rows ended by CRLF or LF.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
