import Foundation
import PostgresNIO
import SafehavenCore
import SQLiteNIO

/// Turns the ways storage runs out or goes read-only into clear errors: 507 when the disk is full,
/// 503 when the database or the data directory cannot be written or reached. Nothing here is the
/// caller's fault, and each clears by itself once the operator fixes the cause.
public enum ResourceFailure {
    public static let diskFull = SafehavenError(
        .insufficientStorage, code: "disk_full",
        message: "The service has run out of storage space, so nothing was saved. Try again later; the operators have been told.")
    public static let readOnly = SafehavenError(
        .unavailable, code: "storage_read_only",
        message: "The service cannot save anything at the moment (its storage is read-only), so nothing was saved. Try again later.",
        retryAfter: 30)
    public static let databaseUnavailable = SafehavenError(
        .unavailable, code: "database_unavailable",
        message: "The service cannot reach its database at the moment, so nothing was saved. Try again later.", retryAfter: 30)

    /// The error to show for a storage failure; nil for anything else.
    public static func classify(_ error: any Error) -> SafehavenError? {
        if error is SafehavenError { return nil }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(ns.code)), !(error is POSIXError) {
            return classify(POSIXError(code))
        }
        switch error {
        case let e as POSIXError:
            switch e.code {
            case .ENOSPC, .EDQUOT, .EFBIG: return diskFull
            case .EROFS, .EACCES, .EPERM: return readOnly
            default: return nil
            }
        case let e as SQLiteError:
            switch e.reason {
            case .full: return diskFull
            case .readOnly, .readonlyCantLock, .readonlyDirectory, .readonlyInRollback, .readonlyInRecovery, .readonlyBackingMoved,
                 .cantOpen, .permission:
                return readOnly
            case .ioError, .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedDirSync, .ioErrorFailedTruncate:
                // SQLite reports a full disk during a sync or a WAL write as an I/O error.
                return hasLittleSpace(e) ? diskFull : readOnly
            default: return nil
            }
        case let e as PSQLError:
            if let state = e.serverInfo?[.sqlState] {
                switch state {
                case "53100": return diskFull
                case "25006": return readOnly
                case "57P01", "57P02", "57P03", "53300": return databaseUnavailable
                default: return nil
                }
            }
            switch e.code {
            case .serverClosedConnection, .connectionError: return databaseUnavailable
            default: return nil
            }
        case let e as CocoaError:
            switch e.code {
            case .fileWriteOutOfSpace: return diskFull
            case .fileWriteVolumeReadOnly, .fileWriteNoPermission: return readOnly
            default: return (e.userInfo[NSUnderlyingErrorKey] as? any Error).flatMap(classify)
            }
        default:
            return nil
        }
    }

    /// SQLite does not say why an I/O error happened; the error text sometimes does.
    static func hasLittleSpace(_ error: SQLiteError) -> Bool {
        error.message.lowercased().contains("full") || error.message.lowercased().contains("space")
    }
}
