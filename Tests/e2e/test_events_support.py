"""Events and support requests, end to end: a customer without an account at a webinar, and a customer asking for help.

Every test starts its own Bonafide server (`serve --demo`, SQLite in a temporary folder) with the mail settings
pointed at an aiosmtpd receiver, through the `lab` fixture of test_channels.py. Its test clock is not moved: the
people who are mailed are set to get their mail at once (no quiet hours, every day a work day, the kind
"immediately"). Mails are read with Python's email package, calendars (the invitation attached to a confirmation
mail, a person's calendar feed) with icalendar.

The demo's relations to Northwind Studio (Alice Becker, owner; Ben Vogel): Acme Retail (Carla Diaz, owner; Dan
Brooks, member) is an active partner; Lumen Labs (Grace Lin) has no relation at all. The demo also holds a public
webinar of Northwind's and one support request from Acme to Northwind, answered within its promise. A visitor without
an account registers by address and acts through the personal link of the confirmation mail (its token in the
X-Event-Token header). On a failure the server log and every received mail land in e2e-artifacts/
(BONAFIDE_E2E_ARTIFACTS), as for the channel tests.
"""
import datetime
import time
import uuid
import zoneinfo

import icalendar
import requests
from test_channels import ALICE, CARLA, DAN, UTC, check_notification, event, fetch_calendar, iso, labels, lab  # noqa: F401

BEN, GRACE = "ben@northwind.example", "grace@lumen.example"
SETTLE = 2.5  # seconds: more than two passes of the outbox, after which a mail that was due has gone


def org_id(server, who):
    """The signed-in person's organization id (lower case, as the API writes ids)."""
    return server.api("GET", "/me", who, expect=200).json()["organizationId"].lower()


def problem(response, status):
    """Checks an RFC 9457 answer with the status; answers its body."""
    assert response.status_code == status, f"expected {status}: {response.status_code} {response.text[:800]}"
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers["Content-Type"]
    body = response.json()
    assert body["status"] == status, body
    return body


def by_link(server, method, path, token, body=None, expect=None):
    """A request made through a personal event link: its token in X-Event-Token, no bearer token."""
    response = requests.request(method, server.base + "/api/v1" + path, json=body, headers={"X-Event-Token": token},
                                timeout=30)
    if expect is not None:
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:800]}"
    return response


def one(items, wanted):
    """The one item of a list answer with the id wanted."""
    found = [item for item in items if item["id"].lower() == wanted]
    assert len(found) == 1, f"{len(found)} items with id {wanted}: {items}"
    return found[0]


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def mail_at_once(server, kind, *people):
    for who in people:
        server.settings(who, quietStart="", quietEnd="", workDays=list(range(1, 8)), modes={kind: "immediately"})


# MARK: 1. A webinar: a customer without an account, questions and votes, seats, audience, calendars


