import Foundation

/// Shares exported as encrypted archives.
public protocol ExportReading: Sendable {
    func exports(shareID: String) async throws -> [ShareExport]
    func export(id: String) async throws -> ShareExport?
}

public protocol ExportWriting: ExportReading {
    func insert(_ export: ShareExport) async throws
    func markExportsDestroyed(shareID: String, at: Date) async throws
}
