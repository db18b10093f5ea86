// Bonafide vault in the browser: the same file format and key rules as BonafideCore (VaultFormat, VaultKeys),
// built on WebCrypto only, so documents are encrypted and decrypted on this machine and the server never holds a
// key it could use. Every function that touches crypto returns a Promise; bytes are Uint8Array.
(function () {
  "use strict";

  const subtle = crypto.subtle;
  const utf8 = (text) => new TextEncoder().encode(text);

  const MAGIC = utf8("BFV1");
  const VERSION = 1;
  const CHUNK_LOG = 16;
  const CHUNK_SIZE = 1 << CHUNK_LOG;
  const TAG_SIZE = 16;
  const SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE;
  const RECIPIENT_SIZE = 8 + 32 + 48;
  const MAX_RECIPIENTS = 1000;
  const MAX_METADATA = 64 * 1024;
  const PBKDF2_ITERATIONS = 600000;
  const FILE_INFO = utf8("bonafide vault v1");
  const USER_KEY_AAD = utf8("bonafide vault user key v1");
  const ORGANIZATION_KEY_INFO = utf8("bonafide vault organization key v1");
  const LINK_INFO = utf8("bonafide vault link v1");
  // PKCS#8 wrapping of a raw X25519 private key: WebCrypto imports private keys only this way (or as JWK).
  const PKCS8_X25519 = fromHex("302e020100300506032b656e04220420");

  // The same sentences as the Swift CLI, so a person sees one wording wherever they open a file.
  const failure = {
    notAVaultFile: () => new Error("This is not a Bonafide vault file."),
    version: (v) => new Error("This vault file has format version " + v + "; this page reads version 1."),
    cutShort: () => new Error("The file is cut short: its last part is missing."),
    notARecipient: () => new Error("This file was not encrypted for your key."),
    damaged: (index) => new Error("The file was altered or damaged (at part " + (index + 1) + "); nothing was decrypted."),
    badKey: () => new Error("The key is not a Bonafide vault key."),
  };

  // MARK: Bytes and text

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  function randomBytes(n) {
    return crypto.getRandomValues(new Uint8Array(n));
  }

  function bytesOf(input) {
    if (input instanceof Uint8Array) return input;
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError("expected bytes");
  }

  function base64urlEncode(bytes) {
    let binary = "";
    // In slices: String.fromCharCode takes its bytes as arguments, and argument lists are limited.
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function base64urlDecode(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
      throw new Error("Not base64url text.");
    }
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function fromHex(text) {
    return Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
  }

  function u16(n) { return new Uint8Array([n >> 8, n & 0xff]); }
  function u32(n) { return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]); }
  function readU16(b, at) { return (b[at] << 8) | b[at + 1]; }
  function readU32(b, at) { return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]); }

  // MARK: Keys as text

  function encodePublicKey(raw) { return "bfv1pk_" + base64urlEncode(raw); }
  function encodePrivateKey(raw) { return "bfv1sk_" + base64urlEncode(raw); }

  function parseKey(text, prefix) {
    const t = String(text).trim();
    if (!t.startsWith(prefix)) throw failure.badKey();
    let raw;
    try { raw = base64urlDecode(t.slice(prefix.length)); } catch { throw failure.badKey(); }
    if (raw.length !== 32) throw failure.badKey();
    return raw;
  }
  function parsePublicKey(text) { return parseKey(text, "bfv1pk_"); }
  function parsePrivateKey(text) { return parseKey(text, "bfv1sk_"); }

  // The first 8 bytes of SHA-256 of the raw public key: how a header names its recipients.
  async function keyId(publicRaw) {
    return new Uint8Array(await subtle.digest("SHA-256", publicRaw)).slice(0, 8);
  }

  // MARK: X25519

  function importPrivate(raw) {
    return subtle.importKey("pkcs8", concat(PKCS8_X25519, raw), { name: "X25519" }, true, ["deriveBits"]);
  }

  function importPublic(raw) {
    return subtle.importKey("raw", raw, { name: "X25519" }, true, []);
  }

  // WebCrypto has no "public key of this private key"; its JWK export carries it as `x`.
  async function publicKeyOf(privateRaw) {
    const jwk = await subtle.exportKey("jwk", await importPrivate(bytesOf(privateRaw)));
    return base64urlDecode(jwk.x);
  }

  async function generateKeyPair() {
    const pair = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
    const jwk = await subtle.exportKey("jwk", pair.privateKey);
    return { privateRaw: base64urlDecode(jwk.d), publicRaw: base64urlDecode(jwk.x) };
  }

  // WebCrypto refuses an all-zero shared secret (a low-order public key), as RFC 9180 requires.
  async function dh(privateRaw, publicRaw) {
    const algorithm = { name: "X25519", public: await importPublic(publicRaw) };
    return new Uint8Array(await subtle.deriveBits(algorithm, await importPrivate(privateRaw), 256));
  }

  // MARK: HKDF-SHA256 from HMAC (RFC 5869)

  async function hmac(key, data) {
    // WebCrypto refuses an empty HMAC key; HMAC pads keys with zeros, so 32 zero bytes give the same MAC.
    const raw = key.length ? key : new Uint8Array(32);
    const k = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle.sign("HMAC", k, data));
  }

  const hkdfExtract = (salt, ikm) => hmac(salt, ikm);

  async function hkdfExpand(prk, info, length) {
    let block = new Uint8Array(0), out = new Uint8Array(0);
    for (let i = 1; out.length < length; i++) {
      block = await hmac(prk, concat(block, info, new Uint8Array([i])));
      out = concat(out, block);
    }
    return out.slice(0, length);
  }

  // MARK: HPKE (RFC 9180) base mode, single shot: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM

  const KEM_SUITE = concat(utf8("KEM"), u16(0x0020));
  const HPKE_SUITE = concat(utf8("HPKE"), u16(0x0020), u16(0x0001), u16(0x0002));
  const HPKE_V1 = utf8("HPKE-v1");

  const labeledExtract = (suite, salt, label, ikm) => hkdfExtract(salt, concat(HPKE_V1, suite, utf8(label), ikm));
  const labeledExpand = (suite, prk, label, info, length) =>
    hkdfExpand(prk, concat(u16(length), HPKE_V1, suite, utf8(label), info), length);

  async function kemSharedSecret(dhSecret, enc, publicRaw) {
    const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", dhSecret);
    return labeledExpand(KEM_SUITE, prk, "shared_secret", concat(enc, publicRaw), 32);
  }

  // Key and nonce for mode_base (no PSK); a single-shot seal uses sequence number 0, so the nonce is base_nonce.
  async function keySchedule(sharedSecret, info) {
    const empty = new Uint8Array(0);
    const context = concat(
      new Uint8Array([0]),
      await labeledExtract(HPKE_SUITE, empty, "psk_id_hash", empty),
      await labeledExtract(HPKE_SUITE, empty, "info_hash", info));
    const secret = await labeledExtract(HPKE_SUITE, sharedSecret, "secret", empty);
    const key = await labeledExpand(HPKE_SUITE, secret, "key", context, 32);
    const nonce = await labeledExpand(HPKE_SUITE, secret, "base_nonce", context, 12);
    return { key: await aesKey(key), nonce };
  }

  async function hpkeSeal(recipientPublicRaw, info, aad, plaintext) {
    const ephemeral = await generateKeyPair();
    const enc = ephemeral.publicRaw;
    const shared = await kemSharedSecret(await dh(ephemeral.privateRaw, recipientPublicRaw), enc, recipientPublicRaw);
    const { key, nonce } = await keySchedule(shared, info);
    return { enc, ciphertext: await aesSeal(key, nonce, aad, plaintext) };
  }

  async function hpkeOpen(recipientPrivateRaw, enc, info, aad, ciphertext) {
    const publicRaw = await publicKeyOf(recipientPrivateRaw);
    const shared = await kemSharedSecret(await dh(recipientPrivateRaw, enc), enc, publicRaw);
    const { key, nonce } = await keySchedule(shared, info);
    return aesOpen(key, nonce, aad, ciphertext);
  }

  // MARK: AES-256-GCM

  function aesKey(raw) {
    return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  }

  async function aesSeal(key, iv, aad, plaintext) {
    return new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext));
  }

  // Throws WebCrypto's OperationError when the tag does not authenticate; callers turn it into their own message.
  async function aesOpen(key, iv, aad, sealed) {
    return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, sealed));
  }

  // MARK: Vault file format v1

  // u64 index (big-endian) | 00 00 00 | flag: 0 for a chunk, 1 for the last chunk, 2 for the metadata.
  function chunkNonce(index, flag) {
    const n = new Uint8Array(12);
    const view = new DataView(n.buffer);
    view.setUint32(0, Math.floor(index / 0x100000000));
    view.setUint32(4, index >>> 0);
    n[11] = flag;
    return n;
  }

  const chunkAad = (fileId) => concat(MAGIC, fileId);

  async function openChunk(key, fileId, index, flag, sealed) {
    if (sealed.length < TAG_SIZE) throw failure.damaged(index);
    try { return await aesOpen(key, chunkNonce(index, flag), chunkAad(fileId), sealed); } catch { throw failure.damaged(index); }
  }

  // A Blob (or File) is read slice by slice; bytes are viewed in place.
  function reader(source) {
    if (source instanceof Blob) {
      return { size: source.size, read: async (from, to) => new Uint8Array(await source.slice(from, to).arrayBuffer()) };
    }
    const bytes = bytesOf(source);
    return { size: bytes.length, read: async (from, to) => bytes.subarray(from, to) };
  }

  // The header's layout, checked as far as the bytes go; "cut short" when they end before it does.
  function parseHeader(bytes) {
    for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== MAGIC[i]) throw failure.notAVaultFile();
    if (bytes.length === 0) throw failure.notAVaultFile();
    if (bytes.length > 4 && bytes[4] !== VERSION) throw failure.version(bytes[4]);
    if (bytes.length > 5 && bytes[5] !== CHUNK_LOG) throw failure.notAVaultFile();
    if (bytes.length < 24) throw failure.cutShort();
    const count = readU16(bytes, 22);
    if (count < 1 || count > MAX_RECIPIENTS) throw failure.notAVaultFile();
    const metadataAt = 24 + count * RECIPIENT_SIZE;
    if (bytes.length < metadataAt + 4) return { count, metadataAt, length: null };
    const m = readU32(bytes, metadataAt);
    if (m < TAG_SIZE || m > MAX_METADATA) throw failure.notAVaultFile();
    return { count, metadataAt, length: metadataAt + 4 + m };
  }

  async function readHeaderBytes(source) {
    const r = reader(source);
    let bytes = await r.read(0, Math.min(r.size, 24));
    let layout = parseHeader(bytes);
    if (layout.length === null) {
      bytes = await r.read(0, Math.min(r.size, layout.metadataAt + 4));
      layout = parseHeader(bytes);
      if (layout.length === null) throw failure.cutShort();
    }
    if (r.size < layout.length) throw failure.cutShort();
    return { header: await r.read(0, layout.length), layout };
  }

  async function readHeader(source) {
    const { header, layout } = await readHeaderBytes(source);
    const recipients = [];
    for (let i = 0; i < layout.count; i++) {
      const id = header.slice(24 + i * RECIPIENT_SIZE, 32 + i * RECIPIENT_SIZE);
      recipients.push({ keyId: id, keyIdHex: hex(id) });
    }
    return { fileId: header.slice(6, 22), recipients, headerLength: layout.length };
  }

  // The content key from the first recipient entry one of the keys opens, then the metadata it seals.
  async function openHeader(headerBytes, privateRawKeys) {
    const { header, layout } = await readHeaderBytes(headerBytes);
    const fileId = header.slice(6, 22);
    const keys = [];
    for (const raw of [].concat(privateRawKeys)) keys.push({ raw: bytesOf(raw), id: await keyId(await publicKeyOf(raw)) });
    let contentKey = null;
    for (let i = 0; i < layout.count && !contentKey; i++) {
      const at = 24 + i * RECIPIENT_SIZE;
      for (const k of keys) {
        if (!equal(header.subarray(at, at + 8), k.id)) continue;
        try {
          const enc = header.subarray(at + 8, at + 40), wrapped = header.subarray(at + 40, at + 88);
          const raw = await hpkeOpen(k.raw, enc, FILE_INFO, fileId, wrapped);
          if (raw.length === 32) { contentKey = raw; break; }
        } catch { /* another entry or key may still open */ }
      }
    }
    if (!contentKey) throw failure.notARecipient();
    const sealed = header.subarray(layout.metadataAt + 4, layout.length);
    const json = await openChunk(await aesKey(contentKey), fileId, 0, 2, sealed);
    let metadata;
    try { metadata = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json)); } catch { throw failure.damaged(0); }
    if (typeof metadata?.name !== "string" || typeof metadata?.type !== "string") throw failure.damaged(0);
    return { contentKey, metadata: { name: metadata.name, type: metadata.type }, fileId, headerLength: layout.length };
  }

  async function recipientEntries(contentKeyRaw, fileId, recipientsPublicRaw) {
    const list = [].concat(recipientsPublicRaw).map(bytesOf);
    if (list.length < 1 || list.length > MAX_RECIPIENTS) {
      throw new Error("A file is encrypted for 1 to " + MAX_RECIPIENTS + " keys.");
    }
    const parts = [u16(list.length)];
    for (const publicRaw of list) {
      const { enc, ciphertext } = await hpkeSeal(publicRaw, FILE_INFO, fileId, contentKeyRaw);
      parts.push(await keyId(publicRaw), enc, ciphertext);
    }
    return concat(...parts);
  }

  async function encrypt(source, recipientsPublicRaw, metadata = {}) {
    const fileId = randomBytes(16);
    const contentKeyRaw = randomBytes(32);
    const key = await aesKey(contentKeyRaw);
    const name = String(metadata.name ?? ""), type = String(metadata.type || "application/octet-stream");
    const json = utf8(JSON.stringify({ name, type }));
    const sealedMetadata = await aesSeal(key, chunkNonce(0, 2), chunkAad(fileId), json);
    const header = concat(MAGIC, new Uint8Array([VERSION, CHUNK_LOG]), fileId,
      await recipientEntries(contentKeyRaw, fileId, recipientsPublicRaw), u32(sealedMetadata.length), sealedMetadata);
    const r = reader(source);
    // An empty file is still one (empty) last chunk, so "nothing" differs from "cut before the first chunk".
    const count = Math.max(1, Math.ceil(r.size / CHUNK_SIZE));
    const parts = [header];
    for (let i = 0; i < count; i++) {
      const plain = await r.read(i * CHUNK_SIZE, Math.min(r.size, (i + 1) * CHUNK_SIZE));
      parts.push(await aesSeal(key, chunkNonce(i, i === count - 1 ? 1 : 0), chunkAad(fileId), plain));
    }
    return new Blob(parts, { type: "application/octet-stream" });
  }

  // Plaintext is released only once every chunk, the last one included, authenticates.
  async function decrypt(source, privateRawKeys) {
    const r = reader(source);
    const { header } = await readHeaderBytes(source);
    const { contentKey, metadata, fileId, headerLength } = await openHeader(header, privateRawKeys);
    const key = await aesKey(contentKey);
    const body = r.size - headerLength;
    if (body === 0) throw failure.cutShort();
    const count = Math.ceil(body / SEALED_CHUNK);
    const parts = [];
    for (let i = 0; i < count; i++) {
      const from = headerLength + i * SEALED_CHUNK;
      const sealed = await r.read(from, Math.min(r.size, from + SEALED_CHUNK));
      const last = i === count - 1;
      try {
        parts.push(await openChunk(key, fileId, i, last ? 1 : 0, sealed));
      } catch (error) {
        // A full chunk that opens as a middle chunk at the end: the file was cut at a chunk boundary.
        const opensAsMiddle = () => openChunk(key, fileId, i, 0, sealed).then(() => true, () => false);
        if (last && sealed.length === SEALED_CHUNK && (await opensAsMiddle())) throw failure.cutShort();
        throw error;
      }
    }
    return { name: metadata.name, type: metadata.type, blob: new Blob(parts, { type: metadata.type }) };
  }

  // A header for other recipients: same file id, content key and sealed metadata (copied, never re-sealed, which would
  // reuse its nonce); only the recipient list is new.
  async function rewrapHeader(headerBytes, contentKeyRaw, recipientsPublicRaw) {
    const { header, layout } = await readHeaderBytes(headerBytes);
    const fileId = header.slice(6, 22);
    const metadata = header.subarray(layout.metadataAt, layout.length);
    // The content key must open the metadata, or the new header would be one nobody can read.
    await openChunk(await aesKey(bytesOf(contentKeyRaw)), fileId, 0, 2, metadata.subarray(4));
    return concat(header.subarray(0, 22), await recipientEntries(bytesOf(contentKeyRaw), fileId, recipientsPublicRaw), metadata);
  }

  // MARK: A person's key under their passphrase (spec section 3)

  async function pbkdf2(password, salt, iterations) {
    const k = await subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]);
    return new Uint8Array(await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, k, 256));
  }

  async function wrapUserKey(privateRaw, passphrase) {
    const salt = randomBytes(16);
    const nonce = randomBytes(12);
    const kek = await aesKey(await pbkdf2(passphrase, salt, PBKDF2_ITERATIONS));
    const sealed = await aesSeal(kek, nonce, USER_KEY_AAD, bytesOf(privateRaw));
    return {
      publicKey: encodePublicKey(await publicKeyOf(privateRaw)),
      wrappedPrivateKey: base64urlEncode(concat(nonce, sealed)),
      salt: base64urlEncode(salt),
      iterations: PBKDF2_ITERATIONS,
    };
  }

  async function unwrapUserKey({ wrappedPrivateKey, salt, iterations }, passphrase) {
    // Fewer rounds would make a stolen copy cheaper to attack; the server never stores fewer.
    if (!Number.isInteger(iterations) || iterations < PBKDF2_ITERATIONS) {
      throw new Error("The stored key uses too few PBKDF2 rounds.");
    }
    const wrapped = base64urlDecode(wrappedPrivateKey);
    if (wrapped.length !== 12 + 32 + 16) throw new Error("The stored key is damaged.");
    const kek = await aesKey(await pbkdf2(passphrase, base64urlDecode(salt), iterations));
    try {
      return await aesOpen(kek, wrapped.subarray(0, 12), USER_KEY_AAD, wrapped.subarray(12));
    } catch {
      throw new Error("Wrong passphrase.");
    }
  }

  // MARK: The organization's key, sealed to a member (spec section 4)

  async function sealOrganizationKey(orgPrivateRaw, orgPublicRaw, memberPublicRaw) {
    const aad = await keyId(orgPublicRaw);
    const { enc, ciphertext } = await hpkeSeal(bytesOf(memberPublicRaw), ORGANIZATION_KEY_INFO, aad, bytesOf(orgPrivateRaw));
    return base64urlEncode(concat(enc, ciphertext));
  }

  async function openOrganizationKey(sealed, orgPublicRaw, memberPrivateRaw) {
    const bad = () => new Error("The organization key grant is damaged or not for this key.");
    const aad = await keyId(orgPublicRaw);
    let bytes, raw;
    try { bytes = base64urlDecode(sealed); } catch { throw bad(); }
    if (bytes.length !== 32 + 48) throw bad();
    try {
      raw = await hpkeOpen(bytesOf(memberPrivateRaw), bytes.subarray(0, 32), ORGANIZATION_KEY_INFO, aad, bytes.subarray(32));
    } catch { throw bad(); }
    // HPKE base mode does not say who sealed: accept only the private key that belongs to the organization's public key.
    if (!equal(await publicKeyOf(raw), bytesOf(orgPublicRaw))) throw bad();
    return raw;
  }

  // MARK: Share links (spec section 5)

  function newLinkSeed() { return randomBytes(32); }

  async function linkPrivateKey(seed, password, passwordSalt) {
    if (!password) return bytesOf(seed).slice();
    const stretched = await pbkdf2(password, bytesOf(passwordSalt), PBKDF2_ITERATIONS);
    const prk = await hkdfExtract(new Uint8Array(0), concat(bytesOf(seed), stretched));
    return hkdfExpand(prk, LINK_INFO, 32);
  }

  // The one way the page scripts call the API: the CSRF token as a header, JSON, text or bytes as the body, and a
  // refusal's problem detail as the error's message (with its status), so each script says what went wrong.
  function api(csrf, credentials = "same-origin") {
    return async function call(method, path, { json, text, body } = {}) {
      const headers = {};
      if (csrf) headers["X-CSRF-Token"] = csrf;
      if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
      else if (text !== undefined) { headers["Content-Type"] = "text/plain"; body = text; }
      else if (body !== undefined) headers["Content-Type"] = "application/octet-stream";
      const response = await fetch(path, { method, headers, body, credentials });
      if (response.ok) return response;
      let detail = "";
      try { const problem = await response.json(); detail = problem.detail || problem.title || ""; } catch { /* not JSON */ }
      const error = new Error(detail || "The server answered " + response.status + ".");
      error.status = response.status;
      throw error;
    };
  }

  window.BonafideVault = Object.freeze({
    CHUNK_SIZE, PBKDF2_ITERATIONS,
    base64urlEncode, base64urlDecode, hex, fromHex, randomBytes,
    encodePublicKey, encodePrivateKey, parsePublicKey, parsePrivateKey, keyId,
    publicKeyOf, generateKeyPair, hpkeSeal, hpkeOpen,
    encrypt, decrypt, readHeader, openHeader, rewrapHeader,
    wrapUserKey, unwrapUserKey, sealOrganizationKey, openOrganizationKey,
    newLinkSeed, linkPrivateKey, api,
  });
})();
