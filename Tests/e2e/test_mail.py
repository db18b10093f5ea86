"""Survey invitations really leave by SMTP: STARTTLS, authentication, a real receiver, a link that works.

Starts its own Bonafide server (it needs the mail settings, so not the shared one of scripts/e2e) pointed at an
aiosmtpd receiver on 127.0.0.1 that insists on STARTTLS (a self-signed certificate for localhost, trusted through
BONAFIDE_SMTP_CA_FILE) and on a login (user "bonafide", password "s3cret pass", which the server reads
percent-encoded from BONAFIDE_SMTP_URL). An owner creates and sends an NPS survey in headless Chromium; the test
reads the message the receiver got with Python's email package (envelope, From, To, Subject, body), opens the
personal link from the mail in the browser, answers, and checks the owner's results and the organization's
outgoing-mail section. A second test has the receiver refuse one mailbox permanently (550): that message ends as
failed with the receiver's words, the other message of the same send is delivered. Screenshots land in
e2e-artifacts/ (BONAFIDE_E2E_ARTIFACTS), and on a failure also the page, the server log and the raw messages.
"""
import datetime
import email
import email.policy
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from selenium.webdriver.common.by import By

from test_browser import ARTIFACTS, browser, fill, shot, showing  # noqa: F401 (browser is a fixture)

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
SMTP_USER, SMTP_PASSWORD = "bonafide", "s3cret pass"
MAIL_FROM = "trust@bonafide.test"
OWNER, OWNER_PASSWORD = "carla@acme.example", "bonafide-demo"
WAIT = 30  # seconds: the longest any one thing (a mail, a state on a page) is waited for


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(what, check, timeout=WAIT, pause=0.25):
    """check()'s first truthy value, polled for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(pause)


def self_signed_localhost(directory):
    """A self-signed certificate for localhost (the name the server checks) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class Receiver:
    """The aiosmtpd handler and authenticator: keeps every accepted message and every login, refuses nobody@."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # dicts: mail_from, rcpt_tos, content (bytes), tls, login
        self.logins = []  # (mechanism, login, over TLS)
        self.refused_logins = []
        self.refused_rcpts = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
            and auth_data.password == SMTP_PASSWORD.encode()
        with self.lock:
            (self.logins if ok else self.refused_logins).append(
                (mechanism, getattr(auth_data, "login", b"").decode(errors="replace"), bool(session.ssl)))
        return AuthResult(success=ok, auth_data=auth_data if ok else None)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            with self.lock:
                self.refused_rcpts.append(address)
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = getattr(session.auth_data, "login", None)
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "content": envelope.original_content,
                "tls": bool(session.ssl), "authenticated": bool(session.authenticated),
                "login": login.decode() if login else None})
        return "250 2.0.0 Message accepted"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["rcpt_tos"]]


class Mailroom:
    def __init__(self, base, receiver, log_path):
        self.base, self.receiver, self.log_path = base, receiver, log_path

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


@pytest.fixture(scope="module")
def mailroom():
    work = tempfile.mkdtemp(prefix="bonafide-mail.")
    cert, key = self_signed_localhost(work)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    receiver = Receiver()
    smtp_port, port = free_port(), free_port()
    controller = Controller(receiver, hostname="127.0.0.1", port=smtp_port, ready_timeout=10, tls_context=tls,
                            require_starttls=True, auth_required=True, auth_require_tls=True, authenticator=receiver)
    controller.start()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BONAFIDE_BCRYPT_COST="8",
               BONAFIDE_SMTP_URL=f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@localhost:{smtp_port}",
               BONAFIDE_MAIL_FROM=MAIL_FROM, BONAFIDE_SMTP_CA_FILE=cert, BONAFIDE_MAIL_SECONDS="1", BONAFIDE_PUBLIC_URL=base)
    env.pop("DATABASE_URL", None)
    log_path = os.path.join(work, "server.log")
    log = open(log_path, "wb")
    server = subprocess.Popen([BINARY, "serve", "--demo", "--data", os.path.join(work, "data"), "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    room = Mailroom(base, receiver, log_path)
    try:
        def healthy():
            assert server.poll() is None, "the server exited:\n" + room.log()[-4000:]
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False
        until("the server to answer /healthz", healthy, timeout=90, pause=0.25)
        yield room
    finally:
        server.kill()
        try:
            server.wait(timeout=10)
        finally:
            log.close()
            controller.stop()
            if os.environ.get("BONAFIDE_E2E_KEEP"):
                print("kept", work)
            else:
                shutil.rmtree(work, ignore_errors=True)


@pytest.fixture()
def evidence(request, browser, mailroom):  # noqa: F811 (browser is the fixture of test_browser)
    """On a failure: a screenshot and the page, the server log and every message received, in the artifacts folder."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        name = "mail-failure-" + request.node.name
        try:
            shot(browser, name)
            with open(os.path.join(ARTIFACTS, name + ".html"), "w") as f:
                f.write(browser.page_source)
        except Exception as error:  # the browser itself may be what broke
            print("no screenshot:", error)
        log = mailroom.log()
        with open(os.path.join(ARTIFACTS, name + "-server.log"), "w") as f:
            f.write(log)
        with open(os.path.join(ARTIFACTS, name + "-received.txt"), "wb") as f:
            for m in mailroom.receiver.messages:
                f.write(f"--- from {m['mail_from']} to {m['rcpt_tos']} tls={m['tls']} login={m['login']}\n".encode())
                f.write(m["content"] + b"\n")
        print("server log (tail):\n" + log[-3000:])
        print("logins:", mailroom.receiver.logins, "refused logins:", mailroom.receiver.refused_logins)


