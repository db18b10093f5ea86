import ArgumentParser
import BonafideCore
import Foundation

extension Bonafide {
    struct LedgerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "Witness your partnerships' logs and export or check receipts.",
            discussion: """
                init registers your organization's witness key; sync checks each partnership's log against \
                what you saw before, cosigns it and uploads the cosignature; export writes a receipt; \
                verify checks one offline.
                """,
            subcommands: [Init.self, Sync.self, Export.self, Verify.self])
    }
}

/// Where the witness keeps its key and what it has seen, per server: ~/.config/bonafide/witness.
struct WitnessOptions: ParsableArguments {
    @Option(help: "The witness private key file (default: ~/.config/bonafide/witness/key).") var keyFile: String?

    var directory: URL { ClientOptions.credentialsFile.deletingLastPathComponent().appendingPathComponent("witness") }
    var keyURL: URL { keyFile.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("key") }

    func loadKey() throws -> NoteSigner {
        guard let text = try? String(contentsOf: keyURL, encoding: .utf8) else {
            throw ClientError(description: "No witness key at \(keyURL.path): run `bonafide ledger init` first.")
        }
        do { return try NoteSigner(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw ClientError(description: "The witness key at \(keyURL.path) is unreadable: \(error.description)")
        }
    }

    /// A folder per server, so two servers' partnerships never mix.
    func stateFolder(server: String) throws -> URL {
        let name = server.replacingOccurrences(of: "://", with: "_").map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" }
        let url = directory.appendingPathComponent("seen").appendingPathComponent(String(name))
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }
}

func writePrivate(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let temporary = url.appendingPathExtension("tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw ClientError(description: "Cannot write \(url.path).")
    }
    // Replace atomically: a crash never leaves half a checkpoint behind.
    guard rename(temporary.path, url.path) == 0 else { throw ClientError(description: "Cannot write \(url.path): error \(errno).") }
}

extension ClientOptions {
    /// A text answer (checkpoints, keys), as sent.
    func text(_ path: String, needsToken: Bool = true) async throws -> String {
        String(decoding: try await send(.GET, path, needsToken: needsToken), as: UTF8.self)
    }

