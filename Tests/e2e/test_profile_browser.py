"""Profiles governed by circles, referral lists, introductions and finding organizations, in headless Chromium,
between four fresh organizations: Aurora (A), Birch (B, A's partner), Cedar (C) and Dune (D).

- Sections: A writes its rates for its collaborator circle and its story for everyone on its organization
  page. On C's profile, A reads what C sees of A's profile and why: the rates are hidden ("collaborator circle
  or closer", C in none of A's circles). A keeps C among its collaborators: the row says shown and why, and C,
  reloading A's profile, reads the rates at once; taken out again, C no longer does. B, A's partner, reads the
  partners-only availability; C never does. Someone without an account opens A's public profile: the story,
  not the rates.
- Referral list: A keeps D as a trusted referral with a note, creates a referral link on the Circles page, and
  a cookie-less browser opens it: D with A's words, not C. Revoked, it says so.
- Introductions: D asks, from B's profile, to be introduced through A (who knows both); A introduces them with
  a note on /introductions and B reads it there. D's second request, to meet C, A declines; D sees it declined.
- Find: A searches for D's skill with different case, accents and ending and finds D with who vouches and what
  is unknown.
"""
import urllib.error
import uuid
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_browser import BASE, api, browser, fill, flash, shot, showing, text_of  # noqa: F401 (browser is a fixture)
from test_circles_browser import absent, become, eventually, register

PASSWORD = "correct horse battery"


def status_of(method, path, body=None, token=None):
    try:
        return api(method, path, body, token)[0]
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def world():
    run = uuid.uuid4().hex[:8]
    w = SimpleNamespace(
        run=run,
        a=register(f"ada-{run}@aurora.example", "Ada Aurora", f"Aurora Atelier {run}"),
        b=register(f"ben-{run}@birch.example", "Ben Birch", f"Birch Build {run}"),
        c=register(f"cleo-{run}@cedar.example", "Cleo Cedar", f"Cedar Consulting {run}"),
        d=register(f"dina-{run}@dune.example", "Dina Dune", f"Dune Data {run}"),
    )
    status, partnership = api("POST", "/partnerships", {"name": f"Relaunch {run}", "partnerEmail": w.b.email}, w.a.token)
    assert status == 201
    secret = partnership["invitationLink"].rsplit("/", 1)[1]
    assert api("POST", f"/invitations/{secret}/accept", token=w.b.token)[1]["status"] == "active"
    return w


def save_section(driver, name, title, content, audience):
    section = driver.find_element(By.ID, f"section-{name}")
    area = section.find_element(By.TAG_NAME, "textarea")
    area.clear()
    area.send_keys(content)
    Select(section.find_element(By.TAG_NAME, "select")).select_by_visible_text(audience)
    section.find_element(By.CSS_SELECTOR, "form button").click()
    flash(driver, f"“{title}” saved")


def what_they_see(driver, section):
    """The row of the 'What X sees of your profile' card for a section: (state, why)."""
    row = driver.find_element(By.CSS_SELECTOR, f"#what-they-see tr[data-section='{section}']")
    cells = row.find_elements(By.TAG_NAME, "td")
    return cells[1].text, cells[2].text


def test_sections_reach_their_audience_and_circles_change_it_at_once(browser, world):
    a, b, c = world.a, world.b, world.c
    become(browser, a)
    browser.get(BASE + "/organization#profile-sections")
    showing(browser, "What others see of")
    save_section(browser, "rates", "Rates", f"EUR 120 per hour {world.run}", "Your collaborator circle or closer")
    save_section(browser, "about", "About", f"Brand studio for makers {world.run}", "Everyone, without signing in")
    save_section(browser, "availability", "Availability", f"Free from March {world.run}", "Organizations you have (or had) a partnership with")
    assert f"/profiles/{a.org_id}" in text_of(browser, "#public-profile-link")
    shot(browser, "profile-sections")

    # Why C does not see the rates, then why it does once kept among A's collaborators.
    browser.get(f"{BASE}/organizations/{c.org_id}")
    showing(browser, 'id="what-they-see"')
    state, why = what_they_see(browser, "rates")
    assert state == "hidden" and "collaborator circle or closer" in why and "in none of its circles" in why, why
    Select(browser.find_element(By.ID, "circle")).select_by_visible_text("Collaborators")
    browser.find_element(By.CSS_SELECTOR, "#circle-card form[action$='/circle'] button").click()
    flash(browser, "Now in your collaborators circle")
    state, why = what_they_see(browser, "rates")
    assert state == "shown" and f"placed {c.organization} in its Collaborators circle" in why, why
    shot(browser, "what-cedar-sees")

    become(browser, c)
    browser.get(f"{BASE}/organizations/{a.org_id}")
    showing(browser, 'id="profile"')
    assert f"EUR 120 per hour {world.run}" in text_of(browser, "#profile")
    assert f"Free from March {world.run}" not in browser.page_source

    become(browser, a)
    browser.get(f"{BASE}/organizations/{c.org_id}")
    browser.find_element(By.XPATH, "//button[text()='Take out of your circles']").click()
    flash(browser, "Taken out of your circles.")
    become(browser, c)
    browser.get(f"{BASE}/organizations/{a.org_id}")
    showing(browser, 'id="profile"')
    assert f"EUR 120 per hour {world.run}" not in browser.page_source

    # The partner reads what is for partners.
    become(browser, b)
    browser.get(f"{BASE}/organizations/{a.org_id}")
    showing(browser, 'id="profile"')
    assert f"Free from March {world.run}" in text_of(browser, "#profile")
    assert f"EUR 120 per hour {world.run}" not in browser.page_source

    # Without an account: only what is public.
    browser.delete_all_cookies()
    browser.get(f"{BASE}/profiles/{a.org_id}")
    showing(browser, f"Brand studio for makers {world.run}")
    assert f"EUR 120 per hour {world.run}" not in browser.page_source and "Free from March" not in browser.page_source
    shot(browser, "public-profile")


