"""Updates, case studies and badges, end to end: who reads an update, who is mailed it, and what the world sees.

Every test starts its own Bonafide server (`serve --demo`, SQLite in a temporary folder) with the mail settings
pointed at an aiosmtpd receiver, through the `lab` fixture of test_channels.py. Its test clock is not moved: each
recipient's settings are made to send at once (no quiet hours, every day a work day, both kinds "immediately").
Mails are read with Python's email package, the Atom feed with xml.etree.ElementTree.

The demo's relations to Northwind Studio (Alice Becker, owner): Acme Retail (Carla Diaz, owner; Dan Brooks, member)
is an active partner and in its collaborator circle; Kite Analytics (Esha Rao, owner) had a partnership with it that
ended and is in its connected circle; Harbor Legal (Felix Hart) has only an open invitation and is followed, which
grants nothing; Lumen Labs (Grace Lin) has no relation at all. Each test checks these premises from the API first.
On a failure the server log and every received mail land in e2e-artifacts/ (BONAFIDE_E2E_ARTIFACTS), as for the
channel tests.
"""
import time
import uuid
import xml.etree.ElementTree as ET

import requests
from test_channels import ALICE, CARLA, DAN, check_notification, labels, lab  # noqa: F401 (lab is a fixture)

ESHA, FELIX, GRACE = "esha@kite.example", "felix@harbor.example", "grace@lumen.example"
NAMES = {ALICE: "Northwind Studio", CARLA: "Acme Retail", ESHA: "Kite Analytics", FELIX: "Harbor Legal", GRACE: "Lumen Labs"}
STOREFRONT = "Acme storefront redesign"
DEMO_STORY = "Acme's storefront: from research to a faster checkout"
DEMO_UPDATES = ["Design system 2.0 is live", "Early access: our usability test panel"]  # Northwind's: partners, connected
BADGES = {"onTimeStreak", "answersWithinADay", "openAboutIncidents", "longPartnership"}
ATOM = "{http://www.w3.org/2005/Atom}"
SETTLE = 2.5  # seconds: more than two passes of the outbox, after which a mail that was due has gone


def org_id(server, who):
    """The signed-in person's organization id (lower case, as the engagement API writes ids)."""
    return server.api("GET", "/me", who, expect=200).json()["organizationId"].lower()


def problem(response, status):
    """Checks an RFC 9457 answer with the status; answers its body."""
    assert response.status_code == status, f"expected {status}: {response.status_code} {response.text[:800]}"
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers["Content-Type"]
    body = response.json()
    assert body["status"] == status, body
    return body


def partnered_with(server, who, name):
    """Whether who's organization has or had a partnership (active or ended) with the organization called name."""
    for p in server.api("GET", "/partnerships", who, expect=200).json():
        sides = {p["organization"]["name"], (p.get("partner") or {}).get("name")}
        if name in sides and p["status"] in ("active", "ended"):
            return True
    return False


def update_titles(server, who):
    return [u["title"] for u in server.api("GET", "/updates", who, expect=200).json()]


def mail_at_once(server, *people):
    """Updates and case studies mailed to these people at once: no quiet hours, no day off, not in the digest."""
    for who in people:
        server.settings(who, quietStart="", quietEnd="", workDays=list(range(1, 8)),
                        modes={"update.published": "immediately", "caseStudy.changed": "immediately"})


# MARK: 1. Updates by audience, by mail, in the Atom feed


