"""Circles and testimonials in headless Chromium, between three fresh organizations A, B and C.

- Circles: A finds B with the search on /circles, opens B's profile and keeps B among its collaborators
  with a private note; the profile's circle card, the /circles page and A's trust panel about B (with the
  note as evidence) show it. Moving B to the trusted referrals adds a vouch. A colleague of A who is only a
  member sees where B is kept but gets no form. B sees none of it: its circles are empty and A's profile,
  seen from B, says nothing of A's placement or note.
- Testimonials: without completed work A cannot write one about B and is told why. Once B has delivered a
  commitment to A and A accepted it as complete (set up through the API), A publishes one from B's profile;
  it shows there with its basis and a positive label, also to C, a stranger to both, who is told why they
  cannot write one. A too-short text is stopped by the browser, and a text that is short once its spaces
  are trimmed is refused by the server with a clear message; neither changes the published one. A withdraws
  it and it is gone for everyone.
- Surveys by circle: A creates an NPS survey, adds the people of its collaborators circle (B's owner, with
  B's name as segment) and one customer by CSV, sends, and both answer through their personal links in a
  cookie-less browser; the results compare "Collaborators" with "In no circle".

The organizations are made once for the module (sign-ups are limited to 30 per 10 minutes per client and
the whole e2e suite shares one server), and each person signs in through the login form once: their
session cookies are kept and put back when the test switches to them (sign-ins are limited to 10 per
15 minutes per address). Screenshots land in BONAFIDE_E2E_ARTIFACTS (e2e-artifacts/ by default).
"""
import re
import time
import urllib.error
import urllib.parse
import uuid
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_browser import BASE, api, browser, fill, flash, shot, showing, text_of  # noqa: F401 (browser is a fixture)

PASSWORD = "correct horse battery"
TRUST_WAIT = 20  # seconds; trust is recomputed in the background every few seconds


# Helpers

def fill_search(driver, value):
    """The Circles page's own search box (the header's search box has the same field name)."""
    element = driver.find_element(By.ID, "circle-q")
    element.clear()
    element.send_keys(value)


def status_of(method, path, body=None, token=None):
    try:
        return api(method, path, body, token)[0]
    except urllib.error.HTTPError as error:
        return error.code


def register(email, name, organization):
    status, account = api("POST", "/auth/register", {"email": email, "password": PASSWORD, "name": name,
                                                      "organization": organization, "timeZone": "Europe/Berlin"})
    assert status == 201, status
    return SimpleNamespace(email=email, name=name, organization=organization, token=account["token"],
                           org_id=account["organization"]["id"].lower(), cookies=None)


@pytest.fixture(scope="module")
def world():
    run = uuid.uuid4().hex[:8]
    return SimpleNamespace(
        run=run,
        a=register(f"ada-{run}@aurora.example", "Ada Aurora", f"Aurora Atelier {run}"),
        b=register(f"ben-{run}@birch.example", "Ben Birch", f"Birch Build {run}"),
        c=register(f"cleo-{run}@cedar.example", "Cleo Cedar", f"Cedar Consulting {run}"),
    )


def become(driver, person):
    """Signs the browser in as person: through the login form the first time, then with their kept cookies."""
    driver.get(BASE + "/login")
    driver.delete_all_cookies()
    if person.cookies is None:
        driver.get(BASE + "/login")
        fill(driver, "email", person.email)
        fill(driver, "password", PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
        showing(driver, f"Hello, {person.name}")
        person.cookies = driver.get_cookies()
    else:
        for cookie in person.cookies:
            driver.add_cookie(cookie)
        driver.get(BASE + "/dashboard")
        showing(driver, f"Hello, {person.name}")


def profile(driver, org):
    driver.get(f"{BASE}/organizations/{org.org_id}")
    showing(driver, 'id="testimonials"')


def eventually(driver, predicate, what, timeout=TRUST_WAIT):
    """Reloads the page until predicate(driver) holds, for at most timeout seconds."""
    deadline = time.time() + timeout
    while not predicate(driver):
        assert time.time() < deadline, f"{what} within {timeout} s"
        time.sleep(0.5)
        driver.refresh()
        showing(driver, "</main>")


def trust_says(*phrases):
    return lambda d: all(p in text_of(d, "#trust-panel") for p in phrases)


def place(driver, circle, note):
    """On another organization's profile: keep it in circle (the circle's title) with note."""
    Select(driver.find_element(By.ID, "circle")).select_by_visible_text(circle)
    note_field = driver.find_element(By.ID, "circle-note")
    note_field.clear()
    note_field.send_keys(note)
    driver.find_element(By.CSS_SELECTOR, "#circle-card form[action$='/circle'] button").click()
    message = flash(driver, f"Now in your {circle.lower()} circle")
    assert message.text == f"Now in your {circle.lower()} circle; trust is recomputed with it."


def absent(driver, by, selector):
    """True when nothing matches, without waiting out the implicit wait the browser fixture sets."""
    driver.implicitly_wait(0)
    try:
        return not driver.find_elements(by, selector)
    finally:
        driver.implicitly_wait(5)


def circle_list(driver, circle_id):
    """The names and notes listed in one circle's card on /circles."""
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, f"#circle-{circle_id} li")]


