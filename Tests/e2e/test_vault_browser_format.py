"""The browser's vault (Sources/BonafideServer/Assets/vault.js) against the `bonafide vault` CLI and an independent
Python implementation, byte for byte: files either side encrypts the other decrypts, a damaged file is refused with
a clear message, a rewrapped header opens in the CLI, and the key rules (a person's key under a passphrase, the
organization's key sealed to a member, share-link keys) agree with `cryptography` and pyhpke in both directions.

vault.js runs in headless Chromium on a page served from 127.0.0.1 (a secure context, so WebCrypto is there)."""
import base64
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from pyhpke import AEADId, CipherSuite, KDFId, KEMId
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))
VAULT_JS = os.path.join(HERE, "..", "..", "Sources", "BonafideServer", "Assets", "vault.js")
BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
CHUNK = 65536
SEALED = CHUNK + 16
ITERATIONS = 600000

HARNESS = """<!doctype html>
<meta charset="utf-8">
<title>vault.js harness</title>
<script src="vault.js"></script>
<script src="harness.js"></script>
"""

# Plain base64 for carrying bytes through WebDriver, independent of vault.js's own base64url.
HARNESS_JS = """
window.b64 = (bytes) => { let s = ""; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)); return btoa(s); };
window.unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
window.blobB64 = async (blob) => b64(new Uint8Array(await blob.arrayBuffer()));
"""


# MARK: Fixtures: a static server, Chromium, the CLI


@pytest.fixture(scope="module")
def page_url():
    root = tempfile.mkdtemp(prefix="bonafide-vaultjs.")
    shutil.copy(VAULT_JS, os.path.join(root, "vault.js"))
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write(HARNESS)
    with open(os.path.join(root, "harness.js"), "w") as f:
        f.write(HARNESS_JS)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d/index.html" % server.server_address[1]
    server.shutdown()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(page_url):
    """Headless Chromium as test_browser.py starts it, on the harness page."""
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_script_timeout(60)
    driver.get(page_url)
    assert driver.execute_script("return typeof window.BonafideVault") == "object"
    yield driver
    driver.quit()


class Page:
    """Runs an async function body in the page with `V` = window.BonafideVault; bytes travel as base64."""

    def __init__(self, driver):
        self.driver = driver

    def run(self, body, *args):
        script = (
            "const done = arguments[arguments.length - 1]; const args = Array.from(arguments).slice(0, -1);"
            "const V = window.BonafideVault;"
            "(async (...args) => {" + body + "})(...args)"
            ".then((value) => done({value}), (e) => done({error: String(e && e.message || e)}));"
        )
        result = self.driver.execute_async_script(script, *args)
        if "error" in result:
            raise PageError(result["error"])
        return result.get("value")

    def decrypt(self, data, *keys, as_blob=True):
        """{name, type, data} of a vault file opened in the browser with raw private keys."""
        out = self.run(
            "const input = unb64(args[0]); const source = args[2] ? new Blob([input]) : input;"
            "const r = await V.decrypt(source, args[1].map(unb64));"
            "return {name: r.name, type: r.type, data: await blobB64(r.blob)};",
            b64(data), [b64(k) for k in keys], as_blob)
        out["data"] = unb64(out["data"])
        return out

    def encrypt(self, data, publics, name, type_, as_file=True):
        return unb64(self.run(
            "const input = unb64(args[0]); const source = args[4] ? new File([input], args[2]) : input;"
            "return blobB64(await V.encrypt(source, args[1].map(unb64), {name: args[2], type: args[3]}));",
            b64(data), [b64(p) for p in publics], name, type_, as_file))


class PageError(Exception):
    pass


@pytest.fixture(scope="module")
def page(browser):
    return Page(browser)


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vault(*args, stdin=b""):
    return subprocess.run([BINARY, "vault", *args], input=stdin, capture_output=True, timeout=120)


class CLIKey:
    def __init__(self, directory, name):
        self.path = os.path.join(directory, name + ".key")
        made = vault("keygen", "--out", self.path)
        assert made.returncode == 0, made.stderr
        self.public_text = made.stdout.decode().strip()
        self.private_text = open(self.path).read().strip()
        self.public = unb64url(self.public_text[7:])
        self.private = unb64url(self.private_text[7:])

    def decrypt(self, data):
        return vault("decrypt", "--key", self.path, stdin=data)


