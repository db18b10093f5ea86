"""A person's path through Bonafide in a real headless Chromium.

Signs up in the browser, opens a partnership, lets the invited partner accept (through the API, as a
second person would from their own machine), proposes a commitment through the form, and checks the
dashboard shows both. Screenshots of the main pages land in e2e-artifacts/.
"""
import json
import os
import re
import urllib.request
import uuid

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("BONAFIDE_E2E_URL", "http://127.0.0.1:8091")
ARTIFACTS = os.environ.get("BONAFIDE_E2E_ARTIFACTS", "e2e-artifacts")


def api(method, path, body=None, token=None):
    request = urllib.request.Request(BASE + "/api/v1" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)


def new_chromium():
    """A headless Chromium session; the caller quits it."""
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.implicitly_wait(5)
    os.makedirs(ARTIFACTS, exist_ok=True)
    return driver


@pytest.fixture()
def browser():
    driver = new_chromium()
    yield driver
    driver.quit()


def shot(driver, name):
    driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))


def showing(driver, text, timeout=10):
    """The page once it contains text: a click that submits a form returns before the new page loads."""
    WebDriverWait(driver, timeout).until(lambda d: text in d.page_source)
    return driver.page_source


def text_of(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def flash(driver, text):
    """The flash message once it contains text."""
    showing(driver, text)
    return driver.find_element(By.CSS_SELECTOR, "p.flash")


def fill(driver, field, value):
    element = driver.find_element(By.NAME, field)
    element.clear()
    element.send_keys(value)


def active_partnership(run, names, domain, zone):
    """Two organizations registered over the API (the first invites, the second accepts): ((email, account), (email,
    account), partnership)."""
    people = []
    for name, org in names:
        email = f"{name.split()[0].lower()}-{run}@{domain}"
        status, account = api("POST", "/auth/register", {"email": email, "password": "correct horse battery", "name": name,
                                                         "organization": org, "timeZone": zone})
        assert status == 201
        people.append((email, account))
    (_, first), (second_email, second) = people
    status, partnership = api("POST", "/partnerships", {"name": f"Pilot {run}", "partnerEmail": second_email}, first["token"])
    assert status == 201
    api("POST", f"/invitations/{partnership['invitationLink'].rsplit('/', 1)[1]}/accept", token=second["token"])
    return people[0], people[1], partnership


def sign_in_as(driver, email):
    driver.get(BASE + "/login")
    fill(driver, "email", email)
    fill(driver, "password", "correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    showing(driver, "Waiting for you")


def test_sign_up_partner_commit_and_see_it_on_the_dashboard(browser):
    run = uuid.uuid4().hex[:8]
    me = f"ada-{run}@engines.example"
    partner = f"bob-{run}@acme.example"
    status, partner_account = api("POST", "/auth/register", {
        "email": partner, "password": "correct horse battery", "name": "Bob Partner",
        "organization": f"Acme {run}", "timeZone": "America/New_York"})
    assert status == 201

    browser.get(BASE + "/")
    shot(browser, "01-welcome")
    browser.find_element(By.LINK_TEXT, "Create an account").click()
    showing(browser, "Create your account")
    fill(browser, "name", "Ada Lovelace")
    fill(browser, "email", me)
    fill(browser, "password", "correct horse battery")
    fill(browser, "organization", f"Engines {run}")
    Select(browser.find_element(By.NAME, "timeZone")).select_by_visible_text("Europe/Berlin")
    shot(browser, "02-signup")
    browser.find_element(By.CSS_SELECTOR, "form[action='/signup'] button").click()
    assert "Hello, Ada Lovelace" in showing(browser, "Hello, Ada Lovelace")
    shot(browser, "03-empty-dashboard")
    # A new organization sees its first steps, not empty lists.
    steps = browser.find_element(By.ID, "getting-started")
    assert "Getting started: 0 of 5 done" in steps.text, steps.text
    assert "Due soon" not in browser.page_source

    steps.find_element(By.LINK_TEXT, "Open your first partnership").click()
    showing(browser, "Open a partnership")
    fill(browser, "name", f"Storefront relaunch {run}")
    fill(browser, "partnerEmail", partner)
    fill(browser, "agreement", "Engines designs the storefront; Acme reviews within two days.")
    browser.find_element(By.CSS_SELECTOR, "form[action='/partnerships'] button").click()
    showing(browser, 'id="invitation-link"')
    link = browser.find_element(By.ID, "invitation-link").text
    assert re.search(r"/invitations/inv_[A-Za-z0-9_-]+$", link), link
    shot(browser, "04-partnership-invited")

    secret = link.rsplit("/", 1)[1]
    status, accepted = api("POST", f"/invitations/{secret}/accept", token=partner_account["token"])
    assert status == 200 and accepted["status"] == "active"

    browser.refresh()
    showing(browser, "New commitment")
    assert "active" in browser.find_element(By.CSS_SELECTOR, "h1 .status").text
    browser.find_element(By.LINK_TEXT, "New commitment").click()
    showing(browser, "Propose commitment")
    fill(browser, "title", f"Homepage wireframes {run}")
    fill(browser, "deliverable", "Annotated wireframes for desktop and phone")
    fill(browser, "acceptanceCriteria", "Covers hero, navigation and footer")
    due = browser.find_element(By.NAME, "dueAt")
    # A date in the past is refused next to its field, and everything typed is still there.
    browser.execute_script("arguments[0].value = arguments[1]", due, "2020-03-02T17:00")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/commitments'] button").click()
    assert "The due date must be in the future." in showing(browser, 'id="dueAt-error"')
    assert browser.find_element(By.NAME, "title").get_attribute("value") == f"Homepage wireframes {run}"
    assert browser.find_element(By.NAME, "deliverable").get_attribute("value") == "Annotated wireframes for desktop and phone"
    assert browser.find_element(By.NAME, "dueAt").get_attribute("aria-invalid") == "true"
    due = browser.find_element(By.NAME, "dueAt")
    browser.execute_script("arguments[0].value = arguments[1]", due, "2031-03-02T17:00")
    shot(browser, "05-new-commitment")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/commitments'] button").click()
    showing(browser, "Withdraw the commitment")
    assert f"Homepage wireframes {run}" in browser.find_element(By.TAG_NAME, "h1").text
    assert "proposed" in browser.page_source
    shot(browser, "06-commitment")
    # Only what the lifecycle allows now, ending the work last and behind a confirmation; a flash after acting.
    offered = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "section .grid > form button, section .grid > details summary")]
    assert offered == ["Flag it at risk", "Withdraw the commitment…"], offered
    withdraw = browser.find_element(By.CSS_SELECTOR, "details.confirm")
    assert not withdraw.find_element(By.TAG_NAME, "button").is_displayed(), "withdrawing needs a second click"
    flag = browser.find_element(By.XPATH, "//form[.//button[text()='Flag it at risk']]")
    flag.find_element(By.NAME, "reason").send_keys("Waiting for brand assets")
    flag.find_element(By.TAG_NAME, "button").click()
    assert "flagged at risk. The other side has been notified." in flash(browser, "flagged at risk").text
    assert "At risk: Waiting for brand assets" in browser.page_source
    offered = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "section .grid > form button, section .grid > details summary")]
    assert offered == ["Clear the risk flag", "Withdraw the commitment…"], offered

    browser.find_element(By.LINK_TEXT, "Dashboard").click()
    page = showing(browser, "Due soon: promised by your side")
    assert f"Storefront relaunch {run}" in page
    shot(browser, "07-dashboard")

    # The partner sees the proposal owed to them, through the API.
    status, dashboard = api("GET", "/dashboard", token=partner_account["token"])
    partnerships = [p["name"] for p in dashboard["partnerships"]]
    assert f"Storefront relaunch {run}" in partnerships

    browser.find_element(By.LINK_TEXT, f"Storefront relaunch {run}").click()
    assert f"Homepage wireframes {run}" in showing(browser, "Working hours overlap")
    shot(browser, "08-partnership-active")
    browser.set_window_size(390, 844)
    shot(browser, "09-partnership-phone")
    # On a phone the page reads one part at a time: its "On this page" links become tabs.
    overview, commitments = browser.find_element(By.ID, "overview"), browser.find_element(By.ID, "commitments")
    assert overview.is_displayed() and not commitments.is_displayed()
    tab = browser.find_element(By.CSS_SELECTOR, "nav.jump a[data-panel='panel-commitments']")
    tab.click()
    assert commitments.is_displayed() and not overview.is_displayed()
    assert tab.get_attribute("aria-current") == "true"
    assert f"Homepage wireframes {run}" in commitments.text
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < 3000, f"the commitments tab is {height} px tall on a phone"
    # On a wide screen every part is on the page again.
    browser.set_window_size(1280, 900)
    assert overview.is_displayed() and commitments.is_displayed() and tab.get_attribute("aria-current") is None


