"""Mentions in headless Chromium, as an owner sees them on /mentions.

- Import: a CSV uploaded through the file input brings a month of praise and a bad day; the page shows the
  organization's sentiment card, the worst mention under "Most negative", the drop alert, and the alert reaches
  /notifications. The same file again adds nothing; a pasted CSV with a bad date is refused naming its line.
- Feeds: an RSS feed served from this process is followed with a keyword filter and read by the server's
  background poller without anyone clicking "Poll now"; a new item is then picked up with "Poll now", and the
  API lists exactly the three kept items.
- Isolation: another organization sees none of it, and cannot poll the first one's feed through the API.

Needs a server started with BONAFIDE_FEEDS_ALLOW_PRIVATE=1 (the feed lives on 127.0.0.1) and a short
BONAFIDE_FEED_POLL_SECONDS, as scripts/e2e does. Screenshots land in e2e-artifacts/.
"""
import http.server
import os
import tempfile
import threading
import time
import urllib.error
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from selenium.webdriver.common.by import By

from test_browser import BASE, api, browser, fill, shot, showing  # noqa: F401 (browser is a fixture)

PASSWORD = "correct horse battery"

PRAISE = [
    "Great service, friendly team and always on time.",
    "Excellent work, quick replies and a clear plan.",
    "Very helpful and reliable, we are happy with the result.",
    "Wonderful collaboration, thank you for the great support.",
    "Fast delivery and excellent quality, highly recommended.",
    "Friendly, professional and always helpful.",
    "Great communication and a reliable partner.",
    "Happy with the excellent design work, thanks a lot.",
    "Superb support, they solved our problem quickly.",
    "Pleasant to work with, good results every time.",
]
COMPLAINTS = [
    "Late again and no response for days, very disappointing.",
    "Terrible support, rude answers and broken promises.",
    "Awful experience, the delivery was late and the work was poor.",
    "Very disappointed, nobody answered and the project failed.",
]


# Helpers

def register(run, who):
    email = f"{who}-{run}@northwind.example"
    organization = f"{who.capitalize()} Works {run}"
    status, account = api("POST", "/auth/register", {"email": email, "password": PASSWORD, "name": f"{who.capitalize()} Owner",
                                                      "organization": organization, "timeZone": "Europe/Berlin"})
    assert status == 201
    return email, organization


def login_token(email):
    return api("POST", "/auth/login", {"email": email, "password": PASSWORD})[1]["token"]


def status_of(method, path, body=None, token=None):
    try:
        return api(method, path, body, token)[0]
    except urllib.error.HTTPError as error:
        return error.code


