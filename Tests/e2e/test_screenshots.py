"""Screenshots of the main pages at 1280 px (desktop) and 390 px (phone), full page, for a reviewer to look through:
e2e-artifacts/screenshots/desktop-dashboard.png, phone-dashboard.png and so on. Each page must answer 200, be the
page asked for (not the error page, not a sign-in redirect), have a heading, and on a phone not scroll sideways.

Carla (Acme) shows the signed-in pages; Alice (Northwind) the surveys, since Acme runs none; a visitor without an
account the public profile, a survey's answer page, the sign-in page and the welcome page. Sign-ins only: no accounts
are created (sign-ups are rate limited)."""
import os
import re
import urllib.error
import urllib.request
from urllib.parse import urlparse

from selenium.webdriver.common.by import By

from test_accessibility import sign_in
from test_browser import ARTIFACTS, BASE, browser  # noqa: F401 (browser is a fixture)

SHOTS = os.path.join(ARTIFACTS, "screenshots")
WIDTHS = (("desktop", 1280, 900), ("phone", 390, 844))
TALLEST = 16000  # px; Chromium draws at most 16384 px in one go, and the partnership page is about 15000 on a phone
ERROR_TITLES = {"Not Found", "Forbidden", "Unauthorized", "Bad Request", "Internal Server Error", "Too Many Requests"}
UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_status(driver, url):
    """The status the server gives the browser's session for url, redirects not followed (a 303 to /login is not OK)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})
    try:
        with urllib.request.build_opener(_NoRedirects).open(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def links(driver, pattern):
    """The distinct hrefs on the page matching pattern (one group), in page order."""
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', driver.page_source)))


def full_page_shot(driver, path, width, height):
    """The whole page, as far as TALLEST px: headless Chromium shoots the viewport, so the window grows to the page
    (plus what the window itself takes, outerHeight - innerHeight, about 140 px even headless)."""
    tall, frame = driver.execute_script(
        "return [Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),"
        " window.outerHeight - window.innerHeight]")
    driver.set_window_size(width, max(min(tall, TALLEST) + frame, height))
    driver.save_screenshot(path)
    driver.set_window_size(width, height)


def phone_like(driver):
    """Scrollbars overlaid as on a phone: a classic one would take 15 of the 390 px (and hide as much overflow)."""
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})


def capture(driver, name, path, problems, heading=None):
    """Opens path, checks it and saves desktop-NAME.png and phone-NAME.png; what is wrong goes into problems."""
    os.makedirs(SHOTS, exist_ok=True)
    url = path if path.startswith("http") else BASE + path
    driver.set_window_size(*WIDTHS[0][1:])
    driver.get(url)
    status = http_status(driver, url)
    if status != 200:
        problems.append(f"{name} ({path}): status {status}")
    if driver.current_url.split("#")[0] != url:
        problems.append(f"{name} ({path}): ended up at {driver.current_url}")
    h1 = driver.find_element(By.TAG_NAME, "h1").text.strip()
    if not h1 or h1 in ERROR_TITLES:
        problems.append(f"{name} ({path}): heading {h1!r}")
    elif heading and heading not in h1:
        problems.append(f"{name} ({path}): heading {h1!r} lacks {heading!r}")
    for label, width, height in WIDTHS:
        driver.set_window_size(width, height)
        if label == "phone":
            scroll, inner = driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner + 1:
                problems.append(f"{name} ({path}): {scroll} px wide at {inner} px, {scroll - inner} px too wide")
        full_page_shot(driver, os.path.join(SHOTS, f"{label}-{name}.png"), width, height)
    return h1


def test_screenshots_of_the_pages_a_signed_in_person_uses(browser):
    phone_like(browser)
    problems = []
    sign_in(browser, "carla@acme.example")
    capture(browser, "dashboard", "/dashboard", problems, "Hello, Carla Diaz")
    on_dashboard = links(browser, f"/partnerships/{UUID}/commitments/{UUID}")
    capture(browser, "partnerships", "/partnerships", problems, "Partnerships")
    # The demo's richest partnership (commitments, threads, incidents) if it is there, else the first listed.
    named = {a.text: urlparse(a.get_attribute("href")).path
             for a in browser.find_elements(By.CSS_SELECTOR, "main a[href*='/partnerships/']")}
    listed = links(browser, f"/partnerships/{UUID}")
    assert listed, "Carla has partnerships"
    partnership = named.get("Acme storefront redesign", listed[0])
    capture(browser, "partnership", partnership, problems)
    commitments = links(browser, f"{partnership}/commitments/{UUID}")
    threads = links(browser, f"{partnership}/threads/{UUID}")
    incidents = links(browser, f"{partnership}/incidents/{UUID}")
    organizations = links(browser, f"/organizations/{UUID}")
    assert commitments, "the partnership has commitments"
    # One that waits for Carla (from the dashboard) shows what she can do; the first listed otherwise.
    capture(browser, "commitment", ([c for c in on_dashboard if c in commitments] + commitments)[0], problems)
    if threads:
        capture(browser, "thread", threads[0], problems)
    if incidents:
        capture(browser, "incident", incidents[0], problems)
    # The partner's page holds the trust Carla places in it (the panel "Your trust in …"); her own has none.
    for organization in organizations:
        browser.get(BASE + organization)
        if 'id="trust-panel"' in browser.page_source:
            capture(browser, "trust", organization, problems)
            capture(browser, "trust-explained", organization + "/trust", problems, "How your trust in")
            break
    capture(browser, "search", "/search?q=page", problems, "Search")
    for name, heading in (("incidents", "Incidents"), ("mentions", "Mentions"), ("organization", "Acme Retail"), ("settings", None),
                          ("notifications", None), ("circles", "Circles"), ("find", "Find an organization")):
        capture(browser, name, "/" + name, problems, heading)
    assert not problems, "\n".join(problems)


def test_screenshots_of_surveys_and_of_what_a_visitor_sees(browser):
    phone_like(browser)
    problems = []
    # Acme runs no survey in the demo; Northwind does.
    sign_in(browser, "alice@northwind.example")
    capture(browser, "surveys", "/surveys", problems, "Surveys")
    surveys = links(browser, f"/surveys/{UUID}")
    assert surveys, "Northwind has a survey"
    capture(browser, "survey", surveys[0], problems)
    # A personal link of someone who has not answered yet shows the form (an answered one says so instead).
    waiting = [i.get_attribute("value") for i in browser.find_elements(
        By.XPATH, "//tr[td[3][normalize-space()!='answered']]//input[contains(@class,'survey-link')]")]
    # Acme's mentions page is empty in the demo; Northwind's holds ten weeks of reviews.
    capture(browser, "mentions-northwind", "/mentions", problems, "Mentions")
    browser.get(BASE + "/organization")
    profiles = links(browser, f"/profiles/{UUID}")
    assert profiles, "Northwind publishes its profile"

    browser.delete_all_cookies()
    capture(browser, "public-profile", profiles[0], problems, "Northwind Studio")
    if waiting:
        capture(browser, "survey-answer", waiting[0], problems)
        assert 'href="/login"' not in browser.page_source, "the answer page shows no menu"
    capture(browser, "login", "/login", problems)
    capture(browser, "welcome", "/", problems)
    assert not problems, "\n".join(problems)
