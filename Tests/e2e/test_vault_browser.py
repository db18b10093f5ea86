"""End-to-end encrypted documents in headless Chromium (vault-ui.js on top of vault.js), between two organizations
and a stranger without an account, against a server of its own (a fresh SQLite folder, a free port).

- Owner A (Archer Works) and owner B (Baker Supply) sign up through the API and open an active partnership. Each signs
  in through the login form in their own Chromium and sets a vault passphrase on the organization page (a short or
  mismatched one is refused with a clear message); as the first owner, each browser also makes the organization key.
- A uploads a random 300 KiB file on the partnership page (the file input, an end date, at most 5 downloads). B's browser shows its real name, which
  only the encrypted header holds, and downloads it: the saved bytes are the file's. B's organization key, read from
  B's unlocked tab, opens the same document fetched with curl and `bonafide vault decrypt` (browser and CLI agree).
- B locks the vault: the name is gone; a wrong passphrase is refused; the right one brings it back.
- A makes a share link with a password. The stranger's browser says so when the part after # is missing, refuses a
  wrong password, and with the right one saves the file: the bytes match.
- Nothing the server stored (its database and every file in its data folder, the vault/ ciphertext included)
  contains the plaintext or the file name.
- A stops sharing: B's download shows the server's 410 detail, the share link's page says the link is closed, and the
  partnership's access log lists the upload, B's download, the link and its use and the revocation.
- On the organization page (demo people of Acme Retail): an upload to a partner without a vault is refused before
  anything is encrypted; a member who sets a passphrase waits for an owner; the owner gives access; the member
  unlocks; the owner rotates the key, sealed to both, and the member holds both versions after unlocking again.
- Circles: A keeps C (and D, no vault yet) in its circles and shares a document with C through the circle-share form;
  C's organization page ("Shared with you") shows its name once unlocked and downloads it. A stops the share: C sees
  the 410. D sets up its vault and gets a share too; A re-keys: the stored file is replaced, D's share is made again
  for it, and B and D still open it.

Chromium saves downloads into per-browser temporary folders. Screenshots and, on a failure, the server log land in
BONAFIDE_E2E_ARTIFACTS (e2e-artifacts/ by default).
"""
import base64
import datetime
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
ARTIFACTS = os.environ.get("BONAFIDE_E2E_ARTIFACTS", "e2e-artifacts")
PASSWORD = "correct horse battery"
DEMO_PASSWORD = "bonafide-demo"
PASSPHRASE_A = "archer vault passphrase 1"
PASSPHRASE_B = "baker vault passphrase 22"
LINK_PASSWORD = "open sesame 7"
WAIT = 30


