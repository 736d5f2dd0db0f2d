import Foundation

/// Builds multipart/form-data bodies for tests.
public struct MultipartBody {
    public let boundary: String
    private var data = Data()

    public init(boundary: String = "safehaven-test-boundary-7d1e") { self.boundary = boundary }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func add(name: String, filename: String? = nil, contentType: String? = nil, _ bytes: Data) {
        data.append(Data("--\(boundary)\r\n".utf8))
        var disposition = "Content-Disposition: form-data; name=\"\(name)\""
        if let filename { disposition += "; filename=\"\(filename)\"" }
        data.append(Data((disposition + "\r\n").utf8))
        if let contentType { data.append(Data("Content-Type: \(contentType)\r\n".utf8)) }
        data.append(Data("\r\n".utf8))
        data.append(bytes)
        data.append(Data("\r\n".utf8))
    }

    public mutating func addJSON(name: String = "share", _ object: [String: Any]) {
        add(name: name, contentType: "application/json", try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The finished body, with the closing boundary.
    public func finished() -> Data {
        var out = data
        out.append(Data("--\(boundary)--\r\n".utf8))
        return out
    }
}