def sign_in(driver, base):
    driver.get(base + "/login")
    fill(driver, "email", OWNER)
    fill(driver, "password", OWNER_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    showing(driver, "Dashboard")


def create_and_send(driver, base, title, csv, invited):
    """Creates an NPS survey, adds the CSV's people and sends; returns the survey's page address."""
    driver.get(base + "/surveys")
    fill(driver, "title", title)
    assert driver.find_element(By.ID, "survey-kind").get_attribute("value") == "nps"
    driver.find_element(By.CSS_SELECTOR, "form[action='/surveys'] button").click()
    showing(driver, "Add recipients")
    survey_url = driver.current_url
    driver.find_element(By.ID, "survey-csv").send_keys(csv)
    driver.find_element(By.XPATH, "//button[text()='Add recipients']").click()
    showing(driver, "Added ")
    driver.find_element(By.XPATH, "//button[starts-with(text(),'Send invitations')]").click()
    showing(driver, invited)
    return survey_url


SUMMARY = re.compile(r"^(\d+) sent · (\d+) waiting · (\d+) failed$")


def outgoing_mail(driver, base):
    """The organization page's mail summary as numbers and its table as {address: (subject, state, server said)}."""
    driver.get(base + "/organization")
    section = driver.find_element(By.ID, "outgoing-mail")
    driver.execute_script("arguments[0].scrollIntoView()", section)  # for the screenshots
    summary = section.find_element(By.ID, "mail-summary").text.strip()
    match = SUMMARY.match(summary)
    assert match, f"#mail-summary reads {summary!r}"
    rows = {}
    for tr in section.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
        rows.setdefault(cells[0], (cells[1], cells[2], cells[3]))  # newest first: keep the latest per address
    return dict(sent=int(match[1]), waiting=int(match[2]), failed=int(match[3])), rows


def mail_state(driver, base, address, state):
    """Waits until the organization page shows the message to address in the state ("sent", "failed")."""
    def check():
        summary, rows = outgoing_mail(driver, base)
        row = rows.get(address)
        return (summary, rows) if row and row[1].startswith(state) else None
    return until(f"/organization to show the message to {address} as {state}", check, pause=0.5)


def parsed(message):
    return email.message_from_bytes(message["content"], policy=email.policy.default)


def test_invitation_arrives_over_starttls_with_login_and_its_link_answers_the_survey(browser, mailroom, evidence):  # noqa: F811
    base, receiver = mailroom.base, mailroom.receiver
    run = uuid.uuid4().hex[:6]
    customer = "dana@customer.example"
    # Not plain ASCII, and long enough that the subject needs several RFC 2047 encoded words.
    title = f"Zufriedenheit – Größe & Qualität ✓ {run}"
    sign_in(browser, base)
    browser.get(base + "/organization")
    organization = browser.find_element(By.TAG_NAME, "h1").text.strip()
    assert organization
    survey_url = create_and_send(browser, base, title, f"email,name,segment\n{customer},Dana,Enterprise", "Invited 1 person")
    shot(browser, "40-mail-survey-sent")

    delivered = until(f"the receiver to get the invitation to {customer}", lambda: receiver.to(customer))
    assert len(delivered) == 1, f"{len(delivered)} messages to {customer}"
    envelope = delivered[0]
    assert envelope["mail_from"] == MAIL_FROM
    assert envelope["rcpt_tos"] == [customer]
    assert envelope["tls"], "the message was submitted without STARTTLS"
    assert envelope["authenticated"] and envelope["login"] == SMTP_USER
    assert receiver.logins and all(login == SMTP_USER and over_tls for _, login, over_tls in receiver.logins), receiver.logins
    assert not receiver.refused_logins, receiver.refused_logins

    message = parsed(envelope)
    assert [a.addr_spec for a in message["To"].addresses] == [customer]
    sender = message["From"].addresses
    assert len(sender) == 1, f"From: {message['From']!r}"
    assert sender[0].addr_spec == MAIL_FROM
    assert organization in sender[0].display_name and "via Bonafide" in sender[0].display_name, sender[0].display_name
    assert str(message["Subject"]) == f"{organization} asks: {title}"
    assert "=?utf-8?" in envelope["content"].decode("ascii"), "a non-ASCII subject should travel as RFC 2047 encoded words"
    assert message["Message-ID"] and message["Date"] and message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain" and message["Content-Transfer-Encoding"] == "base64"
    body = message.get_content()
    assert organization in body
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1, f"expected one link in the body:\n{body}"
    link = links[0]
    assert link.startswith(base + "/s/"), link

    # The organization's outgoing mail shows the same subject, and the message as sent.
    summary, rows = mail_state(browser, base, customer, "sent")
    assert rows[customer][0] == f"{organization} asks: {title}"
    assert summary["sent"] >= 1
    shot(browser, "41-mail-organization-sent")

    # The customer opens the mailed link: no account, no session of the owner's.
    browser.delete_all_cookies()
    browser.get(link)
    showing(browser, "How likely are you to recommend us")
    assert title in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "score-9").click()
    browser.find_element(By.ID, "reason").send_keys("The invitation came by mail and the link just worked.")
    browser.find_element(By.XPATH, "//button[text()='Send my answer']").click()
    showing(browser, "Your answer reached")
    assert browser.find_element(By.ID, "survey-thanks").text == f"Your answer reached {organization}."
    shot(browser, "42-mail-answered")

    # The owner sees the answer.
    sign_in(browser, base)
    browser.get(survey_url)
    page = showing(browser, "Results")
    assert browser.find_element(By.ID, "survey-score").text == "100"
    assert "1 answer to the main question" in page and "response rate 100% (1 of 1 invited)" in page
    assert "The invitation came by mail and the link just worked." in browser.find_element(By.ID, "survey-comments").text
    recipients = browser.find_element(By.XPATH, "//h2[text()='Recipients']/..").text
    assert customer in recipients and "answered" in recipients

    # Every message of this organization the page calls sent reached the receiver, none failed, none waits: its
    # survey mail ("ORGANIZATION via Bonafide") and the notifications to its own people (from "Bonafide").
    summary, rows = outgoing_mail(browser, base)
    domain = "@" + OWNER.split("@")[1]

    def ours_(m):
        sender = parsed(m)["From"].addresses[0].display_name or ""
        return organization in sender or (sender == "Bonafide" and all(r.endswith(domain) for r in m["rcpt_tos"]))
    ours = [m for m in receiver.messages if ours_(m)]
    assert summary == dict(sent=len(ours), waiting=0, failed=len(receiver.refused_rcpts)), (summary, len(ours))
    assert rows[customer][1].startswith("sent")
    shot(browser, "43-mail-organization")
    assert "unexpected error" not in mailroom.log()


