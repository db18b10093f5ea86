import BonafideCore
import Foundation
import Testing

@Suite("Recovery codes")
struct RecoveryCodesTests {
    @Test func tenCodesInThreeGroupsFromTheUnambiguousAlphabet() throws {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        let pattern = try Regex(
            "^[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}$")
        for code in codes { #expect(code.wholeMatch(of: pattern) != nil, "\(code)") }
        #expect(RecoveryCodes.bitsPerCode >= 50)
        for ambiguous in "01ilo" { #expect(!RecoveryCodes.alphabet.contains(ambiguous)) }
    }

    @Test func everySymbolTurnsUp() {
        // 200 codes give 2,400 draws from 31 symbols: a missing one would mean the alphabet is not all used.
        let used = Set(RecoveryCodes.generate(count: 200).joined().filter { $0 != "-" })
        #expect(used == Set(RecoveryCodes.alphabet))
    }

    @Test func normalizeForgivesCaseSpacesAndDashes() {
        #expect(RecoveryCodes.normalize("7KX3-M9QP-2HRT") == "7kx3m9qp2hrt")
        #expect(RecoveryCodes.normalize(" 7kx3 m9qp 2hrt ") == "7kx3m9qp2hrt")
        #expect(RecoveryCodes.normalize("7kx3\u{2013}m9qp\u{2014}2hrt") == "7kx3m9qp2hrt")
        #expect(RecoveryCodes.normalize("7kx3m9qp2hrt") == "7kx3m9qp2hrt")
    }

    @Test func theServerKeepsOnlyHashesAndFindsTheOneTyped() {
        let codes = RecoveryCodes.generate()
        var stored = codes.map(RecoveryCodes.hash)
        #expect(stored.allSatisfy { $0.count == 64 && !codes.contains($0) })
        // `printf 7kx3m9qp2hrt | sha256sum`: the hash is of the normalized code.
        #expect(RecoveryCodes.hash("7KX3-M9QP-2HRT") == "453fa3b5ddb4882e608d8c46d8a1356e98d4cc11e175d6932638a1d926da3305")
        let typed = codes[3].uppercased().replacingOccurrences(of: "-", with: " ")
        let index = RecoveryCodes.index(of: typed, in: stored)
        #expect(index == 3)
        stored.remove(at: 3)  // single use: the caller removes it before accepting
        #expect(RecoveryCodes.index(of: typed, in: stored) == nil)
        #expect(RecoveryCodes.index(of: "aaaa-bbbb-cccc", in: stored) == nil)
    }
}

@Suite("Password policy")
struct PasswordPolicyTests {
    func problem(_ password: String, email: String? = "ada.lovelace@example.com", name: String? = "Ada Lovelace") -> String? {
        PasswordPolicy.problem(with: password, email: email, name: name)
    }

    @Test func theListShipsWithTenThousandEntries() {
        #expect(CommonPasswords.count == 10_000)
        #expect(CommonPasswords.contains("password"))
        #expect(CommonPasswords.contains("PassWord"))
        #expect(!CommonPasswords.contains("correct horse battery staple"))
    }

    @Test func acceptsALongUncommonPassphrase() {
        #expect(problem("correct horse battery staple") == nil)
        #expect(problem("Tr0ub4dor&3xyz") == nil)
        #expect(problem("grüße aus köln") == nil)  // any Unicode, spaces too
    }

    @Test func refusesCommonPasswordsWhateverTheCase() {
        #expect(problem("password12") == "This is one of the 10,000 most common passwords; choose one that is not.")
        #expect(problem("PASSWORD12")?.contains("most common") == true)
        #expect(problem("qwertyuiop")?.contains("most common") == true)
        #expect(problem("1234567890") != nil)
    }

    @Test func refusesShortPasswordsCountingCharacters() {
        #expect(problem("abc123xyz") == "Use at least 10 characters; this one has 9.")
        // Ten characters of two UTF-8 bytes each are ten characters, not twenty.
        #expect(problem("äöüßéèêëçñ") == nil)
        #expect(problem("") != nil)
    }

    @Test func refusesMoreThan72Bytes() throws {
        let seventyThree = String(repeating: "xq7", count: 24) + "!"
        #expect(seventyThree.utf8.count == 73)
        let message = try #require(problem(seventyThree))
        #expect(message.contains("72 bytes"), "\(message)")
        #expect(message.contains("bcrypt"))
        let mixed = "correct horse battery staple, " + String(repeating: "é", count: 22)  // 30 + 44 = 74 bytes
        #expect(problem(mixed)?.contains("bcrypt") == true)
        let seventyTwo = "correct horse battery staple, then a lazy dog, five boxing wizards, 1234"
        #expect(seventyTwo.utf8.count == 72)
        #expect(problem(seventyTwo) == nil)
    }

    @Test func refusesControlCharacters() throws {
        let nuls = String(repeating: "\u{0}", count: 10)
        let message = try #require(problem(nuls))
        #expect(message.contains("control characters"), "\(message)")
        #expect(problem("correct horse\tbattery")?.contains("control characters") == true)
        #expect(problem("correct horse battery\n")?.contains("control characters") == true)
        #expect(problem("correct horse\u{7f}battery")?.contains("control characters") == true)
    }

    @Test func refusesRepetition() {
        for password in ["aaaaaaaaaa", "abcabcabca", "1212121212", "xyzzyxyzzyxyzzy", "Q7#Q7#Q7#Q7#"] {
            #expect(problem(password)?.contains("repeats") == true, "\(password)")
        }
    }

    @Test func refusesStraightRuns() {
        for password in ["abcdefghij", "0987654321", "7890123456", "zyxwvutsrq", "ABCDEFGHIJKL", "asdfghjkl;'", "=-0987654321"] {
            #expect(problem(password)?.contains("straight run") == true, "\(password)")
        }
        #expect(problem("abcdefghik") == nil)  // one step out of order is not a run
    }

    @Test func refusesTheEmailAddressItsLocalPartAndTheName() {
        #expect(problem("ada.lovelace@example.com")?.contains("email") == true)
        #expect(problem("ADA.LOVELACE@example.com")?.contains("email") == true)
        #expect(problem("ada.lovelace")?.contains("email") == true)
        #expect(problem("ada lovelace")?.contains("name") == true)
        #expect(problem("AdaLovelace")?.contains("name") == true)
        #expect(problem("ada lovelace", email: nil, name: nil) == nil)
        #expect(problem("ada.lovelace@example.org") == nil)
    }
}
