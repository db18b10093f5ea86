import Foundation

/// A received mail, parsed enough to answer a thread: its headers, and its text (the text/plain part of a MIME
/// message, decoded from base64 or quoted-printable). Linear in the size of the message; nested multiparts are
/// followed to a bounded depth.
///
/// ```swift
/// let mail = try InboundMessage(parsing: raw)
/// mail.header("Message-ID")           // "<abc@example.com>"
/// ReplyText.strip(mail.text ?? "")    // what the person wrote, without the quote and signature
/// ```
public struct InboundMessage: Sendable {
    public enum Malformed: Error, Equatable, CustomStringConvertible {
        case noHeaders, tooLarge, noText
        public var description: String {
            switch self {
            case .noHeaders: "The message has no header section."
            case .tooLarge: "The message is larger than the 1 MB a reply may have."
            case .noText: "The message has no plain-text or HTML part."
            }
        }
    }

    public static let maxBytes = 1_048_576

    public let headers: [(name: String, value: String)]
    public let text: String?

    public init(parsing raw: String) throws {
        guard raw.utf8.count <= Self.maxBytes else { throw Malformed.tooLarge }
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let (headers, body) = Self.split(normalized) else { throw Malformed.noHeaders }
        self.headers = headers
        guard let text = Self.text(headers: headers, body: body, depth: 0) else { throw Malformed.noText }
        self.text = text
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func headers(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Bare addresses in address headers ("Ana <ana@x.example>, b@y.example" → both addresses), lower-cased.
    public static func addresses(in value: String) -> [String] {
        var result: [String] = []
        for part in value.split(separator: ",") {
            let piece = String(part)
            if let open = piece.lastIndex(of: "<"), let close = piece.lastIndex(of: ">"), open < close {
                result.append(String(piece[piece.index(after: open)..<close]).trimmingCharacters(in: .whitespaces).lowercased())
            } else {
                let bare = piece.trimmingCharacters(in: .whitespaces)
                if bare.contains("@") { result.append(bare.lowercased()) }
            }
        }
        return result
    }

    /// Headers (unfolded) and body; nil without the empty line that ends the headers.
    static func split(_ text: String) -> ([(name: String, value: String)], String)? {
        guard let end = text.range(of: "\n\n") ?? (text.hasSuffix("\n") ? text.range(of: "\n", options: .backwards) : nil) else {
            return nil
        }
        var headers: [(name: String, value: String)] = []
        for line in text[..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (
                        String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    ))
            }
        }
        guard !headers.isEmpty else { return nil }
        return (headers, String(text[end.upperBound...]))
    }

