import Foundation
import NIOConcurrencyHelpers

/// Trust panel reports already decoded, by their stored text: a snapshot's report never changes once written, and
/// decoding it again for every view of the same panel was a thirtieth of a partnership page's CPU. Keyed by the text
/// itself, so an entry answers only for exactly the text it was decoded from, in any database of the process. Bounded
/// by entries and by the text held (at most some 8 MB); when full it starts over, which costs one decode per panel.
final class PanelReportMemo: @unchecked Sendable {
    // @unchecked: `kept` and `held` are only touched under `lock`.
    private let lock = NIOLock()
    private var kept: [String: TrustService.PanelReport] = [:]
    private var held = 0
    let maxEntries: Int
    let maxBytes: Int

    init(maxEntries: Int = 512, maxBytes: Int = 8 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The report `text` decodes to, decoded by `decode` when it is not kept yet; nil when it does not decode.
    func report(of text: String, _ decode: (String) -> TrustService.PanelReport?) -> TrustService.PanelReport? {
        if let kept = lock.withLock({ kept[text] }) { return kept }
        guard let report = decode(text) else { return nil }
        let size = text.utf8.count
        guard size <= maxBytes / 16 else { return report }
        lock.withLock {
            if kept.count >= maxEntries || held + size > maxBytes {
                kept = [:]
                held = 0
            }
            if kept.updateValue(report, forKey: text) == nil { held += size }
        }
        return report
    }
}
