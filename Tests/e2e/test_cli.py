"""The `bonafide` command line against the running e2e server, as a person would use it."""
import base64
import json
import os
import subprocess
import tempfile

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
BASE = os.environ.get("BONAFIDE_E2E_URL", "http://127.0.0.1:8091")


def cli(*args, home):
    env = dict(os.environ, HOME=home)
    env.pop("BONAFIDE_TOKEN", None)
    return subprocess.run([BINARY, *args], env=env, capture_output=True, text=True, timeout=60)


def test_login_list_propose_and_clear_errors():
    home = tempfile.mkdtemp(prefix="bonafide-cli.")
    login = cli("login", "--server", BASE, "--email", "dan@acme.example", "--password", "bonafide-demo", home=home)
    assert login.returncode == 0, login.stderr
    credentials = os.path.join(home, ".config/bonafide/credentials.json")
    assert oct(os.stat(credentials).st_mode & 0o777) == "0o600"

    listed = cli("partnerships", home=home)
    assert listed.returncode == 0 and "Quarterly demand forecasting" in listed.stdout, listed.stdout
    partnerships = json.loads(cli("partnerships", "--json", home=home).stdout)
    pid = next(p["id"] for p in partnerships if p["name"] == "Quarterly demand forecasting")

    proposed = cli("commitments", pid, "--title", "CLI export", "--due", "2031-05-01T12:00:00Z", home=home)
    assert proposed.returncode == 0 and proposed.stdout.startswith("Proposed "), proposed.stderr
    commitments = cli("commitments", pid, home=home)
    assert "CLI export" in commitments.stdout and "proposed" in commitments.stdout

    posted = cli("message", pid, "Sent from the CLI", "--subject", "CLI", "--needs-response", home=home)
    assert posted.returncode == 0 and "Posted in thread" in posted.stdout

    bad_id = cli("commitments", "not-a-uuid", home=home)
    assert bad_id.returncode != 0 and "must be a UUID" in bad_id.stderr
    bad_date = cli("commitments", pid, "--title", "x", "--due", "tomorrow", home=home)
    assert bad_date.returncode != 0 and "RFC 3339" in bad_date.stderr
    past = cli("commitments", pid, "--title", "x", "--due", "2001-01-01T00:00:00Z", home=home)
    assert past.returncode != 0 and "422" in past.stderr and "future" in past.stderr
    bad_token = cli("partnerships", "--token", "bfd_invented", home=home)
    assert bad_token.returncode != 0 and "401" in bad_token.stderr and "Usage" not in bad_token.stderr


def test_passport_download_and_offline_check():
    """Northwind's passport from the demo: its figures, checked without a server; the demo's logs are not
    cosigned, so the check insists on --allow-unwitnessed; any altered byte fails."""
    home = tempfile.mkdtemp(prefix="bonafide-cli.")
    assert cli("login", "--server", BASE, "--email", "alice@northwind.example", "--password", "bonafide-demo", home=home).returncode == 0
    out = os.path.join(home, "passport.json")
    got = cli("passport", "get", "--out", out, home=home)
    assert got.returncode == 0 and "bonafide passport verify" in got.stdout, got.stderr
    strict = cli("passport", "verify", out, home=home)
    assert strict.returncode == 1 and "signed by the host alone" in strict.stderr, strict.stderr
    checked = cli("passport", "verify", out, "--allow-unwitnessed", home=home)
    assert checked.returncode == 0, checked.stderr
    assert "Passport valid." in checked.stdout and "commitments kept on time" in checked.stdout, checked.stdout
    data = bytearray(open(out, "rb").read())
    passport = json.loads(data)
    proven = passport["figures"]["commitments"]
    assert proven > 0 and f"of {proven} commitments kept on time" in checked.stdout
    assert passport["figures"]["testimonials"] >= 1 and "Testimonials: " in checked.stdout, checked.stdout
    # Each record entry, decoded from its proof's extra line, holds only what a passport may show.
    entries = [
        json.loads(base64.b64decode(line[len("extra "):]))
        for receipt in passport["receipts"]
        for proof in json.loads(receipt)["proofs"]
        for line in proof.splitlines()
        if line.startswith("extra ")
    ]
    assert len(entries) >= proven
    allowed = {"owner", "work", "item", "due", "delivered", "onTime", "verdict", "severity", "raised", "author", "text", "written",
               "kind", "title", "issuer", "event", "summary"}
    for entry in entries:
        assert entry["type"].startswith("record.") and set(entry["payload"]) <= allowed, entry
        if entry["type"].startswith("record.commitment") or entry["type"] == "record.incidentHandled":
            assert not {"title", "text", "author"} & set(entry["payload"]), entry
    for secret in ("Kite", "alice@", "Acme storefront redesign", "Stakeholder interviews", "Design system foundations", "Icon set"):
        assert secret not in data.decode() + json.dumps(entries), secret
    for position in range(0, len(data), max(1, len(data) // 200)):
        altered = bytearray(data)
        altered[position] ^= 0x01
        path = os.path.join(home, "altered.json")
        open(path, "wb").write(altered)
        refused = cli("passport", "verify", path, "--allow-unwitnessed", home=home)
        assert refused.returncode == 1 and "Passport NOT valid" in refused.stderr, (position, refused.stdout)
