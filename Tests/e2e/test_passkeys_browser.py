"""Passkeys in headless Chromium through its virtual authenticator (WebDriver/CDP `WebAuthn.addVirtualAuthenticator`).

Browsers refuse IP addresses as a passkey's relying party, so this test starts its own server whose public address is
http://localhost:PORT (the shared e2e server is reached as 127.0.0.1). A person signs up over the API, signs in with
the password, adds a passkey in Settings, signs out and signs in with the passkey alone (the authenticator verifies
the person); then the password leads to the second step, which the passkey answers. The API asks for a second
factor. A second organization's person cannot remove the passkey (404) and sees none of it. Screenshots land in
BONAFIDE_E2E_ARTIFACTS.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest
import requests
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_browser import fill, new_chromium, shot, showing

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """A server with demo data whose public address is http://localhost:PORT."""
    work = tempfile.mkdtemp(prefix="bonafide-passkeys-")
    port = free_port()
    base = f"http://localhost:{port}"
    env = dict(os.environ, BONAFIDE_BCRYPT_COST="8", BONAFIDE_PUBLIC_URL=base)
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(work, "server.log"), "wb")
    process = subprocess.Popen([BINARY, "serve", "--demo", "--data", os.path.join(work, "data"), "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "the server exited"
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            time.sleep(0.25)
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def register(base, name, organization):
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@{organization.lower()}.example"
    r = requests.post(base + "/api/v1/auth/register", timeout=30,
                      json={"email": email, "password": PASSWORD, "name": name, "organization": organization})
    assert r.status_code == 201, r.text
    return email


def with_authenticator(driver, base):
    """A platform authenticator that keeps discoverable credentials and verifies the person (like Touch ID)."""
    driver.get(base + "/login")
    driver.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
    return driver.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})


def sign_in_with_password(driver, base, email):
    driver.get(base + "/login")
    fill(driver, "email", email)
    fill(driver, "password", PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action^='/login'] button[type=submit]").click()


def use_passkey(driver, kind):
    """Clicks the page's passkey button. The virtual authenticator outlives navigation, but Chromium answers a new
    document's ceremonies only once the WebAuthn domain is enabled for it again."""
    driver.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
    driver.find_element(By.CSS_SELECTOR, f"[data-passkey='{kind}']").click()


def after_passkey(driver, text, timeout=20):
    """Waits for text on the page; if the page reports a passkey problem instead, fails with its words."""
    def problem(d):
        return d.execute_script("const s = document.getElementById('passkey-status'); return s ? s.textContent.trim() : ''")

    # The page the button was on is replaced by the next one meanwhile: any lookup may land between the two.
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in d.page_source or problem(d))
    if text not in driver.page_source:
        pytest.fail("the page said: " + problem(driver))


def sign_out(driver):
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    showing(driver, "Sign in")


def test_a_passkey_is_added_and_signs_in_alone_and_as_the_second_step(server):
    base = server
    email = register(base, "Pia", "Passkeyco")
    driver = new_chromium()
    try:
        authenticator = with_authenticator(driver, base)["authenticatorId"]
        sign_in_with_password(driver, base, email)
        showing(driver, "Hello, Pia")
        driver.get(base + "/settings#passkeys")
        showing(driver, "No passkeys yet")
        name_field = driver.find_element(By.ID, "passkey-name")
        name_field.send_keys("virtual laptop")
        use_passkey(driver, "register")
        after_passkey(driver, "Passkey “virtual laptop” added")
        assert "virtual laptop" in driver.find_element(By.ID, "passkeys-table").text
        stored = driver.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(stored) == 1 and stored[0]["isResidentCredential"], stored
        shot(driver, "60-passkey-added")

        # The passkey alone signs in: the authenticator verified the person.
        sign_out(driver)
        driver.get(base + "/login?next=%2Fcircles")
        use_passkey(driver, "signin")
        after_passkey(driver, "Circles")
        assert driver.current_url.endswith("/circles"), driver.current_url
        shot(driver, "61-passkey-sign-in")

        # The password alone is no longer enough: the passkey is the second step.
        sign_out(driver)
        sign_in_with_password(driver, base, email)
        WebDriverWait(driver, 10).until(lambda d: "/login/second-factor" in d.current_url)
        showing(driver, "Use your passkey")
        use_passkey(driver, "signin")
        after_passkey(driver, "Hello, Pia")
        shot(driver, "62-passkey-second-step")

        api = requests.post(base + "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
        assert api.status_code == 401 and api.json().get("mfaRequired") is True, api.text

        driver.get(base + "/settings#passkeys")
        action = driver.find_element(By.CSS_SELECTOR, "#passkeys form[action$='/remove']").get_attribute("action")
        passkey_path = re.sub(r"^https?://[^/]+", "", action)

        # Another organization's person: 404 for the passkey, and none of it on their settings page.
        other = register(base, "Oscar", "Othercorp")
        session = requests.Session()
        page = session.get(base + "/login", timeout=30).text
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        signed = session.post(base + "/login", data={"email": other, "password": PASSWORD, "_csrf": token},
                              allow_redirects=False, timeout=30)
        assert signed.status_code == 303, signed.text
        mine = session.get(base + "/settings", timeout=30).text
        assert "virtual laptop" not in mine
        token = re.search(r'name="_csrf" value="([^"]+)"', mine).group(1)
        stolen = session.post(base + passkey_path, data={"_csrf": token}, allow_redirects=False, timeout=30)
        assert stolen.status_code in (303, 404), stolen.status_code
        if stolen.status_code == 303:
            assert "No passkey" in session.get(base + stolen.headers["Location"], timeout=30).text

        driver.get(base + "/settings#passkeys")
        assert "virtual laptop" in driver.find_element(By.ID, "passkeys-table").text, "the passkey must survive"
    finally:
        driver.quit()
