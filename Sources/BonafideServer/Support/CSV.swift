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

    /// A quoted field that never closes: everything after it would silently become one field.
    struct UnclosedQuote: Error {
        let line: Int
        var message: String { "Line \(line): a quoted field is never closed (a \" is missing)." }
    }

    /// The rows of a file. Quoted fields may hold commas, doubled quotes and line breaks; blank rows are skipped;
    /// CRLF, LF and CR all end a row. Unquoted fields are trimmed of surrounding spaces and tabs.
    ///
    /// Files are uploaded by anyone with an account, so the work is one pass over the bytes whatever they
    /// hold: every decision looks at the current byte and a few flags, never back at the field so far.
    static func records(_ text: String) throws(UnclosedQuote) -> [Record] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        var records: [Record] = []
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var line = 1
        var start = 1
        var previousWasCR = false
        // Whether the unquoted field so far holds anything but blanks: a quote only opens a field before that.
        var hasContent = false
        func endField() {
            if wasQuoted {
                fields.append(String(decoding: current, as: UTF8.self))
            } else {
                var slice = current[...]
                while let b = slice.first, isBlank(b) { slice.removeFirst() }
                while let b = slice.last, isBlank(b) { slice.removeLast() }
                fields.append(String(decoding: slice, as: UTF8.self))
            }
            current.removeAll(keepingCapacity: true)
            wasQuoted = false
            hasContent = false
        }
        func endRecord() {
            endField()
            // Rows of only separators (",,,", as spreadsheets write at the end) are blank rows.
            if fields.contains(where: { !$0.isEmpty }) { records.append(Record(line: start, fields: fields)) }
            fields = []
        }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            let isBreak = c == lf || c == cr
            if isBreak {
                if !(c == lf && previousWasCR) { line += 1 }
                previousWasCR = c == cr
            } else {
                previousWasCR = false
            }
            if quoted {
                if c == quote {
                    if i < bytes.count, bytes[i] == quote {
                        current.append(quote)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == quote && !hasContent && !wasQuoted {
                quoted = true
                wasQuoted = true
                current.removeAll(keepingCapacity: true)
            } else if c == comma {
                endField()
            } else if isBreak {
                if current.isEmpty && fields.isEmpty && !wasQuoted {
                    start = line
                    continue
                }
                endRecord()
                start = line
            } else {
                if !isBlank(c) { hasContent = true }
                current.append(c)
            }
        }
        if quoted { throw UnclosedQuote(line: start) }
        if !current.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// One field, quoted when needed. A cell that starts with = + - @ (after any spaces or line breaks, which
    /// spreadsheets skip) or with a tab or line break is defused with a leading apostrophe, so spreadsheets show
    /// it instead of running it as a formula.
    static func escape(_ value: String) -> String {
        var v = value
        let scalars = v.unicodeScalars
        if let first = scalars.first, Double(v) == nil {
            let lead = scalars.first { !" \t\r\n".unicodeScalars.contains($0) }
            if "\t\r\n".unicodeScalars.contains(first) || lead.map({ "=+-@".unicodeScalars.contains($0) }) == true { v = "'" + v }
        }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    static func row(_ values: [String]) -> String { values.map(escape).joined(separator: ",") + "\r\n" }
}
