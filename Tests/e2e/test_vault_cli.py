"""The vault format against an independent implementation: files the `bonafide vault` CLI encrypts are opened with
pyhpke (RFC 9180) and Python's `cryptography` AES-GCM following the README's description, and files made that way
are opened by the CLI, byte for byte; a damaged file gives a non-zero exit, a message and nothing on stdout."""
import base64
import hashlib
import json
import os
import subprocess
import tempfile

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
INFO = b"bonafide vault v1"
CHUNK = 65536


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def nonce(index, flag):
    return index.to_bytes(8, "big") + b"\x00\x00\x00" + bytes([flag])


def vault(*args, stdin=b""):
    return subprocess.run([BINARY, "vault", *args], input=stdin, capture_output=True, timeout=120)


def vault_from_file(*args, data):
    """The same, with standard input a regular file (the CLI then checks the whole file before writing anything)."""
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        return subprocess.run([BINARY, "vault", *args], stdin=f, capture_output=True, timeout=120)


@pytest.fixture()
def keys():
    work = tempfile.mkdtemp(prefix="bonafide-vault.")
    path = os.path.join(work, "me.key")
    made = vault("keygen", "--out", path)
    assert made.returncode == 0, made.stderr
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    public = made.stdout.decode().strip()
    assert public.startswith("bfv1pk_")
    secret = open(path).read().strip()
    assert secret.startswith("bfv1sk_")
    return path, public, b64url(public[7:]), b64url(secret[7:])


def python_decrypt(data, secret_raw, public_raw):
    assert data[:4] == b"BFV1" and data[4] == 1 and data[5] == 16
    file_id = data[6:22]
    count = int.from_bytes(data[22:24], "big")
    key_id = hashlib.sha256(public_raw).digest()[:8]
    content_key = None
    for i in range(count):
        at = 24 + i * 88
        if data[at:at + 8] != key_id:
            continue
        enc, wrapped = data[at + 8:at + 40], data[at + 40:at + 88]
        recipient = SUITE.create_recipient_context(enc, SUITE.kem.deserialize_private_key(secret_raw), info=INFO)
        content_key = recipient.open(wrapped, aad=file_id)
    assert content_key is not None and len(content_key) == 32
    meta_at = 24 + count * 88
    meta_len = int.from_bytes(data[meta_at:meta_at + 4], "big")
    aead = AESGCM(content_key)
    aad = b"BFV1" + file_id
    metadata = json.loads(aead.decrypt(nonce(0, 2), data[meta_at + 4:meta_at + 4 + meta_len], aad))
    body = data[meta_at + 4 + meta_len:]
    chunks = [body[i:i + CHUNK + 16] for i in range(0, len(body), CHUNK + 16)] or [b""]
    plain = b"".join(aead.decrypt(nonce(i, 1 if i == len(chunks) - 1 else 0), c, aad) for i, c in enumerate(chunks))
    return metadata, plain


def python_encrypt(plain, public_raw, name):
    file_id, content_key = os.urandom(16), os.urandom(32)
    enc, sender = SUITE.create_sender_context(SUITE.kem.deserialize_public_key(public_raw), info=INFO)
    wrapped = sender.seal(content_key, aad=file_id)
    aead, aad = AESGCM(content_key), b"BFV1" + file_id
    meta = aead.encrypt(nonce(0, 2), json.dumps({"name": name, "type": "text/plain"}).encode(), aad)
    header = b"BFV1\x01\x10" + file_id + (1).to_bytes(2, "big") + hashlib.sha256(public_raw).digest()[:8] + enc + wrapped
    header += len(meta).to_bytes(4, "big") + meta
    pieces = [plain[i:i + CHUNK] for i in range(0, len(plain), CHUNK)] or [b""]
    return header + b"".join(aead.encrypt(nonce(i, 1 if i == len(pieces) - 1 else 0), p, aad) for i, p in enumerate(pieces))


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK + 123])
def test_the_cli_and_an_independent_implementation_read_each_others_files(keys, size):
    path, public, public_raw, secret_raw = keys
    plain = os.urandom(size)
    made = vault("encrypt", "--to", public, "--name", "contract.pdf", "--type", "application/pdf", stdin=plain)
    assert made.returncode == 0, made.stderr
    assert b"contract.pdf" not in made.stdout and (size < 64 or plain[:32] not in made.stdout)
    metadata, opened = python_decrypt(made.stdout, secret_raw, public_raw)
    assert opened == plain and metadata == {"name": "contract.pdf", "type": "application/pdf"}

    theirs = python_encrypt(plain, public_raw, "notes.txt")
    back = vault("decrypt", "--key", path, stdin=theirs)
    assert back.returncode == 0, back.stderr
    assert back.stdout == plain
    from_file = vault_from_file("decrypt", "--key", path, data=made.stdout)
    assert from_file.returncode == 0 and from_file.stdout == plain, from_file.stderr