def until(what, check, timeout=WAIT, pause=0.2):
    """check()'s first truthy value, polled for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except StaleElementReferenceException:
            value = None  # the script re-rendered what check() was reading: read again
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(pause)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# MARK: The server


class Server:
    """`bonafide serve --demo` on a fresh data folder (the demo people, none with a vault yet); its log is kept beside it."""

    def __init__(self, work):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(work, "data")
        self.log_path = os.path.join(work, "server.log")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("BONAFIDE_") and k != "DATABASE_URL"}
        env = dict(inherited, BONAFIDE_EMAIL_VERIFICATION="off", BONAFIDE_BCRYPT_COST="4",
                   BONAFIDE_LOGIN_CLIENT_ATTEMPTS="1000", BONAFIDE_PUBLIC_URL=self.base)
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen([BINARY, "serve", "--demo", "--data", self.data, "--port", str(self.port)], env=env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)

        def healthy():
            assert self.process.poll() is None, "the server exited:\n" + self.log()[-4000:]
            try:
                return requests.get(self.base + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        until("the server to answer /healthz", healthy, timeout=90)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def api(self, method, path, token=None, body=None, expect=None):
        headers = {"Authorization": "Bearer " + token} if token else {}
        response = requests.request(method, self.base + "/api/v1" + path, json=body, headers=headers, timeout=30)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:800]}"
        return response

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()


@pytest.fixture()
def work():
    folder = tempfile.mkdtemp(prefix="bonafide-vault-browser.")
    yield folder
    if not os.environ.get("BONAFIDE_E2E_KEEP"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def server(work, request):
    failed_before = request.session.testsfailed
    s = Server(work)
    try:
        yield s
    finally:
        s.stop()
        errors = [line for line in s.log().splitlines() if "unexpected error" in line]
        if errors or request.session.testsfailed > failed_before:
            os.makedirs(ARTIFACTS, exist_ok=True)
            shutil.copyfile(s.log_path, os.path.join(ARTIFACTS, "vault-browser-server.log"))
    assert not errors, "the server logged unexpected errors:\n" + "\n".join(errors[:20])


# MARK: Browsers


@pytest.fixture()
def chromium(work):
    """Opens separate headless Chromium sessions (no shared cookies or storage), each saving downloads into its own
    folder; quits them all at the end."""
    opened = []

    def open_one(name):
        downloads = os.path.join(work, "downloads-" + name)
        os.makedirs(downloads)
        options = Options()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {
            "download.default_directory": downloads, "download.prompt_for_download": False})
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        driver.implicitly_wait(0)
        driver.downloads = downloads
        opened.append(driver)
        return driver

    os.makedirs(ARTIFACTS, exist_ok=True)
    yield open_one
    for driver in opened:
        driver.quit()


def shot(driver, name):
    driver.save_screenshot(os.path.join(ARTIFACTS, "vault-" + name + ".png"))


def find(driver, css, timeout=WAIT):
    """The element once it is on the page."""
    return WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))[0]


def text_in(driver, css, text, timeout=WAIT):
    """The element's text once it contains text."""
    def has():
        for e in driver.find_elements(By.CSS_SELECTOR, css):
            try:
                if text in e.text:
                    return e.text
            except WebDriverException:
                pass
        return None
    try:
        return WebDriverWait(driver, timeout).until(lambda d: has())
    except Exception:
        now = [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]
        raise AssertionError(f"{css} never said {text!r}; it says {now!r}")


def status(driver, text, timeout=WAIT):
    return text_in(driver, "#vault-status", text, timeout)


def type_into(driver, css, value):
    element = find(driver, css)
    element.clear()
    element.send_keys(value)


def accept_confirm(driver):
    WebDriverWait(driver, 10).until(expected_conditions.alert_is_present())
    driver.switch_to.alert.accept()


def sign_in(driver, base, email, name, password=PASSWORD):
    driver.get(base + "/login")
    type_into(driver, "input[name=email]", email)
    type_into(driver, "input[name=password]", password)
    find(driver, "form[action^='/login'] button").click()
    WebDriverWait(driver, WAIT).until(lambda d: f"Hello, {name}" in d.page_source)


def set_passphrase(driver, base, passphrase):
    driver.get(base + "/organization")
    type_into(driver, "#vault-passphrase", passphrase)
    type_into(driver, "#vault-passphrase-repeat", passphrase)
    find(driver, "#vault-setup button[type=submit]").click()
    find(driver, "#vault-unlocked", timeout=60)


def row(driver, document_id):
    return find(driver, f"#vault-documents tr[data-document='{document_id}']")


def row_name(driver, document_id):
    return row(driver, document_id).find_element(By.CSS_SELECTOR, ".doc-name").text


def button_in(element, text):
    return next(b for b in element.find_elements(By.TAG_NAME, "button") if b.text == text)


def saved_file(driver, name=None, timeout=WAIT):
    """The one finished download in the browser's folder (waits for it)."""
    def done():
        files = [f for f in os.listdir(driver.downloads) if not f.endswith((".crdownload", ".tmp"))]
        return files if files and not glob.glob(os.path.join(driver.downloads, "*.crdownload")) else None
    files = until("a finished download", done, timeout)
    assert len(files) == 1, files
    if name:
        assert files[0] == name
    with open(os.path.join(driver.downloads, files[0]), "rb") as f:
        return f.read()


