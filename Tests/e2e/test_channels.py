"""The channels reach real peers: mail over SMTP, replies by mail, calendar feeds and signed webhooks.

Every test starts its own Bonafide server (`serve --demo`, SQLite in a temporary folder, a free port) with the
mail settings pointed at an aiosmtpd receiver on 127.0.0.1, the reply receiver (BONAFIDE_INBOUND_SMTP) on another
free port, loopback webhooks allowed with short retry pauses, and a test clock file (BONAFIDE_TEST_CLOCK_FILE)
that moves the background jobs' clock: quiet hours, digest hours and mail retry pauses pass without waiting.
Mails are read as a person's mail program would, with Python's email package; calendars with icalendar and
recurring-ical-events; webhook signatures with the standardwebhooks package.

People (demo data): Carla Diaz (carla@acme.example, Acme Retail, owner, America/New_York) and Alice Becker
(alice@northwind.example, Northwind Studio, Europe/Berlin). Each test opens its own partnership between them, so
its mails and events are its own. On a failure the server log, every received mail and every webhook request
land in e2e-artifacts/ (BONAFIDE_E2E_ARTIFACTS).
"""
import datetime
import email
import email.message
import email.policy
import email.utils
import html as htmllib
import http.server
import json
import os
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import uuid
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
import requests
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from test_mail import until

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
ARTIFACTS = os.environ.get("BONAFIDE_E2E_ARTIFACTS", "e2e-artifacts")
MAIL_FROM = "trust@bonafide.test"
REPLY_DOMAIN = "reply.bonafide.test"
PASSWORD = "bonafide-demo"
CARLA, ALICE, DAN = "carla@acme.example", "alice@northwind.example", "dan@acme.example"
WAIT = 30  # seconds: the longest any one thing (a mail, a webhook request, a server start) is waited for
UTC = datetime.timezone.utc


_handed_out = set()


def free_port():
    """A port nobody listens on, never the same twice in this run (a mail port stays unbound for a while)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


# MARK: Peers


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # dicts: mail_from, rcpt_tos, content (bytes), message (parsed)

    async def handle_DATA(self, server, session, envelope):
        message = parsed(envelope.original_content)
        with self.lock:
            self.messages.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                                  "content": envelope.original_content, "message": message})
        return "250 2.0.0 Message accepted"

    def to(self, address, subject_has=""):
        """Parsed messages whose envelope names address and whose subject contains subject_has, in arrival order."""
        with self.lock:
            return [m["message"] for m in self.messages
                    if address in m["rcpt_tos"] and subject_has in str(m["message"]["Subject"])]

    def wait(self, address, subject_has, timeout=WAIT):
        """The one message to address whose subject contains subject_has (waits for it; fails on a second one)."""
        found = until(f"a mail to {address} about {subject_has!r}", lambda: self.to(address, subject_has), timeout=timeout)
        assert len(found) == 1, f"{len(found)} mails to {address} about {subject_has!r}"
        return found[0]


class HookReceiver:
    """A loopback HTTP endpoint that answers each path from a plan of status codes (the last one repeats)."""

    def __init__(self, plans):
        self.plans = plans
        self.lock = threading.Lock()
        self.requests = []  # dicts: path, headers (lower-case names), body (bytes), answered
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    seen = sum(1 for r in receiver.requests if r["path"] == self.path)
                    plan = receiver.plans.get(self.path, [404])
                    code = plan[min(seen, len(plan) - 1)]
                    receiver.requests.append({
                        "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                        "answered": code})
                self.send_response(code)
                if code == 204:
                    self.end_headers()
                else:
                    text = b"receiver says no" if code >= 400 else b"ok"
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def at(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Server:
    """One Bonafide server with the channels' settings, its own data folder, log and test clock file."""

    def __init__(self, work, smtp_port):
        self.work = work
        self.port, self.inbound_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(work, "data")
        self.clock_file = os.path.join(work, "clock")
        self.log_path = os.path.join(work, "server.log")
        # Only these settings: none inherited from the shell (a data folder, a log level, a database URL).
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("BONAFIDE_") and k != "DATABASE_URL"}
        self.env = dict(
            inherited, BONAFIDE_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", BONAFIDE_MAIL_FROM=MAIL_FROM,
            BONAFIDE_MAIL_SECONDS="1", BONAFIDE_EMAIL_VERIFICATION="off", BONAFIDE_OVERDUE_SWEEP_SECONDS="1",
            BONAFIDE_BCRYPT_COST="4", BONAFIDE_LOGIN_CLIENT_ATTEMPTS="1000", BONAFIDE_PUBLIC_URL=self.base,
            BONAFIDE_WEBHOOKS_ALLOW_PRIVATE="true", BONAFIDE_WEBHOOK_SECONDS="1", BONAFIDE_WEBHOOK_BACKOFF_SCALE="0.01",
            BONAFIDE_INBOUND_SMTP=f"127.0.0.1:{self.inbound_port}", BONAFIDE_REPLY_DOMAIN=REPLY_DOMAIN,
            BONAFIDE_TEST_CLOCK_FILE=self.clock_file)
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--demo", "--data", self.data, "--port", str(self.port)], env=self.env,
            stdout=self.log_file, stderr=subprocess.STDOUT)
        self.tokens = {}

    def wait_ready(self):
        def healthy():
            assert self.process.poll() is None, "the server exited:\n" + self.log()[-4000:]
            try:
                return requests.get(self.base + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        until("the server to answer /healthz", healthy, timeout=90)
        # The reply receiver starts with the server; wait until it takes connections too.
        until("the reply receiver to listen", lambda: self.accepts(self.inbound_port))

    @staticmethod
    def accepts(port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def advance(self, seconds):
        """Moves the background jobs' clock: seconds ahead of the real time."""
        with open(self.clock_file + ".tmp", "w") as f:
            f.write(str(int(seconds)))
        os.replace(self.clock_file + ".tmp", self.clock_file)

    def api(self, method, path, who=None, body=None, expect=None):
        headers = {"Authorization": "Bearer " + self.token(who)} if who else {}
        response = requests.request(method, self.base + "/api/v1" + path, json=body, headers=headers, timeout=30)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:800]}"
        return response

    def token(self, who):
        if who not in self.tokens:
            response = requests.post(
                self.base + "/api/v1/auth/login", json={"email": who, "password": PASSWORD}, timeout=30)
            assert response.status_code == 200, response.text
            self.tokens[who] = response.json()["token"]
        return self.tokens[who]

    def browser_session(self, who):
        """A signed-in web session (cookies), as a person who signed in with the form has."""
        session = requests.Session()
        page = session.get(self.base + "/login", timeout=30)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text)
        assert csrf, "no CSRF field on /login"
        response = session.post(self.base + "/login", data={"email": who, "password": PASSWORD, "_csrf": csrf[1]},
                                allow_redirects=False, timeout=30)
        assert response.status_code in (302, 303), f"web sign-in answered {response.status_code}"
        return session

    def partnership(self, name, inviter=CARLA, invitee=ALICE):
        """A new active partnership between inviter's and invitee's organizations (only the two as members)."""
        created = self.api("POST", "/partnerships", inviter,
                           {"name": name, "partnerEmail": invitee, "agreement": f"What {name} is about."}, expect=201).json()
        secret = created["invitationLink"].rstrip("/").rsplit("/", 1)[1]
        accepted = self.api("POST", f"/invitations/{secret}/accept", invitee, expect=200).json()
        assert accepted["status"] == "active"
        return created["id"]

    def propose(self, pid, who, title, due=None, **more):
        due = due or datetime.datetime.now(UTC) + datetime.timedelta(days=20)
        body = {"title": title, "dueAt": due if isinstance(due, str) else iso(due), **more}
        return self.api("POST", f"/partnerships/{pid}/commitments", who, body, expect=201).json()

    def act(self, pid, cid, who, action, reason=None):
        body = {"action": action} | ({"reason": reason} if reason else {})
        return self.api("POST", f"/partnerships/{pid}/commitments/{cid}/transitions", who, body, expect=200).json()

    def post(self, pid, who, body, subject=None, thread=None, ask=False):
        data = {"body": body, "needsResponse": ask} | ({"subject": subject} if subject else {}) | (
            {"threadId": thread} if thread else {})
        return self.api("POST", f"/partnerships/{pid}/messages", who, data, expect=201).json()

    def settings(self, who, **update):
        if update:
            return self.api("PUT", "/me/notifications", who, update, expect=200).json()
        return self.api("GET", "/me/notifications", who, expect=200).json()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()