def test_demo_pages_render_for_a_signed_in_demo_user(browser):
    browser.get(BASE + "/login")
    fill(browser, "email", "alice@northwind.example")
    fill(browser, "password", "bonafide-demo")
    browser.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    assert "Hello, Alice Becker" in showing(browser, "Hello, Alice Becker")
    assert "What slipped" in browser.page_source
    shot(browser, "10-demo-dashboard")
    browser.find_element(By.LINK_TEXT, "Acme storefront redesign").click()
    assert "Working hours overlap" in showing(browser, "Working hours overlap")
    assert browser.find_element(By.CSS_SELECTOR, "svg[aria-label='Commitments by state']")
    shot(browser, "11-demo-partnership")
    browser.find_element(By.LINK_TEXT, "Search API spec").click()
    assert "waiting for a response" in showing(browser, "waiting for a response")
    shot(browser, "12-demo-thread")
    browser.find_element(By.LINK_TEXT, "Organization").click()
    assert "No backend development" in showing(browser, "No backend development")
    shot(browser, "13-demo-organization")
    browser.find_element(By.LINK_TEXT, "Settings").click()
    showing(browser, "New token name")
    # Settings has more than one form with a name field (the account's, the token's): the token form's.
    token_name = browser.find_element(By.ID, "token-name")
    token_name.clear()
    token_name.send_keys("e2e laptop")
    browser.find_element(By.CSS_SELECTOR, "form[action='/settings/tokens'] button").click()
    showing(browser, 'id="new-token"')
    assert browser.find_element(By.ID, "new-token").text.startswith("bfd_")
    shot(browser, "14-settings-token")


