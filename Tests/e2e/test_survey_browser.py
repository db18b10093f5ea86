"""A survey's whole path in headless Chromium: an owner creates an NPS survey, adds a customer by CSV and
sends it; the customer answers through the personal link in a browser without an account; the owner sees
the result. A reused link and a forged one are refused. Screenshots land in e2e-artifacts/."""
import json
import urllib.error
import urllib.request
import uuid

from selenium.webdriver.common.by import By

from test_accessibility import serious
from test_browser import BASE, api, browser, fill, shot, showing  # noqa: F401 (browser is a fixture)


def status_of(method, path, body=None):
    try:
        return api(method, path, body)[0]
    except urllib.error.HTTPError as error:
        return error.code


def sign_in(driver, email):
    driver.get(BASE + "/login")
    fill(driver, "email", email)
    fill(driver, "password", "correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    showing(driver, "Dashboard")


def test_create_send_answer_through_the_personal_link_and_see_the_result(browser):
    run = uuid.uuid4().hex[:8]
    owner = f"olive-{run}@northwind.example"
    customer = f"ana-{run}@customer.example"
    status, _ = api("POST", "/auth/register", {"email": owner, "password": "correct horse battery", "name": "Olive Owner",
                                                "organization": f"Northwind {run}", "timeZone": "Europe/Berlin"})
    assert status == 201
    sign_in(browser, owner)

    browser.get(BASE + "/surveys")
    fill(browser, "title", "Quarterly check-in")
    browser.find_element(By.ID, "survey-questions").send_keys("choice: Which team did you work with? | Design | Build")
    # Preview first: the question as customers will see it, nothing saved, everything typed still there.
    browser.find_element(By.XPATH, "//button[text()='Preview the questions']").click()
    preview = browser.find_element(By.ID, "survey-preview")
    assert "Which team did you work with?" in preview.text and "Design" in preview.text and "Build" in preview.text
    assert browser.find_element(By.NAME, "title").get_attribute("value") == "Quarterly check-in"
    assert "No surveys yet." in browser.page_source
    browser.find_element(By.XPATH, "//button[text()='Create survey']").click()
    showing(browser, "Add recipients")
    survey_url = browser.current_url
    # Nothing to send or remind before anyone is added.
    assert not browser.find_elements(By.XPATH, "//button[starts-with(text(),'Send invitations')]")
    assert not browser.find_elements(By.XPATH, "//button[starts-with(text(),'Remind')]")
    browser.find_element(By.ID, "survey-csv").send_keys(f"email,name,segment\n{customer},Ana,Enterprise")
    browser.find_element(By.XPATH, "//button[text()='Add recipients']").click()
    showing(browser, "Added 1;")
    browser.find_element(By.XPATH, "//button[starts-with(text(),'Send invitations')]").click()
    showing(browser, "Invited 1 person")
    assert not browser.find_elements(By.XPATH, "//button[starts-with(text(),'Send invitations')]"), "everyone is invited"
    assert browser.find_elements(By.XPATH, "//button[starts-with(text(),'Remind')]")
    link = browser.find_element(By.CSS_SELECTOR, "input.survey-link").get_attribute("value")
    assert "/s/" in link
    shot(browser, "20-survey-owner")

    # The customer: no account, no session of the owner's.
    browser.delete_all_cookies()
    browser.get(link)
    showing(browser, "How likely are you to recommend us")
    shot(browser, "21-survey-answer-form")
    # What the customer sees is the survey alone: no sign-in, no menu, no API link; on a phone (390 px) it fits the
    # width and each score sits beside its radio, the scores flowing in rows; axe finds nothing serious.
    assert not browser.find_elements(By.LINK_TEXT, "Sign in") and not browser.find_elements(By.LINK_TEXT, "API")
    browser.set_window_size(390, 844)
    browser.get(link)
    showing(browser, "How likely are you to recommend us")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    for value in ("0", "10"):
        radio = browser.find_element(By.ID, f"score-{value}")
        label = radio.find_element(By.XPATH, "..")
        assert radio.rect["width"] < 40 and label.rect["height"] < 2.5 * radio.rect["height"] + 20, (radio.rect, label.rect)
        assert radio.rect["x"] < label.rect["x"] + 10 and abs(radio.rect["y"] - label.rect["y"]) < label.rect["height"]
    rows = {round(browser.find_element(By.ID, f"score-{v}").rect["y"]) for v in range(11)}
    assert len(rows) <= 3, f"the eleven scores take {len(rows)} rows"
    assert not serious(browser, link[len(BASE):]), "axe-core found serious violations on the answer page"
    shot(browser, "21b-survey-answer-phone")
    browser.set_window_size(1280, 900)
    browser.get(link)
    browser.find_element(By.ID, "score-9").click()
    browser.find_element(By.ID, "reason").send_keys("Always on time and quick to reply.")
    browser.find_element(By.CSS_SELECTOR, "input[name='a_q1'][value='Design']").click()
    browser.find_element(By.XPATH, "//button[text()='Send my answer']").click()
    page = showing(browser, "Your answer reached")
    assert f"Northwind {run}" in page
    shot(browser, "22-survey-thanks")

    # Reused: the link now says it was answered, and the API refuses a second answer.
    browser.get(link)
    showing(browser, "already answered")
    token = link.rsplit("/", 1)[1]
    assert status_of("POST", f"/survey-links/{token}/response", {"score": 0}) == 409
    # Forged: one character of the signature changed.
    forged = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert status_of("POST", f"/survey-links/{forged}/response", {"score": 10}) == 404
    browser.get(BASE + "/s/" + forged)
    showing(browser, "not valid")

    # The owner sees the answer counted, with its interval, distribution and the reason's sentiment.
    browser.delete_all_cookies()
    sign_in(browser, owner)
    browser.get(survey_url)
    page = showing(browser, "Results")
    assert browser.find_element(By.ID, "survey-score").text == "100"
    assert "1 answer to the main question" in page
    assert "response rate 100%" in page
    assert "Always on time and quick to reply." in browser.find_element(By.ID, "survey-comments").text
    # The answers per score, coloured by NPS group, with the scale and each count as text.
    chart = browser.find_element(By.CSS_SELECTOR, "figure.bar-chart")
    assert "promoters (9–10)" in chart.text and "detractors (0–6)" in chart.text
    drawn = [(r.get_attribute("fill"), r.find_element(By.TAG_NAME, "title").get_attribute("textContent"))
             for r in chart.find_elements(By.CSS_SELECTOR, "svg rect") if float(r.get_attribute("height")) > 0]
    assert drawn == [("#1e7a47", "9: 1")], drawn
    shot(browser, "23-survey-results")
