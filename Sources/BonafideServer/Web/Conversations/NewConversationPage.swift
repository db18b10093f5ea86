import Foundation

/// A new conversation refused (no subject, say): the form again on a page of its own, as typed, with the reason at
/// its field. A pure view.
struct NewConversationPage: Sendable {
    var partnershipID: UUID
    var partnershipName: String
    var form: MessageForm

    func render() -> HTML {
        """
        <div class="card" style="max-width:720px"><h1>Start a conversation in <a href="\(SiteURL.partnership(partnershipID))">\(partnershipName)</a></h1>\(form.render())</div>
        """
    }
}