    /// A header's main value and its parameters (`multipart/alternative; boundary="x"`).
    static func parameters(_ value: String) -> (String, [String: String]) {
        let parts = value.split(separator: ";")
        let main = parts.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var params: [String: String] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let key = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var v = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            params[key] = v
        }
        return (main, params)
    }

    private static func value(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    static func text(headers: [(name: String, value: String)], body: String, depth: Int) -> String? {
        let (type, params) = parameters(value(headers, "Content-Type") ?? "text/plain")
        if type.hasPrefix("multipart/"), depth < 5, let boundary = params["boundary"], !boundary.isEmpty {
            var plain: String?
            var html: String?
            for part in body.components(separatedBy: "--" + boundary).dropFirst() {
                if part.hasPrefix("--") { break }
                let trimmed = part.hasPrefix("\n") ? String(part.dropFirst()) : part
                guard let (h, b) = split(trimmed) else {
                    // A part without headers is text/plain.
                    if plain == nil { plain = trimmed }
                    continue
                }
                let (partType, _) = parameters(value(h, "Content-Type") ?? "text/plain")
                if partType == "text/plain", plain == nil {
                    plain = decode(b, headers: h)
                } else if partType == "text/html", html == nil {
                    html = decode(b, headers: h)
                } else if partType.hasPrefix("multipart/"), plain == nil {
                    plain = text(headers: h, body: b, depth: depth + 1)
                }
            }
            return plain ?? html.map(stripTags)
        }
        if type == "text/plain" { return decode(body, headers: headers) }
        if type == "text/html" { return decode(body, headers: headers).map(stripTags) }
        return nil
    }

    static func decode(_ body: String, headers: [(name: String, value: String)]) -> String? {
        let encoding = value(headers, "Content-Transfer-Encoding")?.lowercased() ?? "7bit"
        let (_, params) = parameters(value(headers, "Content-Type") ?? "text/plain")
        let bytes: [UInt8]
        switch encoding {
        case "base64":
            guard let data = Data(base64Encoded: body.filter { !$0.isWhitespace }) else { return nil }
            bytes = Array(data)
        case "quoted-printable": bytes = quotedPrintable(body)
        default: bytes = Array(body.utf8)
        }
        let charset = params["charset"]?.lowercased() ?? "utf-8"
        if charset == "utf-8" || charset == "us-ascii" { return String(decoding: bytes, as: UTF8.self) }
        // Latin-1 and Windows-1252 bytes map to the first 256 code points, near enough for replies.
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    static func quotedPrintable(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: b - 48
            case 65...70: b - 55
            case 97...102: b - 87
            default: nil
            }
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 1 < bytes.count {
                if bytes[i + 1] == UInt8(ascii: "\n") {  // soft line break
                    i += 2
                    continue
                }
                if i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// HTML to text, crudely: tags dropped, line breaks at block ends, entities for the common characters.
    static func stripTags(_ html: String) -> String {
        var out = ""
        var inTag = false
        var tag = ""
        for ch in html {
            if ch == "<" {
                inTag = true
                tag = ""
            } else if ch == ">", inTag {
                inTag = false
                let name = tag.lowercased().split(separator: " ").first.map(String.init) ?? ""
                if ["br", "br/", "/p", "/div", "/li", "/tr", "/blockquote"].contains(name) { out += "\n" }
                if name == "blockquote" { out += "\n> " }
            } else if inTag {
                tag.append(ch)
            } else {
                out.append(ch)
            }
        }
        return out.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// What a person wrote in a reply, without the quoted mail below it and without their signature.
public enum ReplyText {
    public static func strip(_ text: String) -> String {
        var kept: [Substring] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // The signature separator ("-- ") and what mail apps put above a quote end what the person wrote.
            if line == "-- " || trimmed == "--" || trimmed.hasPrefix("-----Original Message-----") || trimmed.hasPrefix("________________")
            {
                break
            }
            if isAttribution(trimmed, next: index + 1 < lines.count ? lines[index + 1] : nil) { break }
            if trimmed.hasPrefix(">") { continue }
            if trimmed.hasPrefix("Sent from my ") || trimmed.hasPrefix("Get Outlook for ") { break }
            kept.append(line)
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// "On Tue, 3 Dec 2026 at 10:00, Ana <ana@x> wrote:" (possibly wrapped onto the next line), and its
    /// German, French and Spanish forms; also "From: ..." that starts a forwarded or Outlook-quoted block.
    static func isAttribution(_ line: String, next: Substring?) -> Bool {
        let lower = line.lowercased()
        let starts = ["on ", "am ", "le ", "el "]
        let verbs = ["wrote", "schrieb", "a écrit", "escribió"]
        if starts.contains(where: lower.hasPrefix) {
            let joined = lower + " " + (next.map { $0.lowercased().trimmingCharacters(in: .whitespaces) } ?? "")
            for text in [lower, joined] where text.hasSuffix(":") && verbs.contains(where: text.contains) { return true }
        }
        return lower.hasPrefix("from: ") && next.map { $0.lowercased().hasPrefix("sent: ") || $0.lowercased().hasPrefix("date: ") } == true
    }
}
