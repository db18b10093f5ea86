import Foundation

/// What a partner organization checks before it cosigns a partnership's checkpoint: the log signed
/// it, it names this partnership, and it extends every checkpoint this organization saw before.
/// A log that shows one history to one partner and another to the other fails the last check.
public enum Witness {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case malformedNote(String)
        case malformedCheckpoint(String)
        case notSignedByLog(String)
        case wrongOrigin(expected: String, found: String)
        case shrank(seen: UInt64, now: UInt64)
        case inconsistent(seen: Checkpoint, now: Checkpoint)
        case partnerSawAnother(partner: String, theirs: Checkpoint, now: Checkpoint)

        public var description: String {
            switch self {
            case .malformedNote(let why): "The checkpoint is not a valid signed note: \(why)"
            case .malformedCheckpoint(let why): "The checkpoint text is malformed: \(why)"
            case .notSignedByLog(let key): "The checkpoint is not signed by the log key \(key)."
            case .wrongOrigin(let expected, let found): "The checkpoint is for \(found), not \(expected)."
            case .shrank(let seen, let now):
                "SPLIT VIEW: the log now has \(now) entries but this organization already saw \(seen); a log never shrinks."
            case .inconsistent(let seen, let now):
                "SPLIT VIEW: the checkpoint of size \(now.size) (root \(Data(now.root).base64EncodedString())) does not extend the one of size \(seen.size) (root \(Data(seen.root).base64EncodedString())) seen before: the log's history was rewritten or shown differently to different partners."
            case .partnerSawAnother(let partner, let theirs, let now):
                "SPLIT VIEW: \(partner) cosigned a checkpoint of size \(theirs.size) (root \(Data(theirs.root).base64EncodedString())) that the log's current checkpoint of size \(now.size) (root \(Data(now.root).base64EncodedString())) does not extend: the partners are being shown different histories."
            }
        }
    }

    /// Parses a checkpoint note and checks the log's signature and origin.
    public static func open(_ noteText: String, log: NoteVerifier, origin: String) throws(Failure) -> (SignedNote, Checkpoint) {
        let note: SignedNote
        do { note = try SignedNote.parse(noteText) } catch { throw .malformedNote(error.description) }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(text: note.text) } catch { throw .malformedCheckpoint(error.description) }
        guard note.verified(by: log) else { throw .notSignedByLog(log.encoded) }
        guard checkpoint.origin == origin else { throw .wrongOrigin(expected: origin, found: checkpoint.origin) }
        return (note, checkpoint)
    }

    /// Checks that `later` extends `earlier` (either order of sizes is accepted: the smaller is the prefix).
    public static func checkConsistent(_ a: Checkpoint, _ b: Checkpoint, proof: [Merkle.Hash]) throws(Failure) {
        let (old, new) = a.size <= b.size ? (a, b) : (b, a)
        guard MerkleVerify.consistency(from: old.size, to: new.size, oldRoot: old.root, newRoot: new.root, proof: proof) else {
            throw .inconsistent(seen: a, now: b)
        }
    }

    /// The cosignature time (seconds since 1970) of a witness's signature on a note, if it verifies.
    public static func cosignatureTime(of note: SignedNote, by witness: NoteVerifier) -> UInt64? {
        for s in note.signatures where s.name == witness.name && s.keyID == witness.keyID && s.signature.count == 72 {
            if witness.verify(text: note.text, signature: s.signature) {
                return Cosignature.time(s.signature)
            }
        }
        return nil
    }
}
