import Crypto
import Foundation

/// A trust passport: an organization's record figures, each backed by the partnerships' logs, checkable offline
/// by anyone without trusting the host. The file is canonical JSON (`bonafide-passport/v1`, keys sorted, no
/// whitespace) holding one receipt (`bonafide-receipt/v1`) per partnership with the record entries the figures
/// count: entries written for this purpose that carry no private content (who owed the work, when it was due and
/// delivered, whether on time or missed; no titles, no names of the partner). Receipts prove that what they show is
/// in the logs, not that nothing was left out: a partner's own receipt of the same log would show an omission.
///
/// The host signs the whole file with its log key (a signed note over the digest of the file without its
/// signature), so what the logs cannot prove (the name, the date) is at least bound to the same key.
/// Verification re-encodes what it parsed and demands the same bytes, checks that signature and every receipt
/// (log signature, partners' cosignatures, inclusion proofs), demands that every entry is a record of this
/// organization signed by the same log key, and recounts the figures: any altered byte fails.
public struct Passport: Codable, Sendable, Equatable {
    public static let version = "bonafide-passport/v1"
    /// The log entry type a completed commitment's record has.
    public static let commitmentRecord = "record.commitmentCompleted"

    public static let missedRecord = "record.commitmentMissed"
    /// An incident the organization was responsible for, once its handling has a verdict (`verdict`).
    public static let incidentRecord = "record.incidentHandled"
    /// A testimonial a partner wrote (`author`, `text`), and its withdrawal.
    public static let testimonialRecord = "record.testimonial"
    public static let testimonialWithdrawnRecord = "record.testimonialWithdrawn"
    /// A credential a partner issued and confirmed (`kind`, `title`, `issuer`), and its revocation.
    public static let credentialRecord = "record.credentialVerified"
    public static let credentialRevokedRecord = "record.credentialRevoked"
    static let recordTypes: Set<String> = [
        commitmentRecord, missedRecord, incidentRecord, testimonialRecord, testimonialWithdrawnRecord, credentialRecord,
        credentialRevokedRecord,
    ]
    /// What a passport shows of a testimonial or credential; the figures count them.
    public struct Statement: Sendable, Equatable {
        public var author: String
        public var text: String

        public init(author: String, text: String) {
            self.author = author
            self.text = text
        }
    }

    public struct Figures: Codable, Sendable, Equatable {
        /// Commitments the organization owed that were completed or missed (each counted once).
        public var commitments: Int
        public var onTime: Int
        public var late: Int
        /// Passed their due date undelivered and never completed since.
        public var missed: Int
        /// Incidents the organization was responsible for whose handling has a verdict.
        public var incidents: Int
        public var handledOpenly: Int
        public var mishandled: Int
        /// Testimonials partners wrote after completed work and have not withdrawn.
        public var testimonials: Int
        /// Credentials issued by a partner, confirmed and not revoked.
        public var credentials: Int
        public var partnerships: Int
        /// Partnerships whose receipt is cosigned by a partner's witness key, not only signed by the host's log.
        public var witnessedPartnerships: Int

        enum CodingKeys: String, CodingKey {
            case commitments, late, missed, partnerships, incidents, mishandled, testimonials, credentials
            case onTime = "on_time"
            case handledOpenly = "handled_openly"
            case witnessedPartnerships = "witnessed_partnerships"
        }

        /// The figures in a few words, for messages.
        public var summary: String {
            "\(onTime) of \(commitments) commitments on time, \(missed) missed, \(handledOpenly) of \(incidents) incidents handled openly, "
                + "\(testimonials) testimonials, \(credentials) credentials, \(partnerships) partnerships"
        }

        public init(
            commitments: Int = 0, onTime: Int = 0, late: Int = 0, missed: Int = 0, incidents: Int = 0, handledOpenly: Int = 0,
            mishandled: Int = 0, testimonials: Int = 0, credentials: Int = 0, partnerships: Int, witnessedPartnerships: Int
        ) {
            self.commitments = commitments
            self.onTime = onTime
            self.late = late
            self.missed = missed
            self.incidents = incidents
            self.handledOpenly = handledOpenly
            self.mishandled = mishandled
            self.testimonials = testimonials
            self.credentials = credentials
            self.partnerships = partnerships
            self.witnessedPartnerships = witnessedPartnerships
        }
    }

