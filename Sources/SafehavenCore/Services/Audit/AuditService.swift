import Foundation
import SafehavenCrypto

/// Signs checkpoints over the audit chain, verifies it (live or from an export) and exports it.
///
/// Events are appended without signatures; a checkpoint `(count, head hash)` is signed at most
/// one signing interval later (by the background job, when a command-line action ends and when the
/// service stops). Before signing, the new events are checked to link to the last checkpoint this
/// process trusts, so a rewrite of signed history is never signed over.
public struct AuditService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    var interval: TimeInterval { TimeInterval(deps.limits.auditCheckpointSeconds) }

    /// Signs a checkpoint for the current head if events were added since the last one; returns
    /// the newest checkpoint either way (nil for an empty chain).
    @discardableResult
    public func checkpoint() async throws -> AuditCheckpoint? {
        let signer = deps.auditSigner
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            let latest = try await tx.latestAuditCheckpoint()
            guard let head = try await tx.auditHead() else { return latest }
            if let latest, latest.count >= head.seq { return latest }
            if let latest, !signer.verify(count: latest.count, headHex: latest.headHash, signatureHex: latest.signature) {
                throw Self.refusal("the newest checkpoint is not validly signed")
            }
            // Check that everything since the last checkpoint links to it before signing over it.
            var previous = latest?.headHash ?? AuditChain.genesis
            var seq = latest?.count ?? 0
            if let latest, try await tx.auditEvent(seq: latest.count)?.hash != latest.headHash {
                throw Self.refusal("the event at the newest checkpoint no longer matches it")
            }
            while true {
                let page = try await tx.auditEvents(after: seq, limit: 5000)
                if page.isEmpty { break }
                for event in page {
                    guard event.seq == seq + 1, event.previousHash == previous,
                          try AuditChain.next(previousHex: previous, fields: event.chainFields) == event.hash else {
                        throw Self.refusal("event \(seq + 1) does not follow from the checkpoint before it")
                    }
                    previous = event.hash
                    seq = event.seq
                }
            }
            let checkpoint = AuditCheckpoint(count: seq, headHash: previous,
                                             signature: try signer.sign(count: seq, headHex: previous), at: now)
            try await tx.insertAuditCheckpoint(checkpoint)
            return checkpoint
        }
    }

    static func refusal(_ why: String) -> SafehavenError {
        SafehavenError(.conflict, code: "audit_chain_broken",
                       message: "No checkpoint was signed: \(why). Run `safehaven audit verify` and investigate.")
    }

    /// Verifies the live chain, optionally against checkpoints published elsewhere.
    public func verify(published: [PublishedCheckpoint] = [], pageSize: Int = 10_000) async throws -> AuditOutcome {
        let checkpoints = try await deps.store.read { try await $0.auditCheckpoints() }
        var check = AuditChainCheck(checkpoints: checkpoints + published.map(\.asCheckpoint), verifier: deps.auditSigner.verifier)
        let store = deps.store
        @Sendable func page(after: Int64) async throws -> [AuditEvent] {
            try await store.read { try await $0.auditEvents(after: after, limit: pageSize) }
        }
        // The next page is read (on another core) while this one is hashed.
        var next = Task { try await page(after: 0) }
        while true {
            let events = try await next.value
            guard let last = events.last else { break }
            next = Task { try await page(after: last.seq) }
            for event in events where !check.feed(event) {
                next.cancel()
                return check.finish(now: deps.clock.now(), interval: interval)
            }
        }
        return check.finish(now: deps.clock.now(), interval: interval)
    }

    /// Writes the chain, its checkpoints and the public key as JSON lines, from one consistent
    /// read. Returns the number of events written.
    @discardableResult
    public func export(to url: URL) async throws -> Int64 {
        let handle = try OwnerOnlyFile.create(url)
        defer { try? handle.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func write(_ line: AuditExportLine) throws {
            try handle.write(contentsOf: try encoder.encode(line) + Data("\n".utf8))
        }
        try write(.header(.init(format: AuditExportLine.format, version: 1, publicKey: deps.auditSigner.publicKeyHex,
                                exportedAt: AuditEvent.millis(deps.clock.now()), signingIntervalSeconds: deps.limits.auditCheckpointSeconds)))
        // One snapshot: a checkpoint newer than the last exported event would look like truncation.
        let lines = try await deps.store.read { reader in
            let head = try await reader.auditHead()?.seq ?? 0
            let checkpoints = try await reader.auditCheckpoints().filter { $0.count <= head }
            return (head, checkpoints)
        }
        for checkpoint in lines.1 { try write(.checkpoint(.init(checkpoint))) }
        var after: Int64 = 0
        while after < lines.0 {
            let from = after
            let page = try await deps.store.read { try await $0.auditEvents(after: from, limit: 10_000) }
            guard let last = page.last else { break }
            for event in page where event.seq <= lines.0 { try write(.event(.init(event))) }
            after = last.seq
        }
        try handle.synchronize()
        return lines.0
    }

    /// Verifies an export without any database or secret. With `trustedKey` (obtained separately,
    /// for example from the organisation's published records) the export's own key must match it;
    /// without, the key in the file is used and the report says so.
    public static func verifyExport(at url: URL, trustedKey: CheckpointVerifier?, published: [PublishedCheckpoint] = [])
        throws -> (outcome: AuditOutcome, key: CheckpointVerifier, exportedAt: Date) {
        guard let input = FileHandle(forReadingAtPath: url.path) else {
            throw SafehavenError.badRequest("export_unreadable", "The export file cannot be read.")
        }
        defer { try? input.close() }
        var lines = JSONLinesReader(handle: input)
        let decoder = JSONDecoder()
        func next() throws -> AuditExportLine? {
            guard let data = try lines.next() else { return nil }
            do { return try decoder.decode(AuditExportLine.self, from: data) } catch {
                throw SafehavenError.badRequest("export_malformed", "Line \(lines.lineNumber) of the export is not an audit export line.")
            }
        }
        guard case .header(let header)? = try next(), header.format == AuditExportLine.format, header.version == 1 else {
            throw SafehavenError.badRequest("export_malformed", "This file is not a Safehaven audit export.")
        }
        let key: CheckpointVerifier
        do { key = try CheckpointVerifier(publicKeyHex: header.publicKey) } catch {
            throw SafehavenError.badRequest("export_malformed", "The export's public key is malformed.")
        }
        if let trustedKey, trustedKey != key {
            throw SafehavenError.badRequest("export_wrong_key", "The export was signed with a different audit key from the one given.")
        }
        var checkpoints: [AuditCheckpoint] = []
        var pending: AuditExportLine?
        while let line = try next() {
            if case .checkpoint(let c) = line { checkpoints.append(c.model) } else { pending = line; break }
        }
        var check = AuditChainCheck(checkpoints: checkpoints + published.map(\.asCheckpoint), verifier: key)
        let exportedAt = Date(timeIntervalSince1970: Double(header.exportedAt) / 1000)
        let interval = TimeInterval(header.signingIntervalSeconds)
        while let line = pending {
            guard case .event(let event) = line else {
                throw SafehavenError.badRequest("export_malformed", "Line \(lines.lineNumber): checkpoints must come before events.")
            }
            if !check.feed(event.model) { break }
            pending = try next()
        }
        return (check.finish(now: exportedAt, interval: interval), key, exportedAt)
    }
}

/// Reads newline-separated records without loading the whole file.
struct JSONLinesReader {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private(set) var lineNumber = 0
    static let maxLine = 1 << 20

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() throws -> Data? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = Data(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                if line.isEmpty { continue }
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = Data(buffer[start...])
                start = buffer.count
                lineNumber += 1
                return line
            }
            guard buffer.count - start <= Self.maxLine else {
                throw SafehavenError.badRequest("export_malformed", "Line \(lineNumber + 1) of the export is too long.")
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
