"""Engagement in headless Chromium: updates, case studies, events, feedback panels, offers, support and thank-yous,
each driven through the pages its people click, between the demo's organizations and customers without an account.

    BONAFIDE_BINARY=.build/debug/bonafide python3 -m pytest -q Tests/e2e/test_engagement_browser.py   (about 1.5 min)

Every test starts its own Bonafide server (`serve --demo`, SQLite in a temporary folder, a free port) with its mail
going to an aiosmtpd receiver, through the `lab` fixture of test_channels.py, and its own headless Chromium. The API
is used only to set up what a test is not about (mail settings, an offer, a partnership, an incident). What is
checked is what people see: the text of the pages, the mails they receive (read with Python's email package,
calendar invitations with icalendar), and for pages one may not see, the "Not Found" page and its 404 status.

One test fails on today's main, on purpose: an offer made in the form for partners of at least a month does not
reach Acme, because the demo's partnerships are dated the moment the demo was seeded while their history (and the
collaborator circle, 20 days) is dated back; see test_an_offer_made_in_the_form_with_a_minimum_relationship_...

The demo's relations to Northwind Studio (Alice Becker, owner, Europe/Berlin): Acme Retail (Carla Diaz, owner,
America/New_York; Dan Brooks) is an active partner and in its collaborator circle; Kite Analytics (Esha Rao) had a
partnership with it that ended and is in its connected circle; Lumen Labs (Grace Lin) has no relation to anyone and
plays the stranger. Customers without an account use made-up addresses at customer.example.

Each person signs in through the login form once per test; their cookies are kept and put back when the browser
switches to them. On a failure the server log and every received mail land in e2e-artifacts/ (as for the channel
tests) with a screenshot of the page the browser was on.
"""
import datetime
import os
import re
import time
import uuid
import zoneinfo

import icalendar
import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_browser import ARTIFACTS, new_chromium
from test_channels import ALICE, CARLA, DAN, PASSWORD, UTC, check_notification, iso, labels, lab  # noqa: F401 (lab: fixture)

ESHA, GRACE = "esha@kite.example", "grace@lumen.example"
PEOPLE = {ALICE: "Alice Becker", CARLA: "Carla Diaz", DAN: "Dan Brooks", ESHA: "Esha Rao", GRACE: "Grace Lin"}
STOREFRONT = "Acme storefront redesign"
PARTNERS = "Organizations you have (or had) a partnership with"  # the label of the audience "partners"
BERLIN, NEW_YORK = zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("America/New_York")
SETTLE = 2.5  # seconds: more than two passes of the outbox, after which a mail that was due has gone
PAGE_WAIT = 15  # seconds for a page to load after a click


# MARK: The browser


class Site:
    """One test's server, mail receiver and browser, with the people's kept sign-ins."""

    def __init__(self, server, inbox, driver):
        self.server, self.inbox, self.driver = server, inbox, driver
        self.cookies = {}
        self.who = None

    def url(self, path):
        return self.server.base + path

    def open(self, path):
        """Opens path (loading it again when the browser is on it already) and answers the page's visible text."""
        target, before = self.url(path), self.driver.current_url
        self.driver.get(target)
        if before.split("#", 1)[0] == target.split("#", 1)[0]:
            self.driver.refresh()  # only the fragment changed: the browser would not load the page again
        WebDriverWait(self.driver, PAGE_WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")
        return self.text()

    def text(self, css="body"):
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def html(self):
        return self.driver.page_source

    def sign_in(self, who):
        """The browser as who: through the login form the first time, then with their kept cookies."""
        d = self.driver
        d.get(self.url("/login"))
        d.delete_all_cookies()
        if who in self.cookies:
            for cookie in self.cookies[who]:
                d.add_cookie(cookie)
            self.open("/dashboard")
        else:
            self.open("/login")
            fill(d, "email", who)
            fill(d, "password", PASSWORD)
            click(d, d.find_element(By.CSS_SELECTOR, "form[action^='/login'] button"))
            self.cookies[who] = d.get_cookies()
        assert f"Hello, {PEOPLE[who]}" in self.text("main"), f"signed in as {who}: {self.text('main')[:300]}"
        self.who = who

    def visitor(self):
        """The browser without anyone's cookies: a customer without an account."""
        self.driver.get(self.url("/login"))
        self.driver.delete_all_cookies()
        self.who = None

    def status(self, path):
        """The HTTP status the browser's session gets for path (Selenium does not show it)."""
        session = requests.Session()
        for cookie in self.driver.get_cookies():
            session.cookies.set(cookie["name"], cookie["value"])
        return session.get(self.url(path), allow_redirects=False, timeout=30).status_code

    def not_found(self, path):
        """Opens path and checks the browser is told it does not exist, with a 404."""
        text = self.open(path)
        assert "Not Found" in self.text("main") and "with that id exists here" in text, f"{path} as {self.who}: {text[:600]}"
        assert self.status(path) == 404, f"{path} as {self.who}"

    def flash(self):
        return self.text("p.flash")

    def path(self):
        return self.driver.current_url[len(self.server.base):].split("#", 1)[0]


@pytest.fixture()
def site(lab, request):  # noqa: F811
    server, _ = lab.start()
    driver = new_chromium()
    failed_before = request.session.testsfailed
    try:
        yield Site(server, lab.inbox, driver)
    finally:
        if request.session.testsfailed > failed_before:
            driver.save_screenshot(os.path.join(ARTIFACTS, f"engagement-failure-{request.node.name}.png"))
        driver.quit()


def fill(driver, name, value, by=By.NAME):
    element = driver.find_element(by, name)
    element.clear()
    element.send_keys(value)
    return element


def set_value(driver, element_id, value):
    """A date or time input, set as its picker would (typing into them depends on the browser's locale)."""
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, element_id), value)