class Lab:
    """What one test runs: servers, mail receivers and webhook receivers, stopped (and kept as evidence) after it."""

    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="bonafide-channels.")
        self.servers, self.controllers, self.hooks = [], [], []
        self.inbox = Inbox()

    def receive_mail(self, port):
        controller = Controller(self.inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
        controller.start()
        self.controllers.append(controller)

    def start(self, mail_up=True):
        """A server and, unless mail_up is False, the mail receiver it sends to; answers the server and the SMTP port."""
        smtp_port = free_port()
        if mail_up:
            self.receive_mail(smtp_port)
        work = os.path.join(self.work, f"server{len(self.servers)}")
        os.makedirs(work)
        server = Server(work, smtp_port)
        self.servers.append(server)  # stopped and kept as evidence even when it never comes up
        server.wait_ready()
        return server, smtp_port

    def hook_receiver(self, plans):
        receiver = HookReceiver(plans)
        self.hooks.append(receiver)
        return receiver

    def close(self, name, failed):
        for server in self.servers:
            server.stop()
        for controller in self.controllers:
            controller.stop()
        for hook in self.hooks:
            hook.stop()
        if failed:
            os.makedirs(ARTIFACTS, exist_ok=True)
            prefix = os.path.join(ARTIFACTS, "channels-failure-" + name)
            for k, server in enumerate(self.servers):
                shutil.copyfile(server.log_path, f"{prefix}-server{k}.log")
                print(f"server {k} log (tail):\n" + server.log()[-3000:])
            with open(prefix + "-received.txt", "wb") as f:
                for m in self.inbox.messages:
                    f.write(f"--- from {m['mail_from']} to {m['rcpt_tos']}\n".encode())
                    f.write(m["content"] + b"\n")
            for k, hook in enumerate(self.hooks):
                with open(f"{prefix}-webhooks{k}.txt", "wb") as f:
                    for r in hook.requests:
                        f.write(f"--- {r['path']} answered {r['answered']} {json.dumps(r['headers'])}\n".encode())
                        f.write(r["body"] + b"\n")
        if os.environ.get("BONAFIDE_E2E_KEEP"):
            print("kept", self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


@pytest.fixture()
def lab(request):
    lab = Lab()
    failed_before = request.session.testsfailed
    errors = []
    try:
        yield lab
    finally:
        errors = [line for server in lab.servers for line in server.log().splitlines() if "unexpected error" in line]
        lab.close(request.node.name, bool(errors) or request.session.testsfailed > failed_before)
    if errors:
        pytest.fail("the server logged unexpected errors:\n" + "\n".join(errors[:20]))


# MARK: Reading notification mails

LINK = re.compile(r"^Open it in Bonafide: (\S+)$", re.M)


def text_and_html(message):
    """The text and HTML alternatives of a notification mail, after checking its structure."""
    assert message.get_content_type() == "multipart/alternative", message.get_content_type()
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], [p.get_content_type() for p in parts]
    for part in parts:
        assert part["Content-Transfer-Encoding"] == "base64", part["Content-Transfer-Encoding"]
        assert part.get_content_charset() == "utf-8"
    # The parts are in canonical form (CRLF line ends); a mail program shows lines.
    return tuple(p.get_content().replace("\r\n", "\n") for p in parts)


def check_notification(message, server, to, kind_label, path):
    """Checks what every notification mail must have; answers its text, HTML, link and unsubscribe address."""
    assert [a.addr_spec for a in message["To"].addresses] == [to]
    assert [a.addr_spec for a in message["From"].addresses] == [MAIL_FROM]
    assert message["Message-ID"] and message["Date"] and message["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(message)
    assert f"You get this mail for “{kind_label}”." in text, text
    links = LINK.findall(text)
    assert len(links) == 1, text
    link = links[0]
    assert link.startswith(server.base + "/"), link
    assert link.lower() == (server.base + path).lower(), (link, path)
    assert f'href="{link}"' in html, html
    unsubscribe = re.fullmatch(r"<(\S+)>", str(message["List-Unsubscribe"]))
    assert unsubscribe and unsubscribe[1].startswith(server.base + "/unsubscribe/"), message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1] in text and f'href="{unsubscribe[1]}"' in html
    return text, html, link, unsubscribe[1]


def labels(server, who):
    return {k["kind"]: k["label"] for k in server.settings(who)["kinds"]}


def modes(server, who):
    return {k["kind"]: k["mode"] for k in server.settings(who)["kinds"]}


OUTGOING_ROW = re.compile(
    r'<tr><td>(.*?)</td><td class="hide-sm">(.*?)</td><td>(.*?)</td><td class="small muted">(.*?)</td></tr>', re.S)


def outgoing_mail(session, server, address):
    """The organization page's outgoing mail rows to address, newest first: (subject, state, what the server said)."""
    page = session.get(server.base + "/organization", timeout=30)
    assert page.status_code == 200, page.status_code
    section = page.text.split('id="outgoing-mail"', 1)[1].split("</section>", 1)[0]
    rows = [tuple(htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row)
            for row in OUTGOING_ROW.findall(section)]
    return [row[1:] for row in rows if row[0] == address]


def mail_date(message):
    return email.utils.parsedate_to_datetime(str(message["Date"]))


# MARK: 1. An invitation waits for the mail server


def test_invitation_mail_waits_for_a_mail_server_that_is_down_and_arrives_once(lab):
    server, smtp_port = lab.start(mail_up=False)
    run = uuid.uuid4().hex[:6]
    invited = f"newpartner-{run}@harbor-new.example"
    name = f"Freight audit {run}"

    web = server.browser_session(CARLA)
    created = server.api("POST", "/partnerships", CARLA, {"name": name, "partnerEmail": invited, "agreement": "Audit."},
                         expect=201).json()
    link = created["invitationLink"]
    assert link.startswith(server.base + "/invitations/"), link

    # Nobody listens: the owner's outgoing mail shows it waiting to retry, with why.
    def waiting():
        rows = outgoing_mail(web, server, invited)
        return rows and rows[0][1].startswith("waiting to retry") and rows[0]
    subject, state, said = until("the invitation's failed first attempt", waiting)
    assert name in subject and "connect" in said.lower(), (subject, state, said)

    # The mail server comes up. The invitation waits for its retry (60 s later), not a moment before.
    lab.receive_mail(smtp_port)
    time.sleep(2.5)  # more than two passes of the outbox
    assert not lab.inbox.to(invited), "the invitation went out before its retry was due"

    # A minute and more later (the jobs' clock): it arrives, once.
    server.advance(120)
    message = lab.inbox.wait(invited, name)
    until("the page to show it sent", lambda: outgoing_mail(web, server, invited)[0][1].startswith("sent"))
    time.sleep(2.5)  # more passes of the outbox
    arrived = lab.inbox.to(invited)
    assert len(arrived) == 1, f"{len(arrived)} invitation mails to {invited}"
    envelope = [m for m in lab.inbox.messages if invited in m["rcpt_tos"]][0]
    assert envelope["mail_from"] == MAIL_FROM and envelope["rcpt_tos"] == [invited]
    assert [a.addr_spec for a in message["To"].addresses] == [invited]
    sender = message["From"].addresses[0]
    assert sender.addr_spec == MAIL_FROM and sender.display_name == "Acme Retail via Bonafide", message["From"]
    assert str(message["Subject"]) == f"Carla Diaz of Acme Retail invites you to “{name}” on Bonafide"
    body = message.get_content()
    links = re.findall(r"https?://\S+", body)
    assert links == [link], f"expected the API's link {link} in:\n{body}"
    # The link opens the invitation for someone without an account.
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and name in page.text, page.status_code


# MARK: 2. One mail per event, threaded, with a link that opens and a one-click unsubscribe


def test_notification_mails_per_event_thread_link_and_one_click_unsubscribe(lab):
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    name = f"Channels {run}"
    pid = server.partnership(name)
    carla_labels = labels(server, CARLA)
    # Alice accepted Carla's invitation: Carla is told, threaded under the partnership.
    joined = inbox.wait(CARLA, f"Alice Becker accepted your invitation to {name}")
    check_notification(joined, server, CARLA, carla_labels["partnership.changed"], f"/partnerships/{pid}")
    assert re.fullmatch(rf"<partnership-{pid.lower()}@[^>]+>", str(joined["In-Reply-To"])), joined["In-Reply-To"]
    title = f"Pricing page copy {run}"
    cid = server.propose(pid, ALICE, title, deliverable="Copy for the pricing page.")["id"]
    path = f"/partnerships/{pid}/commitments/{cid}"

    proposed = inbox.wait(CARLA, f"Alice Becker proposes “{title}” in {name}; accept or decline it")
    server.act(pid, cid, CARLA, "accept")
    accepted = inbox.wait(ALICE, f"Carla Diaz accepted “{title}” in {name}")
    server.act(pid, cid, ALICE, "deliver")
    delivered = inbox.wait(CARLA, f"Alice Becker delivered “{title}” in {name}")
    server.act(pid, cid, CARLA, "sendBack", reason="The mobile layout is missing")
    sent_back = inbox.wait(ALICE, f"Carla Diaz sent “{title}” back in {name}")
    asked = server.post(pid, CARLA, f"Can you confirm the launch date for {run}?", subject=f"Launch date {run}", ask=True)
    question = inbox.wait(ALICE, f"Carla Diaz wrote in “Launch date {run}” and asks for a response")

    seen = {}
    for message, to, kind in [(proposed, CARLA, "commitment.proposed"), (accepted, ALICE, "commitment.accepted"),
                              (delivered, CARLA, "commitment.delivered"), (sent_back, ALICE, "commitment.sentBack")]:
        text, html, link, unsubscribe = check_notification(message, server, to, carla_labels[kind], path)
        assert str(message["Subject"]) in text
        assert message["Reply-To"] is None, "a commitment's mail has no reply address"
        seen[kind] = (text, html, link, unsubscribe)
    assert "Due " in seen["commitment.proposed"][0]
    assert "Deliverable: Copy for the pricing page." in seen["commitment.proposed"][0]
    assert "Their reason: The mobile layout is missing" in seen["commitment.sentBack"][0]
    assert "Their reason: The mobile layout is missing" in seen["commitment.sentBack"][1]

    # One commitment's mails thread together under one root; each mail is its own message.
    roots = {(str(m["In-Reply-To"]), str(m["References"])) for m in (proposed, accepted, delivered, sent_back)}
    assert len(roots) == 1, roots
    root = roots.pop()
    assert root[0] == root[1] and re.fullmatch(rf"<commitment-{cid.lower()}@[^>]+>", root[0]), root
    ids = [str(m["Message-ID"]) for m in (proposed, accepted, delivered, sent_back, question)]
    assert len(set(ids)) == len(ids), ids

    # The question's mail threads under its thread, carries the message and a reply address.
    thread_id = asked["threadId"]
    text, html, _, _ = check_notification(
        question, server, ALICE, carla_labels["message.needsAnswer"], f"/partnerships/{pid}/threads/{thread_id}")
    assert f"Can you confirm the launch date for {run}?" in text and "Reply to this mail to answer in the thread." in text
    assert re.fullmatch(rf"<thread-{thread_id.lower()}@[^>]+>", str(question["In-Reply-To"])), question["In-Reply-To"]
    reply_to = question["Reply-To"].addresses[0].addr_spec
    assert re.fullmatch(rf"reply\+[a-z2-7]+@{re.escape(REPLY_DOMAIN)}", reply_to), reply_to

    # Never to the person who acted.
    assert not inbox.to(ALICE, f"proposes “{title}”") and not inbox.to(ALICE, f"delivered “{title}”")
    assert not inbox.to(CARLA, f"accepted “{title}”") and not inbox.to(CARLA, f"sent “{title}” back")
    assert not inbox.to(CARLA, f"Launch date {run}")

    # The links open the commitment for the signed-in recipient; without a session they lead to the sign-in.
    for who, kind in [(CARLA, "commitment.proposed"), (ALICE, "commitment.sentBack")]:
        page = server.browser_session(who).get(seen[kind][2], timeout=30)
        assert page.status_code == 200 and title in page.text, (who, page.status_code)
    anonymous = requests.get(seen["commitment.proposed"][2], allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 303) and anonymous.headers["Location"].startswith("/login"), anonymous.status_code

    # Opening the link (a GET, as a link scanner does) only asks; one click (RFC 8058, a POST from Carla's mail
    # program) stops proposals being mailed to her, and nothing else changes.
    unsubscribe = seen["commitment.proposed"][3]
    form = requests.get(unsubscribe, timeout=30)
    assert form.status_code == 200 and "<form" in form.text, form.status_code
    assert modes(server, CARLA)["commitment.proposed"] == "immediately", "opening the unsubscribe link unsubscribed"
    token = unsubscribe.rsplit("/", 1)[1]
    k = len(token) // 2
    forged = unsubscribe[: -len(token)] + token[:k] + ("A" if token[k] != "A" else "B") + token[k + 1:]
    refused = requests.post(forged, data="List-Unsubscribe=One-Click", timeout=30,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 404, refused.status_code
    assert modes(server, CARLA)["commitment.proposed"] == "immediately", "a forged link changed the settings"
    done = requests.post(unsubscribe, data="List-Unsubscribe=One-Click", timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200, done.status_code
    now = modes(server, CARLA)
    assert now["commitment.proposed"] == "off", now
    assert all(mode == "immediately" for kind, mode in now.items() if kind != "commitment.proposed"), now

    second = f"Annual pricing copy {run}"
    server.propose(pid, ALICE, second)
    server.post(pid, ALICE, f"Proposed the annual pricing copy too ({run}).", subject=f"Annual {run}")
    inbox.wait(CARLA, f"Alice Becker wrote in “Annual {run}”")  # sent after the proposal: the outbox has passed it
    time.sleep(1)
    assert not inbox.to(CARLA, f"“{second}”"), "a proposal was mailed after its kind was unsubscribed"
    # The bell still has it: only the mail stopped.
    bell = server.api("GET", "/notifications", CARLA, expect=200).json()
    assert second in json.dumps(bell, ensure_ascii=False)


# MARK: 3. Digest


def test_digest_collects_a_kind_and_goes_out_once_at_the_digest_hour(lab):
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    name = f"Digest {run}"
    pid = server.partnership(name)
    zone = zoneinfo.ZoneInfo(server.settings(CARLA)["timeZone"])
    local = datetime.datetime.now(zone)
    # The digest at this very hour: it has passed today, but a new settings row counts as "digest sent now", so the
    # first digest goes out tomorrow at this hour.
    settings = server.settings(CARLA, digestHour=local.hour, modes={"commitment.proposed": "digest"})
    assert settings["digestHour"] == local.hour
    assert {k["kind"]: k["mode"] for k in settings["kinds"]}["commitment.proposed"] == "digest"

    titles = [f"Shipping rates table {run}", f"Returns policy page {run}"]
    ids = [server.propose(pid, ALICE, t)["id"] for t in titles]
    server.post(pid, ALICE, f"Two proposals are waiting for you ({run}).", subject=f"Waiting {run}")
    inbox.wait(CARLA, f"Alice Becker wrote in “Waiting {run}”")  # at once: only proposals wait for the digest
    time.sleep(1)
    assert not inbox.to(CARLA, "Your Bonafide digest"), "a digest went out before the digest hour"
    assert not any(inbox.to(CARLA, f"“{t}”") for t in titles), "a proposal was mailed although it waits for the digest"

    tomorrow = (local + datetime.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    server.advance((tomorrow.astimezone(UTC) - local.astimezone(UTC)).total_seconds() + 90)
    digest = inbox.wait(CARLA, "Your Bonafide digest")
    time.sleep(2.5)  # more passes of the sweep that composes digests
    digests = inbox.to(CARLA, "Your Bonafide digest")
    assert len(digests) == 1, f"{len(digests)} digests"
    assert str(digest["Subject"]) == "Your Bonafide digest: 2 updates"
    text, html = text_and_html(digest)
    assert "what happened since your last digest" in text
    for title, cid in zip(titles, ids):
        line = f"• Alice Becker proposes “{title}” in {name}; accept or decline it"
        assert line in text, text
        link = f"{server.base}/partnerships/{pid}/commitments/{cid}"
        after = text.split(line, 1)[1].splitlines()[1].strip()
        assert after.lower() == link.lower(), (after, link)
        assert f'href="{after}"' in html
    assert text.index(titles[0]) < text.index(titles[1]), "digest items are not in the order they happened"
    assert digest["List-Unsubscribe"] and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not any(inbox.to(CARLA, f"“{t}”") for t in titles), "a digested proposal was also mailed alone"

    # "Stop digests" with one click: what went to the digest is no longer mailed at all; the rest is unchanged.
    stop = re.fullmatch(r"<(\S+)>", str(digest["List-Unsubscribe"]))[1]
    assert f"Stop digests: {stop}" in text
    done = requests.post(stop, data="List-Unsubscribe=One-Click", timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200, done.status_code
    now = modes(server, CARLA)
    assert now["commitment.proposed"] == "off", now
    assert all(mode == "immediately" for kind, mode in now.items() if kind != "commitment.proposed"), now


# MARK: 4. Quiet hours and days off


def test_quiet_hours_and_days_off_hold_mail_until_they_end(lab):
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    name = f"Quiet {run}"
    pid = server.partnership(name)

    # Carla: quiet from an hour ago to an hour from now (her zone). Alice: today and tomorrow off (her zone).
    carla_zone = zoneinfo.ZoneInfo(server.settings(CARLA)["timeZone"])
    alice_zone = zoneinfo.ZoneInfo(server.settings(ALICE)["timeZone"])
    real_now = datetime.datetime.now(UTC)
    start, end = ((real_now + datetime.timedelta(hours=h)).astimezone(carla_zone) for h in (-1, 1))
    quiet = server.settings(CARLA, quietStart=start.strftime("%H:%M"), quietEnd=end.strftime("%H:%M"))
    assert (quiet["quietStart"], quiet["quietEnd"]) == (start.strftime("%H:%M"), end.strftime("%H:%M"))
    quiet_end = end.replace(second=0, microsecond=0)
    alice_today = datetime.datetime.now(alice_zone).date()
    off = {alice_today.isoweekday(), (alice_today + datetime.timedelta(days=1)).isoweekday()}
    work_days = sorted(set(range(1, 8)) - off)
    assert server.settings(ALICE, workDays=work_days)["workDays"] == work_days
    back_at_work = datetime.datetime.combine(alice_today + datetime.timedelta(days=2), datetime.time(0, 0), alice_zone)

    to_carla, to_alice = f"Warehouse labels {run}", f"Customs forms {run}"
    server.propose(pid, ALICE, to_carla)
    server.propose(pid, CARLA, to_alice)
    # Mail to someone with no quiet hours goes at once; sent after the two proposals, so the outbox has passed them.
    control = f"control-{run}@outside.example"
    server.api("POST", "/partnerships", CARLA, {"name": f"Control {run}", "partnerEmail": control}, expect=201)
    inbox.wait(control, f"Control {run}")
    time.sleep(1)
    assert not inbox.to(CARLA, f"“{to_carla}”"), "mailed to Carla inside her quiet hours"
    assert not inbox.to(ALICE, f"“{to_alice}”"), "mailed to Alice on her day off"
    # Carla's organization sees why her mail waits.
    held = [row for row in outgoing_mail(server.browser_session(CARLA), server, CARLA)
            if row[0] == "Notification: A commitment proposed to you"]
    assert held and held[0][1].startswith("held until"), held

    # Later than both ends (the jobs' clock): both arrive, dated after the time they were held to.
    now = datetime.datetime.now(UTC)
    server.advance((max(quiet_end, back_at_work) - now).total_seconds() + 90)
    carla_mail = inbox.wait(CARLA, f"“{to_carla}”")
    alice_mail = inbox.wait(ALICE, f"“{to_alice}”")
    assert mail_date(carla_mail) >= quiet_end, (carla_mail["Date"], quiet_end)
    assert mail_date(alice_mail) >= back_at_work, (alice_mail["Date"], back_at_work)
    time.sleep(1.5)
    assert len(inbox.to(CARLA, f"“{to_carla}”")) == 1 and len(inbox.to(ALICE, f"“{to_alice}”")) == 1


# MARK: 5. Replies by mail


def reply_mail(notification, sender_name, sender, to, text, message_id, quote_on_top=False):
    """A reply as a mail program writes it: the person's words, a signature, the original quoted."""
    original = notification.get_body(("plain",)).get_content()
    quoted = "\n".join("> " + line if line else ">" for line in original.splitlines())
    attribution = f"On {notification['Date']}, Bonafide <{MAIL_FROM}> wrote:"
    if quote_on_top:  # answering below the quote
        body = f"{quoted}\n\n{text}\n\n-- \n{sender_name}\nNorthwind Studio\n"
    else:
        body = f"{text}\n\n-- \n{sender_name}\nNorthwind Studio\n\n{attribution}\n{quoted}\n"
    reply = email.message.EmailMessage(policy=email.policy.SMTP)
    reply["From"] = email.utils.formataddr((sender_name, sender))
    reply["To"] = to
    reply["Subject"] = "Re: " + str(notification["Subject"])
    reply["Date"] = email.utils.formatdate(localtime=False)
    reply["Message-ID"] = message_id
    reply["In-Reply-To"] = str(notification["Message-ID"])
    reply["References"] = str(notification["Message-ID"])
    reply.set_content(body)  # UTF-8, quoted-printable or base64 as the library chooses
    return reply.as_bytes()


def smtp_send(port, sender, recipient, raw):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        return smtp.sendmail(sender, [recipient], raw)


def test_a_reply_by_mail_lands_in_the_thread_once_and_forgeries_post_nothing(lab):
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    name = f"Replies {run}"
    pid = server.partnership(name)
    subject = f"Photo shoot {run}"
    asked = server.post(pid, CARLA, f"Can you send the shot list for {run} by Thursday?", subject=subject, ask=True)
    thread = asked["threadId"]
    notification = inbox.wait(ALICE, f"Carla Diaz wrote in “{subject}”")
    reply_to = notification["Reply-To"].addresses[0].addr_spec
    assert reply_to.endswith("@" + REPLY_DOMAIN)

    def thread_messages():
        return server.api("GET", f"/partnerships/{pid}/messages?threadId={thread}", CARLA, expect=200).json()

    alice_id = server.api("GET", "/me", ALICE, expect=200).json()["id"]
    words = f"Here is the shot list for {run}: hero, detail, lifestyle.\n\nGrüße aus Berlin,\nAlice"
    raw = reply_mail(notification, "Alice Becker", ALICE, reply_to, words, f"<{uuid.uuid4()}@northwind.example>")
    assert smtp_send(server.inbound_port, ALICE, reply_to, raw) == {}

    messages = until("the reply in the thread", lambda: (m := thread_messages()) and len(m) == 2 and m)
    posted = messages[-1]
    assert posted["authorId"].lower() == alice_id.lower() and posted["authorName"] == "Alice Becker"
    assert posted["body"] == words, posted["body"]
    assert messages[0]["respondedAt"], "the question was not marked answered by the reply"
    # Carla is told, as for any message.
    told = inbox.wait(CARLA, f"Alice Becker wrote in “{subject}”")
    assert f"Here is the shot list for {run}" in told.get_body(("plain",)).get_content()

    # A forged token (one character changed) is refused at RCPT; nothing is posted.
    token = reply_to.split("@")[0].split("+", 1)[1]
    k = len(token) // 2
    forged = f"reply+{token[:k]}{'a' if token[k] != 'a' else 'b'}{token[k + 1:]}@{REPLY_DOMAIN}"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_send(server.inbound_port, ALICE, forged, reply_mail(
            notification, "Alice Becker", ALICE, forged, "Forged.", f"<{uuid.uuid4()}@northwind.example>"))
    assert refused.value.recipients[forged][0] == 550, refused.value.recipients
    # The same mail again (same Message-ID) is refused after DATA.
    with pytest.raises(smtplib.SMTPDataError) as replayed:
        smtp_send(server.inbound_port, ALICE, reply_to, raw)
    assert replayed.value.smtp_code == 550 and b"already received" in replayed.value.smtp_error, replayed.value
    # Someone else writing to Alice's reply address is refused too.
    dan_raw = reply_mail(notification, "Dan Brooks", DAN, reply_to, "Not Alice.", f"<{uuid.uuid4()}@acme.example>")
    with pytest.raises(smtplib.SMTPDataError) as stranger:
        smtp_send(server.inbound_port, DAN, reply_to, dan_raw)
    assert stranger.value.smtp_code == 550, stranger.value
    assert len(thread_messages()) == 2, "a refused mail posted something"

    # The pipe transport: `bonafide mail receive` on the same data, while the server runs.
    def receive(raw_bytes):
        return subprocess.run([BINARY, "mail", "receive", "--data", server.data], input=raw_bytes, env=server.env,
                              capture_output=True, timeout=120)
    again = receive(raw)
    assert again.returncode == 67, (again.returncode, again.stderr)
    assert b"already received" in again.stderr, again.stderr
    garbage = receive(b"this is not a mail at all")
    assert garbage.returncode == 65 and garbage.stderr.strip(), (garbage.returncode, garbage.stderr)
    empty = receive(b"")
    assert empty.returncode == 65, (empty.returncode, empty.stderr)
    assert len(thread_messages()) == 2, "the command posted a refused mail"
    # A new reply, answered below the quote, taken by the command.
    below = f"And the backup date for {run} is Friday."
    piped = receive(reply_mail(notification, "Alice Becker", ALICE, reply_to, below,
                               f"<{uuid.uuid4()}@northwind.example>", quote_on_top=True))
    assert piped.returncode == 0, (piped.returncode, piped.stderr)
    posted_id = re.search(rb"message ([0-9a-f-]{36})", piped.stdout)
    assert posted_id, piped.stdout
    messages = thread_messages()
    assert len(messages) == 3 and messages[-1]["body"] == below, messages[-1]["body"]
    assert messages[-1]["id"].lower() == posted_id[1].decode()


def test_an_update_is_answered_by_mail_in_the_readers_thread_and_the_writer_answers_by_mail(lab):
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    server.partnership(f"Updates {run}")
    northwind = server.api("GET", "/me", ALICE, expect=200).json()["organizationId"]
    title = f"Spring range {run}"
    update = server.api("POST", "/updates", CARLA, {
        "title": title, "body": f"The spring range {run} ships in May.", "visibility": "organizations",
        "organizationIds": [northwind]}, expect=201).json()
    mailed = inbox.wait(ALICE, title)
    assert mailed["Reply-To"], "the update's mail has no reply address"
    reply_to = mailed["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith("reply+") and reply_to.endswith("@" + REPLY_DOMAIN), reply_to
    assert "only your organization and theirs see the thread" in mailed.get_body(("plain",)).get_content()

    def thread(who):
        threads = server.api("GET", f"/updates/{update['id']}/replies", who, expect=200).json()
        return [(r["side"], r["body"]) for r in threads[0]["replies"]] if threads else []

    words = f"Wonderful news, we love the {run} range and will order early."
    raw = reply_mail(mailed, "Alice Becker", ALICE, reply_to, words, f"<{uuid.uuid4()}@northwind.example>")
    assert smtp_send(server.inbound_port, ALICE, reply_to, raw) == {}
    assert thread(CARLA) == [("reader", words)]
    written = server.api("GET", f"/updates/{update['id']}/replies", ALICE, expect=200).json()[0]
    assert written["organizationId"].lower() == northwind.lower() and written["replies"][0]["label"] == "positive", written
    # Someone else writing to Alice's reply address is refused; nothing is written.
    with pytest.raises(smtplib.SMTPDataError) as stranger:
        smtp_send(server.inbound_port, DAN, reply_to, reply_mail(
            mailed, "Dan Brooks", DAN, reply_to, "Not Alice.", f"<{uuid.uuid4()}@acme.example>"))
    assert stranger.value.smtp_code == 550, stranger.value

    # Carla, an owner of the writer, is told, and answers Northwind's thread by replying to that mail.
    told = inbox.wait(CARLA, f"Northwind Studio replied to “{title}”")
    answer_to = told["Reply-To"].addresses[0].addr_spec
    answer = f"Thank you, Alice: the {run} range is yours first."
    assert smtp_send(server.inbound_port, CARLA, answer_to, reply_mail(
        told, "Carla Diaz", CARLA, answer_to, answer, f"<{uuid.uuid4()}@acme.example>")) == {}
    assert thread(ALICE) == [("reader", words), ("author", answer)]
    assert answer in inbox.wait(ALICE, f"Acme Retail answered your reply to “{title}”").get_body(("plain",)).get_content()


# MARK: 6. Calendar feed


def fetch_calendar(url):
    response = requests.get(url, timeout=30)  # no token: the address is the secret
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/calendar"), response.headers["Content-Type"]
    return icalendar.Calendar.from_ical(response.content)


def event(calendar, uid):
    found = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    assert len(found) == 1, f"{len(found)} events with UID {uid}"
    return found[0]


def test_calendar_feed_shows_due_dates_in_utc_cancellations_and_a_reset_address(lab):
    server, _ = lab.start()
    run = uuid.uuid4().hex[:6]
    name = f"Calendar {run}"
    pid = server.partnership(name)
    year = datetime.datetime.now(UTC).year + 1
    new_york = f"Store opening {run}"
    c1 = server.propose(pid, ALICE, new_york, due=f"{year}-01-15T17:00:00-05:00", timeZone="America/New_York")
    assert c1["timeZone"] == "America/New_York"
    c2 = server.propose(pid, ALICE, f"Spring catalogue {run}", due=f"{year}-02-01T09:00:00+01:00")
    url = server.api("GET", "/me/calendar", CARLA, expect=200).json()["url"]
    assert url.startswith(server.base + "/calendar/") and url.endswith(".ics"), url

    calendar = fetch_calendar(url)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["X-WR-CALNAME"]) == "Bonafide: Carla Diaz"
    host_uid = re.compile(rf"commitment-{c1['id'].lower()}@[^@]+")
    uid = next(str(e["UID"]) for e in calendar.walk("VEVENT") if host_uid.fullmatch(str(e["UID"])))
    first = event(calendar, uid)
    assert first.decoded("DTSTART") == datetime.datetime(year, 1, 15, 22, 0, tzinfo=UTC), first.decoded("DTSTART")
    assert str(first["SUMMARY"]) == f"Due: {new_york}"
    assert str(first["STATUS"]) == "TENTATIVE"
    assert str(first["URL"]).lower() == f"{server.base}/partnerships/{pid}/commitments/{c1['id']}".lower()
    assert "America/New_York" in str(first["DESCRIPTION"]) and name in str(first["DESCRIPTION"])
    sequence = int(first["SEQUENCE"])

    # What a calendar app shows for that day, and for the weeks around it.
    day = recurring_ical_events.of(calendar).between(
        datetime.datetime(year, 1, 15, tzinfo=UTC), datetime.datetime(year, 1, 16, tzinfo=UTC))
    uids = [str(e["UID"]) for e in day]
    assert uid in uids and not any(c2["id"].lower() in u for u in uids), uids
    weeks = recurring_ical_events.of(calendar).between(
        datetime.datetime(year, 1, 1, tzinfo=UTC), datetime.datetime(year, 3, 1, tzinfo=UTC))
    assert {uid, uid.replace(c1["id"].lower(), c2["id"].lower())} <= {str(e["UID"]) for e in weeks}

    # Declined: the event stays, cancelled, with a higher SEQUENCE, so calendar apps replace their copy.
    server.act(pid, c1["id"], CARLA, "decline", reason="We open in March instead")
    declined = event(fetch_calendar(url), uid)
    assert str(declined["STATUS"]) == "CANCELLED"
    assert int(declined["SEQUENCE"]) > sequence, (declined["SEQUENCE"], sequence)
    assert declined.decoded("DTSTART") == datetime.datetime(year, 1, 15, 22, 0, tzinfo=UTC)
    # Alice's own calendar has it too.
    alice_url = server.api("GET", "/me/calendar", ALICE, expect=200).json()["url"]
    assert str(event(fetch_calendar(alice_url), uid)["STATUS"]) == "CANCELLED"

    # A token that is not genuine answers 404.
    token = url[len(server.base + "/calendar/"): -len(".ics")]
    k = len(token) - 3
    bad = f"{server.base}/calendar/{token[:k]}{'A' if token[k] != 'A' else 'B'}{token[k + 1:]}.ics"
    assert requests.get(bad, timeout=30).status_code == 404
    assert requests.get(server.base + "/calendar/nonsense.ics", timeout=30).status_code == 404

    # Reset: a new address; the old one answers 404 from now on.
    new_url = server.api("POST", "/me/calendar/reset", CARLA, expect=200).json()["url"]
    assert new_url != url and new_url.startswith(server.base + "/calendar/")
    assert requests.get(url, timeout=30).status_code == 404
    assert server.api("GET", "/me/calendar", CARLA, expect=200).json()["url"] == new_url
    assert str(event(fetch_calendar(new_url), uid)["STATUS"]) == "CANCELLED"
    assert requests.get(alice_url, timeout=30).status_code == 200, "Carla's reset ended Alice's address"


def test_a_recurring_check_in_is_invited_by_mail_and_keeps_its_local_time_across_daylight_saving(lab):
    """A weekly check-in across the switch to summer time (the last Sunday of March in Europe, the second Sunday of
    March in America): every meeting stays at 10:00 in the organizer's zone, so its UTC time moves; the invitation mail
    carries the same event as METHOD:REQUEST, and a cancellation as METHOD:CANCEL."""
    server, _ = lab.start()
    inbox = lab.inbox
    run = uuid.uuid4().hex[:6]
    pid = server.partnership(f"Check-ins {run}")
    zone = zoneinfo.ZoneInfo(server.api("GET", "/me/notifications", CARLA, expect=200).json()["timeZone"])
    year = datetime.datetime.now(UTC).year + 1
    first = datetime.datetime(year, 3, 1, 10, 0, tzinfo=zone)
    created = server.api("POST", f"/partnerships/{pid}/check-ins", CARLA, {
        "title": f"Weekly sync {run}", "frequency": "weekly", "firstAt": first.isoformat(), "durationMinutes": 45,
        "videoLink": "https://meet.example.com/sync"}, expect=201).json()
    assert created["timeZone"] == str(zone.key) and created["frequency"] == "weekly", created
    bad = server.api("POST", f"/partnerships/{pid}/check-ins", CARLA, {"frequency": "hourly"})
    assert bad.status_code == 422 and bad.json().get("field") == "frequency", bad.text

    url = server.api("GET", "/me/calendar", ALICE, expect=200).json()["url"]
    calendar = fetch_calendar(url)
    uid = f"checkin-{created['id'].lower()}@bonafide"
    series = event(calendar, uid)
    assert series["RRULE"].to_ical().decode() == "FREQ=WEEKLY", series["RRULE"]
    meetings = [e for e in recurring_ical_events.of(calendar).between(
        datetime.datetime(year, 2, 28, tzinfo=UTC), datetime.datetime(year, 4, 12, tzinfo=UTC)) if str(e["UID"]) == uid]
    starts = sorted(e.decoded("DTSTART").astimezone(UTC) for e in meetings)
    expected = [datetime.datetime.combine(first.date() + datetime.timedelta(weeks=n), datetime.time(10, 0), tzinfo=zone)
                .astimezone(UTC) for n in range(6)]
    assert starts == expected, (starts, expected)
    if str(zone.key) != "UTC":
        assert len({s.hour for s in starts}) == 2, f"the UTC time should move with daylight saving: {starts}"
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == datetime.timedelta(minutes=45) for e in meetings)

    def calendar_parts(who):
        return [part for message in inbox.to(who) for part in message.walk() if part.get_content_type() == "text/calendar"]

    # Alice gets the invitation with the same UID; Carla, who scheduled it, does not.
    part = until("the check-in invitation", lambda: next((p for p in calendar_parts(ALICE) if uid in p.get_content()), None))
    assert "method=request" in part["Content-Type"].replace('"', "").lower(), part["Content-Type"]
    invite = icalendar.Calendar.from_ical(part.get_content())
    assert str(invite["METHOD"]) == "REQUEST"
    vevent = next(iter(invite.walk("VEVENT")))
    assert str(vevent["UID"]) == uid and vevent.decoded("DTSTART").astimezone(UTC) == expected[0]
    assert ALICE not in part.get_content() and CARLA not in part.get_content(), "the invitation shows people's addresses"
    assert not any(uid in p.get_content() for p in calendar_parts(CARLA)), "the organizer got her own invitation"

    # Cancelled by Alice: the feed keeps the event as CANCELLED with a higher SEQUENCE; Carla gets a CANCEL.
    server.api("DELETE", f"/partnerships/{pid}/check-ins/{created['id']}", ALICE, expect=204)
    cancelled = event(fetch_calendar(url), uid)
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) > int(series["SEQUENCE"])
    cancel = until("the cancellation", lambda: next((p for p in calendar_parts(CARLA) if uid in p.get_content()), None))
    assert str(icalendar.Calendar.from_ical(cancel.get_content())["METHOD"]) == "CANCEL"


# MARK: 7. Webhooks


def test_webhook_retries_under_one_id_verifies_with_standard_webhooks_and_is_delivered_once(lab):
    server, _ = lab.start()
    run = uuid.uuid4().hex[:6]
    name = f"Hooks {run}"
    pid = server.partnership(name)
    receiver = lab.hook_receiver({"/proposed": [500, 500, 204], "/family": [204]})

    unknown = server.api("POST", "/webhooks", CARLA, {"url": receiver.url + "/proposed", "events": ["commitment.proposd"]})
    assert unknown.status_code == 422, unknown.text
    assert unknown.headers["Content-Type"].startswith("application/problem+json"), unknown.headers["Content-Type"]
    problem = unknown.json()
    assert problem["status"] == 422 and problem.get("field") == "events" and "commitment.proposd" in problem["detail"]
    assert not server.api("GET", "/webhooks", CARLA, expect=200).json(), "a refused webhook was registered"

    hook = server.api("POST", "/webhooks", CARLA, {"url": receiver.url + "/proposed", "events": ["commitment.proposed"]},
                      expect=201).json()
    secret = hook["secret"]
    assert secret.startswith("whsec_") and hook["enabled"] and hook["events"] == ["commitment.proposed"]
    family = server.api("POST", "/webhooks", CARLA, {"url": receiver.url + "/family", "events": ["commitment.*"]},
                        expect=201).json()
    listed = server.api("GET", "/webhooks", CARLA, expect=200).json()
    assert len(listed) == 2 and not any(h.get("secret") for h in listed), "a secret was shown again"

    title = f"Loyalty API {run}"
    cid = server.propose(pid, ALICE, title)["id"]
    attempts = until("three attempts at the endpoint", lambda: len(receiver.at("/proposed")) >= 3 and receiver.at("/proposed"))
    assert [a["answered"] for a in attempts[:3]] == [500, 500, 204]
    ids = {a["headers"]["webhook-id"] for a in attempts}
    assert len(ids) == 1, f"retries came with different webhook-ids: {ids}"
    webhook_id = ids.pop()
    assert all(a["body"] == attempts[0]["body"] for a in attempts), "retries sent different bodies"
    for attempt in attempts:
        assert attempt["headers"]["content-type"] == "application/json"
        payload = Webhook(secret).verify(attempt["body"], attempt["headers"])  # raises when the signature is wrong
    assert payload["type"] == "commitment.proposed"
    data = payload["data"]
    assert data["commitmentId"] == cid.lower() and data["partnership"] == {"id": pid.lower(), "name": name}
    assert title in data["summary"] and data["actor"] == "Alice Becker"
    assert data["url"].lower() == f"{server.base}/partnerships/{pid}/commitments/{cid}".lower()
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(attempts[-1]["body"], attempts[-1]["headers"])

    def delivery():
        log = server.api("GET", f"/webhooks/{hook['id']}/deliveries", CARLA, expect=200).json()
        mine = [d for d in log if d["messageId"] == webhook_id]
        return mine[0] if mine and mine[0]["status"] == "delivered" else None
    record = until("the delivery log to show it delivered", delivery)
    assert record["attempts"] == 3 and record["lastStatusCode"] == 204 and record["eventType"] == "commitment.proposed"
    assert record["deliveredAt"], record

    # Carla accepts: the family hook gets it, the proposals-only hook does not (and nothing is sent again).
    server.act(pid, cid, CARLA, "accept")

    def family_events():
        return [json.loads(r["body"]) for r in receiver.at("/family")]
    until("the accept event at the family hook", lambda: any(e["type"] == "commitment.accept" for e in family_events()))
    time.sleep(2)
    assert len(receiver.at("/proposed")) == 3, "the endpoint got more than the three attempts"
    mine = [e for e in family_events() if e["data"].get("commitmentId") == cid.lower()]
    assert [e["type"] for e in mine] == ["commitment.proposed", "commitment.accept"], [e["type"] for e in mine]
    family_secret = family["secret"]
    for r in receiver.at("/family"):
        Webhook(family_secret).verify(r["body"], r["headers"])

    # Send again: the same event under the same webhook-id.
    resent = server.api("POST", f"/webhooks/{hook['id']}/deliveries/{record['id']}/resend", CARLA, expect=200).json()
    assert resent["status"] == "pending"
    fourth = until("the event sent again", lambda: len(receiver.at("/proposed")) >= 4 and receiver.at("/proposed")[3])
    assert fourth["headers"]["webhook-id"] == webhook_id and fourth["body"] == attempts[0]["body"]
    Webhook(secret).verify(fourth["body"], fourth["headers"])
    again = until("the delivery log after sending again", lambda: (d := delivery()) and d["attempts"] == 1 and d)
    assert again["lastStatusCode"] == 204
    time.sleep(1.5)
    assert len(receiver.at("/proposed")) == 4
