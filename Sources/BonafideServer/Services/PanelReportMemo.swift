import BonafideCore
import Foundation

/// Trust panel reports already decoded, by their stored text: a snapshot's report never changes once written, and
/// decoding it again for every view of the same panel was a thirtieth of a partnership page's CPU. Keyed by the text
/// itself, so an entry answers only for exactly the text it was decoded from, in any database of the process. When full
/// it starts over, which costs one decode per panel.
typealias PanelReportMemo = BoundedMemo<TextKey, TrustService.PanelReport>

extension BoundedMemo where Key == TextKey, Value == TrustService.PanelReport {
    /// Bounded by entries and by the text held (at most some 8 MB).
    convenience init(maxEntries: Int = 512, maxBytes: Int = 8 << 20) {
        self.init(maxEntries: maxEntries, maxBytes: maxBytes, whenFull: .startOver) { text, _ in text.text.utf8.count }
    }

    /// The report `text` decodes to, decoded by `decode` when it is not kept yet; nil when it does not decode.
    func report(of text: String, _ decode: (String) -> TrustService.PanelReport?) -> TrustService.PanelReport? {
        value(of: TextKey(text)) { decode($0.text) }
    }
}
