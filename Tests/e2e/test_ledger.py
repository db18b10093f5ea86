"""Partners witness a partnership's log with the real CLI, export and check receipts offline, and
catch a host that rewrites history (done here by editing the server's SQLite database directly)."""
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import zlib

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
BASE = os.environ.get("BONAFIDE_E2E_URL", "http://127.0.0.1:8091")
DATA = os.environ.get("BONAFIDE_E2E_DATA")
PARTNERSHIP = "Acme storefront redesign"


def cli(*args, home, cwd=None):
    env = dict(os.environ, HOME=home)
    env.pop("BONAFIDE_TOKEN", None)
    return subprocess.run([os.path.abspath(BINARY), *args], env=env, capture_output=True, text=True, timeout=120, cwd=cwd)


def signed_in(email):
    home = tempfile.mkdtemp(prefix="bonafide-witness.")
    r = cli("login", "--server", BASE, "--email", email, "--password", "bonafide-demo", home=home)
    assert r.returncode == 0, r.stderr
    return home


def rewrite_history(name):
    """What a dishonest host could do: change one past entry and recompute the whole tree."""
    db = sqlite3.connect(os.path.join(DATA, "bonafide.sqlite"), timeout=30)
    (pid,) = db.execute("SELECT id FROM partnerships WHERE name = ?", (name,)).fetchone()
    # Sealed entries are zlib-compressed bundles of 256 (each entry's UTF-8 after its big-endian uint32 length);
    # the last, partial bundle's entries are rows.
    stored = {}
    bundled = db.execute("SELECT idx, entries FROM ledger_bundles WHERE partnership_id = ?", (pid,)).fetchall()
    for b, blob in bundled:
        raw, at = zlib.decompress(blob), 0
        for k in range(256):
            n = int.from_bytes(raw[at:at + 4], "big")
            stored[b * 256 + k] = raw[at + 4:at + 4 + n].decode()
            at += 4 + n
    for i, e in db.execute("SELECT idx, entry FROM ledger_leaves WHERE partnership_id = ?", (pid,)):
        stored[i] = e
    entries = [stored[i] for i in range(len(stored))]
    first = json.loads(entries[1])
    first["payload"]["summary"] = "Nothing was ever agreed"
    entries[1] = json.dumps(first, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    levels = [[hashlib.sha256(b"\x00" + e.encode()).digest() for e in entries]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([hashlib.sha256(b"\x01" + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)])

    def mth(lo, hi):
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return levels[n.bit_length() - 1][lo // n]
        k = 1 << ((n - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()

    with db:
        if bundled:
            framed = b"".join(len(e.encode()).to_bytes(4, "big") + e.encode() for e in entries[:256])
            db.execute("UPDATE ledger_bundles SET entries = ? WHERE partnership_id = ? AND idx = 0", (zlib.compress(framed), pid))
        else:
            db.execute("UPDATE ledger_leaves SET entry = ? WHERE partnership_id = ? AND idx = 1", (entries[1], pid))
        # The tree is stored as C2SP tiles: 256 raw hashes of tree level 8*L per row.
        for tile_level in range(0, len(levels), 8):
            hashes = levels[tile_level]
            for n in range(0, len(hashes), 256):
                tile = hashes[n:n + 256]
                db.execute("UPDATE ledger_tiles SET width = ?, hashes = ? WHERE partnership_id = ? AND level = ? AND idx = ?",
                           (len(tile), b"".join(tile), pid, tile_level // 8, n // 256))
        db.execute("UPDATE ledger_heads SET root = ? WHERE id = ?", (mth(0, len(entries)).hex(), pid))
    db.close()


def test_partners_witness_export_verify_and_catch_a_rewrite():
    alice, carla = signed_in("alice@northwind.example"), signed_in("carla@acme.example")
    pid = next(p["id"] for p in json.loads(cli("partnerships", "--json", home=alice).stdout) if p["name"] == PARTNERSHIP)

    for home in (alice, carla):
        r = cli("ledger", "init", home=home)
        assert r.returncode == 0 and "Registered for your organization" in r.stdout, r.stderr
        key = os.path.join(home, ".config/bonafide/witness/key")
        assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    first = cli("ledger", "sync", pid, home=alice)
    assert first.returncode == 0, first.stderr
    assert "first seen; cosigned; not yet cosigned by every partner" in first.stdout, first.stdout
    second = cli("ledger", "sync", pid, home=carla)
    assert second.returncode == 0, second.stderr
    assert "agrees with Northwind Studio's cosigned size" in second.stdout and "all partners cosigned: size" in second.stdout

    # The log grows; Alice's next sync proves it extends what she saw.
    assert cli("message", pid, "Receipts next", home=carla).returncode == 0
    grown = cli("ledger", "sync", pid, home=alice)
    assert grown.returncode == 0 and "extends the" in grown.stdout, grown.stdout + grown.stderr

    # A receipt for a few entries, checked offline, pinned to the log key Alice trusted on first use.
    work = tempfile.mkdtemp(prefix="bonafide-receipt.")
    exported = cli("ledger", "export", pid, "--entry", "0", "--entry", "3", "--out", "r.json", home=alice, cwd=work)
    assert exported.returncode == 0 and "cosigned by northwind-studio-witness, acme-retail-witness" in exported.stdout, exported.stdout
    seen = os.path.join(alice, ".config/bonafide/witness/seen")
    log_key = open(os.path.join(seen, os.listdir(seen)[0], "log-key")).read().strip()
    receipt = os.path.join(work, "r.json")
    ok = cli("ledger", "verify", receipt, "--log-key", log_key, home=alice)
    assert ok.returncode == 0, ok.stderr
    assert "Receipt valid." in ok.stdout and "(trusted)" in ok.stdout and "partnership.created" in ok.stdout
    assert ok.stdout.count("Cosigned:") == 2

    original = open(receipt, "rb").read()
    rng = random.Random(7)
    for offset in rng.sample(range(len(original)), 40):
        altered = bytearray(original)
        altered[offset] ^= 1 << rng.randrange(8)
        path = os.path.join(work, "altered.json")
        open(path, "wb").write(bytes(altered))
        r = cli("ledger", "verify", path, home=alice)
        assert r.returncode == 1 and "Receipt NOT valid" in r.stderr, f"byte {offset}: {r.stdout}{r.stderr}"
    assert cli("ledger", "verify", receipt, "--log-key", "other+00000000+AAAA", home=alice).returncode == 1

    # The host rewrites entry 1. Both partners' next sync refuses to cosign and says why.
    rewrite_history(PARTNERSHIP)
    for home in (alice, carla):
        caught = cli("ledger", "sync", pid, home=home)
        assert caught.returncode == 2, caught.stdout + caught.stderr
        assert "SPLIT VIEW" in caught.stderr and "Not cosigned. Evidence:" in caught.stderr, caught.stderr
        evidence = open(caught.stderr.split("Evidence: ")[1].strip()).read()
        assert "The log's current checkpoint:" in evidence and "The conflicting checkpoint:" in evidence
    # A receipt exported before the rewrite still verifies: it is the partners' copy of the truth.
    assert cli("ledger", "verify", receipt, "--log-key", log_key, home=alice).returncode == 0