def sign_in(driver, email):
    driver.delete_all_cookies()
    driver.get(BASE + "/login")
    fill(driver, "email", email)
    fill(driver, "password", PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    showing(driver, "Dashboard")
    driver.find_element(By.LINK_TEXT, "Mentions").click()
    showing(driver, "Import mentions")


def flash(driver, text):
    """The flash message once it contains text."""
    showing(driver, text)
    return driver.find_element(By.CSS_SELECTOR, "p.flash").text


def mention_rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#mention-list tbody tr")


def brand_card(driver, organization):
    return driver.find_element(By.CSS_SELECTOR, f"section.brand-sentiment[data-brand='{organization.lower()}']")


def stop_following_every_feed(email):
    """Leaves no feed behind on the shared server once this test's feed server is gone."""
    token = login_token(email)
    for feed in api("GET", "/mention-feeds", token=token)[1]:
        assert status_of("DELETE", f"/mention-feeds/{feed['id']}", token=token) == 204


def day(days_ago):
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def csv_file(rows):
    lines = ["text,author,date"] + [f'"{text}",{author},{date}' for text, author, date in rows]
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    handle.write("\n".join(lines) + "\n")
    handle.close()
    return handle.name


def import_file(driver, path):
    driver.find_element(By.ID, "mention-file").send_keys(path)
    driver.find_element(By.CSS_SELECTOR, "form[action='/mentions/import'] button").click()


# a. Import from a file, the drop alert, duplicates and a bad file

def test_import_a_file_see_the_drop_alert_and_refuse_a_bad_file(browser):
    run = uuid.uuid4().hex[:8]
    owner, organization = register(run, "olive")
    sign_in(browser, owner)

    # Praise spread over the four weeks before this one (8..26 days ago stays inside them on any weekday),
    # then a bad day today.
    rows = [(text, f"customer{i}", day(8 + 2 * i)) for i, text in enumerate(PRAISE)]
    rows += [(text, f"critic{i}", day(0)) for i, text in enumerate(COMPLAINTS)]
    path = csv_file(rows)
    try:
        import_file(browser, path)
        total = len(rows)
        assert f"Imported {total} mentions; 0 already known." in flash(browser, "Imported")
        card = brand_card(browser, organization)
        assert organization in card.find_element(By.TAG_NAME, "h2").text
        assert f"mean sentiment over {total} mentions" in card.text
        assert card.find_elements(By.CSS_SELECTOR, "svg.trend-chart")
        assert COMPLAINTS[0] in browser.find_element(By.ID, "most-negative-" + organization.lower().replace(" ", "-")).text
        alerts = browser.find_element(By.ID, "mention-alerts").text
        assert f"Sentiment about {organization} dropped in the week of" in alerts
        assert len(mention_rows(browser)) == total
        assert f"“{COMPLAINTS[0]}”" in browser.find_element(By.ID, "mention-list").text
        assert "negative" in browser.find_element(By.ID, "mention-list").text
        shot(browser, "30-mentions-imported")

        # The owner was told: the nav shows an unread badge, and the alert is on /notifications.
        browser.find_element(By.CSS_SELECTOR, "nav a[href='/notifications'] .badge")
        browser.find_element(By.PARTIAL_LINK_TEXT, "Notifications").click()
        showing(browser, "unread")
        assert f"Sentiment about {organization} dropped" in browser.find_element(By.TAG_NAME, "main").text
        shot(browser, "31-mentions-notification")

        # The same file again: nothing new.
        browser.get(BASE + "/mentions")
        import_file(browser, path)
        assert f"Imported 0 mentions; {total} already known." in flash(browser, "Imported 0")
        assert len(mention_rows(browser)) == total
    finally:
        os.unlink(path)

    # A pasted file whose second mention (line 3) has no usable date: refused whole, naming the line.
    browser.find_element(By.ID, "mention-text").send_keys(
        f'text,date\n"Friendly and quick, thank you.",{day(1)}\n"Slow answers this week.",yesterday')
    browser.find_element(By.CSS_SELECTOR, "form[action='/mentions/import'] button").click()
    message = flash(browser, "Line 3")
    assert 'Line 3: "yesterday" is not a date' in message
    assert "error" in browser.find_element(By.CSS_SELECTOR, "p.flash").get_attribute("class")
    assert len(mention_rows(browser)) == total
    assert f"mean sentiment over {total} mentions" in brand_card(browser, organization).text
    assert "Friendly and quick, thank you." not in browser.find_element(By.ID, "mention-list").text
    shot(browser, "32-mentions-bad-file")


# b. A feed read on a schedule, then on demand

class FeedServer:
    """One RSS document on 127.0.0.1, with an ETag and 304 for an unchanged If-None-Match.

    With hold_second, the second request is held until close() (or 15 s): Bonafide's poller reads feeds one
    at a time, so while its request waits the feed's status stays as the first poll left it, and any request
    that comes meanwhile can only be the test's "Poll now"."""

    def __init__(self, items, hold_second=False):
        self.items = list(items)
        self.hold_second = hold_second
        self.requests = 0
        self.if_none_match = []
        self.holding = threading.Event()
        self.released = threading.Event()
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests += 1
                feed.if_none_match.append(self.headers.get("If-None-Match"))
                if feed.hold_second and feed.requests == 2:
                    feed.holding.set()
                    feed.released.wait(15)
                body, etag = feed.document()
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/reviews.rss"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def document(self):
        entries = "".join(
            f"<item><title>{title}</title><link>https://reviews.example/{slug}</link><guid>{slug}</guid>"
            f"<description>{text}</description><pubDate>{format_datetime(when)}</pubDate></item>"
            for slug, title, text, when in self.items)
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Reviews</title>'
                f"<link>https://reviews.example/</link><description>Reviews</description>{entries}</channel></rss>").encode()
        return body, f'"v{len(self.items)}"'

    def close(self):
        """Call after the feed is no longer followed: a followed feed that refuses connections costs the
        server's poller its whole connect timeout on every pass."""
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def test_follow_a_feed_read_on_schedule_then_poll_now(browser):
    run = uuid.uuid4().hex[:8]
    owner, organization = register(run, "felix")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    kept = [
        (f"a-{run}", "Northwind review", "Northwind answered within an hour and fixed it, great service.", now - timedelta(hours=3)),
        (f"b-{run}", "Northwind again", "Northwind shipped on time, friendly and reliable.", now - timedelta(hours=2)),
    ]
    other = (f"c-{run}", "Contoso review", "Contoso was slow and unhelpful.", now - timedelta(hours=1))
    feed = FeedServer(kept + [other], hold_second=True)
    try:
        sign_in(browser, owner)
        fill(browser, "url", feed.url)
        fill(browser, "keywords", "northwind")
        browser.find_element(By.CSS_SELECTOR, "form[action='/mentions/feeds'] button").click()
        assert "Following the feed" in flash(browser, "Following the feed")
        assert "not polled yet" in browser.find_element(By.CSS_SELECTOR, "#feed-list td.feed-status").text

        # No "Poll now": the background poller reads the new feed on its next pass.
        deadline = time.time() + 20
        while "2 new" not in browser.find_element(By.CSS_SELECTOR, "#feed-list td.feed-status").text:
            assert time.time() < deadline, "the feed was not polled within 20 s: " + browser.find_element(
                By.CSS_SELECTOR, "#feed-list td.feed-status").text
            time.sleep(0.5)
            browser.refresh()
        status = browser.find_element(By.CSS_SELECTOR, "#feed-list td.feed-status").text
        assert "2 new, 0 already known, 1 without a keyword (rss)" in status
        listed = browser.find_element(By.ID, "mention-list").text
        assert kept[0][2] in listed and kept[1][2] in listed
        assert "Contoso" not in listed
        assert len(mention_rows(browser)) == 2
        shot(browser, "33-mentions-feed-polled")

        # The poller's next request is held, so "Poll now" is the one that sees the new item.
        assert feed.holding.wait(15), "the poller did not come back to the feed"
        added = (f"d-{run}", "Northwind once more", "Northwind helped us again, excellent work.", now)
        feed.items.append(added)
        browser.find_element(By.CSS_SELECTOR, "#feed-list form[action$='/poll'] button").click()
        message = flash(browser, "Polled:")
        assert "1 new, 2 already known" in message
        assert feed.if_none_match[:3] == [None, '"v3"', '"v3"']  # conditional after the first read
        assert added[2] in browser.find_element(By.ID, "mention-list").text
        assert len(mention_rows(browser)) == 3
        shot(browser, "34-mentions-poll-now")

        mentions = api("GET", "/mentions", token=login_token(owner))[1]
        assert sorted(m["text"] for m in mentions) == sorted(item[2] for item in kept + [added])
        assert all(m["brand"] == organization for m in mentions)

        browser.find_element(By.XPATH, "//button[text()='Stop following']").click()
        assert "its mentions stay" in flash(browser, "No longer following")
        assert not browser.find_elements(By.ID, "feed-list")
        assert len(mention_rows(browser)) == 3
    finally:
        stop_following_every_feed(owner)
        feed.close()