def test_a_refused_mailbox_fails_with_the_receivers_words_and_the_other_message_goes(browser, mailroom, evidence):  # noqa: F811
    base, receiver = mailroom.base, mailroom.receiver
    run = uuid.uuid4().hex[:6]
    refused, accepted = "nobody@customer.example", f"erin-{run}@customer.example"
    sign_in(browser, base)
    summary_before, rows_before = outgoing_mail(browser, base)
    create_and_send(browser, base, f"Bounce check {run}",
                    f"email,name,segment\n{refused},Nobody,Retail\n{accepted},Erin,Retail", "Invited 2 people")

    until(f"the receiver to get the invitation to {accepted}", lambda: receiver.to(accepted))
    summary, rows = mail_state(browser, base, refused, "failed")
    summary, rows = mail_state(browser, base, accepted, "sent")
    shot(browser, "44-mail-refused")

    subject, state, said = rows[refused]
    assert state == "failed"
    assert "550" in said and "no such mailbox" in said, said
    assert rows[accepted][1].startswith("sent") and rows[accepted][2] == ""
    assert receiver.refused_rcpts == [refused], "the refused mailbox was tried more than once (or others were refused)"
    assert not receiver.to(refused)
    assert len(receiver.to(accepted)) == 1
    # No other message changed: one more sent, one failed, the earlier rows as they were.
    assert summary == dict(sent=summary_before["sent"] + 1, waiting=summary_before["waiting"], failed=summary_before["failed"] + 1)
    for address, row in rows_before.items():
        if address in rows:
            assert rows[address] == row, (address, row, rows[address])
    retry = browser.find_element(By.XPATH, "//section[@id='outgoing-mail']//button").text
    assert retry == f"Send the {summary['failed']} failed message{'' if summary['failed'] == 1 else 's'} again"
    assert "unexpected error" not in mailroom.log()