@pytest.fixture(scope="module")
def keys():
    directory = tempfile.mkdtemp(prefix="bonafide-vaultjs-keys.")
    made = {name: CLIKey(directory, name) for name in ("alice", "bob", "carol")}
    yield made
    shutil.rmtree(directory, ignore_errors=True)


def key_id(public_raw):
    return hashlib.sha256(public_raw).digest()[:8]


def python_public(private_raw):
    return X25519PrivateKey.from_private_bytes(private_raw).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def header_layout(data):
    """(recipient count, where the metadata length starts, header length) of a vault file."""
    count = int.from_bytes(data[22:24], "big")
    meta_at = 24 + count * 88
    return count, meta_at, meta_at + 4 + int.from_bytes(data[meta_at:meta_at + 4], "big")


def python_metadata(data, private_raw):
    """The metadata JSON of a vault file, opened with pyhpke and AESGCM (independent of both implementations)."""
    count, meta_at, length = header_layout(data)
    file_id = data[6:22]
    mine = key_id(python_public(private_raw))
    for i in range(count):
        at = 24 + i * 88
        if data[at:at + 8] == mine:
            context = SUITE.create_recipient_context(
                data[at + 8:at + 40], SUITE.kem.deserialize_private_key(private_raw), info=b"bonafide vault v1")
            content_key = context.open(data[at + 40:at + 88], aad=file_id)
            nonce = bytes(11) + b"\x02"
            return json.loads(AESGCM(content_key).decrypt(nonce, data[meta_at + 4:length], b"BFV1" + file_id))
    raise AssertionError("not a recipient")


def pbkdf2(password, salt):
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS).derive(password.encode())


# MARK: Primitives


def test_hpke_opens_the_rfc9180_vector_and_agrees_with_pyhpke(page):
    # DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode, first encryption (as in VaultFormatTests.swift).
    sk = bytes.fromhex("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d")
    pk = bytes.fromhex("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c")
    enc = bytes.fromhex("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256")
    ct = bytes.fromhex("e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a")
    info, aad = bytes.fromhex("4f6465206f6e2061204772656369616e2055726e"), bytes.fromhex("436f756e742d30")
    out = page.run(
        "const [sk, enc, info, aad, ct] = args.map(unb64);"
        "return {pk: b64(await V.publicKeyOf(sk)), pt: b64(await V.hpkeOpen(sk, enc, info, aad, ct))};",
        *map(b64, (sk, enc, info, aad, ct)))
    assert unb64(out["pk"]) == pk
    assert unb64(out["pt"]) == b"Beauty is truth, truth beauty"

    # The browser seals, pyhpke opens; pyhpke seals, the browser opens.
    recipient = X25519PrivateKey.generate()
    r_priv = recipient.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    r_pub = recipient.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sealed = page.run(
        "const r = await V.hpkeSeal(unb64(args[0]), unb64(args[1]), unb64(args[2]), unb64(args[3]));"
        "return [b64(r.enc), b64(r.ciphertext)];", b64(r_pub), b64(b"info"), b64(b"aad"), b64(b"from the browser"))
    context = SUITE.create_recipient_context(unb64(sealed[0]), SUITE.kem.deserialize_private_key(r_priv), info=b"info")
    assert context.open(unb64(sealed[1]), aad=b"aad") == b"from the browser"
    enc, sender = SUITE.create_sender_context(SUITE.kem.deserialize_public_key(r_pub), info=b"info")
    ct = sender.seal(b"from pyhpke", aad=b"aad")
    opened = page.run("const [sk, enc, info, aad, ct] = args.map(unb64); return b64(await V.hpkeOpen(sk, enc, info, aad, ct));",
                      *map(b64, (r_priv, enc, b"info", b"aad", ct)))
    assert unb64(opened) == b"from pyhpke"