def test_waiting_for_you_lists_each_item_once_and_acting_removes_it(browser):
    run = uuid.uuid4().hex[:8]
    (_, owner), (receiver_email, receiver), partnership = active_partnership(
        run, (("Ida Owner", f"Iris {run}"), ("Rui Receiver", f"Rowan {run}")), "waiting.example", "Europe/Lisbon")
    status, _ = api("POST", f"/partnerships/{partnership['id']}/commitments",
                    {"title": f"Brand audit {run}", "dueAt": "2031-05-01T10:00:00Z"}, owner["token"])
    assert status == 201
    sign_in_as(browser, receiver_email)
    waiting = browser.find_element(By.ID, "waiting")
    assert f"Accept or decline: Brand audit {run}" in waiting.text, waiting.text
    assert browser.page_source.count(f"Brand audit {run}</a>") == 1, "listed once on the whole page"
    waiting.find_element(By.LINK_TEXT, f"Brand audit {run}").click()
    browser.find_element(By.XPATH, "//button[text()='Accept the commitment']").click()
    flash(browser, "accepted")
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/dashboard']").click()
    assert "Nothing waits for your side." in showing(browser, "Nothing waits for your side.")

    # The delivery comes back to the list with a one-click accept; clicking it stays on the dashboard.
    status, listed = api("GET", f"/partnerships/{partnership['id']}/commitments", token=owner["token"])
    cid = next(c["id"] for c in listed if c["title"] == f"Brand audit {run}")
    status, _ = api("POST", f"/partnerships/{partnership['id']}/commitments/{cid}/transitions", {"action": "deliver"}, owner["token"])
    assert status == 200
    browser.refresh()
    waiting = browser.find_element(By.ID, "waiting")
    assert f"Accept the delivery or send it back: Brand audit {run}" in waiting.text, waiting.text
    waiting.find_element(By.XPATH, f".//button[@aria-label='Accept delivery: Brand audit {run}']").click()
    flash(browser, f"“Brand audit {run}” approved")
    assert browser.current_url.endswith("/dashboard"), browser.current_url
    assert "Nothing waits for your side." in browser.find_element(By.ID, "waiting").text

    # On the partnership page, the filters narrow the commitments and the result is a link.
    browser.get(BASE + f"/partnerships/{partnership['id']}")
    Select(browser.find_element(By.ID, "filter-state")).select_by_visible_text("Open (not finished)")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    assert "0 of 1 shown." in showing(browser, "0 of 1 shown.")
    assert "state=open" in browser.current_url and "None match these filters." in browser.page_source
    browser.find_element(By.LINK_TEXT, "Show all").click()
    showing(browser, f"Brand audit {run}</a>")


