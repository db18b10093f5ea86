import Foundation
import Vapor

extension PeriodicJob {
    /// Marks support requests still unanswered past their promise late and tells their providers (once each, however
    /// many servers run it). Its own job so that a failure here never holds up the commitment sweep.
    static func supportSweep(every interval: Duration) -> PeriodicJob {
        PeriodicJob("support sweep", every: interval) { app in
            let marked = try await Support.sweepOverdue(now: app.jobClock(), on: app.db)
            if marked > 0 { app.logger.info("marked \(marked) support request(s) late") }
        }
    }
}