def click(driver, element):
    """Clicks a button that submits a form (or a link) and waits for the page it leads to."""
    driver.execute_script("window.__before = true; arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    WebDriverWait(driver, PAGE_WAIT).until(
        lambda d: d.execute_script("return !window.__before && document.readyState === 'complete'"))


def button(scope, text):
    """The button (in scope: the driver or an element) whose text is text."""
    return scope.find_element(By.XPATH, f".//button[normalize-space()='{text}']")


def absent(driver, css, within=None):
    """True when nothing matches css, without waiting out the implicit wait."""
    driver.implicitly_wait(0)
    try:
        return not (within or driver).find_elements(By.CSS_SELECTOR, css)
    finally:
        driver.implicitly_wait(5)


def mail_at_once(server, kind, *people):
    """Mails of kind sent to these people at once: no quiet hours, no day off, not in the digest."""
    for who in people:
        server.settings(who, quietStart="", quietEnd="", workDays=list(range(1, 8)), modes={kind: "immediately"})


def org_id(server, who):
    return server.api("GET", "/me", who, expect=200).json()["organizationId"].lower()


def storefront_id(server):
    listed = server.api("GET", "/partnerships", ALICE, expect=200).json()
    found = [p["id"].lower() for p in listed if p["name"] == STOREFRONT]
    assert len(found) == 1, f"{len(found)} partnerships called {STOREFRONT!r}"
    return found[0]


def last_segment(path):
    return path.rstrip("/").rsplit("/", 1)[1]


def shown_time(moment, zone):
    """A time as the pages write it (Clock.format, without the zone's name): "Tue 8 Dec 2026, 17:30"."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def mail_text(message):
    """The plain text of a mail, its lines as a mail program shows them."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n")


# MARK: 1. Updates


