import Crypto
import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage
#if canImport(Glibc)
import Glibc
#endif

/// Measures sealing a file into the blob store and opening it back, the way the server does,
/// one direction per process so each peak RSS is its own. Used by `scripts/bench`.
///   safehaven-bench seal INPUT STORE-DIR   → prints "seal <bytes> <seconds> <MB/s> <peak RSS KiB>"
///   safehaven-bench open STORE-DIR OUTPUT  → prints "open <bytes> <seconds> <MB/s> <peak RSS KiB>"
///   safehaven-bench audit-fill DB AUDIT-KEY N → appends N audit events and one signed checkpoint
@main
struct SafehavenBench {
    static let blobID = "bench-1"
    static let binding = BlobBinding.file(share: "bench-share", file: "bench-file")
    /// The same key in every process, so `open` reads what `seal` wrote.
    static var key: SymmetricKey { KeyEncryptionKey.newDataKey(random: SeededRandomSource(seed: 1)) }

    static func main() async throws {
        let args = CommandLine.arguments
        if args.count == 5, args[1] == "audit-fill" {
            try await AuditFill.run(database: args[2], keyFile: args[3], events: Int(args[4]) ?? 1_000_000)
            return
        }
        guard args.count == 4 else {
            FileHandle.standardError.write(Data("usage: safehaven-bench seal INPUT DIR | open DIR OUTPUT\n".utf8))
            exit(2)
        }
        let start = Date()
        let bytes: Int64
        switch args[1] {
        case "seal": bytes = try seal(input: args[2], dir: args[3])
        case "open": bytes = try open(dir: args[2], output: args[3])
        case "memory": bytes = try inMemory(megabytes: Int(args[2]) ?? 256)
        default: exit(2)
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%@ %lld %.3f %.0f %ld", args[1], bytes, seconds, Double(bytes) / 1_000_000 / seconds, peakRSSKiB()))
    }

    static func seal(input: String, dir: String) throws -> Int64 {
        let blobs = try DirectoryBlobStore(root: URL(fileURLWithPath: dir))
        let writer = try blobs.makeWriter(id: blobID)
        var sealer = StreamSealer(dataKey: key, binding: binding, random: SystemRandomSource())
        let fd = Glibc.open(input, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            total += Int64(n)
            let out = try sealer.update(buffer[0..<n])
            if !out.isEmpty { try writer.write(out) }
        }
        try writer.write(try sealer.finish())
        try writer.commit()
        return total
    }

    static func open(dir: String, output: String) throws -> Int64 {
        let blobs = try DirectoryBlobStore(root: URL(fileURLWithPath: dir))
        let reader = try blobs.openReader(id: blobID)
        var opener = StreamOpener(dataKey: key, binding: binding)
        let fd = Glibc.open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        var total: Int64 = 0
        func emit(_ bytes: [UInt8]) {
            total += Int64(bytes.count)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        }
        while true {
            let chunk = try reader.read(max: PlaintextStream.readSize)
            if chunk.isEmpty { break }
            emit(try opener.update(chunk))
        }
        emit(try opener.finish())
        return total
    }

    /// Sealing alone, no I/O: separates the cipher's cost from the file system's.
    static func inMemory(megabytes: Int) throws -> Int64 {
        let block = SeededRandomSource(seed: 3).bytes(256 * 1024)
        var sealer = StreamSealer(dataKey: key, binding: binding, random: SystemRandomSource())
        var total: Int64 = 0
        for _ in 0..<(megabytes * 4) {
            total += Int64(try sealer.update(block).count)
        }
        total += Int64(try sealer.finish().count)
        return total
    }

    static func peakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}