# 1. Circles: found, placed, moved, private

def test_find_place_and_move_an_organization_in_circles_privately(browser, world):
    a, b, run = world.a, world.b, world.run
    collaborator_note = f"Printed our spring catalogue <on time> & on budget {run}"
    referral_note = f"Would hire them again for any print job {run}"

    become(browser, a)
    browser.find_element(By.LINK_TEXT, "Circles").click()
    showing(browser, "Find an organization")
    for circle in ("trusted-referral", "collaborator", "connected", "follow"):
        assert text_of(browser, f"#circle-{circle}").endswith("No one."), circle
    assert text_of(browser, "#circle-collaborator h2") == "Collaborators 0"

    # The search: nothing for a made-up name (quotes and brackets come back as typed), then B whatever the case.
    nobody = f'Nobody "Such" <b>{run}</b>'
    fill_search(browser, nobody)
    browser.find_element(By.CSS_SELECTOR, "form[action='/circles'] button").click()
    showing(browser, "No organization is called")
    assert text_of(browser, "#circle-search-results") == f"No organization is called anything like “{nobody}”."
    assert browser.find_element(By.ID, "circle-q").get_attribute("value") == nobody
    fill_search(browser, f"birch build {run}")
    browser.find_element(By.CSS_SELECTOR, "form[action='/circles'] button").click()
    showing(browser, 'id="circle-search-results"')
    found = browser.find_elements(By.CSS_SELECTOR, "#circle-search-results li a")
    assert [link.text for link in found] == [b.organization]
    shot(browser, "40-circles-search")
    found[0].click()
    showing(browser, 'id="circle-card"')
    assert browser.current_url.endswith(f"/organizations/{b.org_id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == b.organization

    # Not kept anywhere yet: the four circles to choose from, no "take out".
    assert text_of(browser, "#circle-state") == "Not in your circles."
    options = [o.text for o in Select(browser.find_element(By.ID, "circle")).options]
    assert options == ["Following", "Connected", "Collaborators", "Trusted referrals"]
    assert absent(browser, By.XPATH, "//button[text()='Take out of your circles']")

    place(browser, "Collaborators", collaborator_note)
    assert text_of(browser, "#circle-state") == f"In your collaborators circle. “{collaborator_note}”"
    # The form keeps the note, so moving to another circle does not erase it.
    assert browser.find_element(By.ID, "circle-note").get_attribute("value") == collaborator_note
    assert Select(browser.find_element(By.ID, "circle")).first_selected_option.text == "Collaborators"
    assert browser.find_elements(By.XPATH, "//button[text()='Take out of your circles']")
    # The placement is trust evidence, with the note, in A's own view of B.
    eventually(browser, trust_says(f"In your collaborators circle: “{collaborator_note}”"),
               "the collaborator placement did not show in the trust panel")
    shot(browser, "41-circles-profile-collaborator")

    browser.find_element(By.LINK_TEXT, "Circles").click()
    showing(browser, "Find an organization")
    assert text_of(browser, "#circle-collaborator h2") == "Collaborators 1"
    listed = circle_list(browser, "collaborator")
    assert len(listed) == 1
    assert listed[0].startswith(f"{b.organization} — {collaborator_note} · Ada Aurora, ")
    for circle in ("trusted-referral", "connected", "follow"):
        assert text_of(browser, f"#circle-{circle}").endswith("No one."), circle
    shot(browser, "42-circles-page")

    # Closer: a trusted referral, which is also a vouch.
    browser.find_element(By.LINK_TEXT, b.organization).click()
    showing(browser, 'id="circle-card"')
    place(browser, "Trusted referrals", referral_note)
    assert text_of(browser, "#circle-state") == f"In your trusted referrals circle. “{referral_note}”"
    eventually(browser, trust_says("You vouch for them as a trusted referral",
                                   f"In your trusted referrals circle: “{referral_note}”"),
               "the vouch did not show in the trust panel")
    assert "In your collaborators circle" not in text_of(browser, "#trust-panel")
    shot(browser, "43-circles-profile-trusted-referral")
    browser.get(BASE + "/circles")
    showing(browser, "Find an organization")
    assert [item.split(" — ")[0] for item in circle_list(browser, "trusted-referral")] == [b.organization]
    assert referral_note in text_of(browser, "#circle-trusted-referral")
    assert text_of(browser, "#circle-collaborator").endswith("No one.")

    # A colleague who is only a member sees where B is kept, and has no form to change it.
    status, invitation = api("POST", "/organization/invitations", {"email": f"mia-{run}@aurora.example", "role": "member"},
                             a.token)
    assert status == 201
    browser.delete_all_cookies()
    browser.get(BASE + urllib.parse.urlsplit(invitation["link"]).path)
    showing(browser, f"You are joining <strong>{a.organization}</strong>")
    fill(browser, "name", "Mia Member")
    fill(browser, "password", PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/signup'] button").click()
    showing(browser, "Hello, Mia Member")
    profile(browser, b)
    assert text_of(browser, "#circle-state") == f"In your trusted referrals circle. “{referral_note}”"
    assert absent(browser, By.ID, "circle-card")
    assert absent(browser, By.ID, "circle")
    browser.get(BASE + "/circles")
    showing(browser, "Find an organization")
    assert referral_note in text_of(browser, "#circle-trusted-referral")

    # B sees nothing of A's circles: not on its own /circles page, not on A's profile.
    become(browser, b)
    browser.find_element(By.LINK_TEXT, "Circles").click()
    showing(browser, "Find an organization")
    for circle in ("trusted-referral", "collaborator", "connected", "follow"):
        assert text_of(browser, f"#circle-{circle}").endswith("No one."), circle
    assert absent(browser, By.CSS_SELECTOR, "section.card li")
    fill_search(browser, a.organization)
    browser.find_element(By.CSS_SELECTOR, "form[action='/circles'] button").click()
    showing(browser, 'id="circle-search-results"')
    browser.find_element(By.LINK_TEXT, a.organization).click()
    showing(browser, 'id="circle-card"')
    assert text_of(browser, "#circle-state") == "Not in your circles."
    seen = browser.find_element(By.TAG_NAME, "main").text
    for secret in ("print job", "spring catalogue", "vouch", "trusted referrals circle", "collaborators circle"):
        assert secret not in seen, secret
    assert referral_note not in browser.page_source and "spring catalogue" not in browser.page_source
    shot(browser, "44-circles-seen-by-the-other-side")
    browser.get(BASE + "/notifications")
    showing(browser, "</main>")
    assert "print job" not in browser.page_source and "circle" not in text_of(browser, "main").lower()


# 2. Testimonials: only after completed work, public, withdrawn

def complete_work_for(owner, recipient, run):
    """A partnership opened by recipient, and a commitment owner proposes, delivers and recipient approves."""
    name = f"Catalogue print run {run}"
    status, partnership = api("POST", "/partnerships", {"name": name, "partnerEmail": owner.email}, recipient.token)
    assert status == 201
    secret = partnership["invitationLink"].rsplit("/", 1)[1]
    assert api("POST", f"/invitations/{secret}/accept", token=owner.token)[1]["status"] == "active"
    pid = partnership["id"]
    status, commitment = api("POST", f"/partnerships/{pid}/commitments",
                             {"title": f"Spring catalogue {run}", "dueAt": "2031-03-02T17:00:00Z"}, owner.token)
    assert status == 201 and commitment["status"] == "proposed"
    for who, action, state in ((recipient, "accept", "accepted"), (owner, "deliver", "delivered"),
                               (recipient, "approveDelivery", "completed")):
        status, commitment = api("POST", f"/partnerships/{pid}/commitments/{commitment['id']}/transitions",
                                 {"action": action}, who.token)
        assert status == 200 and commitment["status"] == state, (action, commitment["status"])
    return name


def test_a_testimonial_only_after_completed_work_public_and_withdrawn(browser, world):
    a, b, c, run = world.a, world.b, world.c, world.run
    text = (f"{b.organization} printed our catalogue beautifully and delivered on time; "
            "friendly, reliable and excellent to work with.")

    become(browser, a)
    profile(browser, b)
    card = text_of(browser, "#testimonials")
    assert "Testimonials 0" in card and "None yet." in card
    assert text_of(browser, "#testimonial-why-not") == (
        "Testimonials come only from real, completed work: you can write one once they have delivered "
        "a commitment to you and you accepted it as complete.")
    assert absent(browser, By.ID, "testimonial-text")
    assert status_of("PUT", f"/organizations/{b.org_id}/testimonials", {"text": text}, a.token) == 403

    partnership = complete_work_for(b, a, run)

    browser.refresh()
    showing(browser, 'id="testimonial-text"')
    assert absent(browser, By.ID, "testimonial-why-not")
    assert "Write a testimonial" in text_of(browser, "label[for='testimonial-text']")
    browser.find_element(By.ID, "testimonial-text").send_keys(text)
    browser.find_element(By.XPATH, "//section[@id='testimonials']//button[text()='Publish']").click()
    assert flash(browser, "Testimonial published.").text == "Testimonial published."
    quotes = browser.find_elements(By.CSS_SELECTOR, "#testimonials blockquote.testimonial")
    assert len(quotes) == 1
    assert quotes[0].find_element(By.TAG_NAME, "p").text == text
    footer = quotes[0].find_element(By.TAG_NAME, "footer").text
    assert footer.startswith(f"{a.organization} (Ada Aurora), ")
    # The partnership is private to its members: the testimonial says only that the work was real and when.
    assert "Completed work together since " in footer and partnership not in footer
    label = quotes[0].find_element(By.CSS_SELECTOR, "span.sentiment-positive").text
    assert re.fullmatch(r"positive \+0\.\d\d", label), label
    assert "“excellent”" in footer or "“reliable”" in footer, footer  # the phrases that drove the label
    assert "Testimonials 1" in text_of(browser, "#testimonials h2")
    assert "Rewrite your organization's testimonial" in text_of(browser, "label[for='testimonial-text']")
    assert browser.find_element(By.ID, "testimonial-text").get_attribute("value") == text
    # A's own view of B counts it as evidence, by its tone.
    eventually(browser, trust_says("Your testimonial (positive): “"),
               "the testimonial did not show in the trust panel")
    browser.execute_script("document.getElementById('testimonials').scrollIntoView()")
    shot(browser, "45-testimonial-published")

    # Too short for the browser: the form is not sent.
    area = browser.find_element(By.ID, "testimonial-text")
    area.clear()
    area.send_keys("Too short.")
    browser.find_element(By.XPATH, "//section[@id='testimonials']//button[text()='Publish']").click()
    assert browser.execute_script("return arguments[0].validity.tooShort", area)
    assert browser.execute_script("return arguments[0].validationMessage", area)
    assert absent(browser, By.CSS_SELECTOR, "p.flash.error")
    # Long enough for the browser, too short once trimmed: the server says why and keeps the published one.
    area.clear()
    area.send_keys("Great work!" + " " * 12)
    browser.find_element(By.XPATH, "//section[@id='testimonials']//button[text()='Publish']").click()
    error = flash(browser, "A testimonial has")
    assert "error" in error.get_attribute("class")
    assert error.text == "A testimonial has 20 to 2000 characters: say what they did and how it went."
    quotes = browser.find_elements(By.CSS_SELECTOR, "#testimonials blockquote.testimonial")
    assert [q.find_element(By.TAG_NAME, "p").text for q in quotes] == [text]
    # Back at the top of the profile, where the message is in view.
    assert browser.execute_script("return window.scrollY") == 0
    assert not urllib.parse.urlsplit(browser.current_url).fragment
    shot(browser, "46-testimonial-too-short-message")

    # B, its subject, sees it on its own profile.
    become(browser, b)
    profile(browser, b)
    assert text in text_of(browser, "#testimonials")
    assert absent(browser, By.ID, "testimonial-text")

    # C, a stranger to both, sees it too, and may not write one.
    become(browser, c)
    browser.get(BASE + "/circles?q=" + urllib.parse.quote(b.organization))
    browser.find_element(By.LINK_TEXT, b.organization).click()
    showing(browser, 'id="testimonials"')
    quotes = browser.find_elements(By.CSS_SELECTOR, "#testimonials blockquote.testimonial")
    assert len(quotes) == 1 and quotes[0].find_element(By.TAG_NAME, "p").text == text
    assert quotes[0].find_elements(By.CSS_SELECTOR, "span.sentiment-positive")
    assert "Completed work together since " in quotes[0].text and partnership not in quotes[0].text
    assert browser.find_elements(By.ID, "testimonial-why-not")
    assert absent(browser, By.ID, "testimonial-text")
    browser.execute_script("document.getElementById('testimonials').scrollIntoView()")
    shot(browser, "47-testimonial-seen-by-a-stranger")

    # A withdraws it: gone for everyone.
    become(browser, a)
    profile(browser, b)
    browser.find_element(By.XPATH, "//section[@id='testimonials']//button[text()='Withdraw it']").click()
    assert flash(browser, "Testimonial withdrawn.").text == "Testimonial withdrawn."
    assert absent(browser, By.CSS_SELECTOR, "#testimonials blockquote.testimonial")
    assert "None yet." in text_of(browser, "#testimonials")
    assert "Write a testimonial" in text_of(browser, "label[for='testimonial-text']")
    assert absent(browser, By.XPATH, "//button[text()='Withdraw it']")
    become(browser, c)
    profile(browser, b)
    assert "None yet." in text_of(browser, "#testimonials")
    assert text not in browser.page_source
    assert api("GET", f"/organizations/{b.org_id}/testimonials", token=c.token)[1] == []


# 3. Survey recipients from a circle, results by circle

def answer(driver, link, score, reason):
    """Answers through a personal link in a browser with no session."""
    driver.delete_all_cookies()
    driver.get(BASE + "/s/" + link.rsplit("/s/", 1)[1])
    showing(driver, "How likely are you to recommend us")
    driver.find_element(By.ID, f"score-{score}").click()
    driver.find_element(By.ID, "reason").send_keys(reason)
    driver.find_element(By.XPATH, "//button[text()='Send my answer']").click()
    showing(driver, "Your answer reached")


def test_survey_the_people_of_a_circle_and_compare_by_circle(browser, world):
    a, b, run = world.a, world.b, world.run
    customer = f"dora-{run}@customer.example"

    # Circles hand out addresses only of organizations one works with: B is a partner (set up here too, so
    # this test also stands alone); a stranger in a circle would add no one.
    complete_work_for(b, a, f"{run}-s")
    become(browser, a)
    profile(browser, b)
    place(browser, "Collaborators", f"Survey them each quarter {run}")

    browser.find_element(By.LINK_TEXT, "Surveys").click()
    showing(browser, "New survey")
    fill(browser, "title", f"Partner pulse {run}")
    browser.find_element(By.CSS_SELECTOR, "form[action='/surveys'] button").click()
    showing(browser, "Add recipients")
    survey_url = browser.current_url
    circles = Select(browser.find_element(By.ID, "survey-circle"))
    assert [o.text for o in circles.options] == ["(none)", "Trusted referrals", "Collaborators", "Connected", "Following"]
    circles.select_by_visible_text("Collaborators")
    browser.find_element(By.XPATH, "//button[text()='Add recipients']").click()
    added = flash(browser, "Added").text
    assert added == "Added 1; 0 were already there; 0 skipped because they opted out.", added
    rows = browser.find_elements(By.XPATH, "//h2[text()='Recipients']/following-sibling::table//tbody/tr")
    assert len(rows) == 1
    assert b.email in rows[0].text and b.organization in rows[0].text and "not yet invited" in rows[0].text
    browser.find_element(By.ID, "survey-csv").send_keys(f"email,name,segment\n{customer},Dora,Retail")
    # The page already shows an "Added" message: wait for the new page, not the old message.
    before = browser.find_element(By.CSS_SELECTOR, "p.flash")
    browser.find_element(By.XPATH, "//button[text()='Add recipients']").click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(before))
    assert flash(browser, "Added").text.startswith("Added 1; 0 were already there")
    browser.find_element(By.XPATH, "//button[starts-with(text(),'Send invitations')]").click()
    assert "Invited 2 people" in flash(browser, "Invited").text
    links = {p: browser.find_element(By.CSS_SELECTOR, f"input.survey-link[aria-label='Personal link for {p}']")
             .get_attribute("value") for p in (b.email, customer)}
    shot(browser, "48-survey-recipients-from-a-circle")

    # Both answer through their personal links, without an account or a session.
    answer(browser, links[b.email], 9, "Quick answers and careful work.")
    answer(browser, links[customer], 4, "Slow replies this time.")

    become(browser, a)
    browser.get(survey_url)
    showing(browser, 'id="by-circle"')
    assert browser.find_element(By.ID, "by-circle").text == "By circle"
    groups = {}
    for row in browser.find_elements(By.XPATH, "//h3[@id='by-circle']/following-sibling::table[1]/tbody/tr"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        groups[cells[0]] = cells
    assert set(groups) == {"Collaborators", "In no circle"}, groups
    assert groups["Collaborators"][2] == "1" and groups["In no circle"][2] == "1"
    assert "2 answers to the main question" in text_of(browser, "#survey-results")
    states = [row.text for row in browser.find_elements(By.XPATH, "//h2[text()='Recipients']/following-sibling::table//tbody/tr")]
    assert len(states) == 2 and all("answered" in s for s in states), states
    browser.execute_script("document.getElementById('by-circle').scrollIntoView()")
    shot(browser, "49-survey-by-circle")