def test_an_update_reaches_its_audience_by_mail_and_only_public_ones_reach_the_atom_feed(lab):  # noqa: F811
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    northwind = org_id(server, ALICE)
    # The premises, from the API: who partners with Northwind and where Northwind placed whom.
    assert partnered_with(server, CARLA, "Northwind Studio") and partnered_with(server, ESHA, "Northwind Studio")
    assert not partnered_with(server, FELIX, "Northwind Studio") and not partnered_with(server, GRACE, "Northwind Studio")
    circles = {c["organizationName"]: c["circle"] for c in server.api("GET", "/circles", ALICE, expect=200).json()}
    assert circles.get("Harbor Legal") == "follow" and "Lumen Labs" not in circles, circles
    mail_at_once(server, CARLA, ESHA)

    # Partners only: Acme (active) and Kite (ended) read it; Harbor (followed) and Lumen (a stranger) do not.
    title = f"Partners only {run}"
    body = f"The **new page templates** are live for *every* partner ({run}).\n\nAsk us anything in your partnership thread."
    created = server.api("POST", "/updates", ALICE, {"title": title, "body": body, "visibility": "partners"},
                         expect=201).json()
    uid = created["id"]
    assert "<strong>new page templates</strong>" in created["bodyHtml"], created["bodyHtml"]
    assert created["visibility"] == "partners" and created["organizationId"].lower() == northwind, created
    assert title in update_titles(server, ALICE), "one's own updates are listed too"
    assert title in update_titles(server, CARLA) and title in update_titles(server, ESHA)
    assert title not in update_titles(server, FELIX) and title not in update_titles(server, GRACE)
    problem(server.api("GET", f"/updates/{uid}", GRACE), 404)
    problem(server.api("GET", f"/updates/{uid}"), 404)
    assert server.api("GET", f"/updates/{uid}", CARLA, expect=200).json()["organizationName"] == "Northwind Studio"

    # Carla's mail: the update's text without its markup, after a line about Acme's own work with Northwind.
    subject = f"Northwind Studio: {title}"
    mail = inbox.wait(CARLA, subject)
    assert str(mail["Subject"]) == subject
    text, _, _, _ = check_notification(mail, server, CARLA, labels(server, CARLA)["update.published"], f"/updates/{uid}")
    personal = [line for line in text.splitlines() if line.startswith("Between Acme Retail and Northwind Studio: ")]
    assert len(personal) == 1 and "open commitment" in personal[0], text
    assert f"The new page templates are live for every partner ({run})." in text, text
    assert "**" not in text and "*every*" not in text, text
    assert mail["List-Unsubscribe"] and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    inbox.wait(ESHA, subject)  # Kite's partnership with Northwind ended: still a partner for its audience
    time.sleep(SETTLE)
    for who in (FELIX, GRACE, ALICE):
        assert not inbox.to(who, title), f"{who} was mailed a partners-only update"

    # A member (not an owner) of Acme cannot publish, and nothing is written.
    before = [u["id"] for u in server.api("GET", "/updates", CARLA, expect=200).json()]
    refused = server.api("POST", "/updates", DAN, {"title": f"Dan's news {run}", "body": "Not mine.", "visibility": "public"})
    problem(refused, 403)
    assert [u["id"] for u in server.api("GET", "/updates", CARLA, expect=200).json()] == before, "a refused update was stored"

    # A public update: Grace reads it (signed in or not), but is still not mailed: Lumen has no relation to Northwind.
    public_title = f"Open studio day {run}"
    public = server.api("POST", "/updates", ALICE, {
        "title": public_title, "body": "Visit the **studio** on Friday afternoon.", "visibility": "public"}, expect=201).json()
    grace_sees = update_titles(server, GRACE)
    assert public_title in grace_sees and title not in grace_sees, grace_sees
    server.api("GET", f"/updates/{public['id']}", GRACE, expect=200)
    assert server.api("GET", f"/updates/{public['id']}", expect=200).json()["title"] == public_title
    inbox.wait(CARLA, f"Northwind Studio: {public_title}")
    time.sleep(SETTLE)
    assert not inbox.to(GRACE, "Northwind Studio"), "Grace was mailed an update of an organization she has no relation to"

    # The Atom feed, for anyone: the public updates, none of the others.
    feed = server.base + f"/profiles/{northwind}/updates.atom"
    response = requests.get(feed, timeout=30)  # no token
    assert response.status_code == 200, f"{feed}: {response.status_code} {response.text[:400]}"
    assert response.headers["Content-Type"].startswith("application/atom+xml"), response.headers["Content-Type"]
    root = ET.fromstring(response.content)
    assert root.tag == ATOM + "feed", root.tag
    entries = {e.findtext(ATOM + "title"): e for e in root.findall(ATOM + "entry")}
    assert public_title in entries, list(entries)
    assert not {title, *DEMO_UPDATES} & set(entries), f"the feed holds updates that are not public: {list(entries)}"
    link = entries[public_title].find(ATOM + "link")
    assert link is not None and link.get("href", "").lower().endswith(f"/updates/{public['id']}".lower()), link


# MARK: 2. Case studies wait for the partner's consent