def stored_bytes(data_dir):
    """Every file the server keeps in its data folder (the SQLite database and its journal, vault/ ciphertext …)."""
    out = {}
    for root, _, files in os.walk(data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                out[os.path.relpath(os.path.join(root, name), data_dir)] = f.read()
    return out


# MARK: The story


def test_documents_encrypted_in_one_browser_open_in_another_through_a_link_and_in_the_cli(server, chromium, work):
    run = uuid.uuid4().hex[:8]
    a = {"name": "Ann Archer", "email": f"ann-{run}@archer.example", "organization": f"Archer Works {run}"}
    b = {"name": "Bob Baker", "email": f"bob-{run}@baker.example", "organization": f"Baker Supply {run}"}
    for who in (a, b):
        made = server.api("POST", "/auth/register", body={
            "email": who["email"], "password": PASSWORD, "name": who["name"], "organization": who["organization"],
            "timeZone": "Europe/Berlin"}, expect=201).json()
        who["token"] = made["token"]
    created = server.api("POST", "/partnerships", a["token"], {
        "name": f"Supply deal {run}", "partnerEmail": b["email"], "agreement": "Baker supplies; Archer pays."}, expect=201).json()
    secret = created["invitationLink"].rstrip("/").rsplit("/", 1)[1]
    assert server.api("POST", f"/invitations/{secret}/accept", b["token"], expect=200).json()["status"] == "active"
    pid = created["id"]
    page = f"{server.base}/partnerships/{pid}"

    plain = os.urandom(300 * 1024)
    file_name = f"board-minutes-{run}.pdf"
    source = os.path.join(work, file_name)
    with open(source, "wb") as f:
        f.write(plain)

    # A and B set their vault passphrases; as first owners their browsers also make the organization keys.
    browser_a, browser_b, stranger = chromium("a"), chromium("b"), chromium("stranger")
    sign_in(browser_a, server.base, a["email"], a["name"])
    browser_a.get(server.base + "/organization")
    type_into(browser_a, "#vault-passphrase", "too short")
    type_into(browser_a, "#vault-passphrase-repeat", "too short")
    find(browser_a, "#vault-setup button[type=submit]").click()
    status(browser_a, "at least 12 characters")
    type_into(browser_a, "#vault-passphrase", PASSPHRASE_A)
    type_into(browser_a, "#vault-passphrase-repeat", PASSPHRASE_A + "!")
    find(browser_a, "#vault-setup button[type=submit]").click()
    status(browser_a, "do not match")
    assert find(browser_a, "#vault-status [role=alert]")
    set_passphrase(browser_a, server.base, PASSPHRASE_A)
    status(browser_a, "organization's vault key is made")
    text_in(browser_a, "#vault-members li", "has access")
    text_in(browser_a, "#vault-key-summary", "Your passphrase is set.")
    shot(browser_a, "01-organization-unlocked")
    vault_a = server.api("GET", "/vault", a["token"], expect=200).json()
    assert vault_a["userKey"]["iterations"] >= 600000
    assert [k["active"] for k in vault_a["organizationKeys"]] == [True] and vault_a["organizationKeys"][0]["grant"]

    sign_in(browser_b, server.base, b["email"], b["name"])
    set_passphrase(browser_b, server.base, PASSPHRASE_B)
    vault_b = server.api("GET", "/vault", b["token"], expect=200).json()
    b_key = vault_b["organizationKeys"][0]

    # A uploads the file; A's page shows its name (decrypted from the header) and the quota.
    browser_a.get(page)
    find(browser_a, "#document-file").send_keys(source)
    until_date = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    browser_a.execute_script("arguments[0].value = arguments[1]", find(browser_a, "#document-expires"), until_date)
    type_into(browser_a, "#document-max-downloads", "5")
    find(browser_a, "#document-upload-button").click()
    status(browser_a, f"Uploaded {file_name}.", timeout=60)
    listed = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"]
    assert len(listed) == 1 and listed[0]["maxDownloads"] == 5, listed
    expires = datetime.datetime.fromisoformat(listed[0]["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires.date() - datetime.date.fromisoformat(until_date)) <= datetime.timedelta(days=1), expires
    document = listed[0]["id"]
    text_in(browser_a, f"#vault-documents tr[data-document='{document}']", "0 downloads by the partner of 5")
    until("A's list to show the name", lambda: row_name(browser_a, document) == file_name)
    assert "of 1.1 GB" in find(browser_a, "#documents-usage").text
    assert not browser_a.find_elements(By.CSS_SELECTOR, "#documents-table")
    shot(browser_a, "02-uploaded")

    # B's browser decrypts the name and the file.
    browser_b.get(page)
    until("B's list to show the name", lambda: row_name(browser_b, document) == file_name)
    button_in(row(browser_b, document), "Download").click()
    status(browser_b, f"Decrypted {file_name}")
    assert saved_file(browser_b, file_name) == plain
    shot(browser_b, "03-partner-downloaded")

    # CLI interop: B's organization key from B's unlocked tab opens the document the API serves, in `bonafide vault`.
    keys = browser_b.execute_script(
        "const n = Object.keys(sessionStorage).filter((k) => k.startsWith('bonafide-vault:'));"
        "return n.length === 1 ? JSON.parse(sessionStorage.getItem(n[0])) : n;")
    assert isinstance(keys, list) and len(keys) == 1 and keys[0]["keyId"] == b_key["keyId"], keys
    key_file = os.path.join(work, "baker.key")
    with open(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(keys[0]["privateKey"] + "\n")
    assert keys[0]["privateKey"].startswith("bfv1sk_")
    encrypted = os.path.join(work, "document.bfv")
    subprocess.run(["curl", "-sSf", "-H", "Authorization: Bearer " + b["token"], "-o", encrypted,
                    f"{server.base}/api/v1/documents/{document}/content"], check=True, timeout=60)
    with open(encrypted, "rb") as f:
        opened = subprocess.run([BINARY, "vault", "decrypt", "--key", key_file], stdin=f, capture_output=True, timeout=60)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == plain

    # B locks the vault: names are hidden and the keys leave the tab; a wrong passphrase is refused.
    find(browser_b, "#vault-lock").click()
    status(browser_b, "Locked")
    until("B's list to hide the name", lambda: row_name(browser_b, document) == "Document 1")
    assert browser_b.execute_script("return Object.keys(sessionStorage).filter((k) => k.startsWith('bonafide-vault:')).length") == 0
    type_into(browser_b, "#vault-passphrase", PASSPHRASE_A)
    find(browser_b, "#vault-unlock button[type=submit]").click()
    status(browser_b, "Wrong passphrase.", timeout=60)
    type_into(browser_b, "#vault-passphrase", PASSPHRASE_B)
    find(browser_b, "#vault-unlock button[type=submit]").click()
    find(browser_b, "#vault-unlocked", timeout=60)
    until("B's list to show the name again", lambda: row_name(browser_b, document) == file_name)

    # A makes a share link with a password.
    button_in(row(browser_a, document), "Make a share link").click()
    type_into(browser_a, "#link-password", LINK_PASSWORD)
    type_into(browser_a, "#link-max-downloads", "3")
    find(browser_a, "#link-create").click()
    url = until("the share link", lambda: find(browser_a, "#share-link-url", timeout=60).get_attribute("value"))
    assert url.startswith(f"{server.base}/shared/") and "#" in url, url
    assert find(browser_a, "#share-link-url").get_attribute("readonly") is not None
    text_in(browser_a, "#vault-documents li[data-link]", "0 downloads of 3, with a password")
    shot(browser_a, "04-share-link")

    # The stranger: without the part after # the page says what is missing; a wrong password is refused.
    stranger.get(url.split("#")[0])
    text_in(stranger, "#shared-status", "This link is incomplete: the part after # is missing.")
    stranger.get("about:blank")
    stranger.get(url)
    type_into(stranger, "#shared-password", "not the password")
    find(stranger, "#shared-open").click()
    text_in(stranger, "#shared-status", "Wrong password.", timeout=60)
    assert not os.listdir(stranger.downloads)
    type_into(stranger, "#shared-password", LINK_PASSWORD)
    find(stranger, "#shared-open").click()
    save = find(stranger, "#shared-save", timeout=60)
    assert save.text == f"Save {file_name}" and save.get_attribute("download") == file_name
    assert saved_file(stranger, file_name) == plain
    shot(stranger, "05-shared-saved")
    links = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]["links"]
    assert [(l["downloads"], l["maxDownloads"], l["password"]) for l in links] == [(1, 3, True)], links

    # The server never held the plaintext or the name: not in its database, not among its ciphertext files.
    stored = stored_bytes(server.data)
    assert any(p.startswith("vault" + os.sep) and len(v) > len(plain) for p, v in stored.items()), sorted(stored)
    assert any(p.startswith("bonafide.sqlite") for p in stored), sorted(stored)
    for path, content in stored.items():
        for i, piece in enumerate((plain[:48], plain[150000:150048], plain[-48:], file_name.encode())):
            assert piece not in content, f"{path} holds plaintext piece {i}"

    # A stops sharing: B's download is refused with the server's reason, the link's page says it is closed.
    button_in(row(browser_a, document), "Stop sharing").click()
    accept_confirm(browser_a)
    status(browser_a, f"Sharing of {file_name} was stopped.")
    text_in(browser_a, f"#vault-documents tr[data-document='{document}']", "revoked")
    os.remove(os.path.join(browser_b.downloads, file_name))
    button_in(row(browser_b, document), "Download").click()
    status(browser_b, "Sharing of this document was stopped.")
    assert find(browser_b, "#vault-status [role=alert]")
    text_in(browser_b, f"#vault-documents tr[data-document='{document}']", "revoked")
    time.sleep(0.5)
    assert not os.listdir(browser_b.downloads)
    shot(browser_b, "06-partner-refused")
    stranger.get("about:blank")
    stranger.get(url)
    text_in(stranger, "#shared-closed", "Sharing of this document was stopped.")
    assert not stranger.find_elements(By.CSS_SELECTOR, "#shared-app")

    # The partnership's access log has it all.
    # Unlocked, the page names the document in the log; the server only ever wrote its number.
    browser_a.get(page)
    # The script also swaps in a freshly fetched log after loading; text_in reads whichever copy is current.
    log = text_in(browser_a, "#document-log", f"made a share link to document 1 (“{file_name}”)")
    for line in (f"{a['name']} shared document 1", f"{b['name']} ({b['organization']}) downloaded document 1",
                 f"{a['name']} made a share link to document 1 (“{file_name}”), with a password",
                 "Someone with a share link downloaded document 1", f"{a['name']} stopped sharing document 1"):
        assert line in log, f"{line!r} not in the log:\n{log}"
    shot(browser_a, "07-access-log")


def ring(driver):
    """The organization keys this tab holds unlocked (vault-ui.js keeps them in sessionStorage)."""
    return driver.execute_script(
        "return Object.keys(sessionStorage).filter((k) => k.startsWith('bonafide-vault:'))"
        ".flatMap((k) => JSON.parse(sessionStorage.getItem(k)));")


def unlock(driver, passphrase):
    type_into(driver, "#vault-passphrase", passphrase)
    find(driver, "#vault-unlock button[type=submit]").click()
    find(driver, "#vault-unlocked", timeout=60)


def test_an_owner_gives_a_member_access_and_rotates_the_organization_key(server, chromium, work):
    """Demo people of Acme Retail: Carla (owner) and Dan (member). Northwind, their partner, has no vault yet."""
    carla, dan = chromium("carla"), chromium("dan")
    sign_in(carla, server.base, "carla@acme.example", "Carla Diaz", DEMO_PASSWORD)
    set_passphrase(carla, server.base, PASSPHRASE_A)
    token = server.api("POST", "/auth/login", body={"email": "carla@acme.example", "password": DEMO_PASSWORD}, expect=200).json()["token"]
    members = {m["name"]: m for m in server.api("GET", "/vault", token, expect=200).json()["members"]}
    dan_item = f"#vault-members li[data-user='{members['Dan Brooks']['userId']}']"
    text_in(carla, dan_item, "no passphrase yet")
    assert not carla.find_elements(By.CSS_SELECTOR, dan_item + " button")

    # An upload needs both organizations' keys: the page says which one is missing before encrypting anything.
    storefront = next(p for p in server.api("GET", "/partnerships", token, expect=200).json() if p["name"] == "Acme storefront redesign")
    carla.get(f"{server.base}/partnerships/{storefront['id']}")
    source = os.path.join(work, "plan.txt")
    with open(source, "w") as f:
        f.write("launch plan")
    find(carla, "#document-file").send_keys(source)
    find(carla, "#document-upload-button").click()
    status(carla, "Northwind Studio has not set up its vault yet")
    assert find(carla, "#vault-status [role=alert]")

    # Dan sets a passphrase: he waits for an owner.
    sign_in(dan, server.base, "dan@acme.example", "Dan Brooks", DEMO_PASSWORD)
    dan.get(server.base + "/organization")
    type_into(dan, "#vault-passphrase", PASSPHRASE_B)
    type_into(dan, "#vault-passphrase-repeat", PASSPHRASE_B)
    find(dan, "#vault-setup button[type=submit]").click()
    text_in(dan, "#vault-no-access", "An owner of your organization must give you access (Organization → Vault)", timeout=60)
    assert ring(dan) == []

    # Carla (still unlocked in her tab) gives Dan access.
    carla.get(server.base + "/organization")
    find(carla, "#vault-unlocked")
    text_in(carla, dan_item, "needs access")
    button_in(find(carla, dan_item), "Give access").click()
    status(carla, "Dan Brooks can now open your organization's documents.")
    text_in(carla, dan_item, "has access")
    assert not carla.find_elements(By.CSS_SELECTOR, dan_item + " button")
    first = server.api("GET", "/vault", token, expect=200).json()["organizationKeys"][0]["keyId"]

    dan.get(server.base + "/organization")
    unlock(dan, PASSPHRASE_B)
    assert [k["keyId"] for k in ring(dan)] == [first]

    # Carla rotates: the new version is sealed to both; Dan unlocks once more and holds both versions.
    find(carla, "#vault-rotate").click()
    accept_confirm(carla)
    status(carla, "sealed to 2 members")
    text_in(carla, "#vault-key-summary", "1 older version")
    keys = server.api("GET", "/vault", token, expect=200).json()["organizationKeys"]
    assert [k["active"] for k in keys] == [True, False] and keys[1]["keyId"] == first
    assert sorted(k["keyId"] for k in ring(carla)) == sorted(k["keyId"] for k in keys)
    dan.get(server.base + "/organization")
    find(dan, "#vault-unlock")
    unlock(dan, PASSPHRASE_B)
    assert sorted(k["keyId"] for k in ring(dan)) == sorted(k["keyId"] for k in keys)
    shot(carla, "08-rotated")


PASSPHRASE_C = "cole vault passphrase 333"
PASSPHRASE_D = "dove vault passphrase 4444"


def register(server, who):
    made = server.api("POST", "/auth/register", body={
        "email": who["email"], "password": PASSWORD, "name": who["name"], "organization": who["organization"],
        "timeZone": "Europe/Berlin"}, expect=201).json()
    who["token"] = made["token"]
    who["org"] = server.api("GET", "/vault", who["token"], expect=200).json()["organizationId"]
    return who


def vault_files(data_dir):
    return sorted(p for p in stored_bytes(data_dir) if p.startswith("vault" + os.sep))


def test_a_document_shared_with_a_circle_stopped_and_re_keyed(server, chromium, work):
    """A shares a partnership document with organizations in its collaborator circle (C now, D once D has a vault),
    stops C's share (C's download then shows the 410), and re-keys: the stored file is replaced, D gets it again,
    and B, the partner, still opens it."""
    run = uuid.uuid4().hex[:8]
    a = register(server, {"name": "Ann Archer", "email": f"ann-{run}@archer.example", "organization": f"Archer Works {run}"})
    b = register(server, {"name": "Bob Baker", "email": f"bob-{run}@baker.example", "organization": f"Baker Supply {run}"})
    c = register(server, {"name": "Cid Cole", "email": f"cid-{run}@cole.example", "organization": f"Cole Consulting {run}"})
    d = register(server, {"name": "Dee Dove", "email": f"dee-{run}@dove.example", "organization": f"Dove Design {run}"})
    created = server.api("POST", "/partnerships", a["token"], {
        "name": f"Supply deal {run}", "partnerEmail": b["email"], "agreement": "Baker supplies; Archer pays."}, expect=201).json()
    secret = created["invitationLink"].rstrip("/").rsplit("/", 1)[1]
    assert server.api("POST", f"/invitations/{secret}/accept", b["token"], expect=200).json()["status"] == "active"
    pid = created["id"]
    page = f"{server.base}/partnerships/{pid}"
    # C in A's collaborator circle; D, closer still, shows up among collaborators too (without a vault for now).
    assert server.api("PUT", f"/circles/{c['org']}", a["token"], {"circle": "collaborator"}, expect=200).json()["circle"] == "collaborator"
    server.api("PUT", f"/circles/{d['org']}", a["token"], {"circle": "trusted-referral"}, expect=200)

    plain = os.urandom(200 * 1024 + 17)
    file_name = f"price-list-{run}.xlsx"
    source = os.path.join(work, file_name)
    with open(source, "wb") as f:
        f.write(plain)

    browser_a, browser_b, browser_c = chromium("a"), chromium("b"), chromium("c")
    for driver, who, passphrase in ((browser_a, a, PASSPHRASE_A), (browser_b, b, PASSPHRASE_B), (browser_c, c, PASSPHRASE_C)):
        sign_in(driver, server.base, who["email"], who["name"])
        set_passphrase(driver, server.base, passphrase)
    find(browser_c, "#shared-with-us #no-shared-documents")

    browser_a.get(page)
    find(browser_a, "#document-file").send_keys(source)
    find(browser_a, "#document-upload-button").click()
    status(browser_a, f"Uploaded {file_name}.", timeout=60)
    document = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]["id"]
    until("A's list to show the name", lambda: row_name(browser_a, document) == file_name)
    assert not row(browser_a, document).find_elements(By.CSS_SELECTOR, "button.rekey")
    stored_first = vault_files(server.data)
    assert len(stored_first) == 1, stored_first

    # A shares it with the collaborator circle: C can be chosen, D (no vault yet) cannot.
    button_in(row(browser_a, document), "Share with a circle").click()
    Select(find(browser_a, "#circle-share-form #circle-share-circle")).select_by_value("collaborator")
    c_box = find(browser_a, f"#circle-share-form input[name=circle-share-org][value='{c['org']}']")
    d_box = find(browser_a, f"#circle-share-form input[name=circle-share-org][value='{d['org']}']")
    assert c_box.is_enabled() and not d_box.is_enabled()
    text_in(browser_a, "#circle-share-candidates", "has not set up its vault yet")
    shot(browser_a, "09-circle-share-form")
    c_box.click()
    type_into(browser_a, "#circle-share-max-downloads", "3")
    find(browser_a, "#circle-share-button").click()
    status(browser_a, f"Shared {file_name} with {c['organization']}.", timeout=60)
    assert not browser_a.find_elements(By.CSS_SELECTOR, "#circle-share-form")
    shares = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]["shares"]
    assert [(s["organizationId"], s["circle"], s["maxDownloads"], s.get("revokedAt")) for s in shares] == [(c["org"], "collaborator", 3, None)], shares
    c_share = shares[0]["id"]
    share_item = f"#vault-documents li[data-share='{c_share}']"
    text_in(browser_a, share_item, f"Shared with {c['organization']} (collaborators circle)")
    text_in(browser_a, share_item, "0 downloads of 3")
    shot(browser_a, "10-circle-shared")

    # C: "Shared with you" on the organization page; locked it shows the number, unlocked the name, and it downloads.
    browser_c.get(server.base + "/organization")
    shared_row = f"#shared-with-us-table tr[data-document='{document}']"
    find(browser_c, "#vault-unlocked")
    until("C's card to show the name", lambda: find(browser_c, shared_row + " .doc-name").text == file_name)
    find(browser_c, "#vault-lock").click()
    until("C's card to hide the name", lambda: find(browser_c, shared_row + " .doc-name").text == "Document 1")
    assert not find(browser_c, shared_row).find_elements(By.TAG_NAME, "button")
    unlock(browser_c, PASSPHRASE_C)
    until("C's card to show the name again", lambda: find(browser_c, shared_row + " .doc-name").text == file_name)
    text_in(browser_c, shared_row, "3 downloads left")
    button_in(find(browser_c, shared_row), "Download").click()
    text_in(browser_c, "#shared-with-us-status", f"Decrypted {file_name}", timeout=60)
    assert saved_file(browser_c, file_name) == plain
    text_in(browser_c, shared_row, "2 downloads left")
    shot(browser_c, "11-shared-with-us")

    # A stops C's share: C's next download shows the server's reason; A is offered a re-key.
    browser_a.get(page)
    text_in(browser_a, share_item, "1 download of 3")
    button_in(find(browser_a, share_item), "Stop").click()
    accept_confirm(browser_a)
    status(browser_a, f"Stopped sharing {file_name} with {c['organization']}.")
    text_in(browser_a, share_item, "stopped")
    assert not find(browser_a, share_item).find_elements(By.TAG_NAME, "button")
    os.remove(os.path.join(browser_c.downloads, file_name))
    button_in(find(browser_c, shared_row), "Download").click()
    text_in(browser_c, "#shared-with-us-status", "Sharing of this document was stopped.")
    assert find(browser_c, "#shared-with-us-status [role=alert]")
    text_in(browser_c, shared_row, "no longer shared")
    time.sleep(0.5)
    assert not os.listdir(browser_c.downloads)

    # D sets up its vault; A shares with D too (D's box is enabled now).
    browser_d = chromium("d")
    sign_in(browser_d, server.base, d["email"], d["name"])
    set_passphrase(browser_d, server.base, PASSPHRASE_D)
    browser_a.get(page)
    until("A's list to show the name", lambda: row_name(browser_a, document) == file_name)
    button_in(row(browser_a, document), "Share with a circle").click()
    Select(find(browser_a, "#circle-share-circle")).select_by_value("collaborator")
    d_box = find(browser_a, f"#circle-share-form input[name=circle-share-org][value='{d['org']}']")
    until("D's box to be enabled", d_box.is_enabled)
    d_box.click()
    find(browser_a, "#circle-share-button").click()
    status(browser_a, f"Shared {file_name} with {d['organization']}.", timeout=60)

    # The re-key: the stored file is replaced; D's share is made again for the new file; the note explains why.
    rekey = row(browser_a, document).find_element(By.CSS_SELECTOR, "button.rekey")
    assert rekey.text == "Re-key" and "stays locked even if old copies of the stored file leak" in rekey.get_attribute("title")
    text_in(browser_a, f"#vault-documents tr[data-document='{document}'] .rekey-note", "A new key for the remaining recipients")
    header_before = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]["header"]
    rekey.click()
    accept_confirm(browser_a)
    status(browser_a, f"Re-keyed; shared again with {d['organization']}.", timeout=60)
    stored_after = vault_files(server.data)
    assert len(stored_after) == 1 and stored_after != stored_first, (stored_first, stored_after)
    listed = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]
    assert listed["header"] != header_before and not listed.get("revokedAt")
    active = [(s["organizationId"], s["circle"]) for s in listed["shares"] if not s.get("revokedAt")]
    assert active == [(d["org"], "collaborator")], listed["shares"]
    until("the re-key button to go", lambda: not row(browser_a, document).find_elements(By.CSS_SELECTOR, "button.rekey"))
    shot(browser_a, "12-re-keyed")

    # B, the partner, still opens the re-keyed file; so does D through its fresh share; C's share stays stopped.
    browser_b.get(page)
    until("B's list to show the name", lambda: row_name(browser_b, document) == file_name)
    button_in(row(browser_b, document), "Download").click()
    status(browser_b, f"Decrypted {file_name}", timeout=60)
    assert saved_file(browser_b, file_name) == plain
    browser_d.get(server.base + "/organization")
    until("D's card to show the name", lambda: find(browser_d, shared_row + " .doc-name").text == file_name)
    button_in(find(browser_d, shared_row), "Download").click()
    text_in(browser_d, "#shared-with-us-status", f"Decrypted {file_name}", timeout=60)
    assert saved_file(browser_d, file_name) == plain
    assert server.api("GET", f"/documents/{document}/content", c["token"]).status_code == 410
    assert [s["id"] for s in server.api("GET", "/shared-documents", c["token"], expect=200).json()] == []

    # A stops sharing altogether and re-keys again: the file is then for A's organization alone, B and D are refused,
    # and A still opens it.
    button_in(row(browser_a, document), "Stop sharing").click()
    accept_confirm(browser_a)
    status(browser_a, f"Sharing of {file_name} was stopped.")
    assert not [b for b in row(browser_a, document).find_elements(By.TAG_NAME, "button") if b.text == "Share with a circle"]
    row(browser_a, document).find_element(By.CSS_SELECTOR, "button.rekey").click()
    accept_confirm(browser_a)
    status(browser_a, "Re-keyed.", timeout=60)
    assert vault_files(server.data) not in (stored_first, stored_after)
    header = server.api("GET", f"/partnerships/{pid}/documents", a["token"], expect=200).json()["documents"][0]["header"]
    raw = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    assert int.from_bytes(raw[22:24], "big") == 1, raw[:24].hex()
    until("the re-key button to go", lambda: not row(browser_a, document).find_elements(By.CSS_SELECTOR, "button.rekey"))
    assert server.api("GET", f"/documents/{document}/content", b["token"]).status_code == 410
    assert server.api("GET", f"/documents/{document}/content", d["token"]).status_code == 410
    button_in(row(browser_a, document), "Download").click()
    status(browser_a, f"Decrypted {file_name}", timeout=60)
    assert saved_file(browser_a, file_name) == plain
