import ArgumentParser
import AsyncHTTPClient
import BonafideCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// Where the vault passphrase comes from: a file, BONAFIDE_VAULT_PASSPHRASE, or the terminal.
struct PassphraseOptions: ParsableArguments {
    @Option(help: "A file holding your vault passphrase (default: BONAFIDE_VAULT_PASSPHRASE, or asked for).")
    var passphraseFile: String?

    func passphrase(_ prompt: String) throws -> String {
        if let passphraseFile {
            guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
                throw ValidationError("Cannot read the passphrase in \(passphraseFile).")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        if let env = ProcessInfo.processInfo.environment["BONAFIDE_VAULT_PASSPHRASE"], !env.isEmpty { return env }
        return String(cString: getpass(prompt))
    }
}

extension Bonafide {
    struct VaultInit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract:
                "Set your vault passphrase on the server (your key pair, wrapped on this machine) and, as an owner, your organization's first key.",
            discussion: "The same as setting it up under Organization → Vault in the web app. Keep the passphrase: it cannot be recovered.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var secret: PassphraseOptions

        func run() async throws {
            let state = try await client.call(.GET, "/vault") as? [String: Any] ?? [:]
            guard state["userKey"] == nil else {
                throw ClientError(
                    description: "You already have a vault passphrase; use `bonafide vault unlock` to get your organization's key.")
            }
            let passphrase = try secret.passphrase("New vault passphrase: ")
            guard passphrase.count >= 12 else { throw ValidationError("Choose a passphrase of at least 12 characters.") }
            let mine = Curve25519.KeyAgreement.PrivateKey()
            let wrapped = try VaultKeys.wrap(mine, passphrase: passphrase)
            _ = try await client.call(
                .PUT, "/vault/user-key",
                body: [
                    "publicKey": wrapped.publicKey, "wrappedPrivateKey": wrapped.wrappedPrivateKey, "salt": wrapped.salt,
                    "iterations": wrapped.iterations,
                ])
            print("Your vault passphrase is set.")
            let keys = state["organizationKeys"] as? [[String: Any]] ?? []
            guard keys.isEmpty, state["role"] as? String == "owner" else {
                if keys.isEmpty {
                    print("Your organization has no key yet: an owner makes it.")
                } else {
                    print("Ask an owner of your organization to give you access (Organization → Vault).")
                }
                return
            }
            // The member list holds our own id; find it by the key just stored.
            let me = try await client.call(.GET, "/vault") as? [String: Any] ?? [:]
            guard
                let myID = (me["members"] as? [[String: Any]] ?? []).first(where: { $0["publicKey"] as? String == wrapped.publicKey })?[
                    "userId"] as? String
            else { throw ClientError(description: "The server did not list your key.") }
            let organization = Curve25519.KeyAgreement.PrivateKey()
            _ = try await client.call(
                .POST, "/vault/organization-keys",
                body: [
                    "publicKey": VaultFormat.encode(publicKey: organization.publicKey),
                    "grants": [["userId": myID, "sealed": try VaultKeys.seal(organizationKey: organization, to: mine.publicKey)]],
                ])
            print("Your organization's vault key is made: \(Hex.encode(VaultFormat.keyID(organization.publicKey))).")
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock your organization's vault keys with your passphrase and write them to a key file only you can read.",
            discussion: "Every version of the key sealed to you is written, one a line, so older documents open too.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var secret: PassphraseOptions
        @Option(help: "The key file to write (created with mode 0600; never overwritten).") var out: String

        func run() async throws {
            let state = try await client.call(.GET, "/vault") as? [String: Any] ?? [:]
            guard let user = state["userKey"] as? [String: Any] else {
                throw ClientError(
                    description: "You have no vault passphrase yet: run `bonafide vault init` or set one under Organization → Vault.")
            }
            let wrapped = VaultKeys.WrappedUserKey(
                publicKey: string(user["publicKey"]), wrappedPrivateKey: string(user["wrappedPrivateKey"]), salt: string(user["salt"]),
                iterations: user["iterations"] as? Int ?? 0)
            let mine: Curve25519.KeyAgreement.PrivateKey
            do { mine = try VaultKeys.unwrap(wrapped, passphrase: try secret.passphrase("Vault passphrase: ")) } catch {
                throw ClientError(description: "\(error)")
            }
            var lines: [String] = []
            for key in state["organizationKeys"] as? [[String: Any]] ?? [] {
                guard let sealed = key["grant"] as? String, let publicKey = try? VaultFormat.publicKey(string(key["publicKey"])) else {
                    continue
                }
                let opened = try VaultKeys.open(sealed: sealed, organizationKey: publicKey, member: mine)
                lines.append(VaultFormat.encode(privateKey: opened))
            }
            guard !lines.isEmpty else {
                throw ClientError(
                    description: "No organization key is sealed to you yet: ask an owner to give you access (Organization → Vault).")
            }
            try writePrivate(out, Array((lines.joined(separator: "\n") + "\n").utf8))
            print("Wrote \(lines.count) key\(lines.count == 1 ? "" : "s") to \(out) (readable only by you).")
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encrypt a file on this machine for both organizations of a partnership and upload it.",
            discussion: "Only ciphertext leaves this machine; the name and type travel encrypted too.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The partnership's id.") var partnershipID: String
        @Argument(help: "The file to share.") var file: String
        @Option(help: "The partner's access ends then (RFC 3339, e.g. 2027-01-31T17:00:00Z).") var expiresAt: String?
        @Option(help: "How many downloads the partner gets.") var maxDownloads: Int?
        @Option(help: "The media type to record (default: from the file name).") var type: String?

        func validate() throws {
            guard UUID(uuidString: partnershipID) != nil else { throw ValidationError("\"\(partnershipID)\" is not a partnership id.") }
            if let expiresAt, ISO8601DateFormatter().date(from: expiresAt) == nil {
                throw ValidationError("--expires-at must be an RFC 3339 time such as 2027-01-31T17:00:00Z.")
            }
            if let maxDownloads, !(1...10_000).contains(maxDownloads) { throw ValidationError("--max-downloads must be from 1 to 10000.") }
        }

        func run() async throws {
            var info = stat()
            guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw ValidationError("\(file) is not a readable file.")
            }
            let list = try await client.call(.GET, "/partnerships/\(partnershipID)/documents") as? [String: Any] ?? [:]
            var keys: [Curve25519.KeyAgreement.PublicKey] = []
            for r in list["recipients"] as? [[String: Any]] ?? [] {
                guard let key = (r["publicKey"] as? String).flatMap({ try? VaultFormat.publicKey($0) }) else {
                    throw ClientError(description: "\(string(r["name"])) has not set up its vault yet, so it could not open the file.")
                }
                keys.append(key)
            }
            let name = URL(fileURLWithPath: file).lastPathComponent
            let encryptor = try VaultEncryptor(recipients: keys, metadata: .init(name: name, type: type ?? mediaType(of: name)))
            let size = Int64(info.st_size)
            // Full chunks and one last chunk, empty when the size is a whole number of chunks (the sealing loop's rule).
            let chunks = size / Int64(VaultFormat.chunkSize) + (size % Int64(VaultFormat.chunkSize) == 0 && size > 0 ? 0 : 1)
            let length = Int64(encryptor.header.count) + size + chunks * Int64(VaultFormat.tagSize)
            var query: [String] = []
            if let expiresAt {
                query.append("expiresAt=\(expiresAt.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expiresAt)")
            }
            if let maxDownloads { query.append("maxDownloads=\(maxDownloads)") }
            let (server, token) = client.resolved()
            var request = HTTPClientRequest(
                url: server + "/api/v1/partnerships/\(partnershipID)/documents" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .stream(EncryptingFile(path: file, encryptor: encryptor), length: .known(length))
            let response = try await HTTPClient.shared.execute(request, timeout: .hours(2))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            guard response.status == .created else {
                throw ClientError(
                    description:
                        "\(response.status.code) \(response.status.reasonPhrase): \(object["detail"] as? String ?? String(decoding: data, as: UTF8.self))"
                )
            }
            if client.json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("Uploaded \(name) as document \(object["number"] as? Int ?? 0): \(string(object["id"]))")
            }
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a document and decrypt it on this machine with your organization's key file.",
            discussion: "Nothing is written to --out unless the whole file authenticates.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The document's id.") var documentID: String
        @Option(help: "Where to write the decrypted file (never overwritten).") var out: String
        @Option(name: .customLong("key"), help: "Your organization's key file (from vault unlock).") var keyFile: String

