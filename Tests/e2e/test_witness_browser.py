"""Witnessing from the browser: two organizations each set up a witness key in their own headless Chromium (WebCrypto
Ed25519, never leaving the browser), open their partnership, and the page checks the record and cosigns it until the
record reads "witnessed". The cosignatures are then checked independently of the server with the `cryptography`
package against C2SP cosignature/v1, and a later change is cosigned again just by opening the page."""
import base64
import hashlib
import struct
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_browser import BASE, active_partnership, api, new_chromium, showing, sign_in_as


def status_text(driver, contains, timeout=20):
    WebDriverWait(driver, timeout).until(lambda d: contains in d.find_element(By.ID, "browser-witness-status").text)
    return driver.find_element(By.ID, "browser-witness-status").text


def cosigned_by(note, key):
    """Whether the signed note carries a valid cosignature/v1 by the registered key "name+keyid+base64(0x04||pub)"."""
    name, key_id, value = key.split("+", 2)
    raw = base64.b64decode(value)
    assert raw[0] == 0x04
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    assert hashlib.sha256(name.encode() + b"\n" + raw[:1] + raw[1:]).digest()[:4].hex() == key_id
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        signer, blob = line.removeprefix("\u2014 ").split(" ")
        data = base64.b64decode(blob)
        if signer != name or data[:4].hex() != key_id or len(data) != 76:
            continue
        (time,) = struct.unpack(">Q", data[4:12])
        public.verify(data[12:], f"cosignature/v1\ntime {time}\n".encode() + text.encode())
        return True
    return False


def test_two_partners_witness_from_their_browsers_until_the_record_reads_witnessed():
    run = uuid.uuid4().hex[:8]
    (a_email, a), (b_email, b), partnership = active_partnership(
        run, (("Wanda Witness", f"Willow {run}"), ("Vic Verifier", f"Vale {run}")), "witness.example", "Europe/Rome")
    pid = partnership["id"].lower()
    drivers = []
    try:
        for email in (a_email, b_email):
            driver = new_chromium()
            drivers.append(driver)
            sign_in_as(driver, email)
            driver.get(BASE + f"/partnerships/{pid}")
            assert "signed by Bonafide" in driver.find_element(By.ID, "witness-summary").text
            setup = driver.find_element(By.ID, "browser-witness-setup")
            WebDriverWait(driver, 10).until(lambda d: setup.is_displayed())
            setup.click()
            status_text(driver, "Checked and cosigned from this browser")
        # The second browser's cosignature completes the pair: the page says so without a reload.
        assert "every partner has cosigned the first" in status_text(drivers[1], "every partner has cosigned")
        assert "witnessed" in drivers[1].find_element(By.ID, "witness-summary").text

        status, state = api("GET", f"/partnerships/{pid}/log/witnesses", token=a["token"])
        assert status == 200 and state["witnessedSize"] == state["size"], state
        keys = [side["key"] for side in state["sides"]]
        assert len(keys) == 2 and all(k.split("+")[0].endswith("-web") for k in keys), keys
        assert all(cosigned_by(state["witnessedNote"], key) for key in keys), "both cosignatures verify independently"

        # A later change: opening the page again checks and cosigns the new size, no button needed.
        status, _ = api("POST", f"/partnerships/{pid}/messages", {"subject": "Kick-off", "body": f"Agenda {run}"}, a["token"])
        assert status == 201
        for driver in drivers:
            driver.get(BASE + f"/partnerships/{pid}")
            assert not driver.find_element(By.ID, "browser-witness-setup").is_displayed()
            status_text(driver, f"record's {state['size'] + 1} entries")
        status, after = api("GET", f"/partnerships/{pid}/log/witnesses", token=b["token"])
        assert after["witnessedSize"] == state["size"] + 1, after
        drivers[0].refresh()
        assert f"every partner cosigned the first {state['size'] + 1} entries" in showing(drivers[0], "every partner cosigned")
    finally:
        for driver in drivers:
            driver.quit()