def test_keys_as_text_key_ids_and_generated_pairs(page, keys):
    alice = keys["alice"]
    out = page.run(
        "const pk = V.parsePublicKey(args[0]), sk = V.parsePrivateKey(args[1]);"
        "const pair = await V.generateKeyPair();"
        "let bad = []; for (const t of ['', 'bfv1pk_', 'bfv1pk_abc', 'age1xyz', 'bfv1sk_' + 'A'.repeat(43)]) {"
        "  try { V.parsePublicKey(t); } catch (e) { bad.push(e.message); } }"
        "return {pk: b64(pk), sk: b64(sk), derived: b64(await V.publicKeyOf(sk)), id: V.hex(await V.keyId(pk)),"
        " pkText: V.encodePublicKey(pk), skText: V.encodePrivateKey(sk),"
        " pairPriv: b64(pair.privateRaw), pairPub: b64(pair.publicRaw), bad};",
        alice.public_text, alice.private_text)
    assert unb64(out["pk"]) == alice.public and unb64(out["sk"]) == alice.private
    assert unb64(out["derived"]) == alice.public
    assert out["id"] == key_id(alice.public).hex()
    assert out["pkText"] == alice.public_text and out["skText"] == alice.private_text
    assert python_public(unb64(out["pairPriv"])) == unb64(out["pairPub"])
    assert out["bad"] == ["The key is not a Bonafide vault key."] * 5


