import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files the service writes for an operator (audit exports, backups, copied keys) are readable by
/// its own user only.
public enum OwnerOnlyFile {
    public static func create(_ url: URL) throws -> FileHandle {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SafehavenError.badRequest("file_not_writable", "\(url.path) cannot be written (\(String(cString: strerror(errno)))).")
        }
        fchmod(fd, 0o600)
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Writes `data` to a new owner-only file (replacing one there) and syncs it.
    public static func write(_ data: Data, to url: URL) throws {
        let handle = try create(url)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
    }
}
