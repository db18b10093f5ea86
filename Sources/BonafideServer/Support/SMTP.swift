import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how outgoing mail is submitted: `BONAFIDE_SMTP_URL`, parsed once at start-up.
///
///     smtp://user:password@mail.example.com:587   STARTTLS when the server offers it (required before a password)
///     smtps://user:password@mail.example.com      TLS from the first byte (port 465)
///     smtp://127.0.0.1:1025                       a local relay or test receiver, no authentication
struct SMTPSettings: Sendable, Equatable {
    enum Security: Sendable, Equatable {
        /// STARTTLS when offered; a password is only ever sent over TLS, except to a loopback relay.
        case startTLS
        case implicitTLS
    }

    var host: String
    var port: Int
    var security: Security
    var username: String?
    var password: String?
    /// The envelope sender and the address in `From:`.
    var fromAddress: String
    /// Extra certificate authorities (PEM) to trust, for a relay with a private CA.
    var caFile: String?

    /// localhost, 127.0.0.0/8 or ::1, parsed as addresses (a name such as 127.mail.example.com is not loopback).
    var isLoopback: Bool {
        if host == "localhost" { return true }
        guard let bytes = numericAddress(host) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// The name the certificate is checked against (SNI); none for an IP address.
    var serverName: String? { numericAddress(host) == nil ? host : nil }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the URL; `from` is the sender address (`BONAFIDE_MAIL_FROM`).
    static func parse(url raw: String, from: String, caFile: String? = nil) throws -> SMTPSettings {
        guard let url = URLComponents(string: raw), let scheme = url.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { throw Invalid(description: "expected smtp://[user:password@]host[:port] or smtps://...") }
        guard MailAddress.isValid(from) else { throw Invalid(description: "the sender address \"\(from)\" is not an e-mail address") }
        let security: Security = scheme == "smtps" ? .implicitTLS : .startTLS
        return SMTPSettings(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
            port: url.port ?? (security == .implicitTLS ? 465 : 587), security: security,
            username: url.percentEncodedUser.flatMap { $0.removingPercentEncoding },
            password: url.percentEncodedPassword.flatMap { $0.removingPercentEncoding },
            fromAddress: from, caFile: caFile)
    }
}

/// The bytes of a numeric IPv4 (4) or IPv6 (16) address; nil for a name.
func numericAddress(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
}

enum MailAddress {
    /// A conservative check for addresses put in an SMTP envelope: one @, no spaces, brackets or line breaks.
    static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), address.utf8.count <= 254 else { return false }
        return !address.unicodeScalars.contains { $0.value < 33 || $0.value == 127 || "<>()[],;:\\\"".unicodeScalars.contains($0) }
    }
}

/// One message as submitted: the envelope and an RFC 5322 text.
struct MailMessage: Sendable {
    var to: String
    var subject: String
    var body: String
    /// The name shown before the sender address ("Acme via Bonafide").
    var fromName: String
    var messageID: String
    var date: Date
    /// A simple HTML version of `body`; with it the mail is multipart/alternative.
    var html: String? = nil
    /// More headers (threading, unsubscribe, Reply-To); names and values are flattened to one line each.
    var headers: [(name: String, value: String)] = []
    /// An iCalendar invitation (METHOD:REQUEST), sent as the last alternative, where mail apps look for it.
    var calendar: String? = nil

