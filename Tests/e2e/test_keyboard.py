"""Keyboard only: a person who cannot use a mouse signs in, accepts a proposal from the inbox, opens the partnership and
the commitment, and proposes new wording, with Tab, Shift+Tab, typing and Enter alone; every element reached shows
where the focus is."""
import uuid

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_browser import BASE, active_partnership, api, browser, showing  # noqa: F401 (browser is a fixture)


def focused(driver):
    return driver.switch_to.active_element


def tab_to(driver, matches, limit=250):
    """Presses Tab until the focused element matches; fails if it never comes (the element is not reachable)."""
    seen = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        element = focused(driver)
        label = (element.get_attribute("aria-label") or element.text or element.get_attribute("name") or "").strip()
        seen.append(label)
        if matches(element, label):
            # Where the focus is must be visible: an outline (or the browser's own ring) on the focused element.
            style = driver.execute_script(
                "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", element)
            assert style[0] != "none" and style[1] != "0px", (label, style)
            return element
    raise AssertionError(f"not reachable by Tab; reached: {seen[-30:]}")


def test_the_main_flow_works_with_the_keyboard_alone(browser):
    run = uuid.uuid4().hex[:8]
    (_, owner), (email, receiver), partnership = active_partnership(
        run, (("Kai Keys", f"Kestrel {run}"), ("Lia Loom", f"Linden {run}")), "keyboard.example", "Europe/Madrid")
    pid = partnership["id"]
    status, _ = api("POST", f"/partnerships/{pid}/commitments",
                    {"title": f"Menu design {run}", "deliverable": "Two options", "dueAt": "2031-05-01T10:00:00Z"}, owner["token"])
    assert status == 201

    browser.get(BASE + "/login")
    # The first Tab reaches the skip link; then the form.
    first = tab_to(browser, lambda e, label: label == "Skip to content", limit=3)
    assert first.get_attribute("href").endswith("#main")
    tab_to(browser, lambda e, label: e.get_attribute("name") == "email").send_keys(email)
    tab_to(browser, lambda e, label: e.get_attribute("name") == "password").send_keys("correct horse battery" + Keys.ENTER)
    showing(browser, "Waiting for you")

    tab_to(browser, lambda e, label: label == f"Accept: Menu design {run}").send_keys(Keys.ENTER)
    showing(browser, f"“Menu design {run}” accepted.")
    assert browser.current_url.endswith("/dashboard")

    tab_to(browser, lambda e, label: label == "Partnerships" and e.tag_name == "a").send_keys(Keys.ENTER)
    showing(browser, "New partnership")
    tab_to(browser, lambda e, label: label == f"Pilot {run}").send_keys(Keys.ENTER)
    showing(browser, 'id="overview"')
    # The section links jump within the page; then the commitment itself.
    tab_to(browser, lambda e, label: label == "Commitments" and "#commitments" in (e.get_attribute("href") or "")).send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#commitments")
    tab_to(browser, lambda e, label: label == f"Menu design {run}").send_keys(Keys.ENTER)
    showing(browser, "What you can do")

    tab_to(browser, lambda e, label: label == "Propose new wording").send_keys(Keys.ENTER)
    showing(browser, "Propose new wording")
    criteria = tab_to(browser, lambda e, label: e.get_attribute("name") == "acceptanceCriteria")
    criteria.send_keys("Both options as editable files")
    tab_to(browser, lambda e, label: label == "Propose this change").send_keys(Keys.ENTER)
    showing(browser, "waits for the other side's agreement")
    status, commitment = api("GET", f"/partnerships/{pid}/commitments/{browser.current_url.rsplit('/', 1)[1]}", token=owner["token"])
    assert commitment["pendingChange"]["acceptanceCriteria"] == "Both options as editable files", commitment
