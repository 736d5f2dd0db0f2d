import Foundation
import NIOCore
import SafehavenCore

/// Reads a browser's multipart form of a share or a reply: the text fields come first (the
/// browser sends them in page order, before the files), and are checked, CSRF token included,
/// as soon as the first file part starts or the form ends; files stream sealed into the upload.
/// An empty file input (no file chosen) sends a part with no name: it is skipped.
final class WebUploadSink: PartSink {
    static let fieldLimit = 256 * 1024
    let upload: ShareUpload
    /// Runs once with the text fields, before any file is stored: checks the token and the draft.
    let accept: ([String: String]) async throws -> Void
    private(set) var fields: [String: String] = [:]
    private var fieldBytes = 0
    private var current: (name: String, bytes: [UInt8])?
    private var file: IncomingFile?
    private var accepted = false

    init(upload: ShareUpload, accept: @escaping ([String: String]) async throws -> Void) {
        self.upload = upload
        self.accept = accept
    }

    func begin(_ headers: MultipartStream.PartHeaders) async throws {
        let name = headers.name ?? ""
        if let filename = headers.filename {
            try await acceptOnce()
            guard name == "files", !filename.isEmpty else { return }
            file = try await upload.beginFile(name: filename, contentType: headers.contentType ?? "application/octet-stream")
        } else {
            guard !accepted else { throw SafehavenError.badRequest("malformed_form", "Text fields must come before the files.") }
            current = (name, [])
        }
    }

    func body(_ chunk: ByteBuffer) async throws {
        if let file {
            try await file.write(chunk.readableBytesView)
        } else if current != nil {
            fieldBytes += chunk.readableBytes
            guard fieldBytes <= Self.fieldLimit else {
                throw SafehavenError(.tooLarge, code: "form_too_large", message: "That form sent far more text than any page of Safehaven needs.")
            }
            current!.bytes.append(contentsOf: chunk.readableBytesView)
        }
    }

    func end() async throws {
        if let file {
            _ = try await file.finish()
            self.file = nil
        } else if let current {
            fields[current.name] = FormBody.normaliseNewlines(String(decoding: current.bytes, as: UTF8.self))
            self.current = nil
        }
    }

    /// After the last part: the fields are checked even when no file was sent.
    func finish() async throws { try await acceptOnce() }

    private func acceptOnce() async throws {
        guard !accepted else { return }
        accepted = true
        try await accept(fields)
    }

    func abandon() {
        file?.abort()
        file = nil
        upload.discard()
    }
}
