"""SIGKILL in the middle of a burst of appends loses no acknowledged entry.

Starts its own server on a fresh SQLite folder (or, for the postgres case, on the PostgreSQL database
named by BONAFIDE_CRASH_PG_URL: scripts/e2e runs it under scripts/with-postgres), posts messages from 16 threads, kills the server
with SIGKILL mid-burst, starts it again on the same folder, then checks, independently of the
server's own code: every message the server acknowledged (201) is an entry of the partnership's
log; the log's entries rebuild (RFC 6962, in Python) to the root of the signed checkpoint; and that
checkpoint's Ed25519 signature verifies with the published key (C2SP signed note).
"""
import base64
import concurrent.futures
import hashlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
PORT = int(os.environ.get("CRASH_PORT", "8095"))
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, body=None, token=None, timeout=10):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        kind = response.headers.get("Content-Type", "")
        return response.status, (json.loads(raw) if "json" in kind else raw.decode())


def start(data, database_url=None):
    env = dict(os.environ, BONAFIDE_BCRYPT_COST="6", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen([BINARY, "serve", "--demo", "--data", data, "--port", str(PORT)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            if call("GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError("server did not start")


def leaf(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def mth(hashes):
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def verify_note(note, vkey):
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)
    key = base64.b64decode(key_b64)
    assert key[0] == 1, "Ed25519 key expected"
    text, signatures = note.rsplit("\n\n", 1)
    text += "\n"
    for line in signatures.strip().split("\n"):
        dash_name, sig_b64 = line.rsplit(" ", 1)
        raw = base64.b64decode(sig_b64)
        if dash_name == "\u2014 " + name and raw[:4].hex() == key_id_hex:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(raw[4:], text.encode())  # raises if forged
            return text
    raise AssertionError("no signature by the log key")


@pytest.mark.parametrize("storage", ["sqlite", "postgres"])
def test_sigkill_mid_burst_loses_nothing_acknowledged(storage):
    database_url = None
    if storage == "postgres":
        database_url = os.environ.get("BONAFIDE_CRASH_PG_URL")
        assert database_url, "run the postgres case under scripts/with-postgres with BONAFIDE_CRASH_PG_URL set (scripts/e2e does)"
    data = tempfile.mkdtemp(prefix="bonafide-crash.")
    server = start(data, database_url)
    try:
        _, login = call("POST", "/api/v1/auth/login", {"email": "alice@northwind.example", "password": "bonafide-demo"})
        token = login["token"]
        _, partnerships = call("GET", "/api/v1/partnerships", token=token)
        pid = next(p["id"] for p in partnerships if p["name"] == "Acme storefront redesign")

        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def writer(worker):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    status, message = call("POST", f"/api/v1/partnerships/{pid}/messages",
                                           {"body": f"burst {worker}-{n}", "subject": f"Burst {worker}"}, token=token, timeout=5)
                    if status == 201:
                        with lock:
                            acknowledged.append(message["id"].lower())
                except OSError:
                    return  # the server is gone: this request was never acknowledged

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            for worker in range(16):
                pool.submit(writer, worker)
            time.sleep(2.5)
            server.send_signal(signal.SIGKILL)
            server.wait()
            stop.set()
        assert len(acknowledged) > 20, f"only {len(acknowledged)} appends were acknowledged before the kill"

        server = start(data, database_url)
        _, vkey = call("GET", "/api/v1/ledger/key")
        _, note = call("GET", f"/api/v1/partnerships/{pid}/log/checkpoint", token=token)
        text = verify_note(note, vkey)
        origin, size, root = text.strip().split("\n")[:3]
        size = int(size)
        entries = []
        while len(entries) < size:
            _, page = call("GET", f"/api/v1/partnerships/{pid}/log/entries?start={len(entries)}&limit=1000", token=token)
            assert page, "the log ended before its checkpoint size"
            entries.extend(page)
        assert [e["index"] for e in entries] == list(range(size))
        assert base64.b64decode(root) == mth([leaf(e["entry"].encode()) for e in entries]), "checkpoint root does not match the entries"
        logged = {json.loads(e["entry"])["payload"].get("message") for e in entries}
        missing = [m for m in acknowledged if m not in logged]
        assert not missing, f"{len(missing)} acknowledged messages are not in the log"
        print(f"{storage}: {len(acknowledged)} acknowledged appends before SIGKILL; all in a log of {size} entries whose signed checkpoint verifies")
    finally:
        server.kill()
        server.wait()