def test_a_customer_without_an_account_registers_by_mail_asks_through_the_personal_link_and_seats_run_out(lab):  # noqa: F811
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    northwind = org_id(server, ALICE)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    start = (datetime.datetime.now(berlin) + datetime.timedelta(days=6)).replace(hour=17, minute=30, second=0, microsecond=0)
    start = start.astimezone(UTC)

    # Alice plans a public event with two seats.
    title = f"Checkout clinic {run}"
    planned = server.api("POST", "/events", ALICE, {
        "title": title, "description": "Bring your **checkout** questions.", "startsAt": iso(start), "durationMinutes": 60,
        "timeZone": "Europe/Berlin", "capacity": 2, "videoLink": "https://meet.example.com/clinic", "visibility": "public"},
        expect=201).json()
    eid = planned["id"].lower()
    assert moment(planned["startsAt"]) == start and planned["timeZone"] == "Europe/Berlin", planned
    assert planned["capacity"] == 2 and planned["seatsLeft"] == 2 and planned["registered"] == 0, planned
    assert planned["organizationId"].lower() == northwind and planned["videoLink"], planned
    anonymous = server.api("GET", f"/events/{eid}", expect=200).json()
    assert anonymous["title"] == title and "videoLink" not in anonymous, "the way in is for those registered"

    # Ana, without an account, registers by address: the personal link comes once in the answer, and by mail.
    ana = f"ana+{run}@customer.example"
    seat = server.api("POST", f"/events/{eid}/registrations", None, {"email": ana, "name": "Ana"}, expect=201).json()
    link = seat["personalLink"]
    assert link.startswith(server.base + "/e/") and seat["withAccount"] is False and seat["email"] == ana, seat
    token = link.rsplit("/e/", 1)[1]
    subject = f"You are registered: {title}"
    mail = inbox.wait(ana, subject)
    assert [a.addr_spec for a in mail["To"].addresses] == [ana]
    assert mail["From"].addresses[0].display_name == "Northwind Studio via Bonafide", mail["From"]
    parts = {p.get_content_type(): p for p in mail.walk() if not p.is_multipart()}
    assert {"text/plain", "text/calendar"} <= set(parts), list(parts)
    text = parts["text/plain"].get_content().replace("\r\n", "\n")
    assert link in text.splitlines(), text
    assert "method=request" in parts["text/calendar"]["Content-Type"].replace('"', "").lower()
    invitation = icalendar.Calendar.from_ical(parts["text/calendar"].get_content())
    assert str(invitation["METHOD"]) == "REQUEST"
    vevents = list(invitation.walk("VEVENT"))
    assert len(vevents) == 1, invitation.to_ical()
    assert str(vevents[0]["SUMMARY"]) == title and str(vevents[0]["UID"]) == f"event-{eid}@bonafide", vevents[0]
    assert vevents[0].decoded("DTSTART").astimezone(UTC) == start, vevents[0].decoded("DTSTART")
    assert ana not in parts["text/calendar"].get_content(), "the invitation shows the address"

    # The same address again: refused, and no second mail.
    problem(server.api("POST", f"/events/{eid}/registrations", None, {"email": ana, "name": "Ana again"}), 409)
    time.sleep(SETTLE)
    assert len(inbox.to(ana)) == 1, [str(m["Subject"]) for m in inbox.to(ana)]

    # Ana asks through her link; Carla registers with her account and upvotes it, once.
    question = by_link(server, "POST", f"/events/{eid}/questions", token, {"text": f"Is Apple Pay coming ({run})?"},
                       expect=201).json()
    qid = question["id"].lower()
    assert question["mine"] is True and question["votes"] == 0, question
    problem(by_link(server, "GET", f"/events/{eid}/questions", "ev_" + "A" * 40), 404)  # a forged link
    carla_seat = server.api("POST", f"/events/{eid}/registrations", CARLA, {}, expect=201).json()
    assert carla_seat["withAccount"] is True and "personalLink" not in carla_seat, carla_seat
    voted = server.api("POST", f"/events/{eid}/questions/{qid}/votes", CARLA, expect=201).json()
    assert voted["votes"] == 1 and voted["votedByYou"] is True and voted["mine"] is False, voted
    problem(server.api("POST", f"/events/{eid}/questions/{qid}/votes", CARLA), 409)
    listed = one(server.api("GET", f"/events/{eid}/questions", CARLA, expect=200).json(), qid)
    assert listed["votes"] == 1 and listed["votedByYou"] is True and listed["mine"] is False, listed
    assert "askedBy" not in listed, "only the organizer's people see who asked"
    mine = one(by_link(server, "GET", f"/events/{eid}/questions", token, expect=200).json(), qid)
    assert mine["mine"] is True and mine["votes"] == 1 and mine["votedByYou"] is False, mine

    # Two seats, two registrations: Dan is turned away.
    full = server.api("GET", f"/events/{eid}", expect=200).json()
    assert full["registered"] == 2 and full["seatsLeft"] == 0, full
    problem(server.api("POST", f"/events/{eid}/registrations", DAN, {}), 409)
    assert server.api("GET", f"/events/{eid}", expect=200).json()["registered"] == 2

    # Alice answers; the answer is kept with the question, for anyone who may see the event.
    answer = f"Yes, in the next release ({run})."
    answered = server.api("POST", f"/events/{eid}/questions/{qid}/answer", ALICE, {"answer": answer}, expect=200).json()
    assert answered["answer"] == answer and answered["answeredAt"], answered
    problem(server.api("POST", f"/events/{eid}/questions/{qid}/answer", ALICE, {"answer": "Again."}), 409)
    public = one(server.api("GET", f"/events/{eid}/questions", expect=200).json(), qid)  # no token
    assert public["answer"] == answer and public["votes"] == 1, public
    assert one(server.api("GET", f"/events/{eid}/questions", ALICE, expect=200).json(), qid)["askedBy"] == "Ana"

    # A partners-only event: Carla (a partner) sees it; Grace (no relation) and visitors do not, not even in lists.
    hidden_title = f"Partner roadmap {run}"
    hidden = server.api("POST", "/events", ALICE, {
        "title": hidden_title, "startsAt": iso(start + datetime.timedelta(days=1)), "durationMinutes": 30,
        "timeZone": "Europe/Berlin", "videoLink": "https://meet.example.com/roadmap", "visibility": "partners"},
        expect=201).json()
    hid = hidden["id"].lower()
    server.api("GET", f"/events/{hid}", CARLA, expect=200)
    assert hid in [e["id"].lower() for e in server.api("GET", "/events", CARLA, expect=200).json()]
    problem(server.api("GET", f"/events/{hid}", GRACE), 404)
    problem(server.api("GET", f"/events/{hid}"), 404)
    problem(server.api("POST", f"/events/{hid}/registrations", GRACE, {}), 404)
    grace_list = [e["id"].lower() for e in server.api("GET", "/events", GRACE, expect=200).json()]
    assert hid not in grace_list and eid in grace_list, grace_list
    assert hid not in [e["id"].lower() for e in server.api("GET", "/events", expect=200).json()]

    # Carla's personal calendar feed holds the public event she registered for, at its time.
    url = server.api("GET", "/me/calendar", CARLA, expect=200).json()["url"]
    entry = event(fetch_calendar(url), f"event-{eid}@bonafide")
    assert str(entry["SUMMARY"]) == title and entry.decoded("DTSTART").astimezone(UTC) == start, entry
    assert str(entry["STATUS"]) == "CONFIRMED", entry["STATUS"]


