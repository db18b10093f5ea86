"""WCAG 2.2 AA on the main pages: axe-core (from axe-selenium-python) finds no serious or critical violation, for
two demo users (Northwind's owner and Acme's) and for a visitor without an account; and the frame itself: a skip
link to the content, the current page marked in the menu, a menu button on a phone."""
import re

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_browser import BASE, browser, fill, showing  # noqa: F401 (browser is a fixture)

DEMO_PASSWORD = "bonafide-demo"


def sign_in(driver, email):
    driver.delete_all_cookies()
    driver.get(BASE + "/login")
    fill(driver, "email", email)
    fill(driver, "password", DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button").click()
    showing(driver, "Sign out")


def serious(driver, path):
    """axe-core's serious and critical violations of WCAG 2.2 A and AA on the page, in a few words each."""
    driver.get(BASE + path)
    Axe(driver).inject()
    driver.set_script_timeout(120)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations), e => done(String(e)));",
        ["wcag2a", "wcag2aa", "wcag21aa"],
    )
    assert isinstance(violations, list), violations
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at {[(n['html'][:90], (n.get('any') or [{}])[0].get('message', '')[:120]) for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def pages_of(driver):
    """The main pages a signed-in person reaches from the menu, the dashboard and a partnership page."""
    driver.get(BASE + "/dashboard")
    partnerships = sorted(set(re.findall(r'href="(/partnerships/[0-9A-Fa-f-]{36})"', driver.page_source)))
    assert partnerships, "the demo user has partnerships"
    pages = ["/dashboard", "/partnerships", "/incidents", "/incidents?show=all", "/search?q=st", "/surveys", "/mentions", "/circles", "/find", "/organization", "/notifications", "/settings",
             "/introductions", "/no-such-page"]
    for p in partnerships[:2]:
        pages += [p, p + "/record", p + "/agreement", p + "/commitments/new", p + "/incidents/new"]
        driver.get(BASE + p)
        for kind in ("commitments", "threads", "incidents"):
            found = re.findall(rf'href="({p}/{kind}/[0-9A-Fa-f-]{{36}})"', driver.page_source)
            pages += found[:1]
        # The first commitment this person may reword, if any (proposals of their side, accepted work).
        for commitment in re.findall(rf'href="({p}/commitments/[0-9A-Fa-f-]{{36}})"', driver.page_source)[:8]:
            driver.get(BASE + commitment)
            if 'href="' + commitment + '/edit"' in driver.page_source:
                pages.append(commitment + "/edit")
                break
        driver.get(BASE + p)
        pages += sorted(set(re.findall(r'href="(/organizations/[0-9A-Fa-f-]{36})"', driver.page_source)))[:1]
        # How the partner's trust figures are worked out, linked from the trust panel.
        pages += re.findall(r'href="(/organizations/[0-9A-Fa-f-]{36}/trust)"', driver.page_source)[:1]
    return pages


# The buttons a page shows as its main action (filled), not the quieter ones (secondary, link, small, danger) nor those
# folded away in a closed <details>.
PRIMARY_ACTIONS = """return [...document.querySelectorAll('main button, main a.button')]
  .filter(b => b.getClientRects().length > 0 && !b.closest('details:not([open])')
    && !b.matches('.secondary, .link, .danger, .small'))
  .map(b => b.textContent.trim())"""


@pytest.mark.parametrize("email", ["alice@northwind.example", "carla@acme.example"])
def test_main_pages_have_no_serious_violations_and_one_primary_action_for_a_signed_in_person(browser, email):
    sign_in(browser, email)
    found = []
    for path in pages_of(browser):
        found += serious(browser, path)
        primary = browser.execute_script(PRIMARY_ACTIONS)
        if len(primary) > 1:
            found.append(f"{path}: {len(primary)} primary actions {primary}")
    assert not found, "\n".join(found)


def test_public_pages_have_no_serious_violations_for_a_visitor(browser):
    pages = ["/", "/login", "/signup", "/no-such-page", "/password-reset"]
    found = []
    for path in pages:
        found += serious(browser, path)
    assert not found, "\n".join(found)


def test_the_frame_skips_to_content_marks_the_page_and_folds_into_a_menu_on_a_phone(browser):
    sign_in(browser, "alice@northwind.example")
    browser.get(BASE + "/circles")
    # The first Tab reaches the skip link, which leads to the content.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.text == "Skip to content" and skip.get_attribute("href").endswith("#main")
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    current = browser.find_elements(By.CSS_SELECTOR, "nav a[aria-current='page']")
    assert [a.text for a in current] == ["Circles"]
    # A page that does not exist still shows Alice's own menu.
    browser.get(BASE + "/no-such-page")
    assert 'title="Signed in as Alice Becker"' in browser.page_source and not browser.find_elements(By.LINK_TEXT, "Sign in")
    # On a phone the menu is one button; opened, its entries stack; the page never scrolls sideways.
    browser.set_window_size(390, 844)
    browser.get(BASE + "/dashboard")
    menu = browser.find_element(By.CSS_SELECTOR, "label.menu-button")
    assert menu.is_displayed() and not browser.find_element(By.CSS_SELECTOR, "nav a[href='/circles']").is_displayed()
    header = browser.find_element(By.TAG_NAME, "header")
    assert header.rect["height"] < 80, header.rect
    menu.click()
    circles = browser.find_element(By.CSS_SELECTOR, "nav a[href='/circles']")
    assert circles.is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, "nav a[href='/surveys']").rect["y"] < circles.rect["y"], "entries stack"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    assert not serious(browser, "/dashboard"), "axe-core on a phone"
    # Long pages read one part at a time on a phone: their "On this page" links become tabs.
    for path in ("/organization", "/settings", "/mentions"):
        browser.get(BASE + path)
        panels = browser.find_elements(By.CSS_SELECTOR, ".tab-panel")
        shown = [p.get_attribute("id") for p in panels if p.is_displayed()]
        assert len(panels) >= 3 and len(shown) == 1, (path, len(panels), shown)
        current = browser.find_element(By.CSS_SELECTOR, "nav.jump a[aria-current='true']")
        assert current.get_attribute("data-panel") == shown[0]
        assert not serious(browser, path), f"axe-core on a phone: {path}"
    # A link to a part opens its tab (here where a new API token is shown once).
    browser.get(BASE + "/settings#api-tokens")
    assert browser.find_element(By.ID, "token-name").is_displayed()
    assert not browser.find_element(By.ID, "tz").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "label.menu-button").click()
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/circles']").click()
    showing(browser, "aria-current")
    browser.set_window_size(1280, 900)
