import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenServer

/// `safehaven audit …`: verify, export, checkpoint, public-key.
extension Commands {
    /// Verifies the live chain (and any published checkpoints); the text to print and whether it held.
    public static func verifyAudit(config: AppConfig, published: [String] = []) async throws -> (String, Bool) {
        let checkpoints = try parsePublished(published)
        return try await withRuntime(config) { runtime in
            describe(try await runtime.audit.verify(published: checkpoints), source: "the audit trail")
        }
    }

    /// Verifies an export file with the public key alone; no data directory is opened.
    public static func verifyAuditExport(file: String, publicKey: String?, published: [String] = []) throws -> (String, Bool) {
        let trusted: CheckpointVerifier?
        do { trusted = try publicKey.map { try CheckpointVerifier(publicKeyHex: try readKeyArgument($0)) } } catch {
            throw SafehavenError.badRequest("public_key_malformed", "The public key must be 64 hexadecimal characters (or a file holding them).")
        }
        let result = try AuditService.verifyExport(at: URL(fileURLWithPath: file), trustedKey: trusted, published: try parsePublished(published))
        var (text, ok) = describe(result.outcome, source: "the export made \(stamp(result.exportedAt))")
        if trusted == nil {
            text += "\nchecked with the public key inside the export (\(result.key.publicKeyHex)); "
                + "give --public-key from a copy you trust to rule out a substituted key"
        }
        return (text, ok)
    }

    /// Writes an export and returns a one-line summary.
    public static func exportAudit(config: AppConfig, out: String) async throws -> String {
        try await withRuntime(config) { runtime in
            try await runtime.audit.checkpoint()
            let events = try await runtime.audit.export(to: URL(fileURLWithPath: out))
            return "wrote \(events) events to \(out) (public key \(runtime.signer.publicKeyHex))"
        }
    }

    /// Signs a checkpoint for the head now and prints it in the form to publish.
    public static func auditCheckpoint(config: AppConfig) async throws -> String {
        try await withRuntime(config) { runtime in
            guard let checkpoint = try await runtime.audit.checkpoint() else { return "the audit trail is empty: nothing to sign" }
            return """
                checkpoint over \(checkpoint.count) events, signed \(stamp(checkpoint.at))
                \(PublishedCheckpoint(count: checkpoint.count, headHash: checkpoint.headHash, signature: checkpoint.signature))
                """
        }
    }

    public static func auditPublicKey(config: AppConfig) async throws -> String {
        try await withRuntime(config, migrate: false) { $0.signer.publicKeyHex }
    }

    static func describe(_ outcome: AuditOutcome, source: String) -> (String, Bool) {
        switch outcome {
        case .ok(let report):
            var lines = ["ok: \(source) holds \(report.events) events, each linked to the one before"]
            if let last = report.lastCheckpoint {
                let when = last.at == .distantPast ? "published" : "made \(stamp(last.at))"
                lines.append("last signed checkpoint: event \(last.count), \(when)")
            } else {
                lines.append("no signed checkpoint yet")
            }
            if report.unsignedTail > 0 { lines.append("\(report.unsignedTail) newest events await their checkpoint (within the signing interval)") }
            return (lines.joined(separator: "\n"), true)
        case .bad(let seq, let reason):
            return ("bad: event \(seq): \(reason)", false)
        }
    }

    static func parsePublished(_ texts: [String]) throws -> [PublishedCheckpoint] {
        try texts.map {
            guard let c = PublishedCheckpoint($0) else {
                throw SafehavenError.badRequest("checkpoint_malformed", "A published checkpoint is written count:headhash:signature.")
            }
            return c
        }
    }

    /// A key given inline or as a path to a file holding it.
    static func readKeyArgument(_ value: String) throws -> String {
        if FileManager.default.fileExists(atPath: value) { return try String(contentsOfFile: value, encoding: .utf8) }
        return value
    }

    static func stamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