    public var format: String
    public var organization: String
    /// The name the host gives the organization (not proven by the logs).
    public var name: String
    public var issuedAt: String
    public var figures: Figures
    public var receipts: [String]
    /// The log key that signed every receipt and this file, `name+keyid+base64`.
    public var logKey: String
    /// A signed note by the log key whose text is `signedText`.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case format, organization, name, figures, receipts, signature
        case issuedAt = "issued_at"
        case logKey = "log_key"
    }

    public init(organization: UUID, name: String, issuedAt: Date, figures: Figures, receipts: [Receipt], signer: NoteSigner) throws {
        self.format = Self.version
        self.organization = organization.uuidString.lowercased()
        self.name = name
        self.issuedAt = Date.ISO8601FormatStyle().format(issuedAt)
        self.figures = figures
        self.receipts = receipts.map { String(decoding: $0.encoded, as: UTF8.self) }
        self.logKey = signer.verifier.encoded
        self.signature = ""
        let text = signedText
        self.signature = SignedNote(text: text, signatures: [try signer.sign(text)]).serialized
    }

    /// What the host signs: the format and the SHA-256 of the file with an empty signature.
    public var signedText: String {
        var unsigned = self
        unsigned.signature = ""
        return "\(Self.version)\n\(Data(SHA256.hash(data: unsigned.encoded)).base64EncodedString())\n"
    }

    public var encoded: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and arrays of strings always encode.
        return Array(try! encoder.encode(self))
    }

    /// The figures a set of verified receipts proves: each commitment, incident, testimonial and credential once, by
    /// its last record in its log (a completion after a miss counts as completed late; a withdrawn testimonial or a
    /// revoked credential does not count).
    public static func count(_ reports: [Receipt.Report]) -> Figures {
        var f = Figures(partnerships: reports.count, witnessedPartnerships: 0)
        for entry in lastRecords(reports) {
            switch entry.type {
            case commitmentRecord, missedRecord:
                f.commitments += 1
                if entry.type == missedRecord {
                    f.missed += 1
                } else if entry.payload["onTime"] == "yes" {
                    f.onTime += 1
                } else {
                    f.late += 1
                }
            case incidentRecord:
                f.incidents += 1
                if entry.payload["verdict"] == "handledOpenly" { f.handledOpenly += 1 } else { f.mishandled += 1 }
            case testimonialRecord: f.testimonials += 1
            case credentialRecord: f.credentials += 1
            default: break
            }
        }
        f.witnessedPartnerships = reports.filter { !$0.cosigners.isEmpty }.count
        return f
    }

    /// The testimonials and credentials the receipts prove, oldest first.
    public static func statements(_ reports: [Receipt.Report]) -> (testimonials: [Statement], credentials: [Statement]) {
        let last = lastRecords(reports)
        return (
            last.filter { $0.type == testimonialRecord }.map {
                Statement(author: $0.payload["author"] ?? "", text: $0.payload["text"] ?? "")
            },
            last.filter { $0.type == credentialRecord }.map {
                Statement(author: $0.payload["issuer"] ?? "", text: "\($0.payload["kind"] ?? ""): \($0.payload["title"] ?? "")")
            }
        )
    }

    /// Records that a later one of the same family replaces: a miss by a completion, a testimonial by its withdrawal.
    static func family(of type: String) -> String {
        switch type {
        case commitmentRecord, missedRecord: "commitment"
        case testimonialRecord, testimonialWithdrawnRecord: "testimonial"
        case credentialRecord, credentialRevokedRecord: "credential"
        default: type
        }
    }

    /// Per partnership log, the last record of each thing recorded (its `work` or `item`), in log order.
    static func lastRecords(_ reports: [Receipt.Report]) -> [LedgerEntry] {
        var out: [LedgerEntry] = []
        for report in reports {
            var last: [String: (index: UInt64, entry: LedgerEntry)] = [:]
            for (index, entry) in report.entries {
                let key = family(of: entry.type) + ":" + (entry.payload["work"] ?? entry.payload["item"] ?? "entry \(index)")
                if let seen = last[key], seen.index > index { continue }
                last[key] = (index, entry)
            }
            out += last.values.sorted { $0.index < $1.index }.map(\.entry)
        }
        return out
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case notJSON(String)
        case unknownFormat(String)
        case notCanonical
        case receipt(Int, Receipt.Failure)
        case notARecord(Int, String)
        case otherOrganization(Int)
        case samePartnershipTwice(Int)
        case unwitnessed(Int, String)
        case figuresDisagree(stated: Figures, proven: Figures)
        case badKey(String)
        case untrustedLogKey(found: String)
        case signature
        case otherLogKey(Int)

        public var description: String {
            switch self {
            case .notJSON(let why): "Not a passport (expected \(Passport.version) JSON): \(why)"
            case .unknownFormat(let f): "Unknown passport format \"\(f.prefix(40))\"; this tool reads \(Passport.version)."
            case .notCanonical: "The file is not byte for byte the canonical encoding of its contents: it was altered after it was issued."
            case .receipt(let i, let failure): "Receipt \(i + 1): \(failure.description)"
            case .notARecord(let i, let type):
                "Receipt \(i + 1) carries a \"\(type.prefix(60))\" entry, not a record entry the figures count."
            case .otherOrganization(let i): "Receipt \(i + 1) counts work owed by another organization."
            case .samePartnershipTwice(let i): "Receipt \(i + 1) repeats a partnership's log: its entries would count twice."
            case .unwitnessed(let i, let origin):
                "Receipt \(i + 1) (\(origin.prefix(80))) is signed by the host alone, not cosigned by a partner; pass --allow-unwitnessed to accept that."
            case .badKey(let why): "The log key is malformed: \(why)"
            case .untrustedLogKey(let found): "The passport is signed by the log key \(found), not the one you trust."
            case .signature: "The host's signature over the passport does not verify: it was altered after it was issued."
            case .otherLogKey(let i): "Receipt \(i + 1) is signed by another log key than the passport."
            case .figuresDisagree(let stated, let proven):
                "The stated figures (\(stated.summary)) are not what the logs prove (\(proven.summary))."
            }
        }
    }

    public struct Report: Sendable {
        public var passport: Passport
        public var figures: Figures
        public var receipts: [Receipt.Report]
    }

    /// Checks a passport file offline. A pinned log key, when given, must be the one that signed every log.
    public static func verify(_ bytes: [UInt8], trustedLogKey: String? = nil, allowUnwitnessed: Bool = false) throws(Failure) -> Report {
        let passport: Passport
        do { passport = try JSONDecoder().decode(Passport.self, from: Data(bytes)) } catch {
            throw .notJSON("\(error)".prefix(200).description)
        }
        guard passport.format == version else { throw .unknownFormat(passport.format) }
        guard passport.encoded == bytes else { throw .notCanonical }
        let log: NoteVerifier
        do { log = try NoteVerifier(passport.logKey) } catch { throw .badKey(error.description) }
        if let trustedLogKey, trustedLogKey != passport.logKey { throw .untrustedLogKey(found: passport.logKey) }
        guard let note = try? SignedNote.parse(passport.signature), note.serialized == passport.signature,
            note.text == passport.signedText, note.signatures.count == 1, note.verified(by: log)
        else { throw .signature }
        var reports: [Receipt.Report] = []
        var origins = Set<String>()
        for (i, text) in passport.receipts.enumerated() {
            let report: Receipt.Report
            do { report = try Receipt.verify(Array(text.utf8), trustedLogKey: passport.logKey) } catch {
                if case .untrustedLogKey = error { throw .otherLogKey(i) }
                throw .receipt(i, error)
            }
            guard origins.insert(report.origin).inserted else { throw .samePartnershipTwice(i) }
            if report.cosigners.isEmpty, !allowUnwitnessed { throw .unwitnessed(i, report.origin) }
            for (_, entry) in report.entries {
                guard recordTypes.contains(entry.type) else { throw .notARecord(i, entry.type) }
                guard entry.payload["owner"] == passport.organization else { throw .otherOrganization(i) }
            }
            reports.append(report)
        }
        let proven = count(reports)
        guard proven == passport.figures else { throw .figuresDisagree(stated: passport.figures, proven: proven) }
        return Report(passport: passport, figures: proven, receipts: reports)
    }
}
