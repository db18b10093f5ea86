// Witnessing a partnership's log from the browser: the organization's witness key is an Ed25519 key made by WebCrypto and
// kept in IndexedDB as a non-extractable key. When the organization has a vault key, the new key's seed is also sealed to
// it (HPKE, the vault's suite) and stored on the server, so a colleague who unlocks the vault in another browser opens it
// there: the same unlock as the vault's own key, and the server never holds it in the clear. Visiting a partnership checks that its log's
// checkpoint is signed by the log key seen before, extends what this browser saw before and what the partner cosigned
// (RFC 9162 consistency proofs), then cosigns it (C2SP cosignature/v1) and uploads the cosignature, as
// `bonafide ledger sync` does from the command line.
"use strict";
(() => {
  const section = document.getElementById("browser-witness");
  if (!section || !window.crypto || !crypto.subtle) return;
  const pid = section.dataset.partnership;
  const org = section.dataset.organization;
  const status = section.querySelector("#browser-witness-status");
  const button = section.querySelector("#browser-witness-setup");
  const say = (text, error) => { status.textContent = text; status.className = error ? "error-text" : "small"; };

  const utf8 = (text) => new TextEncoder().encode(text);
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  // C2SP signed-note key ids: the first four bytes of SHA-256(name || "\n" || algorithm || public key).
  const keyID = async (name, algorithm, pub) => (await sha256(concat(utf8(name), Uint8Array.of(0x0a, algorithm), pub))).slice(0, 4);
  const ED25519 = 0x01, COSIGNATURE_V1 = 0x04;

  // vault.js comes first on the page (the documents card) and carries the one API caller.
  function call(method, path, options) {
    return window.BonafideVault.api(section.dataset.csrf)(method, "/api/v1" + path, options);
  }

  // The witness key of this organization in this browser, kept as a non-extractable CryptoKey.
  function store(mode, work) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open("bonafide-witness", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("keys");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const request = work(open.result.transaction("keys", mode).objectStore("keys"));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      };
    });
  }
  const loadKey = () => store("readonly", (s) => s.get(org));
  const saveKey = (record) => store("readwrite", (s) => s.put(record, org));

  // A signed note: its text up to the blank line, then "— name base64(keyID || signature)" lines.
  function parseNote(note) {
    const split = note.lastIndexOf("\n\n");
    if (split < 0) throw new Error("The checkpoint is not a signed note.");
    const text = note.slice(0, split + 1);
    const signatures = note.slice(split + 2).split("\n").filter((l) => l).map((line) => {
      const [name, value] = line.replace(/^\u2014 /, "").split(" ");
      const raw = unb64(value);
      return { name, keyID: raw.slice(0, 4), signature: raw.slice(4) };
    });
    const [origin, size, root] = text.split("\n");
    return { text, signatures, origin, size: Number(size), root: unb64(root) };
  }

  async function verifyLogSignature(checkpoint, logKey) {
    // name+keyid+base64: the base64 may itself hold "+", so only the first two separate fields.
    const first = logKey.indexOf("+"), second = logKey.indexOf("+", first + 1);
    const name = logKey.slice(0, first), id = logKey.slice(first + 1, second), value = logKey.slice(second + 1);
    const raw = unb64(value);
    const pub = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    for (const s of checkpoint.signatures) {
      if (s.name === name && hex(s.keyID) === id &&
          await crypto.subtle.verify({ name: "Ed25519" }, pub, s.signature, utf8(checkpoint.text))) return;
    }
    throw new Error("The checkpoint is not signed by the log key " + logKey + ".");
  }

  const node = async (left, right) => sha256(concat(Uint8Array.of(0x01), left, right));
  // RFC 9162, 2.1.4.2: does the tree of size `second` extend the one of size `first`?
  async function consistent(first, second, firstRoot, secondRoot, proof) {
    if (first === second) return proof.length === 0 && same(firstRoot, secondRoot);
    if (first === 0) return true;
    if (first > second || proof.length === 0) return false;
    const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : proof.slice();
    let fn = first - 1, sn = second - 1;
    while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        fr = await node(c, fr);
        sr = await node(c, sr);
        if (fn % 2 === 0) while (!(fn % 2 === 1 || fn === 0)) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        sr = await node(sr, c);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot);
  }

  async function checkExtends(older, newer, what) {
    if (older.size > newer.size) throw new Error("SPLIT VIEW: the log shrank from " + older.size + " entries " + what + " to " + newer.size + ".");
    const lo = Math.min(older.size, newer.size), hi = Math.max(older.size, newer.size);
    const proof = (await (await call("GET", `/partnerships/${pid}/log/proof/consistency?from=${lo}&to=${hi}`)).json()).proof.map(unb64);
    if (!(await consistent(older.size, newer.size, older.root, newer.root, proof))) {
      throw new Error("SPLIT VIEW: the checkpoint of " + newer.size + " entries does not extend the one of " + older.size + " " + what + ". Not cosigned.");
    }
  }

  // cosignature/v1: Ed25519 over "cosignature/v1\ntime <t>\n" + checkpoint; the line carries keyID || time || signature.
  async function cosignLine(record, checkpointText) {
    const time = Math.floor(Date.now() / 1000);
    const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey,
      utf8("cosignature/v1\ntime " + time + "\n" + checkpointText)));
    const stamp = new Uint8Array(8);
    new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
    const id = await keyID(record.name, COSIGNATURE_V1, record.publicKey);
    return "\u2014 " + record.name + " " + b64(concat(id, stamp, signature)) + "\n";
  }

  function showWitnessed(state) {
    const summary = document.getElementById("witness-summary");
    if (summary && state.witnessedSize !== undefined) {
      summary.innerHTML = '<span class="status s-verified">witnessed</span> every partner cosigned the first ' + state.witnessedSize + " entries.";
    }
  }

  async function witness(record) {
    const logKey = (await (await call("GET", "/ledger/key")).text()).trim();
    const pinned = localStorage.getItem("bonafide.witness.logKey");
    if (pinned && pinned !== logKey) throw new Error("The log key changed from " + pinned + " to " + logKey + ": not cosigned.");
    const note = await (await call("GET", `/partnerships/${pid}/log/checkpoint`)).text();
    const now = parseNote(note);
    await verifyLogSignature(now, logKey);
    if (!now.origin.endsWith("/partnerships/" + pid)) throw new Error("The checkpoint is for " + now.origin + ", not this partnership.");
    localStorage.setItem("bonafide.witness.logKey", logKey);
    const seenText = localStorage.getItem("bonafide.witness.seen." + pid);
    if (seenText) await checkExtends(parseNote(seenText), now, "seen before in this browser");
    const state = await (await call("GET", `/partnerships/${pid}/log/witnesses`)).json();
    for (const side of state.sides) {
      if (side.organizationId.toLowerCase() === org || !side.latestNote) continue;
      await checkExtends(parseNote(side.latestNote), now, "that " + side.organizationName + " cosigned");
    }
    const mine = state.sides.find((s) => s.organizationId.toLowerCase() === org);
    if (!(mine && mine.latest && mine.latest.size === now.size && mine.latestMatchesLog)) {
      // The log's note as served, with this organization's cosignature added.
      await call("POST", `/partnerships/${pid}/log/cosignatures`, { text: note + (await cosignLine(record, now.text)) });
    }
    localStorage.setItem("bonafide.witness.seen." + pid, note);
    const after = await (await call("GET", `/partnerships/${pid}/log/witnesses`)).json();
    showWitnessed(after);
    say("Checked and cosigned from this browser: the record's " + now.size + " entries extend everything seen before" +
      (after.witnessedSize !== undefined ? "; every partner has cosigned the first " + after.witnessedSize + "." : "; waiting for the partner to cosign."));
  }

  const WITNESS_INFO = utf8("bonafide witness key v1");
  const vaultLib = () => window.BonafideVault;

  // A non-extractable signing key from its 32-byte seed and public key.
  const importSeed = (seed, publicKey) => crypto.subtle.importKey("jwk",
    { kty: "OKP", crv: "Ed25519", d: vaultLib().base64urlEncode(seed), x: vaultLib().base64urlEncode(publicKey) },
    { name: "Ed25519" }, false, ["sign"]);

  // The organization's vault as this tab knows it: its keys' public halves, and the private halves this tab has unlocked
  // (vault-ui.js keeps them in sessionStorage under the person's own public key).
  async function vaultKeys() {
    const V = vaultLib();
    if (!V) return [];
    let vault;
    try { vault = await (await call("GET", "/vault")).json(); } catch { return []; }
    const me = vault.userKey && vault.userKey.publicKey;
    let ring = [];
    try { ring = me ? JSON.parse(sessionStorage.getItem("bonafide-vault:" + me) || "[]") : []; } catch { ring = []; }
    return (vault.organizationKeys || []).map((k) => {
      const opened = Array.isArray(ring) ? ring.find((r) => r && r.keyId === k.keyId) : undefined;
      return { keyId: k.keyId, active: k.active, publicRaw: V.parsePublicKey(k.publicKey), privateRaw: opened ? V.parsePrivateKey(opened.privateKey) : null };
    });
  }

  async function setUp() {
    const name = section.dataset.witnessName;
    const sealTo = (await vaultKeys()).find((k) => k.active);
    let publicKey, privateKey, sealed = {};
    if (sealTo) {
      // Extractable only for this moment: the seed is sealed to the vault, then kept here as a non-extractable key.
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
      publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
      const seed = vaultLib().base64urlDecode((await crypto.subtle.exportKey("jwk", pair.privateKey)).d);
      const { enc, ciphertext } = await vaultLib().hpkeSeal(sealTo.publicRaw, WITNESS_INFO, publicKey, seed);
      sealed = { sealedPrivateKey: vaultLib().base64urlEncode(concat(enc, ciphertext)), sealedTo: sealTo.keyId };
      privateKey = await importSeed(seed, publicKey);
      seed.fill(0);
    } else {
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
      privateKey = pair.privateKey;
    }
    const encoded = name + "+" + hex(await keyID(name, ED25519, publicKey)) + "+" + b64(concat(Uint8Array.of(ED25519), publicKey));
    await call("PUT", "/organization/witness-key", { json: { key: encoded, ...sealed } });
    const record = { name, publicKey, privateKey };
    await saveKey(record);
    return record;
  }

  // The registered key, or null when the organization has none.
  async function registeredKey() {
    try {
      return await (await call("GET", "/organization/witness-key")).json();
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }

  function registered(record, key) {
    return keyID(record.name, COSIGNATURE_V1, record.publicKey).then((id) =>
      key !== null && key.key === record.name + "+" + hex(id) + "+" + b64(concat(Uint8Array.of(COSIGNATURE_V1), record.publicKey)));
  }

  // The organization's key from its sealed copy, when this tab has unlocked the vault key it is sealed to.
  async function openSealed(key) {
    const vaultKey = (await vaultKeys()).find((k) => k.keyId === key.sealedTo && k.privateRaw);
    if (!vaultKey) return null;
    const first = key.key.indexOf("+"), second = key.key.indexOf("+", first + 1);
    const publicKey = unb64(key.key.slice(second + 1)).slice(1);
    const bytes = vaultLib().base64urlDecode(key.sealedPrivateKey);
    let seed;
    try {
      seed = await vaultLib().hpkeOpen(vaultKey.privateRaw, bytes.subarray(0, 32), WITNESS_INFO, publicKey, bytes.subarray(32));
    } catch {
      throw new Error("Your organization's sealed witness key does not open with its vault key: an owner or admin can set up a new one.");
    }
    const record = { name: key.key.slice(0, first), publicKey, privateKey: await importSeed(seed, publicKey) };
    seed.fill(0);
    // The seed must belong to the registered public key, or every cosignature would be refused.
    const probe = utf8("bonafide witness key check");
    const verifier = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, verifier, await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey, probe), probe))) {
      throw new Error("Your organization's sealed witness key does not match its registered key: an owner or admin can set up a new one.");
    }
    return record;
  }

  async function start() {
    if (!crypto.subtle.generateKey || !window.indexedDB) return;
    const key = await registeredKey();
    let record;
    try { record = await loadKey(); } catch { record = undefined; }
    if (record && await registered(record, key)) {
      if (button) button.hidden = true;
      say("Checking the record…");
      await witness(record);
      return;
    }
    if (key && key.sealedPrivateKey) {
      const opened = await openSealed(key);
      if (opened) {
        await saveKey(opened);
        if (button) button.hidden = true;
        say("Opened your organization's witness key from its vault. Checking the record…");
        await witness(opened);
        return;
      }
      if (button) button.hidden = true;
      say("Your organization's witness key is kept in its vault: unlock the vault in Documents on this page, and this browser witnesses with it too.");
      document.addEventListener("bonafide:vault-unlocked", () => start().catch((error) => say(error.message, true)), { once: true });
      return;
    }
    if (!button) {
      say(record ? "Your organization's witness key was replaced elsewhere; an owner or admin can set this browser up again." : "");
      return;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        say("Making a witness key in this browser…");
        const fresh = await setUp();
        button.hidden = true;
        await witness(fresh);
      } catch (error) {
        say(error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  }

  start().catch((error) => say(error.message, true));
})();