def test_damage_gives_an_error_and_nothing_on_stdout(keys):
    path, public, _, _ = keys
    plain = os.urandom(3 * CHUNK + 10)
    sealed = vault("encrypt", "--to", public, stdin=plain).stdout
    body_start = len(sealed) - (3 * (CHUNK + 16) + 10 + 16)
    cases = {
        "flipped byte in the last chunk": sealed[:-5] + bytes([sealed[-5] ^ 1]) + sealed[-4:],
        "cut at a chunk boundary": sealed[:body_start + 2 * (CHUNK + 16)],
        "first two chunks swapped": sealed[:body_start] + sealed[body_start + CHUNK + 16:body_start + 2 * (CHUNK + 16)]
        + sealed[body_start:body_start + CHUNK + 16] + sealed[body_start + 2 * (CHUNK + 16):],
        "not a vault file": b"%PDF-1.7 hello",
        "empty input": b"",
    }
    for what, data in cases.items():
        for out in (vault("decrypt", "--key", path, stdin=data), vault_from_file("decrypt", "--key", path, data=data)):
            assert out.returncode != 0, what
            assert out.stdout == b"", f"{what}: plaintext was released"
            assert out.stderr.strip(), what
    other = tempfile.mktemp(prefix="bonafide-other.")
    vault("keygen", "--out", other)
    wrong = vault("decrypt", "--key", other, stdin=sealed)
    assert wrong.returncode != 0 and wrong.stdout == b"" and b"not encrypted for your key" in wrong.stderr
    assert vault("encrypt", "--to", "age1notours", stdin=b"x").returncode != 0
    assert vault("keygen", "--out", path).returncode != 0, "an existing key was overwritten"


# Against the running e2e server: `vault init`, `unlock`, `upload` and `download`, as two partners would use them.
BASE = os.environ.get("BONAFIDE_E2E_URL", "http://127.0.0.1:8091")