# MARK: Files, both directions


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 48 * CHUNK + 4321])
def test_the_cli_and_the_browser_read_each_others_files(page, keys, size):
    alice = keys["alice"]
    plain = os.urandom(size)
    made = vault("encrypt", "--to", alice.public_text, "--name", "contract.pdf", "--type", "application/pdf", stdin=plain)
    assert made.returncode == 0, made.stderr
    opened = page.decrypt(made.stdout, alice.private, as_blob=size % 2 == 0)
    assert opened["data"] == plain
    assert (opened["name"], opened["type"]) == ("contract.pdf", "application/pdf")

    theirs = page.encrypt(plain, [alice.public], "notes ü.txt", "text/plain", as_file=size % 2 == 1)
    _, _, header_length = header_layout(theirs)
    assert len(theirs) == header_length + size + 16 * max(1, -(-size // CHUNK))
    assert size < 64 or plain[16:48] not in theirs
    back = alice.decrypt(theirs)
    assert back.returncode == 0, back.stderr
    assert back.stdout == plain
    assert python_metadata(theirs, alice.private) == {"name": "notes ü.txt", "type": "text/plain"}


def test_several_recipients(page, keys):
    alice, bob, carol = keys["alice"], keys["bob"], keys["carol"]
    plain = os.urandom(2 * CHUNK + 7)
    made = vault("encrypt", "--to", alice.public_text, "--to", bob.public_text, "--to", carol.public_text,
                 "--name", "n", "--type", "t/t", stdin=plain)
    assert made.returncode == 0, made.stderr
    header = page.run(
        "const h = await V.readHeader(unb64(args[0])); return {fileId: b64(h.fileId), ids: h.recipients.map(r => r.keyIdHex),"
        " headerLength: h.headerLength};", b64(made.stdout))
    assert unb64(header["fileId"]) == made.stdout[6:22]
    assert header["ids"] == [key_id(k.public).hex() for k in (alice, bob, carol)]
    assert header["headerLength"] == header_layout(made.stdout)[2]
    # Several keys offered: the one that is a recipient opens it, the others are skipped.
    stranger = page.run("return b64((await V.generateKeyPair()).privateRaw);")
    assert page.decrypt(made.stdout, unb64(stranger), carol.private)["data"] == plain

    theirs = page.encrypt(plain, [alice.public, bob.public], "n", "t/t")
    for k in (alice, bob):
        back = k.decrypt(theirs)
        assert back.returncode == 0 and back.stdout == plain, back.stderr
    refused = carol.decrypt(theirs)
    assert refused.returncode != 0 and refused.stdout == b"" and b"not encrypted for your key" in refused.stderr


def test_the_browser_refuses_damage_with_clear_messages(page, keys):
    alice, bob = keys["alice"], keys["bob"]
    plain = os.urandom(3 * CHUNK + 10)
    sealed = vault("encrypt", "--to", alice.public_text, "--name", "x", stdin=plain).stdout
    _, meta_at, body = header_layout(sealed)

    def flip(data, at):
        return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]

    cases = {
        "flipped byte in part 2": (flip(sealed, body + SEALED + 100), "altered or damaged (at part 2)"),
        "flipped byte in the last part": (flip(sealed, len(sealed) - 3), "altered or damaged (at part 4)"),
        "flipped byte in the metadata": (flip(sealed, meta_at + 10), "altered or damaged (at part 1)"),
        "flipped byte in the wrapped key": (flip(sealed, 24 + 50), "not encrypted for your key"),
        "cut at a chunk boundary": (sealed[:body + 2 * SEALED], "cut short"),
        "cut inside a chunk": (sealed[:body + SEALED + 500], "altered or damaged (at part 2)"),
        "cut right after the header": (sealed[:body], "cut short"),
        "cut inside the header": (sealed[:meta_at + 2], "cut short"),
        "parts swapped": (sealed[:body] + sealed[body + SEALED:body + 2 * SEALED] + sealed[body:body + SEALED]
                          + sealed[body + 2 * SEALED:], "altered or damaged (at part 1)"),
        "not a vault file": (b"%PDF-1.7 hello, this is not encrypted at all", "not a Bonafide vault file"),
        "empty": (b"", "not a Bonafide vault file"),
    }
    for label, (data, message) in cases.items():
        with pytest.raises(PageError) as refused:
            page.decrypt(data, alice.private)
        assert message in str(refused.value), label
    with pytest.raises(PageError, match="This file was not encrypted for your key."):
        page.decrypt(sealed, bob.private)


def test_a_rewrapped_header_opens_in_the_cli_for_the_new_recipient_only(page, keys):
    alice, carol = keys["alice"], keys["carol"]
    plain = os.urandom(CHUNK + 999)
    sealed = vault("encrypt", "--to", alice.public_text, "--name", "deal.pdf", "--type", "application/pdf", stdin=plain).stdout
    _, meta_at, length = header_layout(sealed)
    out = page.run(
        "const header = unb64(args[0]);"
        "const opened = await V.openHeader(header, [unb64(args[1])]);"
        "const again = await V.rewrapHeader(header, opened.contentKey, [unb64(args[2])]);"
        "return {header: b64(again), name: opened.metadata.name, type: opened.metadata.type};",
        b64(sealed[:length]), b64(alice.private), b64(carol.public))
    assert (out["name"], out["type"]) == ("deal.pdf", "application/pdf")
    rewrapped = unb64(out["header"])
    assert rewrapped[:22] == sealed[:22]  # magic, version, chunk log, file id
    assert int.from_bytes(rewrapped[22:24], "big") == 1 and rewrapped[24:32] == key_id(carol.public)
    assert rewrapped[24 + 88:] == sealed[meta_at:length]  # the sealed metadata, verbatim
    linked = rewrapped + sealed[length:]
    back = carol.decrypt(linked)
    assert back.returncode == 0 and back.stdout == plain, back.stderr
    assert alice.decrypt(linked).returncode != 0
    with pytest.raises(PageError, match="altered or damaged"):  # a content key that is not this file's
        page.run("await V.rewrapHeader(unb64(args[0]), V.randomBytes(32), [unb64(args[1])]);", b64(sealed[:length]), b64(carol.public))


# MARK: Key rules (spec sections 3-5) against Python


def test_a_persons_key_under_a_passphrase_both_ways(page, keys):
    alice = keys["alice"]
    passphrase = "correct horse battery staple – ünïcode"
    # Python wraps, the browser unwraps.
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapped = nonce + AESGCM(pbkdf2(passphrase, salt)).encrypt(nonce, alice.private, b"bonafide vault user key v1")
    stored = {"wrappedPrivateKey": b64url(wrapped), "salt": b64url(salt), "iterations": ITERATIONS}
    out = page.run(
        "const raw = await V.unwrapUserKey(args[0], args[1]);"
        "let wrong; try { await V.unwrapUserKey(args[0], 'not it'); } catch (e) { wrong = e.message; }"
        "return {raw: b64(raw), wrong};", stored, passphrase)
    assert unb64(out["raw"]) == alice.private
    assert out["wrong"] == "Wrong passphrase."
    # The browser wraps, Python unwraps.
    mine = page.run("return await V.wrapUserKey(unb64(args[0]), args[1]);", b64(alice.private), passphrase)
    assert mine["iterations"] == ITERATIONS and mine["publicKey"] == alice.public_text
    raw_salt, raw_wrapped = unb64url(mine["salt"]), unb64url(mine["wrappedPrivateKey"])
    assert len(raw_salt) == 16 and len(raw_wrapped) == 60
    kek = AESGCM(pbkdf2(passphrase, raw_salt))
    assert kek.decrypt(raw_wrapped[:12], raw_wrapped[12:], b"bonafide vault user key v1") == alice.private


def test_the_organization_key_sealed_to_a_member_both_ways(page, keys):
    member, other = keys["bob"], keys["carol"]
    org = page.run("const p = await V.generateKeyPair(); return [b64(p.privateRaw), b64(p.publicRaw)];")
    org_private, org_public = unb64(org[0]), unb64(org[1])
    info = b"bonafide vault organization key v1"
    # Python seals, the browser opens.
    enc, sender = SUITE.create_sender_context(SUITE.kem.deserialize_public_key(member.public), info=info)
    sealed = b64url(enc + sender.seal(org_private, aad=key_id(org_public)))
    out = page.run(
        "const [orgPub, member, other] = args.slice(1).map(unb64);"
        "const raw = await V.openOrganizationKey(args[0], orgPub, member);"
        "let wrong; try { await V.openOrganizationKey(args[0], orgPub, other); } catch (e) { wrong = e.message; }"
        "return {raw: b64(raw), wrong};", sealed, b64(org_public), b64(member.private), b64(other.private))
    assert unb64(out["raw"]) == org_private
    assert "not for this key" in out["wrong"]
    # The browser seals, Python opens.
    mine = unb64url(page.run("return await V.sealOrganizationKey(...args.map(unb64));",
                             b64(org_private), b64(org_public), b64(member.public)))
    assert len(mine) == 80
    context = SUITE.create_recipient_context(mine[:32], SUITE.kem.deserialize_private_key(member.private), info=info)
    assert context.open(mine[32:], aad=key_id(org_public)) == org_private


def test_share_link_keys_agree_and_open_a_document_rewrapped_for_the_link(page, keys):
    alice = keys["alice"]
    password, password_salt = "open sesame", os.urandom(16)
    out = page.run(
        "const seed = V.newLinkSeed();"
        "return {seed: b64(seed), plain: b64(await V.linkPrivateKey(seed, '', new Uint8Array(0))),"
        " locked: b64(await V.linkPrivateKey(seed, args[0], unb64(args[1])))};", password, b64(password_salt))
    seed = unb64(out["seed"])
    assert len(seed) == 32 and unb64(out["plain"]) == seed
    expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bonafide vault link v1").derive(
        seed + pbkdf2(password, password_salt))
    assert unb64(out["locked"]) == expected

    # The whole link path: the owner's browser rewraps a document's header for the link's public key; whoever holds
    # the link (seed and password) opens header + chunks, in the browser and in the CLI.
    plain = os.urandom(CHUNK + 3)
    sealed = vault("encrypt", "--to", alice.public_text, "--name", "shared.txt", "--type", "text/plain", stdin=plain).stdout
    length = header_layout(sealed)[2]
    header = unb64(page.run(
        "const [header, mine, linkKey] = args.map(unb64);"
        "const opened = await V.openHeader(header, [mine]);"
        "return b64(await V.rewrapHeader(header, opened.contentKey, [await V.publicKeyOf(linkKey)]));",
        b64(sealed[:length]), b64(alice.private), out["locked"]))
    linked = header + sealed[length:]
    opened = page.decrypt(linked, expected)
    assert (opened["data"], opened["name"], opened["type"]) == (plain, "shared.txt", "text/plain")
    with pytest.raises(PageError, match="not encrypted for your key"):
        page.decrypt(linked, seed)  # the seed alone is not the key of a link with a password
    key_file = os.path.join(os.path.dirname(alice.path), "link.key")
    with open(key_file, "w") as f:
        f.write("bfv1sk_" + b64url(expected) + "\n")
    back = vault("decrypt", "--key", key_file, stdin=linked)
    assert back.returncode == 0 and back.stdout == plain, back.stderr
