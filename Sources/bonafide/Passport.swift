import ArgumentParser
import BonafideCore
import Foundation

extension Bonafide {
    struct PassportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passport",
            abstract: "Download an organization's trust passport and check one offline.",
            discussion: """
                A passport holds an organization's record figures (commitments kept on time, late, missed; incidents \
                handled openly or mishandled; testimonials; credentials confirmed by partners) with the entries \
                of its partnerships' logs that prove them: inclusion proofs against checkpoints the host signed and the \
                partners cosigned. verify needs no server and trusts no host: any altered byte fails.
                """,
            subcommands: [Get.self, Verify.self])
    }
}

extension Bonafide.PassportCommand {
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a passport: your organization's, or another's with a public profile.")
        @OptionGroup var client: ClientOptions
        @Option(help: "The organization's id (default: yours).") var organization: String?
        @Option(help: "Output file (default: passport-<id>.json).") var out: String?

        func validate() throws {
            if let organization, UUID(uuidString: organization) == nil { throw ValidationError("The organization id must be a UUID.") }
        }

        func run() async throws {
            var id = organization?.lowercased()
            if id == nil {
                let org = try await client.call(.GET, "/organization") as? [String: Any] ?? [:]
                id = string(org["id"]).lowercased()
            }
            let data = try await client.send(.GET, "/organizations/\(id ?? "")/passport", needsToken: client.resolved().token != nil)
            let file = URL(fileURLWithPath: out ?? "passport-\((id ?? "").prefix(8)).json")
            try data.write(to: file)
            print("Wrote \(file.path). Check it anywhere with: bonafide passport verify \(file.path)")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a passport offline and print what it proves; exits 1 if any byte was altered.")
        @Argument(help: "The passport file.") var file: String
        @Option(help: "The log key you trust (name+keyid+base64); default: the one in each receipt.") var logKey: String?
        @Flag(help: "Accept partnerships whose checkpoint only the host signed (no partner cosigned it).") var allowUnwitnessed = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("Cannot read \(file).") }
            let report: Passport.Report
            do { report = try Passport.verify(Array(data), trustedLogKey: logKey, allowUnwitnessed: allowUnwitnessed) } catch {
                throw ClientError(description: "Passport NOT valid: \(error.description)")
            }
            let f = report.figures
            print("Passport valid.")
            print("Organization: \(report.passport.organization) (named “\(report.passport.name)” by the host)")
            print("Issued:       \(report.passport.issuedAt) (as the host says)")
            print(
                "Proven:       \(f.onTime) of \(f.commitments) commitments kept on time, \(f.late) late, \(f.missed) missed, in \(f.partnerships) partnership\(f.partnerships == 1 ? "" : "s")"
            )
            print("Incidents:    \(f.handledOpenly) of \(f.incidents) it was responsible for handled openly, \(f.mishandled) mishandled")
            let statements = Passport.statements(report.receipts)
            print("Testimonials: \(f.testimonials) from partners after completed work")
            for t in statements.testimonials { print("  “\(t.text)” (\(t.author))") }
            print("Credentials:  \(f.credentials) confirmed by the partner that issued them")
            for c in statements.credentials { print("  \(c.text) (\(c.author))") }
            print("Witnessed:    \(f.witnessedPartnerships) of \(f.partnerships) partnership logs cosigned by a partner")
            for r in report.receipts {
                let cosigners = r.cosigners.map(\.key.name).joined(separator: ", ")
                print(
                    "  \(r.origin): \(r.entries.count) record\(r.entries.count == 1 ? "" : "s") in a log of \(r.size), signed by \(r.logKey.name)\(cosigners.isEmpty ? "" : ", cosigned by \(cosigners)")"
                )
            }
            if logKey == nil { print("The log key was taken from the passport; pin it with --log-key to trust only your host's.") }
        }
    }
}
