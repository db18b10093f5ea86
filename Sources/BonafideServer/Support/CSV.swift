import Foundation

/// RFC 4180 CSV, enough for uploaded lists in and results out.
enum CSV {
    /// One row of a file: the line it starts on (for error messages) and its fields.
    struct Record: Sendable {
        var line: Int
        var fields: [String]

        /// The field in `column`, or empty when the column is absent or the row is short.
        func field(_ column: Int?) -> String { column.flatMap { $0 < fields.count ? fields[$0] : nil } ?? "" }
    }

    /// The rows of a file. Quoted fields may hold commas, doubled quotes and line breaks; blank rows are skipped;
    /// CRLF, LF and CR all end a row. Fields are trimmed of surrounding spaces.
    /// A quoted field that never closes: everything after it would silently become one field.
    struct UnclosedQuote: Error {
        let line: Int
        var message: String { "Line \(line): a quoted field is never closed (a \" is missing)." }
    }

    static func records(_ text: String) throws(UnclosedQuote) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var line = 1
        var start = 1
        var previousWasCR = false
        func endField() {
            fields.append(wasQuoted ? current : current.trimmingCharacters(in: .whitespaces))
            current = ""
            wasQuoted = false
        }
        func endRecord() {
            endField()
            // Rows of only separators (",,,", as spreadsheets write at the end) are blank rows.
            if fields.contains(where: { !$0.isEmpty }) { records.append(Record(line: start, fields: fields)) }
            fields = []
        }
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            let isBreak = c == "\n" || c == "\r"
            if isBreak {
                if !(c == "\n" && previousWasCR) { line += 1 }
                previousWasCR = c == "\r"
            } else {
                previousWasCR = false
            }
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            current.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.unicodeScalars.append(c)
                }
            } else if c == "\"" && current.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
                current = ""
            } else if c == "," {
                endField()
            } else if isBreak {
                if current.isEmpty && fields.isEmpty && !wasQuoted {
                    start = line
                    continue
                }
                endRecord()
                start = line
            } else {
                current.unicodeScalars.append(c)
            }
        }
        if quoted { throw UnclosedQuote(line: start) }
        if !current.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// One field, quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula.
    static func escape(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first), Double(v) == nil { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    static func row(_ values: [String]) -> String { values.map(escape).joined(separator: ",") + "\r\n" }
}
