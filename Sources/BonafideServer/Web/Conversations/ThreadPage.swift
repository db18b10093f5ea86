import BonafideCore
import Fluent
import Foundation

/// One conversation: its messages in order, whether a request was answered and how fast, the tone where the
/// organization shows it, and a reply form while the partnership is active.
struct ThreadPage: Sendable {
    struct Entry: Sendable {
        var author: String
        var at: String
        var body: String
        var needsResponse: Bool
        /// How long the answer took, for a request that was answered.
        var answeredAfter: String?
        var tone: Double?
        var toneDrivers: String
    }

    var partnershipName: String
    var partnershipLink: String
    var subject: String
    var entries: [Entry]
    var reply: MessageForm?

    static func load(
        thread: MessageThread, in p: Partnership, for actor: Actor, reply: (values: [String: String], problem: Problem?) = ([:], nil),
        csrf: String, on db: any Database
    ) async throws -> Self {
        let messages = try await Messages.messages(of: p, thread: thread.requireID(), on: db)
        let clock = Clock(actor.user.timeZone)
        let showTone = try await MessageTone.isShown(to: actor, on: db)
        return ThreadPage(
            partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), subject: thread.subject,
            entries: messages.map { m in
                Entry(
                    author: m.author.name, at: clock.format(m.createdAt), body: m.body, needsResponse: m.needsResponse,
                    answeredAfter: m.respondedAt.map { Clock.duration($0.timeIntervalSince(m.createdAt)) },
                    tone: showTone ? m.sentiment : nil,
                    toneDrivers: showTone ? StoredDrivers.quoted(StoredDrivers.decode(m.sentimentDriversJSON)) : "")
            },
            reply: p.status == .active
                ? MessageForm(
                    action: SiteURL.messages(p.id), threadID: thread.id?.apiString, values: reply.values,
                    problem: reply.problem, csrf: csrf) : nil)
    }

    func render() -> HTML {
        let list = entries.map { m in
            let request: HTML =
                m.needsResponse
                ? (m.answeredAfter.map { " <span class=\"small muted\">· answered after \($0)</span>" }
                    ?? " <span class=\"risk small\">· waiting for a response</span>") : ""
            let tone: HTML =
                m.tone.map { s in
                    " <span class=\"small message-tone \(s <= -0.05 ? "risk" : "muted")\">· tone \(String(format: "%+.2f", s))\(m.toneDrivers.isEmpty ? "" : " (\(m.toneDrivers))")</span>"
                } ?? ""
            return HTML(
                """
                <div class="message\(m.needsResponse ? " request" : "")"><strong>\(m.author)</strong> <span class="small muted">\(m.at)</span>\(request)\(tone)
                <p style="white-space:pre-wrap;margin:.3rem 0">\(m.body)</p></div>
                """)
        }
        return """
            <p><a href="\(partnershipLink)">← \(partnershipName)</a></p><h1>\(subject)</h1>
            <section class="card">\(HTML.join(list))</section>\(reply.map { HTML("<section class=\"card\">\($0.render())</section>") } ?? "")
            """
    }
}
