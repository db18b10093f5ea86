import Foundation
import Vapor

extension PeriodicJob {
    /// Mails the reminders of events that start within a day; each event's go out once, whichever server claims it.
    static func eventReminders(every interval: Duration) -> PeriodicJob {
        PeriodicJob("event reminders", every: interval) { app in
            let events = try await Events.sendReminders(now: app.jobClock(), baseURL: app.bonafide.baseURL, on: app.db)
            if events > 0 { app.logger.info("sent the reminders of \(events) event(s)") }
        }
    }
}
