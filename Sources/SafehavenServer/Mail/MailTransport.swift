import Foundation
import SafehavenCore
import SafehavenMail

/// Where the outbox worker hands messages over.
protocol MailTransport: Sendable {
    /// A short description for the start-up banner.
    var description: String { get }
    /// Delivers the batch in order, calling `settled` as each message's outcome is known.
    func deliver(_ batch: [(envelopeFrom: String, message: MailMessage)],
                 settled: @escaping @Sendable (Int, SMTPClient.Outcome) async -> Void) async throws
}

/// A real relay over SMTP.
struct SMTPTransport: MailTransport {
    let client: SMTPClient
    var description: String {
        "the mail relay \(client.settings.host):\(client.settings.port) (STARTTLS \(client.settings.startTLS.rawValue))"
    }

    func deliver(_ batch: [(envelopeFrom: String, message: MailMessage)],
                 settled: @escaping @Sendable (Int, SMTPClient.Outcome) async -> Void) async throws {
        _ = try await client.send(batch, settled: settled)
    }
}

/// No relay configured: each message becomes `<Message-ID>.eml` in a folder of the data
/// directory, readable by the service's user only, written whole or not at all. Writing the same
/// message again replaces the file, so a retry never makes a second copy.
struct FileTransport: MailTransport {
    let directory: URL
    var description: String { ".eml files in \(directory.path) (no mail relay is configured)" }

    func deliver(_ batch: [(envelopeFrom: String, message: MailMessage)],
                 settled: @escaping @Sendable (Int, SMTPClient.Outcome) async -> Void) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (index, item) in batch.enumerated() {
            let name = item.message.messageID.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }
            let target = directory.appendingPathComponent(String(name) + ".eml")
            let temporary = directory.appendingPathComponent(".\(String(name)).partial")
            let text = "X-Envelope-From: <\(item.envelopeFrom)>\r\n" + item.message.rendered()
            do {
                try OwnerOnlyFile.write(Data(text.utf8), to: temporary)
                if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
                try FileManager.default.moveItem(at: temporary, to: target)
                await settled(index, .accepted)
            } catch {
                await settled(index, .temporary("could not write \(target.lastPathComponent): \(error.localizedDescription)"))
            }
        }
    }
}
