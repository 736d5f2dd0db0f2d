import Foundation

/// A small QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1–10
/// (up to 213 bytes, plenty for an `otpauth://` address), with the mask chosen by the standard's
/// penalty rules. Written for Safehaven because no QR package is available; its output is checked
/// by decoding it with a real reader (`zbarimg`) in the tests.
public struct QRCode: Sendable {
    /// Modules, row by row; true is dark.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    public enum Failure: Error, Equatable { case tooLong }

    // Level M: data codewords per block group (count, data codewords) and EC codewords per block.
    static let blocks: [(groups: [(Int, Int)], ec: Int)] = [
        ([(1, 16)], 10), ([(1, 28)], 16), ([(1, 44)], 26), ([(2, 32)], 18), ([(2, 43)], 24),
        ([(4, 27)], 16), ([(4, 31)], 18), ([(2, 38), (2, 39)], 22), ([(3, 36), (2, 37)], 22), ([(4, 43), (1, 44)], 26),
    ]
    static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]
    static let versionBits: [Int: Int] = [7: 0x07C94, 8: 0x085BC, 9: 0x09A99, 10: 0x0A4D3]

    public init(_ text: String) throws {
        let data = Array(text.utf8)
        // Text beyond ASCII is announced as UTF-8 (ECI 26), so readers do not guess another charset.
        let eci = data.contains { $0 >= 0x80 }
        guard let version = (1...10).first(where: { v in
            let capacity = Self.blocks[v - 1].groups.reduce(0) { $0 + $1.0 * $1.1 }
            let bits = (eci ? 12 : 0) + 4 + (v >= 10 ? 16 : 8) + 8 * data.count
            return bits <= capacity * 8
        }) else { throw Failure.tooLong }
        let codewords = Self.interleave(Self.encodeData(data, version: version, eci: eci), version: version)
        var best: [[Bool]] = []
        var bestPenalty = Int.max
        for mask in 0..<8 {
            var grid = Grid(version: version)
            grid.placeFunctionPatterns()
            grid.placeData(codewords, mask: mask)
            grid.placeFormat(mask: mask)
            let penalty = grid.penalty()
            if penalty < bestPenalty { (best, bestPenalty) = (grid.dark, penalty) }
        }
        modules = best
    }

    /// The code as SVG, with a four-module quiet zone, scaled by `module` pixels.
    public func svg(module: Int = 6, label: String) -> String {
        let quiet = 4, side = (size + 2 * quiet) * module
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                path += "M\((x + quiet) * module) \((y + quiet) * module)h\(module)v\(module)h-\(module)z"
            }
        }
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(side)\" height=\"\(side)\" viewBox=\"0 0 \(side) \(side)\" role=\"img\" aria-label=\"\(escaped)\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    // MARK: data

    static func encodeData(_ data: [UInt8], version: Int, eci: Bool = false) -> [UInt8] {
        let capacity = blocks[version - 1].groups.reduce(0) { $0 + $1.0 * $1.1 }
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        if eci {
            append(0b0111, 4)
            append(26, 8)
        }
        append(0b0100, 4)
        append(data.count, version >= 10 ? 16 : 8)
        for byte in data { append(Int(byte), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var bytes = stride(from: 0, to: bits.count, by: 8).map { i in bits[i..<i + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) } }
        var pad: [UInt8] = [0xEC, 0x11]
        while bytes.count < capacity { bytes.append(pad[0]); pad.swapAt(0, 1) }
        return bytes
    }

    static func interleave(_ data: [UInt8], version: Int) -> [UInt8] {
        let spec = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for (count, length) in spec.groups {
            for _ in 0..<count {
                dataBlocks.append(Array(data[offset..<offset + length]))
                offset += length
            }
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, degree: spec.ec) }
        var out: [UInt8] = []
        for i in 0..<(dataBlocks.map(\.count).max() ?? 0) { for block in dataBlocks where i < block.count { out.append(block[i]) } }
        for i in 0..<spec.ec { for block in ecBlocks { out.append(block[i]) } }
        return out
    }

    // MARK: the grid

    struct Grid {
        let version: Int
        let size: Int
        var dark: [[Bool]]
        var reserved: [[Bool]]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: Array(repeating: false, count: size), count: size)
            reserved = dark
        }

        mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
            dark[y][x] = value
            reserved[y][x] = true
        }

        mutating func placeFunctionPatterns() {
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 {
                        let x = cx + dx, y = cy + dy
                        guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                        let d = max(abs(dx), abs(dy))
                        set(x, y, d != 2 && d != 4)
                    }
                }
            }
            for i in 8..<(size - 8) {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            let centres = QRCode.alignment[version - 1]
            for cy in centres {
                for cx in centres where !((cx == 6 && cy == 6) || (cx == 6 && cy == size - 7) || (cx == size - 7 && cy == 6)) {
                    for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
                }
            }
            // Reserve the format areas (written after masking) and the dark module.
            for i in 0..<9 {
                reserved[8][i] = true
                reserved[i][8] = true
            }
            for i in 0..<8 {
                reserved[8][size - 1 - i] = true
                reserved[size - 1 - i][8] = true
            }
            set(8, size - 8, true)
            if let bits = QRCode.versionBits[version] {
                for i in 0..<18 {
                    let bit = (bits >> i) & 1 == 1
                    let a = size - 11 + i % 3, b = i / 3
                    set(a, b, bit)
                    set(b, a, bit)
                }
            }
        }

        static func masked(_ mask: Int, _ x: Int, _ y: Int) -> Bool {
            switch mask {
            case 0: return (x + y) % 2 == 0
            case 1: return y % 2 == 0
            case 2: return x % 3 == 0
            case 3: return (x + y) % 3 == 0
            case 4: return (x / 3 + y / 2) % 2 == 0
            case 5: return x * y % 2 + x * y % 3 == 0
            case 6: return (x * y % 2 + x * y % 3) % 2 == 0
            default: return ((x + y) % 2 + x * y % 3) % 2 == 0
            }
        }

        /// Codeword bits in the zigzag order, two columns at a time from the bottom right.
        mutating func placeData(_ codewords: [UInt8], mask: Int) {
            var index = 0
            let total = codewords.count * 8
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vertical in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = ((right + 1) & 2) == 0
                        let y = upward ? size - 1 - vertical : vertical
                        guard !reserved[y][x] else { continue }
                        var bit = false
                        if index < total { bit = (codewords[index >> 3] >> (7 - UInt8(index & 7))) & 1 == 1 }
                        index += 1
                        dark[y][x] = bit != Grid.masked(mask, x, y)
                    }
                }
                right -= 2
            }
        }

        /// Level M (binary 00) and the mask, BCH-protected and XORed with 0x5412, in both copies.
        mutating func placeFormat(mask: Int) {
            let data = (0b00 << 3) | mask
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = ((data << 10) | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { dark[i][8] = bit(i) }
            dark[7][8] = bit(6)
            dark[8][8] = bit(7)
            dark[8][7] = bit(8)
            for i in 9..<15 { dark[8][14 - i] = bit(i) }
            for i in 0..<8 { dark[8][size - 1 - i] = bit(i) }
            for i in 8..<15 { dark[size - 15 + i][8] = bit(i) }
            dark[size - 8][8] = true
        }

        /// The standard's four penalty rules: runs, 2×2 blocks, finder-like patterns, balance.
        func penalty() -> Int {
            var score = 0
            for line in 0..<size {
                for horizontal in [true, false] {
                    var run = 1
                    var history: [Bool] = []
                    for i in 0..<size {
                        let value = horizontal ? dark[line][i] : dark[i][line]
                        history.append(value)
                        if i > 0 {
                            let previous = horizontal ? dark[line][i - 1] : dark[i - 1][line]
                            if value == previous {
                                run += 1
                                if run == 5 { score += 3 } else if run > 5 { score += 1 }
                            } else {
                                run = 1
                            }
                        }
                    }
                    let pattern: [Bool] = [true, false, true, true, true, false, true]
                    if history.count >= 11 {
                        for start in 0...(history.count - 7) where Array(history[start..<start + 7]) == pattern {
                            let before = start >= 4 && history[(start - 4)..<start].allSatisfy { !$0 }
                            let after = start + 11 <= history.count && history[(start + 7)..<(start + 11)].allSatisfy { !$0 }
                            if before || after { score += 40 }
                        }
                    }
                }
            }
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let v = dark[y][x]
                    if dark[y][x + 1] == v && dark[y + 1][x] == v && dark[y + 1][x + 1] == v { score += 3 }
                }
            }
            let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
            let percent = darkCount * 100 / (size * size)
            score += abs(percent - 50) / 5 * 10
            return score
        }
    }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1.
enum ReedSolomon {
    static let (exp, log): ([Int], [Int]) = {
        var exp = [Int](repeating: 0, count: 512), log = [Int](repeating: 0, count: 256)
        var x = 1
        for i in 0..<255 {
            exp[i] = x
            log[x] = i
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        for i in 255..<512 { exp[i] = exp[i - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: Int, _ b: Int) -> Int { a == 0 || b == 0 ? 0 : exp[log[a] + log[b]] }

    /// The generator polynomial of `degree`, highest power first (leading 1 left out).
    static func generator(_ degree: Int) -> [Int] {
        var poly = [1]
        for i in 0..<degree {
            var next = [Int](repeating: 0, count: poly.count + 1)
            for (j, c) in poly.enumerated() {
                next[j] ^= c
                next[j + 1] ^= multiply(c, exp[i])
            }
            poly = next
        }
        return Array(poly.dropFirst())
    }

    static func remainder(_ data: [UInt8], degree: Int) -> [UInt8] {
        let gen = generator(degree)
        var result = [Int](repeating: 0, count: degree)
        for byte in data {
            let factor = Int(byte) ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in 0..<degree { result[i] ^= multiply(gen[i], factor) }
        }
        return result.map { UInt8($0) }
    }
}
