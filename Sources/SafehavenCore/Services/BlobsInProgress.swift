import Foundation
import Synchronization

/// Blobs this process is writing for work not yet committed (an upload still streaming, an
/// export being made). The orphan sweep leaves them alone however long the work takes.
public final class BlobsInProgress: Sendable {
    private let ids = Mutex<[String: Int]>([:])

    public init() {}

    public func add(_ id: String) { ids.withLock { $0[id, default: 0] += 1 } }

    public func remove(_ id: String) {
        ids.withLock { ids in
            guard let count = ids[id] else { return }
            ids[id] = count > 1 ? count - 1 : nil
        }
    }

    public func remove(_ blobIDs: [String]) { for id in blobIDs { remove(id) } }

    public var current: Set<String> { ids.withLock { Set($0.keys) } }
}
