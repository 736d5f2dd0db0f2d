@preconcurrency import Crypto
import _CryptoExtras
import Foundation
import Synchronization

/// The WinZip AES encryption of one entry (AE-1/AE-2, AES-256): PBKDF2-HMAC-SHA1 with 1000
/// iterations over a 16-byte salt gives the AES key, the HMAC key and a 2-byte password verifier;
/// the data is AES in CTR mode with a little-endian counter starting at 1; the last 10 bytes of
/// HMAC-SHA1 over the ciphertext authenticate it. See docs/formats.md.
public enum WinZipAES {
    public static let saltLength = 16
    public static let verifierLength = 2
    public static let authLength = 10
    public static let iterations = 1000
    /// Bytes the format adds to each entry's data.
    public static let overhead = saltLength + verifierLength + authLength

    struct Keys {
        let aes: SymmetricKey
        let hmac: SymmetricKey
        let verifier: [UInt8]
    }

    static func deriveKeys(password: String, salt: [UInt8]) throws -> Keys {
        let material = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .insecureSHA1, outputByteCount: 66,
            unsafeUncheckedRounds: iterations)
        let bytes = material.withUnsafeBytes { Array($0) }
        return Keys(aes: SymmetricKey(data: bytes[0..<32]), hmac: SymmetricKey(data: bytes[32..<64]), verifier: Array(bytes[64..<66]))
    }
}

/// AES-CTR with WinZip's little-endian block counter. Encryption and decryption are the same
/// operation; the keystream position carries across calls.
///
/// swift-crypto's CTR mode counts big-endian, so the keystream E(1), E(2), … for little-endian
/// counter blocks is made in batches with CFB decryption instead: decrypting the "ciphertext"
/// X2…Xn+1 under IV X1 yields Pi = Xi+1 ⊕ E(Xi), so E(Xi) = Pi ⊕ Xi+1, one call for a whole batch.
struct WinZipCTR {
    static let batchBlocks = 4096
    static let lanes = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    private let key: SymmetricKey
    private var counter: UInt64 = 0
    private var keystream: [UInt8] = []
    private var used = 0

    init(key: SymmetricKey) { self.key = key }

    /// Makes the keystream for the next `batchBlocks` counter values: E(counter block) for each,
    /// with CFB decryption doing the block encryptions. CFB calls AES one block at a time, so the
    /// batch is cut in `lanes` parts made at once on separate cores.
    private mutating func refill() throws {
        let n = Self.batchBlocks
        var blocks = [UInt8](repeating: 0, count: (n + 1) * 16)
        for i in 0...n {
            var c = counter + UInt64(i) + 1
            for j in 0..<8 {
                blocks[i * 16 + j] = UInt8(truncatingIfNeeded: c)
                c >>= 8
            }
        }
        // CFB decryption gives P[i] = C[i] xor E(C[i-1]): with C = the counter blocks shifted by one,
        // E(counter i) = P xor C. Each lane starts from the block before its own as its IV.
        let lanes = Self.lanes
        let per = n / lanes
        let stream = UnsafeMutableRawBufferPointer.allocate(byteCount: n * 16, alignment: 16)
        defer { stream.deallocate() }
        let failed = Mutex(false)
        let key = self.key
        try blocks.withUnsafeBytes { raw in
            // Each lane reads its own range of `source` and writes its own range of `out`.
            nonisolated(unsafe) let source = raw
            nonisolated(unsafe) let out = stream
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                let first = lane * per
                let count = lane == lanes - 1 ? n - first : per
                do {
                    let iv = try AES._CFB.IV(ivBytes: UnsafeRawBufferPointer(rebasing: source[(first * 16)..<(first * 16 + 16)]))
                    let plain = try AES._CFB.decrypt(UnsafeRawBufferPointer(rebasing: source[((first + 1) * 16)..<((first + 1 + count) * 16)]),
                                                     using: key, iv: iv)
                    plain.withUnsafeBytes { (p: UnsafeRawBufferPointer) in
                        let c = source.baseAddress! + (first + 1) * 16, o = out.baseAddress! + first * 16
                        var k = 0
                        while k < count * 16 {
                            o.storeBytes(of: p.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ c.loadUnaligned(fromByteOffset: k, as: UInt64.self),
                                         toByteOffset: k, as: UInt64.self)
                            k += 8
                        }
                    }
                } catch {
                    failed.withLock { $0 = true }
                }
            }
            if failed.withLock({ $0 }) { throw WinZipError.keystream }
        }
        keystream = [UInt8](UnsafeRawBufferPointer(stream))
        used = 0
        counter += UInt64(n)
    }

    mutating func apply(_ data: inout [UInt8]) throws {
        var i = 0
        let total = data.count
        while i < total {
            if used == keystream.count { try refill() }
            let take = min(keystream.count - used, total - i)
            data.withUnsafeMutableBytes { d in
                keystream.withUnsafeBytes { k in
                    let dp = d.baseAddress! + i, kp = k.baseAddress! + used
                    var j = 0
                    while j + 8 <= take {
                        let x = dp.loadUnaligned(fromByteOffset: j, as: UInt64.self) ^ kp.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                        dp.storeBytes(of: x, toByteOffset: j, as: UInt64.self)
                        j += 8
                    }
                    while j < take {
                        dp.storeBytes(of: dp.load(fromByteOffset: j, as: UInt8.self) ^ kp.load(fromByteOffset: j, as: UInt8.self),
                                      toByteOffset: j, as: UInt8.self)
                        j += 1
                    }
                }
            }
            used += take
            i += take
        }
    }
}

