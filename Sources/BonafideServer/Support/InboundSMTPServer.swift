import BonafideCore
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// A small SMTP receiver (RFC 5321) for replies by mail, run with the server when BONAFIDE_INBOUND_SMTP is set.
///
/// Put it behind the domain's MX (or have the mail system relay reply+…@domain to it). It takes only reply
/// addresses with a genuine token (others get 550 at RCPT), at most 1 MB per message, and answers after DATA
/// whether the reply was posted (250) or refused (550 with the reason, which the sender's server bounces).
final class InboundSMTPServer: LifecycleHandler, @unchecked Sendable {
    // @unchecked: `channel` and `task` are only touched from the lifecycle callbacks, which Vapor calls serially.
    private let host: String
    private let port: Int
    private var channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>?
    private var task: Task<Void, Never>?
    /// A connection that stays longer than this is closed, whatever it is doing.
    static let connectionDeadline: Duration = .seconds(300)
    static let maxLine = 4_096

    /// The port it listens on (the one the system chose for port 0).
    var localPort: Int? { channel?.channel.localAddress?.port }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    func didBootAsync(_ app: Application) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        channel = server
        app.logger.info("receiving replies by mail on \(host):\(server.channel.localAddress?.port ?? port)")
        task = Task { [app] in
            try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            try? await withThrowingTaskGroup(of: Void.self) { inner in
                                inner.addTask { try await Self.serve(connection, app: app) }
                                inner.addTask { try await Task.sleep(for: Self.connectionDeadline) }
                                defer { inner.cancelAll() }
                                _ = try await inner.next()
                            }
                        }
                    }
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        try? await channel?.channel.close()
        task?.cancel()
        await task?.value
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, app: Application) async throws {
        let domain = app.bonafide.replyDomain
        let key = app.mailTokenKey
        try await connection.executeThenClose { inbound, outbound in
            func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
            try await say("220 \(domain ?? "bonafide") Bonafide reply receiver ESMTP")
            var recipients: [String] = []
            var sender: String?
            var inData = false
            var body: [UInt8] = []
            var tooLarge = false
            var pending: [UInt8] = []
            // Bytes of `pending` already searched for a line end: each byte is looked at once, however it arrives.
            var scanned = 0
            for try await chunk in inbound {
                pending += chunk.readableBytesView
                var start = 0
                var from = scanned
                while let newline = pending[from...].firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(pending[start..<newline])
                    start = newline + 1
                    from = start
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    if inData {
                        if line == [UInt8(ascii: ".")] {
                            inData = false
                            if tooLarge {
                                try await say("552 5.3.4 A reply may have at most 1 MB.")
                            } else {
                                let outcome: InboundReplies.Outcome
                                do {
                                    outcome = try await InboundReplies.receive(
                                        String(decoding: body, as: UTF8.self), recipients: recipients, domain: domain, key: key, on: app.db)
                                } catch {
                                    app.logger.warning("inbound mail: \(error)")
                                    try await say("451 4.3.0 Temporary failure; try again later.")
                                    (recipients, sender, tooLarge, body) = ([], nil, false, [])
                                    continue
                                }
                                switch outcome {
                                case .posted, .repliedToUpdate: try await say("250 2.0.0 Posted in the thread.")
                                case .refused(let why): try await say("550 5.7.1 \(why.filter { !$0.isNewline })")
                                case .malformed(let why): try await say("554 5.6.0 \(why.filter { !$0.isNewline })")
                                }
                            }
                            (recipients, sender, tooLarge, body) = ([], nil, false, [])
                            continue
                        }
                        if line.first == UInt8(ascii: ".") { line.removeFirst() }  // dot-stuffing
                        if body.count + line.count + 2 > InboundMessage.maxBytes {
                            tooLarge = true
                        } else {
                            body += line
                            body += [13, 10]
                        }
                        continue
                    }
                    let text = String(decoding: line, as: UTF8.self)
                    let verb = text.split(separator: " ").first.map { $0.uppercased() } ?? ""
                    switch verb {
                    case "EHLO":
                        try await say(
                            "250-\(domain ?? "bonafide")\r\n250-SIZE \(InboundMessage.maxBytes)\r\n250-8BITMIME\r\n250 PIPELINING")
                    case "HELO": try await say("250 \(domain ?? "bonafide")")
                    case "MAIL":
                        sender = text
                        recipients = []
                        try await say("250 2.1.0 OK")
                    case "RCPT":
                        let address =
                            text.split(separator: ":", maxSplits: 1).last.map {
                                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
                            } ?? ""
                        if sender == nil {
                            try await say("503 5.5.1 MAIL first")
                        } else if recipients.count >= 20 {
                            try await say("452 4.5.3 Too many recipients")
                        } else if let token = InboundReplies.token(in: address, domain: domain),
                            NotificationMail.openReplyToken(token, key: key) != nil
                        {
                            recipients.append(address.lowercased())
                            try await say("250 2.1.5 OK")
                        } else {
                            try await say("550 5.1.1 No such reply address here.")
                        }
                    case "DATA":
                        if recipients.isEmpty {
                            try await say("554 5.5.1 No valid recipients")
                        } else {
                            inData = true
                            try await say("354 End data with <CR><LF>.<CR><LF>")
                        }
                    case "RSET":
                        (recipients, sender) = ([], nil)
                        try await say("250 2.0.0 OK")
                    case "NOOP": try await say("250 2.0.0 OK")
                    case "QUIT":
                        try await say("221 2.0.0 Bye")
                        return
                    default: try await say("502 5.5.2 Command not implemented")
                    }
                }
                pending.removeSubrange(..<start)
                scanned = pending.count
                if pending.count > Self.maxLine && !inData {
                    try await say("500 5.5.6 Line too long")
                    return
                }
                if inData, pending.count > InboundMessage.maxBytes - body.count + Self.maxLine {
                    tooLarge = true
                    pending.removeAll()
                    scanned = 0
                }
            }
        }
    }
}
