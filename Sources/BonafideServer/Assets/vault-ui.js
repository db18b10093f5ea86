// The vault's page script, on three pages: the organization page (set up and unlock your key, give access, rotate
// the organization key; open what other organizations shared with yours), a partnership page (list, upload, download,
// revoke, link, share with a circle and re-key documents) and a share link's page (open a document without an
// account). The crypto is vault.js (window.BonafideVault); the server only ever gets ciphertext, wrapped keys and
// sealed grants. Names and server data are attacker-controlled, so all text goes into the page through textContent
// and attributes, never innerHTML, and no handler is inline (the CSP allows neither).
(function () {
  "use strict";

  const V = window.BonafideVault;

  // MARK: Small helpers

  // An element with properties ("text" is its textContent; "on<event>" a listener) and children (strings become text).
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  // A labelled input: every field has a visible label tied to it.
  function field(id, label, attributes = {}) {
    return [el("label", { for: id, text: label }), el("input", { id, name: id, ...attributes })];
  }

  function describeSize(bytes) {
    if (bytes < 1000) return bytes + " bytes";
    const units = ["kB", "MB", "GB", "TB"];
    let value = bytes / 1000, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
    return (value < 10 ? value.toFixed(1) : Math.round(value)) + " " + units[unit];
  }

  const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
  const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  const isPast = (iso) => iso && new Date(iso) <= new Date();

  // The circles a document can be shared with, loosest first (following says interest, not trust), as the server names them.
  const CIRCLES = [["connected", "Connected"], ["collaborator", "Collaborators"], ["trusted-referral", "Trusted referrals"]];
  const circleTitle = (circle) => (CIRCLES.find(([value]) => value === circle) || [circle, circle])[1];

  const REKEY_NOTE = "A new key for the remaining recipients, so what was revoked stays locked even if old copies of the stored file leak.";

  // A date input means "until the end of that day, here"; the API wants RFC 3339 without fractions of a second.
  function endOfDay(value) {
    if (!value) return null;
    const [y, m, d] = value.split("-").map(Number);
    const moment = new Date(y, m - 1, d, 23, 59, 59);
    if (isNaN(moment) || moment <= new Date()) throw new Error("The end date must be today or later.");
    return moment.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function maxDownloads(value) {
    if (!value) return null;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error("Most downloads must be a whole number from 1 to 10000.");
    return n;
  }

  // Where a page says how things went: role=status for progress and success, role=alert for errors.
  function statusLine(box) {
    const show = (text, error) => box.replaceChildren(
      el("p", { role: error ? "alert" : "status", className: error ? "error-text" : "", text }));
    return { info: (text) => show(text, false), error: (text) => show(text, true), clear: () => box.replaceChildren() };
  }

  function explain(error) {
    if (error instanceof TypeError && /fetch/i.test(error.message)) return "Bonafide could not be reached; check your connection and try again.";
    return (error && error.message) || String(error);
  }

  // One user action: its controls are disabled while it runs; progress, then the outcome or the error, is shown.
  // Controls that were disabled already (an organization without a vault key in a list of choices) stay so.
  async function run(status, controls, progress, work) {
    const list = [].concat(controls).flatMap((c) => (c.tagName === "FORM" ? [...c.querySelectorAll("button, input, select")] : [c]))
      .filter((c) => !c.disabled);
    list.forEach((c) => { c.disabled = true; });
    if (progress) status.info(progress);
    try {
      const message = await work();
      if (message) status.info(message);
    } catch (error) {
      status.error(explain(error));
    } finally {
      list.forEach((c) => { c.disabled = false; });
    }
  }

  // Saves decrypted bytes under their name: a download link to a blob URL, clicked once.
  function saveLink(blob, name, id) {
    const url = URL.createObjectURL(blob);
    const link = el("a", { id, href: url, download: name || "document" });
    // Freed after a while, not at once: the download may still be reading it.
    setTimeout(() => URL.revokeObjectURL(url), 10 * 60 * 1000);
    return link;
  }

  function save(blob, name) {
    const link = saveLink(blob, name);
    link.hidden = true;
    document.body.append(link);
    link.click();
    setTimeout(() => link.remove(), 1000);
  }

  // MARK: The unlocked organization keys of this tab

  // sessionStorage, so the keys end with the tab; named by the person's public key, so someone else signing in
  // in the same tab never picks up the previous person's keys. Entries: {id, keyId, privateKey: "bfv1sk_…"}.
  const RING = "bonafide-vault:";
  const ring = {
    read(publicKey) {
      try {
        const list = JSON.parse(sessionStorage.getItem(RING + publicKey) || "[]");
        return Array.isArray(list) ? list.filter((k) => k && typeof k.privateKey === "string") : [];
      } catch { return []; }
    },
    write(publicKey, list) { sessionStorage.setItem(RING + publicKey, JSON.stringify(list)); },
    // Anyone else's keys left in this tab (they signed out here): gone.
    forgetAllBut(publicKey) {
      for (const name of Object.keys(sessionStorage)) if (name.startsWith(RING) && name !== RING + publicKey) sessionStorage.removeItem(name);
    },
  };

  // MARK: A. Set up, unlock and lock the vault (organization and partnership pages)

  function Gate({ call, status, mount, onChange }) {
    let vault = null, keys = [];
    const myPublicKey = () => vault?.userKey?.publicKey || null;
    const activeKey = () => (vault?.organizationKeys || []).find((k) => k.active) || null;

    async function load() {
      vault = await (await call("GET", "/api/v1/vault")).json();
      ring.forgetAllBut(myPublicKey());
      keys = myPublicKey() ? ring.read(myPublicKey()) : [];
      render();
      onChange();
    }

    // Opens every organization key version sealed to me and keeps them in this tab (older ones open older documents).
    async function openGrants(myPrivateRaw) {
      const opened = [];
      for (const k of vault.organizationKeys || []) {
        if (!k.grant) continue;
        const raw = await V.openOrganizationKey(k.grant, V.parsePublicKey(k.publicKey), myPrivateRaw);
        opened.push({ id: k.id, keyId: k.keyId, privateKey: V.encodePrivateKey(raw) });
      }
      ring.write(myPublicKey(), opened);
    }

    // A new organization key (the first, or a rotation), sealed to every member who has a key of their own.
    async function makeOrganizationKey() {
      const members = (vault.members || []).filter((m) => m.publicKey);
      if (!members.some((m) => m.publicKey === myPublicKey())) throw new Error("You are not in your organization's member list; reload the page.");
      const pair = await V.generateKeyPair();
      const grants = [];
      for (const m of members) {
        grants.push({ userId: m.userId, sealed: await V.sealOrganizationKey(pair.privateRaw, pair.publicRaw, V.parsePublicKey(m.publicKey)) });
      }
      const made = await (await call("POST", "/api/v1/vault/organization-keys", {
        json: { publicKey: V.encodePublicKey(pair.publicRaw), grants } })).json();
      ring.write(myPublicKey(), ring.read(myPublicKey()).concat([{ id: made.id, keyId: made.keyId, privateKey: V.encodePrivateKey(pair.privateRaw) }]));
      return { keyId: made.keyId, members: grants.length };
    }

    async function refreshed(message) {
      await load();
      // Other scripts of the page (witness.js) use the unlocked keys too.
      if (keys.length) document.dispatchEvent(new CustomEvent("bonafide:vault-unlocked"));
      return message;
    }

    function setupForm() {
      const form = el("form", { id: "vault-setup", novalidate: true },
        el("h3", { text: "Set a vault passphrase" }),
        el("p", { className: "muted small", text: "It locks your own vault key, in this browser. Bonafide never sees it and cannot recover it: keep it somewhere safe. At least 12 characters." }),
        field("vault-passphrase", "Passphrase", { type: "password", autocomplete: "new-password" }),
        field("vault-passphrase-repeat", "Repeat the passphrase", { type: "password", autocomplete: "new-password" }),
        el("button", { type: "submit", className: "secondary", text: "Set the passphrase" }));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const passphrase = form.elements["vault-passphrase"].value, again = form.elements["vault-passphrase-repeat"].value;
        run(status, form, "Making your key (this takes a moment)…", async () => {
          if ([...passphrase].length < 12) throw new Error("The passphrase needs at least 12 characters.");
          if (passphrase !== again) throw new Error("The two passphrases do not match.");
          const pair = await V.generateKeyPair();
          await call("PUT", "/api/v1/vault/user-key", { json: await V.wrapUserKey(pair.privateRaw, passphrase) });
          vault = await (await call("GET", "/api/v1/vault")).json();
          // The organization's first owner to arrive makes its key; everyone else waits for an owner's grant.
          if (vault.role === "owner" && !(vault.organizationKeys || []).length) {
            await makeOrganizationKey();
            return refreshed("Your passphrase is set and your organization's vault key is made. The vault is unlocked in this tab.");
          }
          await openGrants(pair.privateRaw);
          return refreshed("Your passphrase is set.");
        });
      });
      return form;
    }

    function unlockForm() {
      const form = el("form", { id: "vault-unlock", novalidate: true },
        el("h3", { text: "Unlock the vault" }),
        field("vault-passphrase", "Vault passphrase", { type: "password", autocomplete: "current-password" }),
        el("button", { type: "submit", text: "Unlock the vault" }));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const passphrase = form.elements["vault-passphrase"].value;
        run(status, form, "Unlocking (this takes a moment)…", async () => {
          const mine = await V.unwrapUserKey(vault.userKey, passphrase); // "Wrong passphrase." when it does not open
          vault = await (await call("GET", "/api/v1/vault")).json();
          await openGrants(mine);
          return refreshed("The vault is unlocked in this tab.");
        });
      });
      return form;
    }

    function lockButton() {
      return el("button", { type: "button", id: "vault-lock", className: "secondary", text: "Lock", onclick: () => {
        sessionStorage.removeItem(RING + myPublicKey());
        keys = [];
        render();
        onChange();
        status.info("Locked: the organization's keys were removed from this tab.");
      } });
    }

    function render() {
      const active = activeKey(), owner = vault.role === "owner";
      const note = (text) => el("p", { className: "muted", text });
      if (!vault.userKey) return mount.replaceChildren(setupForm());
      if (!active && owner) {
        const button = el("button", { type: "button", id: "vault-create-key", text: "Create the organization key" });
        button.addEventListener("click", () => run(status, button, "Making the organization key…", async () => {
          const made = await makeOrganizationKey();
          return refreshed("The organization key " + made.keyId + " is made. The vault is unlocked in this tab.");
        }));
        return mount.replaceChildren(note("Your organization has no vault key yet: documents are encrypted for it."), button);
      }
      if (!active) return mount.replaceChildren(note("Your organization has no vault key yet: an owner makes one under Organization → Vault."));
      if (!active.grant) {
        return mount.replaceChildren(el("p", { role: "status", id: "vault-no-access", text: "An owner of your organization must give you access (Organization → Vault)." }),
          keys.length ? lockButton() : "");
      }
      // Unlocked only when the active version is here: a newer grant (after a rotation) needs one more unlock.
      if (!keys.some((k) => k.keyId === active.keyId)) return mount.replaceChildren(unlockForm());
      mount.replaceChildren(el("div", { className: "actions" },
        el("p", { id: "vault-unlocked" }, el("span", { className: "status s-verified", text: "unlocked" }), " The vault is unlocked in this tab."),
        lockButton()));
    }

    return {
      load, makeOrganizationKey,
      vault: () => vault,
      activeKey,
      unlocked: () => keys.length > 0,
      keys: () => keys.map((k) => V.parsePrivateKey(k.privateKey)),
      activePrivate: () => {
        const k = keys.find((x) => x.keyId === activeKey()?.keyId);
        return k ? V.parsePrivateKey(k.privateKey) : null;
      },
    };
  }

  // MARK: B. The organization page: who has access, give access, rotate

  function organizationPage(section) {
    const status = statusLine(section.querySelector("#vault-status"));
    const app = section.querySelector("#vault-app");
    const gateMount = el("div", { id: "vault-gate" }), manage = el("div", { id: "vault-manage" });
    app.replaceChildren(gateMount, manage);
    const call = V.api(section.dataset.csrf);
    const card = document.getElementById("shared-with-us");
    let shared = null;
    const gate = Gate({ call, status, mount: gateMount, onChange: () => { render(); shared?.render().catch((error) => status.error(explain(error))); } });
    if (card) shared = sharedWithUs(card, call, gate);

    function render() {
      const vault = gate.vault(), active = gate.activeKey();
      const versions = (vault.organizationKeys || []).length;
      const summary = section.querySelector("#vault-key-summary");
      if (summary) {
        summary.replaceChildren(
          active ? el("span", {}, "Organization key ", el("code", { text: active.keyId }),
            versions > 1 ? " (" + plural(versions - 1, "older version") + " kept for older documents). " : ". ")
            : "Your organization has no vault key yet: an owner makes one here. ",
          vault.userKey ? "Your passphrase is set." : "You have not set a vault passphrase yet.");
      }
      const canGive = vault.role === "owner" && gate.activePrivate() !== null;
      for (const item of section.querySelectorAll("#vault-members li[data-user]")) {
        const member = (vault.members || []).find((m) => m.userId === item.dataset.user);
        if (!member) continue;
        item.querySelectorAll(".status, button").forEach((n) => n.remove());
        item.append(!member.publicKey ? el("span", { className: "status s-pending", text: "no passphrase yet" })
          : member.granted ? el("span", { className: "status s-verified", text: "has access" })
          : el("span", { className: "status s-pending", text: "needs access" }));
        if (canGive && member.publicKey && !member.granted) item.append(" ", giveButton(member));
      }
      manage.replaceChildren();
      if (canGive) {
        manage.append(el("button", { type: "button", id: "vault-rotate", className: "secondary", text: "Rotate the organization key", onclick: rotate }),
          el("p", { className: "muted small", text: "Rotate after someone leaves: new documents use the new key; older ones keep opening with the older versions." }));
      }
    }

    function giveButton(member) {
      const button = el("button", { type: "button", className: "small", text: "Give access", "aria-label": "Give " + member.name + " access" });
      button.addEventListener("click", () => run(status, button, "Sealing the organization key to " + member.name + "…", async () => {
        const active = gate.activeKey();
        const sealed = await V.sealOrganizationKey(gate.activePrivate(), V.parsePublicKey(active.publicKey), V.parsePublicKey(member.publicKey));
        await call("POST", "/api/v1/vault/grants", { json: { organizationKeyId: active.id, userId: member.userId, sealed } });
        await gate.load();
        return member.name + " can now open your organization's documents.";
      }));
      return button;
    }

    function rotate(event) {
      if (!confirm("Rotate the organization key? New documents are encrypted for the new key, which is sealed to every member who has set a passphrase. Older documents stay readable.")) return;
      run(status, event.currentTarget, "Making and sealing the new organization key…", async () => {
        const made = await gate.makeOrganizationKey();
        await gate.load();
        return "The organization key was rotated: version " + made.keyId + ", sealed to " + plural(made.members, "member") + ".";
      });
    }

    Promise.all([gate.load(), shared?.load()]).catch((error) => status.error(explain(error)));
  }

  // MARK: B2. The organization page: documents other organizations shared with yours through their circles

  // The server renders the rows (number, size, who, when); once the vault is unlocked this fills in the names from
  // the headers sealed to the organization's key and adds a download to each.
  function sharedWithUs(card, call, gate) {
    const box = el("div", { id: "shared-with-us-status", "aria-live": "polite" });
    const anchor = card.querySelector("#shared-with-us-table, #no-shared-documents");
    if (anchor) anchor.before(box); else card.append(box);
    const status = statusLine(box);
    let list = null, generation = 0;

    async function load() {
      list = await (await call("GET", "/api/v1/shared-documents")).json();
      await render();
    }

    function tbody() {
      let body = card.querySelector("#shared-with-us-table tbody");
      if (body || !list.length) return body;
      body = el("tbody");
      const table = el("table", { id: "shared-with-us-table" },
        el("thead", {}, el("tr", {}, ["Document", "Size", "From", "Actions"].map((h) => el("th", { text: h })))), body);
      const empty = card.querySelector("#no-shared-documents");
      if (empty) empty.replaceWith(table); else card.append(table);
      return body;
    }

    async function render() {
      if (!list || !gate.vault()) return;
      const mine = ++generation, keys = gate.keys();
      const opened = await Promise.all(list.map((s) =>
        keys.length ? V.openHeader(V.base64urlDecode(s.header), keys).then((o) => o.metadata, () => null) : null));
      if (mine !== generation) return;
      const body = tbody();
      if (!body) return;
      const rows = new Map([...body.rows].map((r) => [r.dataset.document, r]));
      // Rows the page was rendered with that are no longer shared (stopped, expired, used up, out of the circle).
      for (const [id, r] of rows) {
        if (list.some((s) => s.id === id)) continue;
        r.querySelector(".doc-actions")?.replaceChildren(el("span", { className: "status s-revoked", text: "no longer shared" }));
      }
      list.forEach((s, i) => {
        let r = rows.get(s.id);
        if (!r) {
          r = el("tr", { "data-document": s.id }, el("td", { className: "doc-name" }), el("td", { text: describeSize(s.size) }),
            el("td", { text: s.from + ", " + when(s.sharedAt) }), el("td", { className: "doc-actions" }));
          body.prepend(r);
        }
        const name = opened[i]?.name || "Document " + s.number;
        r.querySelector(".doc-name")?.replaceChildren(name, keys.length && !opened[i] ? el("span", { className: "small muted", text: " (your keys do not open it)" }) : "");
        const terms = [];
        if (s.downloadsLeft !== null && s.downloadsLeft !== undefined) terms.push(plural(s.downloadsLeft, "download") + " left");
        if (s.expiresAt) terms.push("until " + when(s.expiresAt));
        const actions = el("div", { className: "actions" });
        if (opened[i]) {
          actions.append(el("button", { type: "button", className: "download small", text: "Download", "aria-label": "Download: " + name,
            onclick: (e) => download(s, e.currentTarget) }));
        }
        r.querySelector(".doc-actions")?.replaceChildren(actions, terms.length ? el("div", { className: "small muted", text: terms.join(", ") }) : "");
      });
    }

    function download(s, button) {
      run(status, button, "Downloading…", async () => {
        try {
          const blob = await (await call("GET", "/api/v1/documents/" + s.id + "/content")).blob();
          status.info("Decrypting…");
          const file = await V.decrypt(blob, gate.keys());
          save(file.blob, file.name);
          return "Decrypted " + file.name + " (" + describeSize(file.blob.size) + ") and saved it.";
        } finally {
          load().catch(() => {}); // downloads left, or (after a 410) no longer shared
        }
      });
    }

    return { load, render };
  }

  // MARK: C. A partnership's documents

  function partnershipPage(section) {
    const pid = section.dataset.partnership, myOrganization = section.dataset.organization;
    const call = V.api(section.dataset.csrf);
    const status = statusLine(section.querySelector("#vault-status"));
    const app = section.querySelector("#documents-app");
    const gateMount = el("div", { id: "vault-gate" }), linkArea = el("div", { id: "share-link-area" });
    const list = el("div", { id: "documents-list" }), usage = el("p", { id: "documents-usage", className: "small muted" });
    app.replaceChildren(gateMount, linkArea, list, usage, section.dataset.active === "true" ? uploadForm() : "");
    let listing = null, generation = 0;
    const gate = Gate({ call, status, mount: gateMount, onChange: () => renderList() });

    async function refresh() {
      listing = await (await call("GET", "/api/v1/partnerships/" + pid + "/documents")).json();
      await renderList();
      refreshLog();
    }

    // The access log is server-rendered; after an action its fresh copy replaces the old one (parsed, never run).
    async function refreshLog() {
      try {
        const response = await fetch(location.pathname, { credentials: "same-origin" });
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("document-log");
        const old = document.getElementById("document-log");
        if (response.ok && fresh && old) old.replaceWith(document.importNode(fresh, true));
        nameLog();
      } catch { /* the next page load shows it anyway */ }
    }

    // The server writes "document 3" (it cannot read names); an unlocked browser adds the name it decrypted.
    let logNames = new Map();
    function nameLog() {
      const log = document.getElementById("document-log");
      if (!log) return;
      const walker = document.createTreeWalker(log, NodeFilter.SHOW_TEXT);
      const texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode);
      for (const node of texts) {
        node.textContent = node.textContent
          .replace(/ \(“[^”]*”\)/g, "")
          .replace(/\bdocument (\d+)\b/g, (whole, n) => (logNames.has(Number(n)) ? whole + " (“" + logNames.get(Number(n)) + "”)" : whole));
      }
    }

    function state(d) {
      if (d.revokedAt) return "revoked";
      if (isPast(d.expiresAt)) return "expired";
      if (d.maxDownloads && d.downloads >= d.maxDownloads) return "used up";
      return "shared";
    }

    async function renderList() {
      if (!listing || !gate.vault()) return;
      const mine = ++generation, keys = gate.keys();
      // Names are inside the encrypted header: only an unlocked browser can show them.
      const opened = await Promise.all(listing.documents.map((d) =>
        keys.length ? V.openHeader(V.base64urlDecode(d.header), keys).then((o) => o.metadata, () => null) : null));
      // Who the stored file is encrypted for (no key needed): whether a re-key is due.
      const layouts = await Promise.all(listing.documents.map((d) => V.readHeader(V.base64urlDecode(d.header)).catch(() => null)));
      if (mine !== generation) return; // a newer render started meanwhile
      logNames = new Map(listing.documents.flatMap((d, i) => (opened[i]?.name ? [[d.number, opened[i].name]] : [])));
      nameLog();
      // This list replaces the server's table (same data-document ids and doc-name cells).
      section.querySelector("#documents-table")?.remove();
      section.querySelector("#no-documents")?.remove();
      usage.textContent = "Your organization's documents take " + describeSize(listing.usedBytes) + " of " + describeSize(listing.quotaBytes) +
        "; one document can be at most " + describeSize(listing.maxBytes) + ".";
      if (!listing.documents.length) return list.replaceChildren(el("p", { className: "muted", id: "no-documents", text: "No documents yet." }));
      const rows = [];
      listing.documents.forEach((d, i) => {
        const name = opened[i]?.name || "Document " + d.number;
        const ours = d.organizationId === myOrganization;
        const terms = [plural(d.downloads, "download") + " by the partner" + (d.maxDownloads ? " of " + d.maxDownloads : "")];
        if (d.expiresAt) terms.push("until " + when(d.expiresAt));
        const canOpen = keys.length > 0 && !!opened[i];
        const rekeyable = d.canManage && canOpen && needsRekey(d, layouts[i]);
        rows.push(el("tr", { "data-document": d.id },
          el("td", { className: "doc-name", text: name }, keys.length && !opened[i] ? el("span", { className: "small muted", text: " (your keys do not open it)" }) : ""),
          el("td", { text: describeSize(d.size) }),
          el("td", { text: d.uploadedBy + (ours ? "" : " (partner)") + ", " + when(d.createdAt) }),
          el("td", {}, el("span", { className: "status s-" + state(d).replace(" ", "-"), text: state(d) }), el("div", { className: "small muted", text: terms.join(", ") })),
          el("td", { className: "doc-actions" }, el("div", { className: "actions" }, actions(d, name, canOpen, rekeyable)),
            rekeyable ? el("p", { className: "small muted rekey-note", text: REKEY_NOTE }) : "")));
        if (d.canManage && d.links.length) rows.push(linksRow(d));
        if (d.canManage && (d.shares || []).length) rows.push(sharesRow(d, name));
      });
      list.replaceChildren(el("table", { id: "vault-documents" },
        el("thead", {}, el("tr", {}, ["Document", "Size", "Uploaded", "Sharing", "Actions"].map((h) => el("th", { text: h })))),
        el("tbody", {}, rows)));
    }

    function actions(d, name, canOpen, rekeyable) {
      const out = [];
      const button = (text, className, handler) => el("button", { type: "button", className: className + " small", text, "aria-label": text + ": " + name, onclick: handler });
      if (canOpen) out.push(button("Download", "download", (e) => download(d, e.currentTarget)));
      if (d.canManage && !d.revokedAt) {
        if (canOpen) out.push(button("Make a share link", "secondary make-link", () => shareForm(d, name)));
        if (canOpen) out.push(button("Share with a circle", "secondary circle-share", () => circleShareForm(d, name)));
        out.push(button("Stop sharing", "danger stop-sharing", (e) => {
          if (!confirm("Stop sharing " + name + "? The partner can no longer download it, and every share link to it stops working.")) return;
          run(status, e.currentTarget, "Stopping…", async () => {
            await call("POST", "/api/v1/documents/" + d.id + "/revoke");
            await refresh();
            return "Sharing of " + name + " was stopped.";
          });
        }));
      }
      if (rekeyable) {
        const rekeyButton = button("Re-key", "secondary rekey", (e) => rekey(d, name, e.currentTarget));
        rekeyButton.title = REKEY_NOTE;
        out.push(rekeyButton);
      }
      return out;
    }

    function linksRow(d) {
      const items = d.links.map((l) => {
        const closed = l.revokedAt ? "turned off" : isPast(l.expiresAt) ? "expired" : l.maxDownloads && l.downloads >= l.maxDownloads ? "used up" : null;
        const text = "Share link made " + when(l.createdAt) + ": " + plural(l.downloads, "download") + (l.maxDownloads ? " of " + l.maxDownloads : "") +
          (l.expiresAt ? ", until " + when(l.expiresAt) : "") + (l.password ? ", with a password" : ", no password") + " ";
        const off = el("button", { type: "button", className: "secondary small", text: "Turn off", "aria-label": "Turn off the share link made " + when(l.createdAt) });
        off.addEventListener("click", () => {
          if (!confirm("Turn off this share link? Nobody can use it afterwards.")) return;
          run(status, off, "Turning the link off…", async () => {
            await call("POST", "/api/v1/documents/" + d.id + "/links/" + l.id + "/revoke");
            await refresh();
            return "The share link is off.";
          });
        });
        return el("li", { "data-link": l.id, className: "small" }, text, closed ? el("span", { className: "status s-revoked", text: closed }) : off);
      });
      return el("tr", { className: "doc-links", "data-links-of": d.id }, el("td", { colspan: 5 }, el("ul", {}, items)));
    }

    // Open: neither stopped (with the whole document, or on its own), expired nor used up.
    const shareOpen = (d, s) => !d.revokedAt && !s.revokedAt && !isPast(s.expiresAt) && !(s.maxDownloads && s.downloads >= s.maxDownloads);
    const linkOpen = (d, l) => !d.revokedAt && !l.revokedAt && !isPast(l.expiresAt) && !(l.maxDownloads && l.downloads >= l.maxDownloads);

    function sharesRow(d, name) {
      const items = d.shares.map((s) => {
        const closed = d.revokedAt || s.revokedAt ? "stopped" : isPast(s.expiresAt) ? "expired" : s.maxDownloads && s.downloads >= s.maxDownloads ? "used up" : null;
        const text = "Shared with " + s.name + " (" + circleTitle(s.circle).toLowerCase() + " circle) " + when(s.createdAt) + ": " +
          plural(s.downloads, "download") + (s.maxDownloads ? " of " + s.maxDownloads : "") + (s.expiresAt ? ", until " + when(s.expiresAt) : "") + " ";
        const state = el("span", { className: "status " + (closed ? "s-revoked" : "s-shared"), text: closed || "shared" });
        if (closed) return el("li", { "data-share": s.id, className: "small" }, text, state);
        const stop = el("button", { type: "button", className: "secondary small", text: "Stop", "aria-label": "Stop sharing " + name + " with " + s.name });
        stop.addEventListener("click", () => {
          if (!confirm("Stop sharing " + name + " with " + s.name + "? It can no longer download it.")) return;
          run(status, stop, "Stopping…", async () => {
            await call("POST", "/api/v1/documents/" + d.id + "/shares/" + s.id + "/revoke");
            await refresh();
            return "Stopped sharing " + name + " with " + s.name + ".";
          });
        });
        return el("li", { "data-share": s.id, className: "small" }, text, state, " ", stop);
      });
      return el("tr", { className: "doc-shares", "data-shares-of": d.id }, el("td", { colspan: 5 }, el("ul", {}, items)));
    }

    // One form at a time above the list (where share links are made): a circle, then the organizations in it (or
    // closer) outside this partnership, each getting the header rewrapped here for its own vault key.
    function circleShareForm(d, name) {
      const select = el("select", { id: "circle-share-circle", name: "circle-share-circle" },
        el("option", { value: "", text: "Choose a circle" }),
        CIRCLES.map(([value, title]) => el("option", { value, text: title + (value === "trusted-referral" ? "" : " and closer circles") })));
      const candidates = el("div", { id: "circle-share-candidates" });
      const form = el("form", { id: "circle-share-form", className: "card", novalidate: true },
        el("h3", { text: "Share " + name + " with a circle" }),
        el("p", { className: "muted small", text: "Organizations your organization keeps in that circle (or a closer one) outside this partnership can download and open it until you stop it, it expires or is used up, or you take them out of the circle. Each gets the key sealed to its own vault key, here in your browser." }),
        el("label", { for: "circle-share-circle", text: "Circle" }), select,
        candidates,
        field("circle-share-expires", "Works until the end of (optional)", { type: "date" }),
        field("circle-share-max-downloads", "Most downloads by each organization (optional)", { type: "number", min: 1, max: 10000, step: 1 }),
        el("div", { className: "actions" }, el("button", { type: "submit", id: "circle-share-button", text: "Share" }),
          el("button", { type: "button", className: "secondary", text: "Cancel", onclick: () => linkArea.replaceChildren() })));
      let shown = [], asked = 0;
      select.addEventListener("change", async () => {
        const circle = select.value, mine = ++asked;
        shown = [];
        if (!circle) return candidates.replaceChildren();
        candidates.replaceChildren(el("p", { className: "muted small", text: "Looking up your " + circleTitle(circle).toLowerCase() + " circle…" }));
        try {
          const list = await (await call("GET", "/api/v1/documents/" + d.id + "/share-candidates?circle=" + encodeURIComponent(circle))).json();
          if (mine !== asked) return; // another circle was chosen meanwhile
          shown = list;
          if (!list.length) {
            return candidates.replaceChildren(el("p", { className: "muted small", id: "circle-share-none",
              text: "No organization outside this partnership is in your " + circleTitle(circle).toLowerCase() + " circle" + (circle === "trusted-referral" ? "" : " or a closer one") + ". Place organizations in your circles from their profiles." }));
          }
          const current = listing.documents.find((x) => x.id === d.id) || d;
          const already = new Set((current.shares || []).filter((s) => shareOpen(current, s)).map((s) => s.organizationId));
          candidates.replaceChildren(el("fieldset", {},
            el("legend", { text: "Share with" }),
            list.map((c) => el("div", { className: "candidate" }, el("label", {},
              el("input", { type: "checkbox", name: "circle-share-org", value: c.organizationId, disabled: !c.publicKey }),
              " " + c.name + " ",
              el("span", { className: "small muted", text: !c.publicKey ? "has not set up its vault yet"
                : "(" + circleTitle(c.circle).toLowerCase() + ")" + (already.has(c.organizationId) ? ", shared already: sharing again starts its terms anew" : "") }))))));
        } catch (error) {
          if (mine === asked) candidates.replaceChildren(el("p", { role: "alert", className: "error-text", text: explain(error) }));
        }
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const circle = select.value;
        const chosen = [...form.querySelectorAll("input[name=circle-share-org]:checked")]
          .map((input) => shown.find((c) => c.organizationId === input.value && c.publicKey)).filter(Boolean);
        run(status, form, "Sharing…", async () => {
          if (!circle) throw new Error("Choose a circle.");
          if (!chosen.length) throw new Error("Choose at least one organization to share with.");
          const body = { circle, shares: [] };
          const expiresAt = endOfDay(form.elements["circle-share-expires"].value), most = maxDownloads(form.elements["circle-share-max-downloads"].value);
          if (expiresAt) body.expiresAt = expiresAt;
          if (most) body.maxDownloads = most;
          const current = listing.documents.find((x) => x.id === d.id) || d;
          const header = V.base64urlDecode(current.header);
          const { contentKey } = await V.openHeader(header, gate.keys());
          for (const c of chosen) {
            body.shares.push({ organizationId: c.organizationId,
              header: V.base64urlEncode(await V.rewrapHeader(header, contentKey, [V.parsePublicKey(c.publicKey)])) });
          }
          await call("POST", "/api/v1/documents/" + d.id + "/shares", { json: body });
          linkArea.replaceChildren();
          await refresh();
          return "Shared " + name + " with " + chosen.map((c) => c.name).join(", ") + ".";
        });
      });
      linkArea.replaceChildren(form);
      select.focus();
    }

    // MARK: Re-keying

    // A re-key is due for a revocation after the last re-key (the re-key itself stops links and shares at its own
    // moment); once sharing stopped, while the partner's key is still in the stored file.
    function needsRekey(d, layout) {
      if (!layout) return false;
      if (d.revokedAt) return layout.recipients.length > 1;
      const since = Date.parse(d.rekeyedAt || d.createdAt);
      return [...(d.links || []), ...(d.shares || [])].some((x) => x.revokedAt && Date.parse(x.revokedAt) > since);
    }

    // Decrypts the stored file here and encrypts it anew (a new content key, file id and sealed name) for the
    // remaining recipients; the server stops links and circle shares, so the open circle shares are made again.
    function rekey(d, name, button) {
      if (!confirm("Re-key " + name + "? It is encrypted anew in this browser with a new key for " +
        (d.revokedAt ? "your organization only" : "both organizations") +
        ". Share links stop working and must be made again; organizations it is shared with through a circle get it again.")) return;
      run(status, button, "Re-keying " + name + "…", async () => {
        listing = await (await call("GET", "/api/v1/partnerships/" + pid + "/documents")).json();
        const current = listing.documents.find((x) => x.id === d.id);
        if (!current) throw new Error(name + " is no longer in this partnership's documents.");
        let recipients;
        if (current.revokedAt) {
          const own = gate.activeKey();
          if (!own) throw new Error("Your organization has no vault key yet: an owner sets it up under Organization → Vault.");
          recipients = [own.publicKey];
        } else {
          const missing = listing.recipients.filter((r) => !r.publicKey);
          if (missing.length) throw new Error(missing.map((r) => r.name + " has no vault key now, so it could not open the document.").join(" "));
          recipients = listing.recipients.map((r) => r.publicKey);
        }
        // The open circle shares, to make again with the organizations' current keys: same circle and end, and the
        // downloads each has left. Grouped by those terms, one request each.
        const groups = new Map(), notAgain = [], lookedUp = new Map();
        for (const s of (current.shares || []).filter((s) => shareOpen(current, s))) {
          if (!lookedUp.has(s.circle)) {
            lookedUp.set(s.circle, await (await call("GET", "/api/v1/documents/" + d.id + "/share-candidates?circle=" + encodeURIComponent(s.circle))).json());
          }
          const c = lookedUp.get(s.circle).find((x) => x.organizationId === s.organizationId);
          if (!c || !c.publicKey) {
            notAgain.push(s.name + (c ? " (it has no vault key now)" : " (it is no longer in your " + circleTitle(s.circle).toLowerCase() + " circle)"));
            continue;
          }
          const left = s.maxDownloads ? s.maxDownloads - s.downloads : null;
          const terms = [s.circle, s.expiresAt || "", left || ""].join(" ");
          if (!groups.has(terms)) groups.set(terms, { circle: s.circle, expiresAt: s.expiresAt || null, maxDownloads: left, to: [] });
          groups.get(terms).to.push(c);
        }
        const hadLinks = (current.links || []).some((l) => linkOpen(current, l));

        status.info("Re-keying: downloading " + name + "…");
        const stored = await (await call("GET", "/api/v1/documents/" + d.id + "/content")).blob();
        status.info("Re-keying: decrypting…");
        const file = await V.decrypt(stored, gate.keys());
        status.info("Re-keying: encrypting anew…");
        const sealed = await V.encrypt(file.blob, recipients.map((r) => V.parsePublicKey(r)), { name: file.name, type: file.type });
        status.info("Re-keying: uploading (" + describeSize(sealed.size) + ")…");
        const updated = await (await call("PUT", "/api/v1/documents/" + d.id + "/content", { body: sealed })).json();

        const again = [];
        if (groups.size) {
          status.info("Re-keyed; sharing again…");
          const header = V.base64urlDecode(updated.header);
          const { contentKey } = await V.openHeader(header, gate.keys());
          for (const g of groups.values()) {
            try {
              const body = { circle: g.circle, shares: [] };
              if (g.expiresAt && !isPast(g.expiresAt)) body.expiresAt = g.expiresAt;
              if (g.maxDownloads) body.maxDownloads = g.maxDownloads;
              for (const c of g.to) {
                body.shares.push({ organizationId: c.organizationId,
                  header: V.base64urlEncode(await V.rewrapHeader(header, contentKey, [V.parsePublicKey(c.publicKey)])) });
              }
              await call("POST", "/api/v1/documents/" + d.id + "/shares", { json: body });
              again.push(...g.to.map((c) => c.name));
            } catch (error) {
              notAgain.push(g.to.map((c) => c.name).join(", ") + " (" + explain(error) + ")");
            }
          }
        }
        await refresh();
        let message = "Re-keyed";
        if (again.length) message += "; shared again with " + again.join(", ");
        if (notAgain.length) message += "; not shared again with " + notAgain.join(", ") + ": share it with them again";
        if (hadLinks) message += "; links must be made again";
        message += ".";
        if (notAgain.length) throw new Error(message);
        return message;
      });
    }

    function download(d, button) {
      run(status, button, "Downloading…", async () => {
        try {
          const blob = await (await call("GET", "/api/v1/documents/" + d.id + "/content")).blob();
          status.info("Decrypting…");
          const file = await V.decrypt(blob, gate.keys());
          save(file.blob, file.name);
          return "Decrypted " + file.name + " (" + describeSize(file.blob.size) + ") and saved it.";
        } finally {
          refresh().catch(() => {}); // the download count, the sharing state (a 410 means it changed) and the log
        }
      });
    }

    // One share-link form at a time, above the list; the new link is shown there once (the key is in its # part).
    function shareForm(d, name) {
      const form = el("form", { id: "share-link-form", className: "card", novalidate: true },
        el("h3", { text: "Make a share link to " + name }),
        el("p", { className: "muted small", text: "Anyone with the link can download and open the document until the link expires, is used up or is turned off. Add a password to require one more secret, sent separately." }),
        field("link-password", "Password (optional)", { type: "password", autocomplete: "new-password" }),
        field("link-expires", "Works until the end of (optional)", { type: "date" }),
        field("link-max-downloads", "Most downloads (optional)", { type: "number", min: 1, max: 10000, step: 1 }),
        el("div", { className: "actions" }, el("button", { type: "submit", id: "link-create", text: "Make the link" }),
          el("button", { type: "button", className: "secondary", text: "Cancel", onclick: () => linkArea.replaceChildren() })));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const password = form.elements["link-password"].value;
        run(status, form, "Making the link…", async () => {
          const body = {};
          const expiresAt = endOfDay(form.elements["link-expires"].value), most = maxDownloads(form.elements["link-max-downloads"].value);
          if (expiresAt) body.expiresAt = expiresAt;
          if (most) body.maxDownloads = most;
          const header = V.base64urlDecode(d.header);
          const { contentKey } = await V.openHeader(header, gate.keys());
          const seed = V.newLinkSeed();
          const salt = password ? V.randomBytes(16) : null;
          const linkKey = await V.linkPrivateKey(seed, password, salt);
          // The link's own header: the same content key, for the link's key only; the server never sees seed or password.
          body.header = V.base64urlEncode(await V.rewrapHeader(header, contentKey, [await V.publicKeyOf(linkKey)]));
          if (salt) body.passwordSalt = V.base64urlEncode(salt);
          const link = await (await call("POST", "/api/v1/documents/" + d.id + "/links", { json: body })).json();
          showLink(location.origin + (link.path || "/shared/" + link.id) + "#" + V.base64urlEncode(seed), name, !!password);
          await refresh();
          return "The share link to " + name + " is ready.";
        });
      });
      linkArea.replaceChildren(form);
      form.elements["link-password"].focus();
    }

    function showLink(url, name, withPassword) {
      const input = el("input", { id: "share-link-url", type: "text", readonly: true, value: url });
      const copy = el("button", { type: "button", className: "secondary", text: "Copy", onclick: () => {
        input.select();
        (navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.reject()).then(
          () => status.info("Copied the link."), () => status.info("Selected the link: copy it with your keyboard."));
      } });
      linkArea.replaceChildren(el("div", { className: "card", id: "share-link-result" },
        el("label", { for: "share-link-url", text: "Share link to " + name }), input, copy,
        el("p", { className: "small muted", text: "The key is the part after #: browsers never send it, so Bonafide cannot open the document. It is shown only now. " +
          (withPassword ? "Send the password on another channel." : "Whoever has the whole link can open the document.") })));
    }

    function uploadForm() {
      const form = el("form", { id: "document-upload", novalidate: true },
        el("h3", { text: "Upload a document" }),
        field("document-file", "File", { type: "file" }),
        field("document-expires", "The partner can download it until the end of (optional)", { type: "date" }),
        field("document-max-downloads", "Most downloads by the partner (optional)", { type: "number", min: 1, max: 10000, step: 1 }),
        el("button", { type: "submit", id: "document-upload-button", className: "secondary", text: "Encrypt and upload" }));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const file = form.elements["document-file"].files[0];
        run(status, form, "Checking…", async () => {
          if (!file) throw new Error("Choose a file to upload.");
          const query = new URLSearchParams();
          const expiresAt = endOfDay(form.elements["document-expires"].value), most = maxDownloads(form.elements["document-max-downloads"].value);
          if (expiresAt) query.set("expiresAt", expiresAt);
          if (most) query.set("maxDownloads", String(most));
          // Fresh recipients: both organizations' active keys now, as the server checks them.
          listing = await (await call("GET", "/api/v1/partnerships/" + pid + "/documents")).json();
          const missing = listing.recipients.filter((r) => !r.publicKey);
          if (missing.length) {
            throw new Error(missing.map((r) => r.name + " has not set up its vault yet, so it could not open the document; one of its owners sets it up under Organization → Vault.").join(" "));
          }
          if (file.size > listing.maxBytes) throw new Error("Documents can be at most " + describeSize(listing.maxBytes) + "; " + file.name + " is " + describeSize(file.size) + ".");
          status.info("Encrypting " + file.name + "…");
          const sealed = await V.encrypt(file, listing.recipients.map((r) => V.parsePublicKey(r.publicKey)),
            { name: file.name, type: file.type || "application/octet-stream" });
          status.info("Uploading " + file.name + " (" + describeSize(sealed.size) + " encrypted)…");
          await call("POST", "/api/v1/partnerships/" + pid + "/documents" + (query.toString() ? "?" + query : ""), { body: sealed });
          form.reset();
          await refresh();
          return "Uploaded " + file.name + ".";
        });
      });
      return form;
    }

    Promise.all([gate.load(), refresh()]).catch((error) => status.error(explain(error)));
  }

  // MARK: D. A share link, opened without an account

  function sharedPage(section) {
    const app = section.querySelector("#shared-app");
    const box = el("div", { id: "shared-status", "aria-live": "polite" }), body = el("div", { id: "shared-body" });
    app.replaceChildren(body, box);
    const status = statusLine(box);
    const base = "/api/v1/links/" + encodeURIComponent(section.dataset.link);
    const call = V.api(null, "omit"); // nothing of a signed-in session is needed or sent

    const fragment = location.hash.slice(1);
    if (!fragment) return status.error("This link is incomplete: the part after # is missing. Ask whoever sent it for the whole link.");
    let seed = null;
    try { seed = V.base64urlDecode(fragment); } catch { /* reported below */ }
    if (!seed || seed.length !== 32) return status.error("This link is damaged: the part after # is not a whole key. Copy the whole link again.");

    call("GET", base).then((r) => r.json()).then((link) => {
      const facts = ["An encrypted document of " + describeSize(link.size) + "."];
      if (link.expiresAt) facts.push("The link works until " + when(link.expiresAt) + ".");
      if (link.downloadsLeft !== null && link.downloadsLeft !== undefined) facts.push(plural(link.downloadsLeft, "download") + " left.");
      const form = el("form", { id: "shared-form", novalidate: true },
        link.password ? field("shared-password", "Password", { type: "password", autocomplete: "off" }) : "",
        link.password ? el("p", { className: "muted small", text: "Whoever sent the link gives you its password." }) : "",
        el("button", { type: "submit", id: "shared-open", text: "Decrypt and save" }));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const password = link.password ? form.elements["shared-password"].value : "";
        run(status, form, link.password ? "Checking the password…" : "Opening…", async () => {
          if (link.password && !password) throw new Error("Enter the password.");
          const header = V.base64urlDecode(link.header);
          const key = await V.linkPrivateKey(seed, password, link.password ? V.base64urlDecode(link.passwordSalt) : null);
          // Checked on the header before the download, which counts against the link's limit.
          const expected = (await V.readHeader(header)).recipients[0].keyIdHex;
          if (V.hex(await V.keyId(await V.publicKeyOf(key))) !== expected) {
            throw new Error(link.password ? "Wrong password." : "This link's key does not fit the document: copy the whole link again.");
          }
          await V.openHeader(header, [key]);
          status.info("Downloading and decrypting…");
          const file = await V.decrypt(await (await call("GET", base + "/content")).blob(), [key]);
          const saveButton = saveLink(file.blob, file.name, "shared-save");
          saveButton.className = "button";
          saveButton.textContent = "Save " + file.name;
          body.replaceChildren(el("p", {}, el("strong", { id: "shared-name", text: file.name }), " (" + describeSize(file.blob.size) + "), decrypted in this browser."), saveButton);
          saveButton.click();
          return "Decrypted. If the download did not start, use the Save button.";
        });
      });
      body.replaceChildren(el("p", { className: "muted", text: facts.join(" ") }), form);
    }).catch((error) => status.error(explain(error)));
  }

  // MARK: Start

  function start() {
    const documents = document.getElementById("documents");
    const vault = document.getElementById("vault");
    const shared = document.getElementById("shared-document");
    const status = document.getElementById("vault-status") || document.getElementById("shared-app");
    // WebCrypto (with X25519) exists only in secure contexts: HTTPS, or localhost.
    if (!V || !window.crypto?.subtle || !window.isSecureContext) {
      if (status) statusLine(status).error("Encrypting needs a secure connection (HTTPS) and an up-to-date browser.");
      return;
    }
    if (documents?.dataset.partnership) partnershipPage(documents);
    if (vault) organizationPage(vault);
    if (shared && document.getElementById("shared-app")) sharedPage(shared);
  }

  start();
})();
