import Foundation

/// An iCalendar (RFC 5545) document: escaped text, lines folded at 75 octets, CRLF line ends, times in UTC.
struct ICalendar: Sendable {
    struct Event: Sendable {
        /// Written by each feed in the form its events were first published with, on purpose not through
        /// `UUID.apiString`: a calendar takes an event whose UID changed for a new one and shows it twice.
        var uid: String
        var sequence: Int
        var start: Date
        var end: Date?
        var summary: String
        var description: String
        var url: String?
        /// TENTATIVE, CONFIRMED or CANCELLED.
        var status: String
        /// A recurrence rule such as "FREQ=WEEKLY;INTERVAL=2".
        var rule: String?
        var organizer: String?
        /// With a zone, DTSTART and DTEND are local times in it (TZID), so a recurrence keeps its wall-clock time.
        var timeZone: TimeZone? = nil
        var location: String? = nil
        var organizerEmail: String? = nil
        var attendees: [(name: String, email: String)] = []
    }

    var name: String
    var method = "PUBLISH"
    var events: [Event] = []

    func render(stamp: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bonafide//Bonafide//EN", "CALSCALE:GREGORIAN", "METHOD:\(method)",
            "X-WR-CALNAME:\(Self.text(name))",
        ]
        // RFC 5545 wants a VTIMEZONE for every TZID used.
        var zones: [String: Date] = [:]
        for e in events { if let zone = e.timeZone, zones[zone.identifier] == nil { zones[zone.identifier] = e.start } }
        for (identifier, start) in zones.sorted(by: { $0.key < $1.key }) {
            if let zone = TimeZone(identifier: identifier) { lines += Self.vtimezone(zone, year: start) }
        }
        for e in events {
            lines += ["BEGIN:VEVENT", "UID:\(Self.text(e.uid))", "DTSTAMP:\(Self.utc(stamp))"]
            if let zone = e.timeZone {
                lines.append("DTSTART;TZID=\(zone.identifier):\(Self.local(e.start, zone))")
                if let end = e.end { lines.append("DTEND;TZID=\(zone.identifier):\(Self.local(end, zone))") }
            } else {
                lines.append("DTSTART:\(Self.utc(e.start))")
                if let end = e.end { lines.append("DTEND:\(Self.utc(end))") }
            }
            if let location = e.location { lines.append("LOCATION:\(Self.text(location))") }
            if let rule = e.rule { lines.append("RRULE:\(rule)") }
            lines += [
                "SEQUENCE:\(e.sequence)", "STATUS:\(e.status)", "SUMMARY:\(Self.text(e.summary))",
                "DESCRIPTION:\(Self.text(e.description))",
            ]
            if let url = e.url { lines.append("URL:\(url.filter { !$0.isNewline })") }
            if let organizer = e.organizer {
                lines.append("ORGANIZER;CN=\(Self.parameter(organizer)):mailto:\(e.organizerEmail ?? "noreply@bonafide.invalid")")
            }
            for a in e.attendees {
                lines.append(
                    "ATTENDEE;CN=\(Self.parameter(a.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:\(a.email)")
            }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The zone's rules in the year of `date`: each change of offset as a yearly rule ("the last Sunday of March"),
    /// or one fixed offset for a zone without daylight saving.
    static func vtimezone(_ zone: TimeZone, year date: Date) -> [String] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+"
            let m = abs(seconds) / 60
            return String(format: "%@%02d%02d", sign, m / 60, m % 60)
        }
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"]
        let year = utc.component(.year, from: date)
        let start = utc.date(from: DateComponents(year: year, month: 1, day: 1))!
        let end = utc.date(from: DateComponents(year: year + 1, month: 1, day: 1))!
        var transitions: [Date] = []
        var cursor = start
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end, transitions.count < 4 {
            transitions.append(next)
            cursor = next
        }
        if transitions.isEmpty {
            let fixed = offset(zone.secondsFromGMT(for: date))
            return lines + [
                "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(fixed)", "TZOFFSETTO:\(fixed)", "END:STANDARD",
                "END:VTIMEZONE",
            ]
        }
        let days = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        for t in transitions {
            let before = zone.secondsFromGMT(for: t.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: t)
            // The wall-clock moment of the change, as clocks showed it just before.
            let wall = t.addingTimeInterval(Double(before))
            let c = utc.dateComponents([.month, .day, .weekday], from: wall)
            let monthDays = utc.range(of: .day, in: .month, for: wall)?.count ?? 31
            let ordinal = c.day! + 7 > monthDays ? -1 : (c.day! - 1) / 7 + 1
            let kind = zone.isDaylightSavingTime(for: t) ? "DAYLIGHT" : "STANDARD"
            lines += [
                "BEGIN:\(kind)",
                "DTSTART:\(local(wall, .gmt))",
                "RRULE:FREQ=YEARLY;BYMONTH=\(c.month!);BYDAY=\(ordinal)\(days[c.weekday! - 1])",
                "TZOFFSETFROM:\(offset(before))", "TZOFFSETTO:\(offset(after))", "END:\(kind)",
            ]
        }
        return lines + ["END:VTIMEZONE"]
    }

    static func local(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func utc(_ date: Date) -> String { local(date, .gmt) + "Z" }

    /// TEXT values: backslash, semicolon, comma and line breaks escaped.
    static func text(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r\n", "\n", "\r": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A parameter value in quotes, which may not contain quotes or control characters.
    static func parameter(_ value: String) -> String {
        "\"" + value.filter { $0 != "\"" && !$0.isNewline && $0.asciiValue.map { $0 >= 32 } ?? true } + "\""
    }

    /// Lines longer than 75 octets continue on the next line after a space, never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = ""
        var current = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if current + size > limit {
                result += "\r\n "
                current = 0
                limit = 74
            }
            result.unicodeScalars.append(scalar)
            current += size
        }
        return result
    }
}