def test_a_case_study_is_shown_only_once_the_partner_confirms_it_and_bad_input_writes_nothing(lab):  # noqa: F811
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    northwind = org_id(server, ALICE)
    storefront = [p["id"] for p in server.api("GET", "/partnerships", ALICE, expect=200).json() if p["name"] == STOREFRONT]
    assert len(storefront) == 1, f"{len(storefront)} partnerships called {STOREFRONT!r}"
    storefront = storefront[0]
    mail_at_once(server, CARLA, ALICE)

    def count(who):
        return len(server.api("GET", "/case-studies", who, expect=200).json())

    def shown():
        """Northwind's case studies as anyone sees them (no token), by id."""
        return {s["id"]: s for s in server.api("GET", f"/organizations/{northwind}/case-studies", expect=200).json()}

    # Bad input is refused and writes nothing.
    alice_before, carla_before = count(ALICE), count(CARLA)
    assert alice_before == 1, "the demo has one case study of Northwind's"
    short = server.api("POST", "/case-studies", ALICE,
                       {"partnershipId": storefront, "title": f"Short {run}", "body": "Short"})
    assert problem(short, 422).get("field") == "body", short.text
    story = f"Northwind and Acme rebuilt the **storefront** together ({run}): research, a design system, templates."
    nowhere = {"partnershipId": str(uuid.uuid4()), "title": f"Nowhere {run}", "body": story}
    problem(server.api("POST", "/case-studies", ALICE, nowhere), 404)
    assert (count(ALICE), count(CARLA)) == (alice_before, carla_before), "a refused case study was stored"

    # Proposed: it waits for Acme, and nobody beyond the two sides sees it.
    title = f"Storefront story {run}"
    proposed = server.api("POST", "/case-studies", ALICE, {"partnershipId": storefront, "title": title, "body": story},
                          expect=201).json()
    sid = proposed["id"]
    assert proposed["status"] == "awaitingPartner" and proposed["partnershipId"].lower() == storefront.lower(), proposed
    assert proposed["partnerOrganizationName"] == "Acme Retail" and not proposed.get("confirmedBy"), proposed
    assert count(ALICE) == alice_before + 1 and count(CARLA) == carla_before + 1
    before = shown()
    assert [s["title"] for s in before.values()] == [DEMO_STORY] and sid not in before, before
    problem(server.api("GET", f"/case-studies/{sid}", GRACE), 404)
    problem(server.api("GET", f"/case-studies/{sid}"), 404)
    asked = inbox.wait(CARLA, f"Northwind Studio asks you to confirm a case study: {title}")
    check_notification(asked, server, CARLA, labels(server, CARLA)["caseStudy.changed"], f"/case-studies/{sid}")

    # Only the partner decides: Alice cannot confirm her own story; Carla confirms it in Acme's words, once.
    decision = f"/case-studies/{sid}/decision"
    problem(server.api("POST", decision, ALICE, {"decision": "confirm"}), 403)
    edited = f"Northwind rebuilt our storefront ({run}); our mobile checkout is two steps shorter."
    note = f"Confirmed in our words ({run})."
    confirmed = server.api("POST", decision, CARLA, {"decision": "confirm", "note": note, "body": edited}, expect=200).json()
    assert confirmed["status"] == "confirmed" and confirmed["editedByPartner"] is True, confirmed
    assert confirmed["body"] == edited and confirmed["partnerNote"] == note and confirmed["title"] == title, confirmed
    problem(server.api("POST", decision, CARLA, {"decision": "confirm"}), 409)

    after = shown()
    assert set(after) == set(before) | {sid}, after
    study = after[sid]
    assert study["confirmedBy"] == "Confirmed by Acme Retail" and study["body"] == edited, study
    assert study["figures"]["completedCommitments"] >= 1, study["figures"]
    assert "partnershipId" not in study, "which partnership it is about stays with the two sides"
    assert server.api("GET", f"/case-studies/{sid}", GRACE, expect=200).json()["status"] == "confirmed"
    assert "partnershipId" not in server.api("GET", f"/case-studies/{sid}", expect=200).json()

    # Alice is told, with Acme's note.
    told = inbox.wait(ALICE, title)
    assert str(told["Subject"]) == f"Acme Retail confirmed your case study with changes: {title}", told["Subject"]
    label = labels(server, ALICE)["caseStudy.changed"]
    text, _, _, _ = check_notification(told, server, ALICE, label, f"/case-studies/{sid}")
    assert note in text, text
    problem(server.api("GET", f"/organizations/{uuid.uuid4()}/case-studies"), 404)


# MARK: 3. Badges from the record


def test_every_demo_organization_answers_its_badges_and_an_unknown_one_is_not_found(lab):  # noqa: F811
    server, _ = lab.start()
    ids = {name: org_id(server, who) for who, name in NAMES.items()}
    assert len(set(ids.values())) == len(NAMES), ids
    for name, oid in ids.items():
        response = server.api("GET", f"/organizations/{oid}/recognition")  # no token: badges are public
        assert response.status_code == 200, f"{name}: {response.status_code} {response.text[:800]}"
        assert response.headers["Content-Type"].startswith("application/json"), response.headers["Content-Type"]
        badges = response.json()
        assert isinstance(badges, list), badges
        for badge in badges:
            for field in ("key", "title", "earnedBy"):
                assert isinstance(badge.get(field), str) and badge[field].strip(), (name, badge)
            assert badge["key"] in BADGES, (name, badge)
            # Said in figures, never naming a partner: partnerships are private to their members.
            assert not any(n in badge["title"] + badge["earnedBy"] for n in NAMES.values()), (name, badge)
        assert len({b["key"] for b in badges}) == len(badges), (name, badges)
        signed_in = server.api("GET", f"/organizations/{oid}/recognition", CARLA, expect=200).json()
        assert {b["key"] for b in signed_in} == {b["key"] for b in badges}, (name, signed_in, badges)
    # No commitments, answered questions, incidents or active partnerships: nothing to earn a badge with.
    for name in ("Harbor Legal", "Lumen Labs"):
        assert server.api("GET", f"/organizations/{ids[name]}/recognition", expect=200).json() == [], name
    problem(server.api("GET", f"/organizations/{uuid.uuid4()}/recognition"), 404)
