import ArgumentParser
import BonafideServer
import Foundation

extension Bonafide {
    struct MailCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mail", abstract: "Mail the server receives.", subcommands: [Receive.self])
    }

    /// For a mail system's pipe transport (Postfix `pipe`, Exim `pipe`, procmail): one message on standard input.
    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post a reply to a message notification, read from standard input, in its thread.",
            discussion: """
                Exit status 0: posted. 67: refused (unknown or forged reply address, a replayed mail, a sender other than \
                the person it was sent to), with the reason on standard error for the bounce. 65: not a mail.
                """)

        @OptionGroup var storage: StorageOptions
        @Option(
            name: .customLong("to"),
            help: "The envelope recipient (the reply address); repeatable. Default: the To, Cc and Delivered-To headers.")
        var recipients: [String] = []

        func run() async throws {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard !data.isEmpty else {
                FileHandle.standardError.write(Data("No mail on standard input.\n".utf8))
                throw ExitCode(65)
            }
            let config = try storage.config()
            Runner.bootstrapLogging(.error)
            switch try await Runner.receiveMail(config, raw: String(decoding: data, as: UTF8.self), recipients: recipients) {
            case .posted(let text): print(text)
            case .refused(let why):
                FileHandle.standardError.write(Data((why + "\n").utf8))
                throw ExitCode(67)
            case .notAMail(let why):
                FileHandle.standardError.write(Data((why + "\n").utf8))
                throw ExitCode(65)
            }
        }
    }
}
