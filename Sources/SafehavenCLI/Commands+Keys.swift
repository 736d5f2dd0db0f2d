import Foundation
import SafehavenCore
import SafehavenServer

/// `safehaven keys rotate`, `safehaven backup`, `safehaven restore`.
extension Commands {
    public static func rotateKeys(config: AppConfig) async throws -> String {
        let report = try await KeyRotation.run(config: config)
        var lines = ["key-encryption key \(report.fromID) → \(report.toID): \(report.checked) values checked, \(report.rewrapped) re-wrapped; no blob was touched"]
        if let instructions = report.instructions { lines.append(instructions) } else {
            lines.append("master.key is the new key; the old one is kept as master.key.previous until the next rotation. Restart the service.")
        }
        return lines.joined(separator: "\n")
    }

    public static func backup(config: AppConfig, out: String, keysOut: String?) async throws -> String {
        let manifest = try await Backup.make(config: config, out: URL(fileURLWithPath: out), keysOut: keysOut.map { URL(fileURLWithPath: $0) })
        var text = "backup of a \(manifest.database) installation (schema \(manifest.schemaVersion), \(manifest.blobs.count) sealed files, "
            + "\(manifest.auditEvents) audit events) in \(out)"
        text += keysOut.map { "\nkeys in \($0): keep them apart from the backup, as safely as the live keys" }
            ?? "\nno keys were copied: the backup can only be read with the installation's keys, kept separately"
        return text
    }

    public static func restore(config: AppConfig, from: String, keysFrom: String?) async throws -> String {
        let restored = try await Backup.restore(from: URL(fileURLWithPath: from), config: config, keysFrom: keysFrom.map { URL(fileURLWithPath: $0) })
        var text = "restored \(restored.blobs) sealed files into \(config.dataDirectory.path); the audit trail holds \(restored.auditEvents) events"
        if restored.sharesWithoutContent > 0 {
            text += "\n\(restored.sharesWithoutContent) shares were destroyed while the backup was being made; their content stays destroyed"
        }
        return text
    }
}
