import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One entry of an RSS 2.0 or Atom feed, reduced to what a mention needs.
public struct FeedItem: Sendable, Equatable {
    /// The feed's own identifier for the entry (RSS `guid`, Atom `id`), when it has one.
    public var guid: String?
    public var link: String?
    public var title: String
    /// The summary or content as plain text: tags stripped, character references decoded.
    public var text: String
    public var author: String?
    public var published: Date?
}

public struct Feed: Sendable, Equatable {
    public enum Format: String, Sendable { case rss, atom }
    public var format: Format
    public var title: String
    public var items: [FeedItem]
}

public struct FeedError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Reads RSS 2.0 (and RSS 1.0/RDF) and Atom 1.0 feeds with the toolchain's XML parser.
///
/// ```swift
/// let feed = try FeedParser.parse(data)
/// feed.items.first?.published   // from RSS pubDate (RFC 822) or Atom published/updated (RFC 3339)
/// ```
///
/// External entities are never resolved, so a feed cannot make the server read files or other URLs.
public enum FeedParser {
    public static func parse(_ data: Data) throws -> Feed {
        let delegate = Delegate()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let finished = parser.parse()
        if let root = delegate.root, delegate.format == nil {
            throw FeedError(description: "This is XML but not a feed: expected an <rss>, <rdf:RDF> or Atom <feed> root, found <\(root)>.")
        }
        // The toolchain's parser can report success after an error, so errors are also collected as they occur.
        if !finished || delegate.errorLine != nil {
            let line = delegate.errorLine ?? parser.lineNumber
            let what = delegate.errorCode.flatMap { xmlProblems[$0] }.map { ": \($0)" } ?? ""
            throw FeedError(description: "The feed is not well-formed XML at line \(line)\(what).")
        }
        guard let format = delegate.format else { throw FeedError(description: "The feed is empty.") }
        return Feed(format: format, title: clean(delegate.feedTitle), items: delegate.items)
    }

    /// Plain text from feed markup: tags dropped (block tags become spaces), references decoded, whitespace collapsed.
    public static func clean(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var inTag = false
        for c in html {
            if inTag {
                if c == ">" {
                    inTag = false
                    out.append(" ")
                }
            } else if c == "<" {
                inTag = true
            } else {
                out.append(c)
            }
        }
        return HTMLEntities.decode(out).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// RFC 822/1123 dates as RSS writes them (also without the weekday or seconds, and with zone names), and
    /// RFC 3339 as Atom writes them.
    public static func date(_ raw: String) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        for formatter in iso8601 { if let d = formatter.date(from: text) { return d } }
        for format in rfc822Formats {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = format
            if let d = f.date(from: text) { return d }
        }
        return nil
    }

    nonisolated(unsafe) private static let iso8601: [ISO8601DateFormatter] = {
        // Formatters are only read after creation; reading is thread-safe.
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return [plain, fractional]
    }()

    private static let rfc822Formats = [
        "EEE, d MMM yyyy HH:mm:ss zzz", "EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm:ss Z",
        "EEE, d MMM yyyy HH:mm zzz", "EEE, d MMM yyyy HH:mm Z", "EEE, d MMM yyyy", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd",
    ]

    private static let xmlProblems: [Int: String] = [
        4: "the document is empty", 5: "the document ends before its elements are closed", 9: "a character is not valid UTF-8",
        26: "an entity is not defined", 38: "an attribute is not quoted", 41: "an attribute has no value",
        73: "a tag is not closed", 76: "an end tag does not match its start tag",
    ]

    private final class Delegate: NSObject, XMLParserDelegate {
        static let atom = "http://www.w3.org/2005/Atom"
        var format: Feed.Format?
        var root: String?
        var feedTitle = ""
        var items: [FeedItem] = []
        private var current: FeedItem?
        private var path: [String] = []
        private var buffer = ""
        private var atomLinkRank = Int.max
        /// Depth inside Atom xhtml content, whose child elements are the text's markup, not feed structure.
        private var markupDepth = 0
        var errorLine: Int?
        var errorCode: Int?

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            guard errorLine == nil, format != nil || root == nil else { return }
            errorLine = parser.lineNumber
            errorCode = (parseError as NSError).code
        }

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if markupDepth > 0 || (path.last == "content" && current != nil) {
                markupDepth += 1
                buffer += " "
                return
            }
            if path.isEmpty {
                root = qualifiedName ?? element
                if element == "rss" || element == "RDF" {
                    format = .rss
                } else if element == "feed" && namespaceURI == Self.atom {
                    format = .atom
                } else {
                    parser.abortParsing()
                }
            }
            path.append(element)
            buffer = ""
            if element == "item" || element == "entry" {
                current = FeedItem(guid: nil, link: nil, title: "", text: "", author: nil, published: nil)
                atomLinkRank = .max
            } else if element == "link", current != nil, let href = attributes["href"] {
                // Atom: prefer rel="alternate" (or no rel), the page a person would open.
                let rel = attributes["rel"] ?? "alternate"
                let rank = rel == "alternate" ? 0 : rel == "related" ? 1 : 2
                if rank < atomLinkRank {
                    atomLinkRank = rank
                    current?.link = href
                }
            } else if element == "item", let about = attributes["about"] {
                current?.guid = about
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { buffer += String(decoding: CDATABlock, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            if markupDepth > 0 {
                markupDepth -= 1
                buffer += " "
                return
            }
            let value = buffer.trimmingCharacters(in: .whitespacesAndNewlines)
            buffer = ""
            defer { path.removeLast() }
            guard current != nil else {
                if element == "title", path.count <= 3, feedTitle.isEmpty { feedTitle = value }
                return
            }
            let parent = path.count >= 2 ? path[path.count - 2] : ""
            switch element {
            case "item", "entry":
                if let item = current { items.append(item) }
                current = nil
            case "title" where parent == "item" || parent == "entry":
                current?.title = FeedParser.clean(value)
            case "link" where current?.link == nil && !value.isEmpty:
                current?.link = value
            case "guid", "id":
                if !value.isEmpty { current?.guid = value }
            case "description", "summary", "encoded":
                if current?.text.isEmpty ?? true { current?.text = FeedParser.clean(value) }
            case "content":
                // Atom content is fuller than its summary.
                if !value.isEmpty { current?.text = FeedParser.clean(value) }
            case "pubDate", "published", "date", "issued":
                if let d = FeedParser.date(value) { current?.published = d }
            case "updated", "modified":
                if current?.published == nil, let d = FeedParser.date(value) { current?.published = d }
            case "name" where parent == "author":
                current?.author = value
            case "author", "creator":
                if current?.author == nil, !value.isEmpty { current?.author = value }
            default:
                break
            }
        }
    }
}