    /// The server's log verifier key as it publishes it, one line.
    func logKeyText() async throws -> String {
        try await text("/ledger/key", needsToken: false).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

func base64Hashes(_ any: Any?) -> [Merkle.Hash] {
    (any as? [String] ?? []).map { Data(base64Encoded: $0).map(Array.init) ?? [] }
}

extension Bonafide.LedgerCommand {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create your witness key (kept locally, 0600) and register its public half for your organization.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var witness: WitnessOptions
        @Option(help: "Key name, without spaces or + (default: from your organization's name).") var name: String?

        func validate() throws {
            if let name, name.isEmpty || name.contains("+") || name.contains(where: \.isWhitespace) {
                throw ValidationError("--name must be non-empty, without spaces or +.")
            }
        }

        func run() async throws {
            let key: NoteSigner
            if FileManager.default.fileExists(atPath: witness.keyURL.path) {
                key = try witness.loadKey()
                print("Using the existing witness key at \(witness.keyURL.path).")
            } else {
                var keyName = name
                if keyName == nil {
                    let org = try await client.call(.GET, "/organization") as? [String: Any] ?? [:]
                    let slug = string(org["name"]).lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
                    keyName = String(slug).split(separator: "-").joined(separator: "-") + "-witness"
                }
                key = try NoteSigner(name: keyName ?? "witness")
                try writePrivate(key.encoded + "\n", to: witness.keyURL)
                print("Created a witness key at \(witness.keyURL.path) (readable only by you; back it up).")
            }
            let registered = try await client.call(.PUT, "/organization/witness-key", body: ["key": key.verifier.encoded]) as? [String: Any]
            print("Registered for your organization: \(string(registered?["key"]))")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check each partnership's log extends what you saw, cosign its checkpoint and upload the cosignature.",
            discussion: """
                Exits with status 2 and writes an evidence file if a log's history does not extend what this \
                organization saw before, or cannot be reconciled with what a partner cosigned (a split view).
                """)
        @OptionGroup var client: ClientOptions
        @OptionGroup var witness: WitnessOptions
        @Argument(help: "Partnership ids (default: all of yours).") var partnerships: [String] = []

        func validate() throws {
            for id in partnerships where UUID(uuidString: id) == nil {
                throw ValidationError("\"\(id)\" is not a partnership id (UUID); see `bonafide partnerships`.")
            }
        }

        func run() async throws {
            let key = try witness.loadKey()
            let server = client.resolved().server
            let folder = try witness.stateFolder(server: server)
            let log = try await pinnedLogKey(folder: folder)
            let me = string((try await client.call(.GET, "/me") as? [String: Any])?["organizationId"])
            var ids = partnerships
            if ids.isEmpty {
                ids = (try await client.call(.GET, "/partnerships") as? [[String: Any]] ?? []).map { string($0["id"]) }
            }
            var splitViews = 0
            for id in ids.map({ $0.lowercased() }) {
                do {
                    print(try await sync(id, log: log, key: key, me: me, folder: folder))
                } catch let split as SplitView {
                    splitViews += 1
                    let evidence = folder.appendingPathComponent("\(id).evidence-\(Int(Date().timeIntervalSince1970)).txt")
                    try? writePrivate(split.evidence, to: evidence)
                    FileHandle.standardError.write(
                        Data("\(id): \(split.failure.description)\n  Not cosigned. Evidence: \(evidence.path)\n".utf8))
                }
            }
            if splitViews > 0 { throw ExitCode(2) }
        }

        /// The server's log key, pinned on first use: a changed key is refused.
        func pinnedLogKey(folder: URL) async throws -> NoteVerifier {
            let text = try await client.logKeyText()
            let pin = folder.appendingPathComponent("log-key")
            if let pinned = try? String(contentsOf: pin, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) {
                guard pinned == text else {
                    throw ClientError(
                        description:
                            "The server's log key changed from \(pinned) to \(text). Not trusting it; remove \(pin.path) only if you know why."
                    )
                }
            } else {
                try writePrivate(text + "\n", to: pin)
                print("Trusting the server's log key on first use: \(text)")
            }
            do { return try NoteVerifier(text) } catch {
                throw ClientError(description: "The server's log key is malformed: \(error.description)")
            }
        }

        func consistency(_ id: String, _ a: Checkpoint, _ b: Checkpoint) async throws -> [Merkle.Hash] {
            let (from, to) = a.size <= b.size ? (a.size, b.size) : (b.size, a.size)
            let object = try await client.call(.GET, "/partnerships/\(id)/log/proof/consistency?from=\(from)&to=\(to)") as? [String: Any]
            return base64Hashes(object?["proof"])
        }

        func upload(_ id: String, _ note: SignedNote, _ checkpoint: Checkpoint, key: NoteSigner) async throws {
            let cosigned = SignedNote(
                text: note.text,
                signatures: note.signatures.filter { $0.name != key.name }
                    + [try key.cosign(checkpoint: note.text, time: UInt64(Date().timeIntervalSince1970))])
            _ = try await client.send(
                .POST, "/partnerships/\(id)/log/cosignatures", body: Data(cosigned.serialized.utf8), contentType: "text/plain")
        }

        /// A history that cannot be reconciled, with the signed notes that prove it.
        struct SplitView: Error {
            let failure: Witness.Failure
            let evidence: String
        }

        func sync(_ id: String, log: NoteVerifier, key: NoteSigner, me: String, folder: URL) async throws -> String {
            let origin = Checkpoint.origin(log: log.name, partnership: id)
            let text = try await client.text("/partnerships/\(id)/log/checkpoint")
            let (note, now) = try Witness.open(text, log: log, origin: origin)
            let seenFile = folder.appendingPathComponent("\(id).checkpoint")
            var report = "\(id): log size \(now.size)"
            func evidence(_ failure: Witness.Failure, _ other: String, _ proof: [Merkle.Hash]) -> SplitView {
                SplitView(
                    failure: failure,
                    evidence: "\(failure.description)\n\nThe log's current checkpoint:\n\(text)\nThe conflicting checkpoint:\n\(other)\n"
                        + "Consistency proof the server sent:\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined())
            }
            if let seenText = try? String(contentsOf: seenFile, encoding: .utf8) {
                let (_, seen) = try Witness.open(seenText, log: log, origin: origin)
                guard seen.size <= now.size else { throw evidence(.shrank(seen: seen.size, now: now.size), seenText, []) }
                let proof = try await consistency(id, seen, now)
                do { try Witness.checkConsistent(seen, now, proof: proof) } catch { throw evidence(error, seenText, proof) }
                report += ", extends the \(seen.size) entries seen before"
            } else {
                report += ", first seen"
            }
            // Gossip: what the other side cosigned must be part of the same history.
            let status = try await client.call(.GET, "/partnerships/\(id)/log/witnesses") as? [String: Any] ?? [:]
            var alsoCosign: [(SignedNote, Checkpoint)] = []
            for side in status["sides"] as? [[String: Any]] ?? [] where string(side["organizationId"]).lowercased() != me.lowercased() {
                guard let theirText = side["latestNote"] as? String, let theirKey = try? NoteVerifier(string(side["key"])) else { continue }
                let (theirNote, theirs) = try Witness.open(theirText, log: log, origin: origin)
                guard Witness.cosignatureTime(of: theirNote, by: theirKey) != nil else { continue }
                let proof = try await consistency(id, theirs, now)
                let partner = string(side["organizationName"])
                do { try Witness.checkConsistent(theirs, now, proof: proof) } catch {
                    throw evidence(.partnerSawAnother(partner: partner, theirs: theirs, now: now), theirText, proof)
                }
                report += "; agrees with \(partner)'s cosigned size \(theirs.size)"
                if theirs.size < now.size { alsoCosign.append((theirNote, theirs)) }
            }
            try await upload(id, note, now, key: key)
            // Cosigning the partner's (verified) checkpoint too gives both sides one checkpoint in common.
            for (theirNote, theirs) in alsoCosign {
                try await upload(id, SignedNote(text: theirNote.text, signatures: []), theirs, key: key)
            }
            try writePrivate(note.serialized, to: seenFile)
            let after = try await client.call(.GET, "/partnerships/\(id)/log/witnesses") as? [String: Any] ?? [:]
            let witnessed =
                (after["witnessedSize"] as? Int).map { "newest checkpoint all partners cosigned: size \($0)" }
                ?? "not yet cosigned by every partner"
            return report + "; cosigned; \(witnessed)."
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a receipt: entries with inclusion proofs against the newest checkpoint every partner cosigned.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The partnership id.") var partnership: String
        @Option(name: .customLong("entry"), help: "An entry index to include (repeatable; default: every entry).") var entries: [Int] = []
        @Option(help: "Output file (default: receipt-<partnership>-<size>.json).") var out: String?
        @Flag(help: "Use the log's current checkpoint even if the partners have not all cosigned it.") var current = false

        func validate() throws {
            guard UUID(uuidString: partnership) != nil else { throw ValidationError("The partnership id must be a UUID.") }
            if entries.contains(where: { $0 < 0 }) { throw ValidationError("--entry indices are 0 or more.") }
        }

        func run() async throws {
            let id = partnership.lowercased()
            let log = try NoteVerifier(try await client.logKeyText())
            let origin = Checkpoint.origin(log: log.name, partnership: id)
            let status = try await client.call(.GET, "/partnerships/\(id)/log/witnesses") as? [String: Any] ?? [:]
            let noteText: String
            if !current, let witnessed = status["witnessedNote"] as? String {
                noteText = witnessed
            } else {
                if !current { print("No checkpoint is cosigned by every partner yet; the receipt carries the log's signature only.") }
                noteText = try await client.text("/partnerships/\(id)/log/checkpoint")
            }
            let (note, checkpoint) = try Witness.open(noteText, log: log, origin: origin)
            var witnessKeys: [String] = []
            for side in status["sides"] as? [[String: Any]] ?? [] {
                let candidates = [string(side["key"]), string((side["latest"] as? [String: Any])?["key"])].compactMap {
                    try? NoteVerifier($0)
                }
                if let key = candidates.first(where: { Witness.cosignatureTime(of: note, by: $0) != nil }),
                    !witnessKeys.contains(key.encoded)
                {
                    witnessKeys.append(key.encoded)
                }
            }
            let indices = entries.isEmpty ? Array(0..<Int(checkpoint.size)) : entries.sorted()
            if let bad = indices.first(where: { UInt64($0) >= checkpoint.size }) {
                throw ValidationError("Entry \(bad) is not in the checkpoint of size \(checkpoint.size).")
            }
            var proofs: [TLogProof] = []
            // Entries come a page at a time (up to the last index wanted), not one request each.
            var fetched: [Int: String] = [:]
            for index in indices {
                if fetched[index] == nil {
                    let limit = min(1000, indices.last! - index + 1)
                    let page =
                        try await client.call(.GET, "/partnerships/\(id)/log/entries?start=\(index)&limit=\(limit)") as? [[String: Any]]
                        ?? []
                    for e in page { fetched[e["index"] as? Int ?? -1] = string(e["entry"]) }
                }
                let entry = Array((fetched[index] ?? "").utf8)
                let proof =
                    try await client.call(.GET, "/partnerships/\(id)/log/proof/inclusion?index=\(index)&size=\(checkpoint.size)")
                    as? [String: Any]
                let path = base64Hashes(proof?["proof"])
                // Never hand out a receipt that would not verify.
                guard
                    MerkleVerify.inclusion(
                        leafHash: Merkle.leafHash(entry), index: UInt64(index), size: checkpoint.size, proof: path, root: checkpoint.root)
                else { throw ClientError(description: "The server's proof for entry \(index) does not verify against the checkpoint.") }
                proofs.append(TLogProof(extra: entry, index: UInt64(index), proof: path, checkpoint: note))
            }
            guard !proofs.isEmpty else { throw ClientError(description: "The log is empty: there is nothing to prove yet.") }
            let receipt = Receipt(logKey: log.encoded, witnessKeys: witnessKeys, proofs: proofs)
            let file = URL(fileURLWithPath: out ?? "receipt-\(id.prefix(8))-\(checkpoint.size).json")
            try Data(receipt.encoded).write(to: file)
            print(
                "Wrote \(file.path): \(proofs.count) entries proven in the log of size \(checkpoint.size), signed by \(log.name)"
                    + (witnessKeys.isEmpty
                        ? "." : " and cosigned by \(witnessKeys.map { $0.split(separator: "+")[0] }.joined(separator: ", ")).")
            )
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a receipt offline and print what it proves; exits 1 if any byte was altered.")
        @Argument(help: "The receipt file.") var file: String
        @Option(help: "The log key you trust (name+keyid+base64); default: the one in the receipt.") var logKey: String?
        @Option(help: "A witness key that must have cosigned (repeatable).") var witnessKey: [String] = []

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("Cannot read \(file).") }
            let report: Receipt.Report
            do { report = try Receipt.verify(Array(data), trustedLogKey: logKey, trustedWitnesses: witnessKey) } catch {
                throw ClientError(description: "Receipt NOT valid: \(error.description)")
            }
            print("Receipt valid.")
            print("Log:        \(report.origin)")
            print("Checkpoint: size \(report.size), root \(Data(report.root).base64EncodedString())")
            print(
                "Signed by:  \(report.logKey.encoded)" + (logKey == nil ? " (taken from the receipt; pin it with --log-key)" : " (trusted)")
            )
            if report.cosigners.isEmpty {
                print("Cosigned:   by no partner")
            }
            for (key, time) in report.cosigners {
                print("Cosigned:   \(key.name) at \(Date(timeIntervalSince1970: TimeInterval(time)).formatted(.iso8601)) (\(key.encoded))")
            }
            print("It proves these \(report.entries.count) entries are in that log, unaltered:")
            for (index, entry) in report.entries {
                let summary =
                    entry.payload["summary"]
                    ?? entry.payload.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("  #\(index)  \(entry.time)  \(entry.type)  \(summary)")
            }
        }
    }
}