def test_an_update_written_in_the_form_reaches_partners_rendered_safely_and_replies_stay_between_two(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    mail_at_once(server, "update.published", CARLA, ESHA, GRACE)

    # Alice writes an update to Northwind's partners in Markdown, with a script tag someone pasted by mistake.
    site.sign_in(ALICE)
    site.open("/updates")
    title = f"Page templates are live {run}"
    body = (f"The **new page templates** are live ({run}).\n\n- Product pages\n- Category pages\n\n"
            f"<script>document.title = 'pwned'; window.pwned = true;</script>")
    fill(d, "update-title", title, By.ID)
    fill(d, "update-body", body, By.ID)
    Select(d.find_element(By.ID, "update-visibility")).select_by_visible_text(PARTNERS)
    click(d, button(d.find_element(By.ID, "new-update"), "Publish"))
    assert site.flash() == f"Published. Who reads it: {PARTNERS.lower()}.", site.flash()
    update_path = site.path()
    assert re.fullmatch(r"/updates/[0-9a-f-]{36}", update_path), update_path
    assert site.text("#update-audience") == f"Who reads it: {PARTNERS}"

    def rendered_safely(article):
        """Bold and a list from the Markdown; the script shown as text, never run."""
        assert [s.text for s in article.find_elements(By.TAG_NAME, "strong")] == ["new page templates"], article.text
        assert [li.text for li in article.find_elements(By.TAG_NAME, "li")] == ["Product pages", "Category pages"]
        assert "<script>document.title = 'pwned'; window.pwned = true;</script>" in article.text, article.text
        assert absent(d, "script", within=article), "the update's script became an element"
        assert d.execute_script("return window.pwned === undefined") and d.title != "pwned", "the update's script ran"

    rendered_safely(d.find_element(By.CSS_SELECTOR, "article.update .markdown"))

    # Carla (Acme, a partner) reads it in her list, rendered the same way, and replies on its page.
    site.sign_in(CARLA)
    site.open("/updates")
    item = d.find_element(By.CSS_SELECTOR, f"#updates-list article[data-update='{last_segment(update_path)}']")
    assert title in item.text and "Northwind Studio" in item.text, item.text
    rendered_safely(item.find_element(By.CSS_SELECTOR, ".markdown"))
    click(d, item.find_element(By.LINK_TEXT, title))
    assert site.path() == update_path
    reply = f"Great news <b>really</b>: we will switch our category pages next sprint ({run})."
    fill(d, "reply-own", reply, By.ID)
    click(d, button(d, "Send reply"))
    assert site.flash() == "Reply sent. Only your organization and the update's writers see this thread.", site.flash()
    thread = site.text("section[id^='thread-']")
    assert "Carla Diaz, Acme Retail" in thread and reply in thread, thread  # the markup in it shown as text

    # Esha (Kite: an ended partnership, still a partner for the audience) reads the update, not Acme's thread.
    site.sign_in(ESHA)
    assert title in site.open("/updates")
    page = site.open(update_path)
    assert title in page and reply not in page and "Carla Diaz" not in page, page
    assert "No replies yet." in site.text("section[id^='thread-']")

    # Grace (Lumen Labs, no relation to Northwind) does not see it listed, and its address is not found for her.
    site.sign_in(GRACE)
    assert title not in site.open("/updates")
    site.not_found(update_path)

    # Alice sees Acme's reply in Acme's thread and answers it there; Carla reads the answer.
    site.sign_in(ALICE)
    site.open(update_path)
    assert "1 organization replied" in site.text("#update-figures-summary"), site.text("#update-figures-summary")
    acme_thread = d.find_element(By.XPATH, "//div[@id='update-threads']/section[h3='Acme Retail']")
    assert reply in acme_thread.text, acme_thread.text
    answer = f"Thank you, Carla: the migration guide is in your partnership's documents ({run})."
    acme_thread.find_element(By.TAG_NAME, "textarea").send_keys(answer)
    click(d, button(acme_thread, "Send answer"))
    assert site.flash() == "Answer sent; the people who replied in this thread have been told.", site.flash()
    site.sign_in(CARLA)
    site.open(update_path)
    thread = site.text("section[id^='thread-']")
    assert "Alice Becker, Northwind Studio" in thread and answer in thread, thread

    # The mail: to Carla, with the line about Acme's own work with Northwind and the text without its markup.
    mail = site.inbox.wait(CARLA, f"Northwind Studio: {title}")
    text, _, _, _ = check_notification(mail, server, CARLA, labels(server, CARLA)["update.published"], update_path)
    personal = [line for line in text.splitlines() if line.startswith("Between Acme Retail and Northwind Studio: ")]
    assert len(personal) == 1 and "open commitment" in personal[0], text
    assert f"The new page templates are live ({run})." in text and "**" not in text, text
    site.inbox.wait(ESHA, f"Northwind Studio: {title}")
    time.sleep(SETTLE)
    assert not site.inbox.to(GRACE, title), "Grace was mailed an update for Northwind's partners"


# MARK: 2. Case studies


def test_a_case_study_proposed_in_the_form_shows_on_the_profiles_once_the_partner_confirms_it_and_until_withdrawn(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    northwind, acme = org_id(server, ALICE), org_id(server, CARLA)
    demo_story = "Acme's storefront: from research to a faster checkout"

    def profile_case_studies(organization):
        site.open(f"/organizations/{organization}#case-studies")
        return site.text("#case-studies")

    # A title of blanks is refused with a message at the field; the story stays as typed and nothing is stored.
    site.sign_in(ALICE)
    site.open("/case-studies")
    rows_before = len(d.find_elements(By.CSS_SELECTOR, "#case-studies-all tbody tr"))
    story = (f"Northwind and Acme rebuilt the **storefront** together ({run}):\n\n"
             "- twelve usability sessions\n- one design system\n- new page templates")
    Select(d.find_element(By.ID, "case-study-partnership")).select_by_visible_text(f"Acme Retail ({STOREFRONT})")
    fill(d, "case-study-title", "   ", By.ID)
    fill(d, "case-study-body", story, By.ID)
    click(d, button(d, "Send to the partner to confirm"))
    assert site.text("#title-error") == "A title has 1 to 200 characters.", site.text("#title-error")
    assert d.find_element(By.ID, "case-study-title").get_attribute("aria-invalid") == "true"
    assert d.find_element(By.ID, "case-study-body").get_attribute("value") == story
    site.open("/case-studies")
    rows_after = len(d.find_elements(By.CSS_SELECTOR, "#case-studies-all tbody tr"))
    assert rows_after == rows_before, "a refused case study was stored"

    # Proposed: it waits for Acme and nobody else sees it.
    title = f"Storefront story {run}"
    Select(d.find_element(By.ID, "case-study-partnership")).select_by_visible_text(f"Acme Retail ({STOREFRONT})")
    fill(d, "case-study-title", title, By.ID)
    fill(d, "case-study-body", story, By.ID)
    click(d, button(d, "Send to the partner to confirm"))
    assert site.flash() == "Sent to Acme Retail to confirm; nobody else sees it until they do.", site.flash()
    study_path = site.path()
    assert "Waiting for the partner to confirm" in site.text("article.case-study")
    site.sign_in(GRACE)
    assert title not in profile_case_studies(northwind)
    site.not_found(study_path)

    # Carla finds it waiting for her and confirms it in Acme's own words, with a note.
    site.sign_in(CARLA)
    site.open("/case-studies")
    waiting = site.text("#case-studies-waiting")
    assert title in waiting and "by Northwind Studio" in waiting, waiting
    click(d, d.find_element(By.CSS_SELECTOR, "#case-studies-waiting").find_element(By.LINK_TEXT, title))
    assert site.path() == study_path
    edited = f"Northwind rebuilt our storefront ({run}); our mobile checkout is **two steps shorter**."
    note = f"Confirmed in our words ({run})."
    fill(d, "decision-body", edited, By.ID)
    fill(d, "decision-note", note, By.ID)
    assert d.find_element(By.CSS_SELECTOR, "input[name='decision'][value='confirm']").is_selected()
    click(d, button(d, "Send your answer"))
    assert site.flash() == "Confirmed in your own words: it now shows on both profiles.", site.flash()
    confirmed = site.text("#case-study-confirmed")
    assert confirmed.startswith("Confirmed by Acme Retail, in their own words"), confirmed
    assert "two steps shorter" in site.text("article.case-study .markdown") and note in site.text("#case-study-note")

    # Grace, a stranger, now reads it on both profiles, confirmed by Acme, with the figures from the record.
    site.sign_in(GRACE)
    for organization in (northwind, acme):
        profile_case_studies(organization)
        summary = site.text(f"#case-studies article[data-case-study='{last_segment(study_path)}']")
        assert title in summary and "Confirmed by Acme Retail, in their own words" in summary, summary
        assert f"Northwind rebuilt our storefront ({run}); our mobile checkout is two steps shorter." in summary, summary
        assert re.search(r"\d+ commitments? completed, \d+ on time", summary), summary
    # A visitor without an account reads it on Northwind's public profile too.
    site.visitor()
    assert title in site.open(f"/profiles/{northwind}")

    # Alice withdraws it: it leaves both profiles, the demo's story stays.
    site.sign_in(ALICE)
    site.open(study_path)
    click(d, button(d, "Withdraw the case study"))
    withdrawn = f"Withdrawn: “{title}” is off both profiles for good, and the other side has been told."
    assert site.flash() == withdrawn, site.flash()
    site.sign_in(GRACE)
    for organization in (northwind, acme):
        shown = profile_case_studies(organization)
        assert title not in shown and demo_story in shown, shown


# MARK: 3. Events


def test_a_customer_without_an_account_registers_for_a_public_event_and_asks_and_votes_through_the_personal_link(site):
    d = site.driver
    run = uuid.uuid4().hex[:6]
    in_six_days = datetime.datetime.now(BERLIN) + datetime.timedelta(days=6)
    start_local = in_six_days.replace(hour=17, minute=30, second=0, microsecond=0)
    start = start_local.astimezone(UTC)
    title = f"Checkout clinic {run}"
    video = f"https://meet.example.com/clinic-{run}"

    # Alice plans a public event; a video link that is not https is refused at its field and nothing is planned.
    site.sign_in(ALICE)
    site.open("/events")
    fill(d, "event-title", title, By.ID)
    fill(d, "event-description", "Bring your **checkout** questions.", By.ID)
    set_value(d, "event-starts", start_local.strftime("%Y-%m-%dT%H:%M"))
    Select(d.find_element(By.ID, "event-zone")).select_by_visible_text("Europe/Berlin")
    fill(d, "event-duration", "60", By.ID)
    fill(d, "event-capacity", "20", By.ID)
    fill(d, "event-video", f"http://meet.example.com/clinic-{run}", By.ID)
    Select(d.find_element(By.ID, "event-visibility")).select_by_value("public")
    click(d, button(d, "Plan the event"))
    assert "must be an https address" in site.text("#videoLink-error"), site.text("#videoLink-error")
    assert title not in site.text("#events-list"), "a refused event was listed"
    assert d.find_element(By.ID, "event-title").get_attribute("value") == title
    fill(d, "event-video", video, By.ID)
    click(d, button(d, "Plan the event"))
    assert site.flash() == "Planned. Who sees it: everyone, without signing in.", site.flash()
    event_path = site.path()
    site.open("/events")
    assert len(d.find_elements(By.LINK_TEXT, title)) == 1, "the event is listed once"

    # A visitor sees the public event at the organizer's time, without the way in, and registers by address.
    site.visitor()
    page = site.open(event_path)
    assert title in page and "Northwind Studio" in page, page
    when = site.text("#event-time")
    assert when.startswith(shown_time(start, BERLIN)) and "(Europe/Berlin)" in when, when
    assert video not in site.html() and absent(d, "#event-video"), "the video link is shown before registering"
    ana = f"ana+{run}@customer.example"
    fill(d, "registration-name", "Ana Ruiz", By.ID)
    fill(d, "registration-email", ana, By.ID)
    click(d, button(d.find_element(By.ID, "registration"), "Register"))
    link_page = site.text("main")
    assert "You are registered." in link_page and video in site.text("#event-video"), link_page
    personal_path = site.path()
    assert personal_path.startswith("/e/"), personal_path

    # Her mail: the personal link and the calendar invitation, at the event's time.
    mail = site.inbox.wait(ana, f"You are registered: {title}")
    parts = {p.get_content_type(): p for p in mail.walk() if not p.is_multipart()}
    assert {"text/plain", "text/calendar"} <= set(parts), list(parts)
    text = parts["text/plain"].get_content().replace("\r\n", "\n")
    assert site.url(personal_path) in text.splitlines(), text
    invitation = icalendar.Calendar.from_ical(parts["text/calendar"].get_content())
    vevents = list(invitation.walk("VEVENT"))
    assert len(vevents) == 1 and str(vevents[0]["SUMMARY"]) == title, invitation.to_ical()
    assert vevents[0].decoded("DTSTART").astimezone(UTC) == start, vevents[0].decoded("DTSTART")
    assert vevents[0].decoded("DTEND").astimezone(UTC) == start + datetime.timedelta(minutes=60)
    assert str(vevents[0]["UID"]) == f"event-{last_segment(event_path)}@bonafide", vevents[0]["UID"]
    assert ana not in parts["text/calendar"].get_content(), "the invitation shows the address"

    # The same address again: told so on the page; no second seat, no second mail.
    site.open(event_path)
    fill(d, "registration-name", "Ana again", By.ID)
    fill(d, "registration-email", ana, By.ID)
    click(d, button(d.find_element(By.ID, "registration"), "Register"))
    refused = site.text("#registration")
    assert "This address is already registered for the event; the personal link is in its confirmation mail." in refused, \
        refused
    assert site.text("#event-seats") == "1 of 20 seats taken", site.text("#event-seats")

    # Ana opens the link from her mail and asks a question there.
    site.visitor()
    site.open(personal_path)
    question = f"Will Apple Pay come to the checkout ({run})?"
    fill(d, "question-text", question, By.ID)
    click(d, button(d.find_element(By.ID, "questions"), "Ask"))
    mine = site.text("#questions")
    assert question in mine and "your question" in mine, mine

    # Carla (Acme) registers with her account, sees Ana's question (not who asked it) and asks her own, at her time.
    site.sign_in(CARLA)
    site.open(event_path)
    assert shown_time(start, NEW_YORK) in site.text("#event-time strong"), site.text("#event-time")
    assert f"For the organizer: {shown_time(start, BERLIN)}" in site.text("#event-time"), site.text("#event-time")
    click(d, button(d.find_element(By.ID, "registration"), "Register"))
    assert site.flash().startswith("You are registered."), site.flash()
    assert question in site.text("#questions") and ana not in site.html() and "Ana Ruiz" not in site.html()
    carla_question = f"Can we get the checkout templates in Spanish ({run})?"
    fill(d, "question-text", carla_question, By.ID)
    click(d, button(d.find_element(By.ID, "questions"), "Ask"))
    assert site.flash() == "Your question is in; others can vote for it.", site.flash()

    # Ana upvotes Carla's question through her link.
    site.visitor()
    site.open(personal_path)
    item = d.find_element(By.XPATH, f"//li[@data-question][contains(., '{carla_question}')]")
    click(d, button(item, "+1"))
    item = d.find_element(By.XPATH, f"//li[@data-question][contains(., '{carla_question}')]")
    assert "1 vote" in item.text and "you voted" in item.text, item.text

    # Alice sees who asked, and answers Ana's question; Carla and Ana read the answer.
    site.sign_in(ALICE)
    site.open(event_path)
    item = d.find_element(By.XPATH, f"//li[@data-question][contains(., '{question}')]")
    assert "asked by Ana Ruiz" in item.text, item.text
    answer = f"Yes, in the next release ({run})."
    item.find_element(By.TAG_NAME, "textarea").send_keys(answer)
    click(d, button(item, "Mark answered"))
    assert site.flash() == "Marked answered; the answer stays with the question.", site.flash()
    registrations = site.text("#organizer-tools")
    assert ana in registrations and "Carla Diaz" in registrations, registrations
    site.sign_in(CARLA)
    site.open(event_path)
    item = d.find_element(By.XPATH, f"//li[@data-question][contains(., '{question}')]")
    assert f"Answer: {answer}" in item.text, item.text
    assert "1 vote" in d.find_element(By.XPATH, f"//li[@data-question][contains(., '{carla_question}')]").text
    assert absent(d, "#organizer-tools"), "a participant sees the registrations"
    site.visitor()
    site.open(personal_path)
    assert f"Answer: {answer}" in d.find_element(By.XPATH, f"//li[@data-question][contains(., '{question}')]").text


# MARK: 4. Feedback panels


def test_a_panel_member_without_an_account_proposes_and_votes_through_the_mailed_link_and_sees_what_was_done(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    mail_at_once(server, "panel.changed", CARLA)

    # Alice opens a panel and invites a customer by a list (a bad line is skipped and said) and her collaborators.
    site.sign_in(ALICE)
    site.open("/panels")
    title = f"Checkout panel {run}"
    fill(d, "panel-title", title, By.ID)
    fill(d, "panel-purpose", "What would make checking out easier for you?", By.ID)
    click(d, button(d, "Open the panel"))
    assert site.flash() == "The panel is open. Invite members from a circle or a list.", site.flash()
    panel_path = site.path()
    mia = f"mia+{run}@customer.example"
    fill(d, "panel-csv", f"{mia},Mia Member\nnot-an-address,Nobody", By.ID)
    click(d, button(d, "Invite the list"))
    assert site.flash() == "Invited 1. Skipped 1: not-an-address (line 2: not an email address).", site.flash()
    members = d.find_elements(By.CSS_SELECTOR, "#organizer-tools tbody tr")
    assert [m.text.split(" personal link")[0] for m in members] == [f"Mia Member {mia}"], [m.text for m in members]
    Select(d.find_element(By.ID, "panel-circle")).select_by_value("collaborator")
    click(d, button(d, "Invite the circle"))
    assert site.flash() == "Invited 2.", site.flash()  # Acme's Carla and Dan

    # Mia's mail holds her personal link; through it she proposes an idea.
    mail = site.inbox.wait(mia, f"Northwind Studio invites you to “{title}”")
    links = re.findall(r"^(\S+/p/\S+)$", mail_text(mail), re.M)
    assert len(links) == 1 and links[0].startswith(server.base), mail_text(mail)
    link = links[0]
    site.visitor()
    d.get(link)
    assert title in site.text("main") and "personal link" in site.text("#link-note")
    idea = f"Pay by invoice {run}"
    fill(d, "idea-title", idea, By.ID)
    fill(d, "idea-details", "For our company purchases.", By.ID)
    click(d, button(d, "Propose"))
    item = d.find_element(By.XPATH, f"//li[@data-idea][contains(., '{idea}')]")
    assert "your idea" in item.text and "0 votes" in item.text, item.text

    # Carla (Acme, invited with her account) finds the panel, votes for Mia's idea and proposes her own.
    site.sign_in(CARLA)
    site.open("/panels")
    click(d, d.find_element(By.LINK_TEXT, title))
    assert site.path() == panel_path
    assert mia not in site.html() and absent(d, "#organizer-tools"), "a member sees the other members"
    click(d, button(d.find_element(By.XPATH, f"//li[@data-idea][contains(., '{idea}')]"), "+1"))
    assert site.flash() == "Your vote counts.", site.flash()
    carla_idea = f"Save my address for next time {run}"
    fill(d, "idea-title", carla_idea, By.ID)
    click(d, button(d, "Propose"))
    assert site.flash() == "Your idea is on the panel; members can vote for it.", site.flash()

    # Mia votes for Carla's idea through her link.
    site.visitor()
    d.get(link)
    click(d, button(d.find_element(By.XPATH, f"//li[@data-idea][contains(., '{carla_idea}')]"), "+1"))
    voted = d.find_element(By.XPATH, f"//li[@data-idea][contains(., '{carla_idea}')]").text
    assert "1 vote" in voted and "you voted" in voted, voted
    assert absent(d, "#acted-on"), "something was acted on before any decision"

    # Alice marks Mia's idea done, with what was done.
    site.sign_in(ALICE)
    site.open(panel_path)
    item = d.find_element(By.XPATH, f"//li[@data-idea][contains(., '{idea}')]")
    assert "1 vote" in item.text and "proposed by Mia Member" in item.text, item.text
    Select(item.find_element(By.TAG_NAME, "select")).select_by_visible_text("Done")
    outcome = f"Invoices are live for orders over 100 EUR ({run})."
    item.find_element(By.CSS_SELECTOR, "textarea[name='outcome']").send_keys(outcome)
    click(d, button(item, "Save the decision"))
    assert site.flash() == "Decision saved; those who proposed, voted or commented are told.", site.flash()

    # Mia sees what was done with her feedback on her page, and is told by mail.
    site.visitor()
    d.get(link)
    acted = site.text("#acted-on")
    assert acted.startswith("What we did with your feedback") and idea in acted and outcome in acted, acted
    told = site.inbox.wait(mia, f"Your feedback was acted on: “{idea}” is done")
    assert outcome in mail_text(told), mail_text(told)

    # Grace (Lumen Labs) does not see the panel; a forged link is refused.
    site.sign_in(GRACE)
    assert title not in site.open("/panels")
    site.not_found(panel_path)
    site.visitor()
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    assert "This panel link is not valid." in site.open(forged[len(server.base):])
    assert site.status(forged[len(server.base):]) == 404


# MARK: 5. Offers


def test_a_partner_known_long_enough_accepts_an_offer_in_the_page_and_a_too_new_partner_never_sees_it(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    # Lumen Labs becomes Northwind's partner today: too new for an offer to partners known for two weeks.
    server.partnership(f"Pilot {run}", inviter=ALICE, invitee=GRACE)
    until = (datetime.datetime.now(UTC) + datetime.timedelta(days=30)).replace(microsecond=0)
    title = f"Free accessibility audit {run}"
    offered = server.api("POST", "/offers", ALICE, {
        "title": title, "details": "An **accessibility audit** of one page template, free of charge.", "kind": "offer",
        "audience": "partners", "minRelationshipDays": 14,
        "personalNote": f"For the partners who were with us early ({run}).", "validUntil": iso(until)}, expect=201).json()
    offer_path = f"/offers/{offered['id'].lower()}"

    # Carla reads it among the offers for Acme, with how long Acme has worked with Northwind, and accepts it.
    site.sign_in(CARLA)
    site.open("/offers")
    card = d.find_element(By.CSS_SELECTOR, f"#offers-for-you article[data-offer='{last_segment(offer_path)}']")
    assert title in card.text and "Offer from Northwind Studio" in card.text, card.text
    assert re.search(r"^You have worked with Northwind Studio for \d+ (days|months)\.$", card.text, re.M), card.text
    assert f"For the partners who were with us early ({run})." in card.text
    assert card.find_element(By.TAG_NAME, "strong").text == "accessibility audit"
    card.find_element(By.CSS_SELECTOR, "input[name='note']").send_keys("Yes please: the checkout template.")
    click(d, button(card, "Accept"))
    assert site.flash() == "Accepted: it is now a commitment proposed to you in your partnership.", site.flash()
    assert site.path() == offer_path
    assert "Accepted" in site.text("main") and absent(d, "button[value='accept']"), site.text("main")

    # The commitment it became is proposed to Acme in the storefront partnership.
    click(d, d.find_element(By.LINK_TEXT, "open it"))
    assert "/commitments/" in site.path(), site.path()
    assert f"Offer: {title}" in site.text("main"), site.text("main")[:800]
    site.open(f"/partnerships/{storefront_id(server)}")
    assert f"Offer: {title}" in site.text("main"), "the commitment is not in the partnership"

    # Alice sees the answer counted; Grace's Lumen Labs, a partner since today, never sees the offer.
    site.sign_in(ALICE)
    site.open(offer_path)
    assert "1 accepted, 0 declined" in site.text("main"), site.text("main")
    site.sign_in(GRACE)
    assert title not in site.open("/offers")
    site.not_found(offer_path)


def test_an_offer_made_in_the_form_with_a_minimum_relationship_reaches_a_partner_of_two_months(site):
    d = site.driver
    run = uuid.uuid4().hex[:6]
    title = f"Early partner discount {run}"

    # A closing day in the past is refused at its field, and no offer is made.
    site.sign_in(ALICE)
    site.open("/offers")
    fill(d, "offer-title", title, By.ID)
    fill(d, "offer-details", "Ten percent off the **next phase**.", By.ID)
    Select(d.find_element(By.ID, "offer-kind")).select_by_visible_text("Offer")
    Select(d.find_element(By.ID, "offer-audience")).select_by_visible_text(PARTNERS)
    fill(d, "offer-months", "1", By.ID)
    fill(d, "offer-note", f"For partners of more than a month ({run}).", By.ID)
    set_value(d, "offer-until", (datetime.date.today() - datetime.timedelta(days=2)).isoformat())
    click(d, button(d, "Make the offer"))
    assert site.text("#validUntil-error") == "An offer must stay open into the future.", site.text("#validUntil-error")
    assert title not in site.text("#own-offers"), site.text("#own-offers")
    set_value(d, "offer-until", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    click(d, button(d, "Make the offer"))
    offered = "Offered. Each organization it is for has been told, with a line about your work together."
    assert site.flash() == offered, site.flash()
    assert f"For: {PARTNERS}, known for at least 31 days." in site.text("main"), site.text("main")

    # Acme has been in Northwind's collaborator circle for over a year (the demo places it there 426 days ago): the
    # offer is Acme's, and says how long the two have worked together (more than the month asked for).
    site.sign_in(CARLA)
    site.open("/offers")
    assert title in site.text("#offers-for-you"), (
        "Acme, in Northwind's circle for over a year, does not see an offer for partners of a month or more: " + site.text("#offers-for-you"))
    card = d.find_element(By.XPATH, f"//section[@id='offers-for-you']/article[contains(., '{title}')]")
    length = re.search(r"^You have worked with Northwind Studio for (\d+) (days|months)\.$", card.text, re.M)
    assert length and (length[2] == "months" or int(length[1]) >= 31), card.text


# MARK: 6. Support


def test_a_partner_asks_for_support_on_the_profile_the_provider_answers_in_the_page_and_the_figures_count_it(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    northwind = org_id(server, ALICE)
    mail_at_once(server, "support.changed", ALICE, CARLA)

    # Carla opens Northwind's profile: its support figures (the demo's one request) and the form to ask it.
    site.sign_in(CARLA)
    site.open(f"/organizations/{northwind}#support")
    before = site.text("[data-support-figures]")
    assert before.startswith("Answers support requests in") and "1 request)" in before, before
    assert "Ask Northwind Studio for help" in site.text("#support")
    site.open("/support")
    requests_before = len(d.find_elements(By.CSS_SELECTOR, "#support-from-us tbody tr"))
    site.open(f"/organizations/{northwind}#support")

    # A subject of blanks is refused at its field on the support page, what was typed kept; nothing is sent.
    body = f"Codes with a dash are refused at checkout ({run}). Could you take a look?"
    card = d.find_element(By.ID, "support")
    fill(card, "subject", "   ")
    fill(card, "body", body)
    click(d, button(card, "Send the request"))
    assert site.text("#subject-error") == "A subject has 1 to 200 characters.", site.text("#subject-error")
    assert d.find_element(By.ID, "support-body").get_attribute("value") == body
    requests_after = len(d.find_elements(By.CSS_SELECTOR, "#support-from-us tbody tr"))
    assert requests_after == requests_before, "a refused request was stored"
    assert Select(d.find_element(By.ID, "support-provider")).first_selected_option.text == "Northwind Studio"
    subject = f"Coupon field rejects codes {run}"
    fill(d, "support-subject", subject, By.ID)
    click(d, button(d.find_element(By.ID, "new-support-request"), "Send the request"))
    assert site.flash().startswith("Sent to Northwind Studio: a first answer is due within"), site.flash()
    request_path = site.path()
    assert "Waiting for an answer" in site.text("#support-request") and body in site.text("#support-request")

    # Alice is mailed, finds it waiting among the requests to Northwind and answers it in the page.
    mail = site.inbox.wait(ALICE, f"Acme Retail asks for support: {subject}")
    assert body in mail_text(mail)
    site.sign_in(ALICE)
    site.open("/support")
    assert "Requests to you (1 waiting)" in site.text("#support-to-us"), site.text("#support-to-us")
    click(d, d.find_element(By.CSS_SELECTOR, "#support-to-us").find_element(By.LINK_TEXT, subject))
    assert site.path() == request_path
    reply = f"Fixed: dashes are accepted again ({run})."
    fill(d, "support-reply-body", reply, By.ID)
    click(d, button(d.find_element(By.ID, "support-reply"), "Send"))
    assert site.flash() == "Sent; the other side has been told.", site.flash()
    state = site.text("#support-request")
    assert "Answered" in state and re.search(r"First answer .+, within its promise of ", state), state

    # Carla reads the answer (and is mailed it); the figures on Northwind's profile now count both requests.
    site.inbox.wait(CARLA, f"Northwind Studio answered your support request: {subject}")
    site.sign_in(CARLA)
    site.open(request_path)
    assert "Alice Becker, Northwind Studio" in site.text("#support-thread") and reply in site.text("#support-thread")
    site.open(f"/organizations/{northwind}#support")
    after = site.text("[data-support-figures]")
    assert "2 requests)" in after and "100% within its promise" in after, after

    # Grace (Lumen Labs, no relation) sees no support card on Northwind's profile and cannot open the request.
    site.sign_in(GRACE)
    site.open(f"/organizations/{northwind}")
    assert absent(d, "#support") and absent(d, "[data-support-figures]"), "a stranger sees Northwind's support figures"
    site.not_found(request_path)
    assert "Northwind Studio" not in site.open("/support")


# MARK: 7. Thank-yous and recognition


def test_a_thank_you_shows_only_once_accepted_and_badges_follow_the_record(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    northwind, acme = org_id(server, ALICE), org_id(server, CARLA)
    demo_thanks = "Thank you for deciding within a day every time we asked"

    def recognition(organization):
        site.open(f"/organizations/{organization}#recognition")
        return site.text("#recognition")

    # A thank-you of blanks is refused at its field; then Alice thanks Acme from its profile.
    site.sign_in(ALICE)
    site.open(f"/organizations/{acme}#say-thanks")
    fill(d, "thanks-text", "   ", By.ID)
    click(d, button(d, "Send it for their consent"))
    assert "A thank-you has 1 to" in site.text("#text-error"), site.text("#say-thanks")
    thanks = f"Thank you for the quick feedback on every template ({run})."
    fill(d, "thanks-text", thanks, By.ID)
    click(d, button(d, "Send it for their consent"))
    sent = "Sent to Acme Retail: it shows on their profile once they agree, and nobody else sees it before."
    assert site.flash() == sent, site.flash()
    assert f"Your thank-you waits for Acme Retail's consent: “{thanks}”" in site.text("#thanks-waiting")

    # Before Acme agrees nobody else sees it; Grace cannot thank Acme at all (no relation) and is told why.
    site.sign_in(GRACE)
    shown = recognition(acme)
    assert thanks not in shown and demo_thanks in shown, shown
    assert "thanks-why-not" in site.html() and absent(d, "#thanks-text"), site.text("#say-thanks")

    # Carla shows it on Acme's profile from her organization page: it alone waits (the refused one was never stored).
    site.sign_in(CARLA)
    assert thanks not in recognition(acme)
    site.open("/organization#thanks")
    waiting = d.find_elements(By.XPATH, "//section[@id='thanks']//li[.//button[normalize-space()='Show it on our profile']]")
    assert [w.text.split("”")[0] for w in waiting] == [f"From Northwind Studio: “{thanks}"], [w.text for w in waiting]
    click(d, button(waiting[0], "Show it on our profile"))
    assert site.flash() == "Shown under your badges on your profile; Northwind Studio has been told.", site.flash()
    site.sign_in(GRACE)
    assert f"Thanked by Northwind Studio: “{thanks}”" in recognition(acme)

    # Badges, each with what earned it: Acme answers its partners within a day; Northwind handled its incident openly.
    acme_badges = recognition(acme)
    assert "Answers partners within a day" in acme_badges, acme_badges
    assert re.search(r"Median time to answer a partner's question over the last 90 days: .+ \(\d+ questions\)\.",
                     acme_badges), acme_badges
    badge = "Handled every incident openly this year"
    shown = recognition(northwind)
    assert badge in shown, shown
    assert "The 1 incident raised about its work in the last 12 months acknowledged within 2 days" in shown, shown

    # A new incident against Northwind, not yet acknowledged: the badge is gone; acknowledged, it is back for two.
    incident = {"title": f"Checkout down for an hour {run}", "description": "The pay button did nothing on Safari.",
                "severity": "major"}
    raised = server.api("POST", f"/partnerships/{storefront_id(server)}/incidents", CARLA, incident, expect=201).json()
    shown = recognition(northwind)
    assert badge not in shown and "No badges yet" in shown, shown
    server.api("POST", f"/partnerships/{storefront_id(server)}/incidents/{raised['id']}/transitions", ALICE,
               {"action": "acknowledge"}, expect=200)
    shown = recognition(northwind)
    assert badge in shown and "All 2 incidents raised about its work in the last 12 months" in shown, shown