        func validate() throws {
            guard UUID(uuidString: documentID) != nil else { throw ValidationError("\"\(documentID)\" is not a document id.") }
        }

        func run() async throws {
            let keys = try readKeys(keyFile)
            guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists; choose another --out.") }
            let (server, token) = client.resolved()
            var request = HTTPClientRequest(url: server + "/api/v1/documents/\(documentID)/content")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .hours(2))
            guard response.status == .ok else {
                let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                throw ClientError(
                    description: "\(response.status.code) \(response.status.reasonPhrase): \(object["detail"] as? String ?? "")")
            }
            // The ciphertext waits in an unlinked private file, so it can be checked whole before anything is written.
            let spool = try Spool()
            defer { spool.discard() }
            for try await buffer in response.body { try spool.write(Array(buffer.readableBytesView)) }
            lseek(spool.fd, 0, SEEK_SET)
            let partial = out + ".partial"
            let outFD = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard outFD >= 0 else { throw ValidationError("Cannot create \(partial): \(String(cString: strerror(errno))).") }
            let metadata: VaultFormat.Metadata
            do {
                // decryptVault stages the plaintext beside the empty .partial file and renames it over it when whole.
                defer { close(outFD) }
                metadata = try decryptVault(from: spool.fd, keys: keys, to: Output(fd: outFD))
            } catch {
                unlink(partial)
                throw error
            }
            let synced = open(partial, O_RDONLY | O_CLOEXEC)
            defer { if synced >= 0 { close(synced) } }
            guard synced >= 0, fsync(synced) == 0, rename(partial, out) == 0 else {
                unlink(partial)
                throw ValidationError("Cannot write \(out): \(String(cString: strerror(errno))).")
            }
            print("Saved \(metadata.name.isEmpty ? "the document" : metadata.name) (\(metadata.type)) to \(out).")
        }
    }
}