# c. Another organization sees none of it

def test_another_organization_sees_nothing_and_cannot_poll_the_feed(browser):
    run = uuid.uuid4().hex[:8]
    first, first_org = register(run, "fiona")
    token = login_token(first)
    secret = f"Only {first_org} should read this: great service."
    assert api("POST", "/mentions", {"mentions": [{"text": secret}]}, token)[1]["imported"] == 1
    server = FeedServer([(f"x-{run}", "Fiona review", secret, datetime.now(timezone.utc))])
    status, feed = api("POST", "/mention-feeds", {"url": server.url}, token)
    assert status == 201
    try:
        second, second_org = register(run, "gus")
        sign_in(browser, second)
        page = browser.page_source
        assert "No mentions yet" in page
        assert secret not in page and first_org not in page
        assert not browser.find_elements(By.CSS_SELECTOR, "section.brand-sentiment")
        assert not browser.find_elements(By.ID, "feed-list")
        shot(browser, "35-mentions-other-organization")

        other = login_token(second)
        assert api("GET", "/mentions", token=other)[1] == []
        assert api("GET", "/mention-feeds", token=other)[1] == []
        assert status_of("POST", f"/mention-feeds/{feed['id']}/poll", token=other) == 404
    finally:
        stop_following_every_feed(first)
        server.close()
