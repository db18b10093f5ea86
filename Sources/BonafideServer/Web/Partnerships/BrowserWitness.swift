import Foundation

/// Witnessing from the browser, in the partnership's Record section: the page's script checks the record and cosigns it
/// with a witness key that never leaves this browser (`Assets/witness.js`); owners and admins set a browser up once.
struct BrowserWitness: Sendable {
    var partnershipID: UUID
    var organizationID: UUID
    var organizationName: String
    var canManage: Bool
    var csrf: String

    /// A signed-note key name: lowercase letters, digits and dashes, never "+" or spaces.
    var witnessName: String {
        let slug = organizationName.lowercased().unicodeScalars.map {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-"
        }
        let name = String(slug).split(separator: "-").joined(separator: "-").prefix(40)
        return (name.isEmpty ? "organization" : String(name)) + "-web"
    }

    func render() -> HTML {
        let setup: HTML =
            canManage
            ? """
            <button type="button" class="secondary" id="browser-witness-setup" hidden>Witness from this browser</button>
            <p class="small muted">Makes your organization's witness key here (it replaces one registered with <code>bonafide ledger init</code>;
            cosignatures made with the old key stay valid). From then on, opening a partnership in this browser checks that its
            record extends what was seen before and what the partner cosigned, then cosigns it. With a vault key, the witness key is
            also sealed to it: colleagues open it in their browsers by unlocking the vault.</p>
            """ : ""
        return """
            <div id="browser-witness" data-partnership="\(partnershipID.apiString)" data-organization="\(organizationID.apiString)" \
            data-csrf="\(csrf)" data-witness-name="\(witnessName)">
            <p id="browser-witness-status" class="small" role="status"></p>\(setup)
            <noscript><p class="small muted">Witnessing from the browser needs JavaScript; <code>bonafide ledger sync</code> does the same from a terminal.</p></noscript>
            </div><script src="\(SiteURL.asset("witness.js"))" defer></script>
            """
    }
}