def test_a_referral_list_opens_without_an_account_until_revoked(browser, world):
    a, c, d = world.a, world.c, world.d
    note = f"Dune cleaned our product data in two weeks {world.run}"
    assert api("PUT", f"/circles/{d.org_id}", {"circle": "trusted-referral", "note": note}, a.token)[0] == 200
    assert api("PUT", f"/circles/{c.org_id}", {"circle": "connected"}, a.token)[0] == 200
    assert api("PUT", "/profile/sections/about", {"content": f"Data engineering {world.run}", "visibility": "public"}, d.token)[0] == 200
    become(browser, a)
    browser.get(BASE + "/circles#referral-links")
    fill(browser, "note", f"For Bakery {world.run}")
    browser.find_element(By.CSS_SELECTOR, "#referral-links form button").click()
    message = flash(browser, "Referral link created").text
    link = BASE + "/referrals/" + message.rsplit("/referrals/", 1)[1].strip()
    assert "/referrals/bfr_" in link
    browser.delete_all_cookies()
    browser.get(link)
    showing(browser, f"Recommended by {a.organization}")
    page = text_of(browser, "main")
    assert d.organization in page and note in page and f"Data engineering {world.run}" in page and f"For Bakery {world.run}" in page
    assert c.organization not in page
    shot(browser, "referral-list")

    become(browser, a)
    browser.get(BASE + "/circles#referral-links")
    browser.find_element(By.XPATH, "//section[@id='referral-links']//button[text()='Revoke']").click()
    flash(browser, "Referral link revoked")
    browser.delete_all_cookies()
    browser.get(link)
    showing(browser, "withdrawn by")


def test_introductions_through_a_shared_contact_accepted_and_declined(browser, world):
    a, b, c, d = world.a, world.b, world.c, world.d
    # A knows B (partner) and C (connected circle, previous test); D keeps A among its connections.
    assert api("PUT", f"/circles/{a.org_id}", {"circle": "connected"}, d.token)[0] == 200
    become(browser, d)
    browser.get(f"{BASE}/organizations/{b.org_id}")
    showing(browser, 'id="ask-introduction"')
    Select(browser.find_element(By.ID, "intro-via")).select_by_visible_text(a.organization)
    fill(browser, "message", f"Ada, Birch's builds need clean data; could you introduce us? {world.run}")
    browser.find_element(By.CSS_SELECTOR, "#ask-introduction button").click()
    flash(browser, f"Asked {a.organization} to introduce you")
    browser.get(f"{BASE}/organizations/{c.org_id}")
    fill(browser, "message", f"Ada, Cedar mentioned a forecasting project; would you connect us? {world.run}")
    browser.find_element(By.CSS_SELECTOR, "#ask-introduction button").click()
    flash(browser, f"Asked {a.organization} to introduce you")

    become(browser, a)
    browser.get(BASE + "/introductions")
    showing(browser, f"{d.organization} asks to meet {b.organization}")
    cards = browser.find_elements(By.CSS_SELECTOR, "#introductions-to-decide article")
    to_b = next(x for x in cards if b.organization in x.text)
    to_b.find_element(By.TAG_NAME, "textarea").send_keys(f"Dina fixed our catalogue data; worth a call {world.run}")
    to_b.find_element(By.XPATH, ".//button[text()='Introduce them']").click()
    flash(browser, f"Introduced: {b.organization} has your note.")
    cards = browser.find_elements(By.CSS_SELECTOR, "#introductions-to-decide article")
    to_c = next(x for x in cards if c.organization in x.text)
    to_c.find_element(By.XPATH, ".//button[text()='Decline']").click()
    flash(browser, "Declined")
    shot(browser, "introductions-decided")

    become(browser, b)
    browser.get(BASE + "/introductions")
    showing(browser, f"{a.organization} introduces")
    assert f"Dina fixed our catalogue data; worth a call {world.run}" in text_of(browser, "#introductions-made")
    become(browser, c)
    browser.get(BASE + "/introductions")
    showing(browser, "Introductions")
    assert d.organization not in text_of(browser, "main")  # a declined request never reaches its target
    become(browser, d)
    browser.get(BASE + "/introductions")
    asked = text_of(browser, "#introductions-asked")
    assert "introduced" in asked and f"declined by {a.organization}" in asked


def test_find_an_organization_by_skill_with_why(browser, world):
    a, d = world.a, world.d
    assert api("PUT", "/profile/sections/services", {"content": f"Démand forecasting and data modelling {world.run}",
                                                      "visibility": "signedIn"}, d.token)[0] == 200
    become(browser, a)
    browser.get(f"{BASE}/find?skill=DEMAND+forecasts+{world.run}")
    showing(browser, 'id="find-results"')
    first = browser.find_element(By.CSS_SELECTOR, "#find-results li.find-result")
    assert d.organization in first.text and "Unknown:" in first.text
    eventually(browser, lambda drv: "Your own record with them" in text_of(drv, "#find-results"), "A's own trust in D shows")
    shot(browser, "find")
