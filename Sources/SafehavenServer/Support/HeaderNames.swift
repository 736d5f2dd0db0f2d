import HTTPTypes

/// Header names HTTPTypes does not predefine, spelled once.
extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xContentSHA256 = HTTPField.Name("X-Content-SHA256")!
}