    /// The message text with CRLF line ends; the bodies are base64, so no line starts with a dot and none is too long.
    func rendered(from address: String) -> String {
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(Self.displayName(fromName)) <\(address)>",
            "To: <\(to)>",
            "Subject: \(Self.encodedWord(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        for header in self.headers {
            let name = header.name.filter { $0.isLetter || $0.isNumber || $0 == "-" }
            let value = header.value.split(whereSeparator: \.isNewline).joined(separator: " ")
            headers.append("\(name): \(value)")
        }
        headers.append("Auto-Submitted: auto-generated")
        guard let html else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + Self.base64Body(body) + "\r\n"
        }
        // Base64 parts never contain "=_" at a line start, so the boundary cannot occur inside them.
        let boundary = "=_bonafide_" + messageID.filter { $0.isLetter || $0.isNumber }.prefix(32)
        headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        // RFC 6047: the part's method names the calendar's METHOD (an invitation, or its cancellation).
        let calendarPart =
            calendar.map { text in [("text/calendar; method=\(text.contains("\r\nMETHOD:CANCEL\r\n") ? "CANCEL" : "REQUEST")", text)] }
            ?? []
        let parts = ([("text/plain", body), ("text/html", html)] + calendarPart).map { type, text in
            "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Self.base64Body(text) + "\r\n"
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined() + "--\(boundary)--\r\n"
    }

    private static func base64Body(_ text: String) -> String {
        Data(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// Header text without line breaks (no header injection), as RFC 2047 encoded words when it is not plain ASCII.
    static func encodedWord(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let plain = flat.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 } && !flat.contains("=?")
        if plain && flat.utf8.count < 900 { return flat }
        return encodedWords(flat)
    }

    /// A display name before an address. Organization names are chosen by whoever signs up, so a name such as
    /// `Mallory <ceo@bank.example>` or `Acme, Inc.` must stay one name: specials are quoted (RFC 5322
    /// quoted-string), anything not plain ASCII is encoded.
    static func displayName(_ name: String) -> String {
        let flat = name.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }), flat.utf8.count < 900, !flat.contains("=?") else {
            return encodedWords(flat)
        }
        let atext = flat.unicodeScalars.allSatisfy {
            $0 == " " || CharacterSet.alphanumerics.contains($0) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0)
        }
        if atext { return flat }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Encoded words are at most 75 characters: the UTF-8 text is cut after spaces where it can be (some readers
    /// show a cut inside a word as a space), else between characters.
    private static func encodedWords(_ text: String) -> String {
        // Cut by Unicode scalars: one character (an emoji sequence) can be longer than a whole encoded word.
        var words: [String] = []
        var chunk = ""
        for ch in text.unicodeScalars {
            if chunk.utf8.count + String(ch).utf8.count > 45 {
                if let space = chunk.lastIndex(of: " "), space != chunk.startIndex {
                    words.append(String(chunk[...space]))
                    chunk = String(chunk[chunk.index(after: space)...])
                } else {
                    words.append(chunk)
                    chunk = ""
                }
            }
            chunk.unicodeScalars.append(ch)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}

/// What went wrong submitting mail, and whether trying again later can help.
struct SMTPError: Error, CustomStringConvertible, Equatable {
    /// 5xx replies: the server will never take this message (unknown mailbox, refused content).
    var permanent: Bool
    /// The connection is gone or unusable (closed, 421): the messages not yet tried wait for the next pass.
    var connectionLost = false
    var description: String
}

/// A minimal SMTP submission client (RFC 5321, STARTTLS RFC 3207, AUTH PLAIN/LOGIN RFC 4954): one connection
/// sends a batch of messages, RSET between them, so one refused recipient does not fail the others.
struct SMTPSession: Sendable {
    struct Reply: Sendable {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " ") }
    }

    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let reader: LineReader
    let settings: SMTPSettings

    /// Connects, reads the greeting, says EHLO, upgrades to TLS and authenticates as the settings say, runs `body`
    /// with the session, then says QUIT and closes. A failure before `body` concerns every message: it is never
    /// permanent, so the messages wait for a retry. A cancelled task ends the session with `CancellationError`.
    static func withSession<Result: Sendable>(
        _ settings: SMTPSettings, heloName: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (SMTPSession) async throws -> Result
    ) async throws -> Result {
        let tls = try makeTLSContext(settings)
        let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            connection = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.security == .implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: settings.serverName))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SMTPError(
                permanent: false, description: "Could not connect to the mail server \(settings.host):\(settings.port): \(reason(error))")
        }
        // A stalled server must not hold the delivery job: the connection is closed after five minutes whatever happens.
        let channel = connection.channel
        let deadline = channel.eventLoop.scheduleTask(in: .minutes(5)) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        return try await connection.executeThenClose { inbound, outbound in
            var session = SMTPSession(channel: channel, outbound: outbound, reader: LineReader(inbound), settings: settings)
            do {
                try await session.setUp(tls: tls, heloName: heloName)
            } catch is CancellationError {
                // Shutdown, not the server: the caller counts no attempt for it.
                throw CancellationError()
            } catch {
                _ = try? await session.command("QUIT", expect: 221)
                if let e = error as? SMTPError { throw SMTPError(permanent: false, description: e.description) }
                throw SMTPError(permanent: false, description: "The mail server \(settings.host) failed: \(error)")
            }
            let result = try await body(session)
            _ = try? await session.command("QUIT", expect: 221)
            return result
        }
    }

    private init(channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, reader: LineReader, settings: SMTPSettings) {
        self.channel = channel
        self.outbound = outbound
        self.reader = reader
        self.settings = settings
    }

    private mutating func setUp(tls: NIOSSLContext, heloName: String) async throws {
        try await expect(read(), 220, "greeting")
        var ehlo = try await command("EHLO \(heloName)", expect: 250)
        var secure = settings.security == .implicitTLS
        let offers = { (reply: Reply) in Set(reply.lines.dropFirst().map { $0.uppercased() }) }
        if !secure && offers(ehlo).contains("STARTTLS") {
            try await command("STARTTLS", expect: 220)
            // Anything after the 220 arrived in clear: a man in the middle injecting replies for the encrypted session.
            guard reader.isEmpty else {
                throw SMTPError(
                    permanent: false, description: "\(settings.host) sent data after agreeing to STARTTLS; refusing the session")
            }
            let name = settings.serverName
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: tls, serverHostname: name), position: .first)
            }.get()
            secure = true
            ehlo = try await command("EHLO \(heloName)", expect: 250)  // RFC 3207: forget what was said before TLS
        }
        guard let user = settings.username, let password = settings.password else { return }
        guard secure || settings.isLoopback else {
            throw SMTPError(
                permanent: false,
                description:
                    "\(settings.host) does not offer STARTTLS; the password is never sent in clear (use smtps:// or a server with STARTTLS)"
            )
        }
        let mechanisms =
            offers(ehlo).first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }.map {
                Set($0.dropFirst(5).split(separator: " ").map(String.init))
            } ?? []
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
            try await command("AUTH PLAIN \(token)", expect: 235, shown: "AUTH PLAIN (credentials)")
        } else {
            try await command("AUTH LOGIN", expect: 334)
            try await command(Data(user.utf8).base64EncodedString(), expect: 334, shown: "(user name)")
            try await command(Data(password.utf8).base64EncodedString(), expect: 235, shown: "(password)")
        }
    }

    /// Submits one message; the server's refusal is returned as an error that says whether to retry.
    func send(_ message: MailMessage) async throws {
        guard MailAddress.isValid(message.to) else {
            throw SMTPError(permanent: true, description: "\"\(message.to)\" is not an e-mail address")
        }
        do {
            try await command("MAIL FROM:<\(settings.fromAddress)>", expect: 250)
            try await command("RCPT TO:<\(message.to)>", expect: 250, 251)
            try await command("DATA", expect: 354)
            try await command(message.rendered(from: settings.fromAddress) + ".", expect: 250, shown: "(message text)", submits: true)
        } catch let error as SMTPError {
            if !error.connectionLost { _ = try? await command("RSET", expect: 250) }
            throw error
        }
    }

    /// Once the final dot of a message is out, the server may have taken it: waiting for its answer then outlasts a
    /// cancellation by up to this long (within shutdown's grace for the jobs), so that a message it accepted is recorded
    /// as sent, not handed back and sent again by the next pass.
    static let answerAfterCancel: TimeAmount = .milliseconds(2500)

    @discardableResult
    private func command(_ line: String, expect codes: Int..., shown: String? = nil, submits: Bool = false) async throws -> Reply {
        var buffer = channel.allocator.buffer(capacity: line.utf8.count + 2)
        buffer.writeString(line)
        buffer.writeString("\r\n")
        let reply: Reply
        do {
            try await outbound.write(buffer)
            if submits {
                // Read in a task of its own: a cancelled read drops even an answer NIO already holds.
                let session = self
                reply = try await withTaskCancellationHandler {
                    try await Task { try await session.read() }.value
                } onCancel: { [channel] in
                    _ = channel.eventLoop.scheduleTask(in: Self.answerAfterCancel) { channel.close(promise: nil) }
                }
            } else {
                reply = try await read()
            }
        } catch let error as SMTPError {
            // The connection closed because shutdown stopped waiting: not the server's failure.
            if Task.isCancelled, error.connectionLost { throw CancellationError() }
            throw error
        } catch is CancellationError {
            // The task was cancelled (shutdown) while writing or waiting for the reply: the connection is given up, but
            // the server did nothing wrong, which the caller must be able to tell.
            throw CancellationError()
        } catch {
            // Over TLS the close after a cancel can end the read with a TLS error (an unclean shutdown): still shutdown's.
            if Task.isCancelled { throw CancellationError() }
            throw SMTPError(permanent: false, connectionLost: true, description: "Lost the connection to \(settings.host): \(error)")
        }
        guard codes.contains(reply.code) else {
            let what = shown ?? line.split(separator: " ").prefix(2).joined(separator: " ")
            throw SMTPError(
                permanent: reply.code >= 500, connectionLost: reply.code == 421,
                description: "\(settings.host) answered \(what) with \(reply.code) \(reply.text)")
        }
        return reply
    }

    private func expect(_ reply: Reply, _ code: Int, _ what: String) throws {
        guard reply.code == code else {
            throw SMTPError(permanent: false, description: "\(settings.host) answered the \(what) with \(reply.code) \(reply.text)")
        }
    }

    /// One reply, which may span lines ("250-first", "250 last").
    private func read() async throws -> Reply {
        var lines: [String] = []
        while true {
            guard let line = try await reader.next() else {
                throw SMTPError(permanent: false, connectionLost: true, description: "\(settings.host) closed the connection")
            }
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code) else {
                throw SMTPError(
                    permanent: false, connectionLost: true, description: "\(settings.host) sent something that is not an SMTP reply")
            }
            lines.append(String(line.dropFirst(4)))
            if bytes.count == 3 || bytes[3] != UInt8(ascii: "-") { return Reply(code: code, lines: lines) }
        }
    }

    private static func makeTLSContext(_ settings: SMTPSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Closing waits this long for the server's close_notify (5 s by default): with `answerAfterCancel`, a session
        // cut by shutdown must end within the jobs' grace, or the unsent messages are not handed back in time.
        configuration.shutdownTimeout = .milliseconds(500)
        if let caFile = settings.caFile {
            configuration.additionalTrustRoots = [.file(caFile)]
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// A connection failure in a few words ("connection refused") rather than NIO's full error value.
private func reason(_ error: any Error) -> String {
    if let e = error as? NIOConnectionError {
        if let first = e.connectionErrors.first?.error { return reason(first) }
        return "the name could not be resolved"
    }
    if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
    if let e = error as? ChannelError, case .connectTimeout = e { return "no answer within 10 seconds" }
    return "\(error)"
}

/// Splits the inbound byte stream into CRLF-terminated lines. A class because the stream's iterator is
/// consumed across calls; only the session's one task uses it.
private final class LineReader: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending: [UInt8] = []

    var isEmpty: Bool { pending.isEmpty }

    init(_ stream: NIOAsyncChannelInboundStream<ByteBuffer>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> String? {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<end])
                pending.removeFirst(end + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard pending.count < 64 * 1024, let buffer = try await iterator.next() else { return nil }
            pending.append(contentsOf: buffer.readableBytesView)
        }
    }
}
