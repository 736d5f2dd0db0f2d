import Foundation

/// The secure exchange: send, list, open, download, confirm, reply, revoke, delete and expire.
/// Only the sender and the addressees of a share can see it; anyone else is told it does not exist.
public struct ShareService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }
}
