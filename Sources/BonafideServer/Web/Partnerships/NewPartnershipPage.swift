/// Opening a partnership; a refused form comes back as typed, with the reason under its field.
struct NewPartnershipPage: Sendable {
    static let fields = ["name", "partnerEmail", "agreement"]

    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        return """
            <div class="card" style="max-width:640px"><h1>Open a partnership</h1>\(errors.general)
            <form method="post" action="\(SiteURL.partnerships())">\(csrfField(csrf))
            <label for="name">Name</label><input id="name" name="name" required maxlength="160" placeholder="Website relaunch with Acme" value="\(values["name"] ?? "")"\(errors.invalid("name"))>\(errors.message("name"))
            <label for="partnerEmail">Partner's email <span class="muted small">(the person who will accept for their organization)</span></label>
            <input id="partnerEmail" name="partnerEmail" type="email" value="\(values["partnerEmail"] ?? "")"\(errors.invalid("partnerEmail"))>\(errors.message("partnerEmail"))
            <label for="agreement">Agreement <span class="muted small">(optional; every change keeps the old version)</span></label>
            <textarea id="agreement" name="agreement" rows="8"\(errors.invalid("agreement"))>\(values["agreement"] ?? "")</textarea>\(errors.message("agreement"))
            <button>Open partnership</button></form></div>
            """
    }
}
