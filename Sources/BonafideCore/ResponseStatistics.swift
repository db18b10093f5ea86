import Foundation

/// Summary figures for how quickly a side answers requests.
public enum ResponseStatistics {
    /// The median of the values; nil when there are none. Even counts average the middle pair.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