/// Encrypts one entry's (possibly compressed) data and authenticates the ciphertext.
struct EntryEncryptor {
    let header: [UInt8]
    private var ctr: WinZipCTR
    private var mac: HMAC<Insecure.SHA1>

    init(password: String, salt: [UInt8]) throws {
        let keys = try WinZipAES.deriveKeys(password: password, salt: salt)
        header = salt + keys.verifier
        ctr = WinZipCTR(key: keys.aes)
        mac = HMAC<Insecure.SHA1>(key: keys.hmac)
    }

    mutating func encrypt(_ plain: [UInt8]) throws -> [UInt8] {
        var data = plain
        try ctr.apply(&data)
        mac.update(data: data)
        return data
    }

    mutating func authenticationCode() -> [UInt8] { Array(mac.finalize().prefix(WinZipAES.authLength)) }
}

/// Decrypts one entry, checking the password verifier first and the authentication code last.
struct EntryDecryptor {
    private var ctr: WinZipCTR
    private var mac: HMAC<Insecure.SHA1>

    init(password: String, salt: [UInt8], verifier: [UInt8]) throws {
        let keys = try WinZipAES.deriveKeys(password: password, salt: salt)
        guard keys.verifier == verifier else { throw ArchiveError.wrongPassword }
        ctr = WinZipCTR(key: keys.aes)
        mac = HMAC<Insecure.SHA1>(key: keys.hmac)
    }

    mutating func decrypt(_ cipher: [UInt8]) throws -> [UInt8] {
        mac.update(data: cipher)
        var data = cipher
        try ctr.apply(&data)
        return data
    }

    mutating func verify(_ code: [UInt8]) throws {
        let expected = Array(mac.finalize().prefix(WinZipAES.authLength))
        var diff: UInt8 = 0
        for (a, b) in zip(expected, code) { diff |= a ^ b }
        guard code.count == WinZipAES.authLength, diff == 0 else { throw ArchiveError.authenticationFailed }
    }
}

public enum ArchiveError: Error, Equatable, CustomStringConvertible, Sendable {
    case wrongPassword
    case authenticationFailed
    case notAZip
    case truncated
    case unsupported(String)
    case unencryptedEntry(String)
    case zipCryptoEntry(String)
    case unsafeName(String)
    case tooManyEntries(Int)
    case tooLarge(String)
    case suspiciousRatio(String)
    case corrupt(String)
    case outputExists(String)
    case weakPassword(String)

    public var description: String {
        switch self {
        case .wrongPassword: return "the password is wrong"
        case .authenticationFailed: return "the archive has been altered or damaged: authentication failed, nothing was kept"
        case .notAZip: return "this is not a ZIP archive"
        case .truncated: return "the archive is cut short"
        case .unsupported(let what): return "unsupported: \(what)"
        case .unencryptedEntry(let name): return "entry '\(name)' is not encrypted; Safehaven only opens AES-encrypted archives"
        case .zipCryptoEntry(let name): return "entry '\(name)' uses the old ZipCrypto cipher, which is broken; ask for a 256-bit AES archive"
        case .unsafeName(let name): return "entry '\(name)' would be written outside the output folder; refused"
        case .tooManyEntries(let n): return "the archive has \(n) entries, more than allowed"
        case .tooLarge(let name): return "entry '\(name)' expands beyond the size allowed"
        case .suspiciousRatio(let name): return "entry '\(name)' expands far more than real documents do (a zip bomb?)"
        case .corrupt(let why): return "the archive is damaged: \(why)"
        case .outputExists(let path): return "\(path) already exists; nothing was overwritten"
        case .weakPassword(let why): return why
        }
    }
}

enum WinZipError: Error { case keystream }
