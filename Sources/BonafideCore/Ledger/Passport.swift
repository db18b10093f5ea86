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

    public struct Figures: Codable, Sendable, Equatable {
        /// Commitments the organization owed that were completed or missed (each counted once).
        public var commitments: Int
        public var onTime: Int
        public var late: Int
        /// Passed their due date undelivered and never completed since.
        public var missed: Int
        public var partnerships: Int
        /// Partnerships whose receipt is cosigned by a partner's witness key, not only signed by the host's log.
        public var witnessedPartnerships: Int

        enum CodingKeys: String, CodingKey {
            case commitments, late, missed, partnerships
            case onTime = "on_time"
            case witnessedPartnerships = "witnessed_partnerships"
        }

        public init(commitments: Int, onTime: Int, late: Int, missed: Int, partnerships: Int, witnessedPartnerships: Int) {
            self.commitments = commitments
            self.onTime = onTime
            self.late = late
            self.missed = missed
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

    /// The figures a set of verified receipts proves: each commitment ("work") once, by its last record in its log
    /// (a completion after a miss counts as completed late).
    public static func count(_ reports: [Receipt.Report]) -> Figures {
        var f = Figures(commitments: 0, onTime: 0, late: 0, missed: 0, partnerships: reports.count, witnessedPartnerships: 0)
        for report in reports {
            if !report.cosigners.isEmpty { f.witnessedPartnerships += 1 }
            var last: [String: LedgerEntry] = [:]
            for (index, entry) in report.entries.sorted(by: { $0.index < $1.index }) {
                last[entry.payload["work"] ?? "entry \(index)"] = entry
            }
            for entry in last.values {
                f.commitments += 1
                if entry.type == missedRecord {
                    f.missed += 1
                } else if entry.payload["onTime"] == "yes" {
                    f.onTime += 1
                } else {
                    f.late += 1
                }
            }
        }
        return f
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
                "The stated figures (\(stated.onTime) of \(stated.commitments) on time, \(stated.missed) missed, \(stated.partnerships) partnerships) are not what the logs prove (\(proven.onTime) of \(proven.commitments), \(proven.missed) missed, \(proven.partnerships))."
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
                guard entry.type == commitmentRecord || entry.type == missedRecord else { throw .notARecord(i, entry.type) }
                guard entry.payload["owner"] == passport.organization else { throw .otherOrganization(i) }
            }
            reports.append(report)
        }
        let proven = count(reports)
        guard proven == passport.figures else { throw .figuresDisagree(stated: passport.figures, proven: proven) }
        return Report(passport: passport, figures: proven, receipts: reports)
    }
}