def typed(driver, css, value, timeout=30):
    field = WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, css))
    field.clear()
    field.send_keys(value)


def test_a_witness_key_sealed_to_the_vault_opens_in_another_browser_with_the_vault_passphrase():
    """One browser makes the organization's witness key and seals it to the vault; a second browser of the same
    organization, which has never seen the key, opens it by unlocking the vault on the partnership page and cosigns
    with the same registered key. The server holds only the sealed copy."""
    run = uuid.uuid4().hex[:8]
    (a_email, a), (b_email, b), partnership = active_partnership(
        run, (("Sela Sealer", f"Sealwood {run}"), ("Opal Other", f"Otterby {run}")), "sealed.example", "Europe/Oslo")
    pid = partnership["id"].lower()
    passphrase = f"sealed witness passphrase {run}"
    first, second = new_chromium(), new_chromium()
    try:
        sign_in_as(first, a_email)
        first.get(BASE + "/organization")
        typed(first, "#vault-passphrase", passphrase)
        typed(first, "#vault-passphrase-repeat", passphrase)
        first.find_element(By.CSS_SELECTOR, "#vault-setup button[type=submit]").click()
        WebDriverWait(first, 90).until(lambda d: d.find_elements(By.ID, "vault-unlocked"))

        first.get(BASE + f"/partnerships/{pid}")
        setup = first.find_element(By.ID, "browser-witness-setup")
        WebDriverWait(first, 10).until(lambda d: setup.is_displayed())
        setup.click()
        status_text(first, "Checked and cosigned from this browser")
        status, key = api("GET", "/organization/witness-key", token=a["token"])
        assert status == 200 and key["sealedTo"] and len(base64.urlsafe_b64decode(key["sealedPrivateKey"] + "==")) == 80, key
        # Only sealed bytes on the server: the page never sends the seed itself.
        assert "d" not in key and key["key"].split("+")[0].endswith("-web")

        # The second browser has no key of its own: it waits for the vault, never offers to replace the key.
        sign_in_as(second, a_email)
        status, _ = api("POST", f"/partnerships/{pid}/messages", {"subject": "Sealed", "body": f"Hello {run}"}, b["token"])
        assert status == 201
        second.get(BASE + f"/partnerships/{pid}")
        status_text(second, "unlock the vault in Documents on this page")
        assert not second.find_element(By.ID, "browser-witness-setup").is_displayed()
        typed(second, "#vault-unlock #vault-passphrase", "not the passphrase at all")
        second.find_element(By.CSS_SELECTOR, "#vault-unlock button[type=submit]").click()
        WebDriverWait(second, 90).until(lambda d: "Wrong passphrase" in d.page_source)
        typed(second, "#vault-unlock #vault-passphrase", passphrase)
        second.find_element(By.CSS_SELECTOR, "#vault-unlock button[type=submit]").click()
        after_unlock = status_text(second, "Checked and cosigned from this browser", timeout=90)
        assert "extend everything seen before" in after_unlock

        status, again = api("GET", "/organization/witness-key", token=a["token"])
        assert again["key"] == key["key"] and again["registeredAt"] == key["registeredAt"], "the same key, not a new one"
        status, state = api("GET", f"/partnerships/{pid}/log/witnesses", token=a["token"])
        mine = next(s for s in state["sides"] if s["organizationId"].lower() == a["user"]["organizationId"].lower())
        assert mine["latest"]["size"] == state["size"], state
        assert cosigned_by(mine["latestNote"], key["key"]), "the second browser cosigned with the registered key"

        # Kept in this browser from now on: the next visit cosigns without the vault.
        second.execute_script("sessionStorage.clear()")
        status, _ = api("POST", f"/partnerships/{pid}/messages", {"subject": "Later", "body": f"Again {run}"}, b["token"])
        second.get(BASE + f"/partnerships/{pid}")
        status_text(second, f"record's {state['size'] + 1} entries")
    finally:
        first.quit()
        second.quit()