def test_editing_a_commitment_rewrites_a_proposal_and_changes_accepted_work_only_by_agreement(browser):
    run = uuid.uuid4().hex[:8]
    (owner_email, owner), (_, receiver), partnership = active_partnership(
        run, (("Eda Owner", f"Elm {run}"), ("Ravi Receiver", f"Reed {run}")), "editing.example", "Europe/Paris")
    pid = partnership["id"]
    status, created = api("POST", f"/partnerships/{pid}/commitments",
                          {"title": f"Logo sketches {run}", "deliverable": "Three directions", "dueAt": "2031-05-01T10:00:00Z"},
                          owner["token"])
    assert status == 201
    sign_in_as(browser, owner_email)
    browser.get(BASE + f"/partnerships/{pid}/commitments/{created['id']}")
    browser.find_element(By.LINK_TEXT, "Edit the proposal").click()
    showing(browser, "Edit the proposal")
    # A refused edit keeps what was typed, the reason under its field.
    fill(browser, "title", " ")
    browser.find_element(By.NAME, "deliverable").clear()
    browser.find_element(By.NAME, "deliverable").send_keys("Four directions with mood boards")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/edit'] button").click()
    assert "The title must have 1 to 200 characters." in showing(browser, 'id="title-error"')
    assert browser.find_element(By.NAME, "deliverable").get_attribute("value") == "Four directions with mood boards"
    fill(browser, "title", f"Logo directions {run}")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/edit'] button").click()
    flash(browser, "is updated")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"Logo directions {run}")
    assert f"changed the title and deliverable of the proposal “Logo sketches {run}”" in browser.page_source

    # Accepted work changes only when the other side agrees.
    cid = created["id"]
    api("POST", f"/partnerships/{pid}/commitments/{cid}/transitions", {"action": "accept"}, receiver["token"])
    status, proposed = api("PATCH", f"/partnerships/{pid}/commitments/{cid}",
                           {"title": f"Logo directions {run}", "acceptanceCriteria": "Vector files for each direction"},
                           receiver["token"])
    assert status == 200 and proposed["pendingChange"]["proposedBy"] == "recipient"
    browser.get(BASE + "/dashboard")
    waiting = browser.find_element(By.ID, "waiting")
    assert f"Agree to new wording or keep it: Logo directions {run}" in waiting.text, waiting.text
    waiting.find_element(By.LINK_TEXT, f"Logo directions {run}").click()
    change = browser.find_element(By.ID, "pending-change")
    assert "Vector files for each direction" in change.find_element(By.TAG_NAME, "ins").text
    change.find_element(By.XPATH, ".//button[text()='Agree to the new wording']").click()
    flash(browser, "Agreed: the commitment now reads")
    assert "Vector files for each direction" in browser.page_source
    assert not browser.find_elements(By.ID, "pending-change")

    # The search box in the header finds the commitment by its new words, and the partnership by name.
    box = browser.find_element(By.CSS_SELECTOR, "header form[role='search'] input[name='q']")
    box.send_keys("vector files")
    box.submit()
    found = showing(browser, 'id="found-commitments"')
    assert f">Logo directions {run}</a>" in found
    assert "Search" in browser.find_element(By.TAG_NAME, "h1").text
