import Foundation

/// An iCalendar (RFC 5545) document: escaped text, lines folded at 75 octets, CRLF line ends, times in UTC.
struct ICalendar: Sendable {
    struct Event: Sendable {
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

    static func local(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

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