def api(method, path, token=None, body=None):
    import urllib.request

    request = urllib.request.Request(BASE + "/api/v1" + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def as_user(token, *args, passphrase=None):
    env = dict(os.environ, BONAFIDE_URL=BASE, BONAFIDE_TOKEN=token, HOME=tempfile.mkdtemp(prefix="bonafide-vault-home."))
    if passphrase:
        env["BONAFIDE_VAULT_PASSPHRASE"] = passphrase
    return subprocess.run([BINARY, "vault", *args], env=env, capture_output=True, timeout=300)


def test_partners_share_a_file_through_the_server_and_only_they_can_open_it():
    import uuid

    run = uuid.uuid4().hex[:8]
    people = {}
    for name, org in (("Vera", "Vaultwise"), ("Omar", "Openfield")):
        answer = api("POST", "/auth/register", body={
            "email": f"{name.lower()}-{run}@{org.lower()}.example", "password": "correct horse battery", "name": name,
            "organization": f"{org} {run}", "timeZone": "Europe/Berlin"})
        people[name] = answer["token"]
    created = api("POST", "/partnerships", people["Vera"], {"name": "Confidential pilot", "partnerEmail": f"omar-{run}@openfield.example", "agreement": "NDA"})
    api("POST", "/invitations/" + created["invitationLink"].rstrip("/").split("/")[-1] + "/accept", people["Omar"])
    pid = created["id"]

    work = tempfile.mkdtemp(prefix="bonafide-vault-e2e.")
    original = os.path.join(work, "client list.csv")
    data = os.urandom(2 * CHUNK) + b"name,email\nconfidential row\n"
    with open(original, "wb") as f:
        f.write(data)

    # Before the partner has a key, the upload says so and nothing is stored.
    assert as_user(people["Vera"], "init", passphrase="vera's long passphrase").returncode == 0
    early = as_user(people["Vera"], "upload", pid, original)
    assert early.returncode != 0 and b"has not set up its vault yet" in early.stderr, early.stderr
    assert as_user(people["Omar"], "init", passphrase="omar's long passphrase").returncode == 0

    uploaded = as_user(people["Vera"], "upload", pid, original, "--max-downloads", "2")
    assert uploaded.returncode == 0, uploaded.stderr
    document = uploaded.stdout.decode().strip().split(": ")[-1]
    assert uuid.UUID(document)

    key = os.path.join(work, "omar.key")
    wrong = as_user(people["Omar"], "unlock", "--out", key, passphrase="not omar's passphrase")
    assert wrong.returncode != 0 and b"Wrong passphrase" in wrong.stderr and not os.path.exists(key)
    unlocked = as_user(people["Omar"], "unlock", "--out", key, passphrase="omar's long passphrase")
    assert unlocked.returncode == 0, unlocked.stderr
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"

    out = os.path.join(work, "received.csv")
    downloaded = as_user(people["Omar"], "download", document, "--out", out, "--key", key)
    assert downloaded.returncode == 0, downloaded.stderr
    assert b"Saved client list.csv (text/csv)" in downloaded.stdout
    assert open(out, "rb").read() == data

    # A key that is not a recipient's decrypts nothing and leaves no file behind.
    stranger = os.path.join(work, "stranger.key")
    assert vault("keygen", "--out", stranger).returncode == 0
    refused = as_user(people["Omar"], "download", document, "--out", os.path.join(work, "nope.csv"), "--key", stranger)
    assert refused.returncode != 0 and b"not encrypted for your key" in refused.stderr
    assert not os.path.exists(os.path.join(work, "nope.csv")) and not os.path.exists(os.path.join(work, "nope.csv.partial"))

    # The limit of two downloads held: the refused attempt above counted, the third is gone.
    gone = as_user(people["Omar"], "download", document, "--out", os.path.join(work, "third.csv"), "--key", key)
    assert gone.returncode != 0 and b"410" in gone.stderr and b"download limit" in gone.stderr

    timeline = api("GET", f"/partnerships/{pid}/timeline", people["Vera"])
    summaries = [e["summary"] for e in timeline]
    assert any(s.startswith("Vera shared document 1 (") and "for 2 downloads" in s for s in summaries), summaries
    assert sum(1 for s in summaries if s.startswith("Omar (Openfield")) == 2
    assert not any("client list" in s for s in summaries)


def test_decrypting_into_a_file_releases_it_whole_or_leaves_it_empty(keys):
    """`decrypt > out` stages the plaintext beside out and renames it into place only when every chunk authenticated."""
    keyfile, public, _, _ = keys
    work = tempfile.mkdtemp(prefix="bonafide-vault-out.")
    data = os.urandom(3 * CHUNK + 7)
    sealed = vault("encrypt", "--to", public, stdin=data).stdout
    out = os.path.join(work, "out")
    with open(out, "wb") as f:
        done = subprocess.run([BINARY, "vault", "decrypt", "--key", keyfile], input=sealed, stdout=f, stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 0, done.stderr
    assert open(out, "rb").read() == data
    assert os.listdir(work) == ["out"]
    damaged = bytearray(sealed)
    damaged[-100] ^= 1
    bad = os.path.join(work, "bad")
    with open(bad, "wb") as f:
        refused = subprocess.run([BINARY, "vault", "decrypt", "--key", keyfile], input=bytes(damaged), stdout=f, stderr=subprocess.PIPE, timeout=60)
    assert refused.returncode == 1 and b"altered or damaged" in refused.stderr
    assert os.path.getsize(bad) == 0
    assert sorted(os.listdir(work)) == ["bad", "out"]
    # From a file (read twice: checked, then decrypted) to a pipe: the damage is found before anything is written.
    damaged_file = os.path.join(work, "damaged.bfv")
    with open(damaged_file, "wb") as f:
        f.write(bytes(damaged))
    with open(damaged_file, "rb") as f:
        piped = subprocess.run([BINARY, "vault", "decrypt", "--key", keyfile], stdin=f, capture_output=True, timeout=60)
    assert piped.returncode == 1 and piped.stdout == b"" and b"altered or damaged" in piped.stderr
    sealed_file = os.path.join(work, "sealed.bfv")
    with open(sealed_file, "wb") as f:
        f.write(sealed)
    with open(sealed_file, "rb") as f:
        assert subprocess.run([BINARY, "vault", "decrypt", "--key", keyfile], stdin=f, capture_output=True, timeout=60).stdout == data


def test_a_multi_gigabyte_stream_round_trips_in_constant_memory(keys):
    """3 GiB generated on the fly (never stored) through `encrypt | decrypt`: the same SHA-256 comes out, and neither
    process grows with the size (peak resident memory from /proc, well under the stream's size)."""
    keyfile, public, _, _ = keys
    size = int(os.environ.get("VAULT_STREAM_GIB", "3")) << 30
    encrypt = subprocess.Popen([BINARY, "vault", "encrypt", "--to", public], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    decrypt = subprocess.Popen([BINARY, "vault", "decrypt", "--key", keyfile], stdin=encrypt.stdout, stdout=subprocess.PIPE)
    encrypt.stdout.close()
    sent, received = hashlib.sha256(), hashlib.sha256()
    peaks = {}

    def peak(process, name):
        try:
            with open(f"/proc/{process.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peaks[name] = max(peaks.get(name, 0), int(line.split()[1]))
        except FileNotFoundError:
            pass

    import threading

    def feed():
        block = hashlib.sha256(b"seed").digest() * (1 << 15)  # 1 MiB, varied by a counter below
        for i in range(size >> 20):
            chunk = i.to_bytes(8, "big") + block[8:]
            sent.update(chunk)
            encrypt.stdin.write(chunk)
            if i % 256 == 0:
                peak(encrypt, "encrypt")
                peak(decrypt, "decrypt")
        encrypt.stdin.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    total = 0
    while True:
        chunk = decrypt.stdout.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        received.update(chunk)
        if total % (256 << 20) == 0:
            peak(decrypt, "decrypt")
    feeder.join()
    assert encrypt.wait() == 0 and decrypt.wait() == 0
    assert total == size
    assert received.hexdigest() == sent.hexdigest()
    assert peaks and all(kib < 200 * 1024 for kib in peaks.values()), peaks