# MARK: 2. Support requests: who may ask, who answers, the figures, the mail


def test_a_partner_asks_for_support_the_provider_is_mailed_and_answers_and_the_figures_count_it(lab):  # noqa: F811
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    northwind, acme = org_id(server, ALICE), org_id(server, CARLA)
    mail_at_once(server, "support.changed", ALICE, DAN)

    def ids(who, role):
        return [r["id"].lower() for r in server.api("GET", f"/support-requests?role={role}", who, expect=200).json()]

    # Bad input is refused and writes nothing.
    provider_before, requester_before = ids(ALICE, "provider"), ids(DAN, "requester")
    assert len(provider_before) >= 1, "the demo has a support request from Acme to Northwind"
    empty = server.api("POST", f"/organizations/{northwind}/support-requests", DAN, {"subject": "", "body": "Help."})
    assert problem(empty, 422).get("field") == "subject", empty.text
    blank = server.api("POST", f"/organizations/{northwind}/support-requests", DAN, {"subject": "   ", "body": "Help."})
    assert problem(blank, 422).get("field") == "subject", blank.text
    after = ids(ALICE, "provider"), ids(DAN, "requester")
    assert after == (provider_before, requester_before), "a refused request was stored"

    # Dan (a member of Acme, Northwind's partner) opens one; Grace (no relation) cannot, told as for an unknown one.
    subject = f"Coupon field rejects codes {run}"
    body = f"Codes with a dash are refused at checkout ({run}). Could you take a look?"
    opened = server.api("POST", f"/organizations/{northwind}/support-requests", DAN, {"subject": subject, "body": body},
                        expect=201).json()
    rid = opened["id"].lower()
    assert opened["providerOrganizationId"].lower() == northwind and opened["requesterOrganizationId"].lower() == acme
    assert opened["providerOrganizationName"] == "Northwind Studio" and opened["requestedBy"] == "Dan Brooks", opened
    assert opened["status"] == "open" and opened["late"] is False and not opened.get("firstResponseAt"), opened
    assert opened["promise"] and moment(opened["dueAt"]) > moment(opened["createdAt"]), opened
    stranger = problem(server.api("POST", f"/organizations/{northwind}/support-requests", GRACE,
                                  {"subject": f"Hello {run}", "body": "Can you help?"}), 404)
    unknown = problem(server.api("POST", f"/organizations/{uuid.uuid4()}/support-requests", DAN,
                                 {"subject": f"Hello {run}", "body": "Can you help?"}), 404)
    assert stranger["detail"] == unknown["detail"], (stranger, unknown)
    problem(server.api("GET", f"/support-requests/{rid}", GRACE), 404)

    # Northwind's people see it among the requests to them; Acme's among its own.
    assert ids(ALICE, "provider")[0] == rid and rid in ids(BEN, "provider"), ids(ALICE, "provider")
    assert rid in ids(DAN, "requester") and rid in ids(CARLA, "requester") and rid not in ids(DAN, "provider")

    # Alice (an owner of Northwind) is mailed about it, with what Dan wrote.
    mail = inbox.wait(ALICE, subject)
    assert str(mail["Subject"]) == f"Acme Retail asks for support: {subject}", mail["Subject"]
    text, _, _, _ = check_notification(mail, server, ALICE, labels(server, ALICE)["support.changed"], f"/support/{rid}")
    assert body in text, text

    # Ben answers: the first response is recorded (in time), and Dan, who asked, is mailed.
    reply = f"Fixed: dashes are accepted again ({run})."
    answered = server.api("POST", f"/support-requests/{rid}/messages", BEN, {"body": reply}, expect=201).json()
    assert answered["status"] == "answered" and answered["firstResponseAt"] and answered["late"] is False, answered
    assert answered["messages"][-1]["body"] == reply and answered["messages"][-1]["author"] == "Ben Vogel", answered
    again = server.api("GET", f"/support-requests/{rid}", DAN, expect=200).json()
    assert moment(again["firstResponseAt"]) == moment(answered["firstResponseAt"]), again
    told = inbox.wait(DAN, subject)
    assert str(told["Subject"]) == f"Northwind Studio answered your support request: {subject}", told["Subject"]

    # The figures: the demo's request and this one, for Northwind's partners and its own people; 404 for Grace.
    figures = server.api("GET", f"/organizations/{northwind}/support-figures", CARLA, expect=200).json()
    assert figures["organizationId"].lower() == northwind and figures["windowDays"] == 90, figures
    assert figures["requests"] >= 2 and figures["answered"] >= 2, figures
    assert figures["withinPromise"] == 1 and figures["summary"].startswith("Answers support requests in"), figures
    own = server.api("GET", f"/organizations/{northwind}/support-figures", ALICE, expect=200).json()
    assert (own["requests"], own["answered"]) == (figures["requests"], figures["answered"]), (own, figures)
    problem(server.api("GET", f"/organizations/{northwind}/support-figures", GRACE), 404)

    # The consistency check of the profile's claims is for owners and admins.
    report = server.api("GET", "/organization/consistency", ALICE, expect=200).json()
    assert isinstance(report["notes"], list) and isinstance(report["quiet"], list), report
    problem(server.api("GET", "/organization/consistency", DAN), 403)