/// A file's bytes as a vault file, sealed chunk by chunk as the upload asks for them: constant memory at any size.
struct EncryptingFile: AsyncSequence, @unchecked Sendable {
    // @unchecked: the content key inside is iterated by the one upload that made it, never shared.
    typealias Element = ByteBuffer
    let path: String
    let encryptor: VaultEncryptor

    struct Iterator: AsyncIteratorProtocol {
        let fd: Int32
        var encryptor: VaultEncryptor
        var headerSent = false
        var current: [UInt8]?
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            if !headerSent {
                headerSent = true
                current = try readFull(VaultFormat.chunkSize, from: fd)
                return ByteBuffer(bytes: encryptor.header)
            }
            guard !done, let chunk = current else {
                close(fd)
                return nil
            }
            // One chunk ahead, so the last chunk is known to be the last when it is sealed.
            let next = chunk.count == VaultFormat.chunkSize ? try readFull(VaultFormat.chunkSize, from: fd) : []
            let last = next.isEmpty
            let sealed = try encryptor.seal(chunk, last: last)
            current = next
            done = last
            return ByteBuffer(bytes: sealed)
        }
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(fd: open(path, O_RDONLY | O_CLOEXEC), encryptor: encryptor)
    }
}

/// Writes a new file readable only by this user; an existing file is never overwritten.
func writePrivate(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw ValidationError("Cannot create \(path): \(String(cString: strerror(errno))) (an existing key is never overwritten).")
    }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw ValidationError("Could not write \(path).") }
}

func mediaType(of name: String) -> String {
    switch URL(fileURLWithPath: name).pathExtension.lowercased() {
    case "pdf": "application/pdf"
    case "txt", "md": "text/plain"
    case "csv": "text/csv"
    case "json": "application/json"
    case "png": "image/png"
    case "jpg", "jpeg": "image/jpeg"
    case "zip": "application/zip"
    case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    case "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    default: "application/octet-stream"
    }
}
