import Foundation

/// The page script for passkeys, served from this origin (the Content-Security-Policy allows no inline script).
enum PasskeyScript {
    /// A button the script turns into a passkey ceremony; `status` names where it reports problems.
    static func button(_ kind: String, label: String, csrf: String, status: String) -> HTML {
        """
        <button type="button" class="secondary" data-passkey="\(kind)" data-csrf="\(csrf)" data-status="\(status)">\(label)</button>
        <p class="error-text small" id="\(status)" role="alert"></p>
        <script src="\(SiteURL.asset("passkeys.js"))" defer></script>
        """
    }

    static let source = #"""
        "use strict";
        (() => {
          const enc = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
            .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
          const dec = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
          async function post(url, body) {
            const response = await fetch(url, {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "Accept": "application/json" },
              body: JSON.stringify(body),
            });
            const data = await response.json().catch(() => ({}));
            if (!response.ok) throw new Error(data.detail || "The server refused it (" + response.status + ").");
            return data;
          }
          const credentials = (list) => (list || []).map((c) => ({ type: "public-key", id: dec(c.id) }));
          async function register(button) {
            const o = await post("\#(SiteURL.Settings.passkeyOptions())", { _csrf: button.dataset.csrf });
            const credential = await navigator.credentials.create({ publicKey: {
              ...o, challenge: dec(o.challenge), user: { ...o.user, id: dec(o.user.id) },
              excludeCredentials: credentials(o.excludeCredentials) } });
            const name = (document.getElementById("passkey-name") || {}).value || "";
            return post("\#(SiteURL.Settings.passkeys())", { _csrf: button.dataset.csrf, name,
              clientDataJSON: enc(credential.response.clientDataJSON),
              attestationObject: enc(credential.response.attestationObject) });
          }
          async function signIn(button) {
            const o = await post("\#(SiteURL.passkeySignInOptions())", { _csrf: button.dataset.csrf });
            const credential = await navigator.credentials.get({ publicKey: {
              challenge: dec(o.challenge), rpId: o.rpId, allowCredentials: credentials(o.allowCredentials),
              userVerification: o.userVerification, timeout: o.timeout } });
            return post("\#(SiteURL.passkeySignIn())" + window.location.search, { _csrf: button.dataset.csrf, id: enc(credential.rawId),
              clientDataJSON: enc(credential.response.clientDataJSON),
              authenticatorData: enc(credential.response.authenticatorData),
              signature: enc(credential.response.signature) });
          }
          document.addEventListener("click", async (event) => {
            const button = event.target.closest("[data-passkey]");
            if (!button) return;
            event.preventDefault();
            const status = document.getElementById(button.dataset.status);
            if (status) status.textContent = "";
            try {
              if (!window.PublicKeyCredential) throw new Error("This browser cannot use passkeys.");
              button.disabled = true;
              const result = button.dataset.passkey === "register" ? await register(button) : await signIn(button);
              // The same page with another fragment would only scroll: load it again to show the result.
              const target = new URL(result.redirect, window.location.href);
              if (target.pathname === window.location.pathname && target.search === window.location.search) {
                window.location.hash = target.hash;
                window.location.reload();
              } else {
                window.location.assign(target.href);
              }
            } catch (error) {
              if (status) status.textContent = error.name === "NotAllowedError"
                ? "The passkey was not used (cancelled or timed out)." : error.message;
            } finally {
              button.disabled = false;
            }
          });
        })();
        """#
}
