import BonafideCore
import Foundation
import Vapor

/// The page frame: navigation, flash message, and the shared stylesheet.
struct Layout {
    var title: String
    var actor: Actor?
    var unread: Int = 0
    var flash: (message: String, error: Bool)?
    var csrf: String

    func render(_ body: HTML) -> HTML {
        let nav: HTML
        if let actor {
            nav = """
                <nav aria-label="Main"><a href="/dashboard">Dashboard</a><a href="/partnerships/new">New partnership</a>\
                <a href="/surveys">Surveys</a><a href="/mentions">Mentions</a><a href="/circles">Circles</a><a href="/find">Find</a><a href="/organization">Organization</a><a href="/notifications">Notifications\(unread > 0 ? HTML(raw: " <span class=\"badge\" aria-label=\"\(unread) unread\">\(unread)</span>") : "")</a>\
                <a href="/settings">Settings</a>\
                <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="\(csrf)"><button class="link">Sign out \(actor.user.name)</button></form></nav>
                """
        } else {
            nav = "<nav aria-label=\"Main\"><a href=\"/login\">Sign in</a><a href=\"/signup\">Sign up</a></nav>"
        }
        let flashHTML: HTML =
            flash.map { f in
                "<p class=\"flash \(f.error ? "error" : "ok")\" role=\"\(f.error ? "alert" : "status")\">\(f.message)</p>"
            } ?? ""
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Bonafide</title><style>\(HTML(raw: Layout.css))</style></head>
            <body><header><a class="brand" href="/">Bonafide</a>\(nav)</header>
            <main id="main">\(flashHTML)\(body)</main>
            <footer>Bonafide · trust you can verify · <a href="/openapi.yaml">API</a></footer></body></html>
            """
    }

    static let css = """
        :root{--ink:#1d2433;--muted:#5b6578;--line:#d9dee8;--bg:#f6f7fb;--card:#fff;--accent:#2355d8;--ok:#1f7a4d;--warn:#a86500;--bad:#b42318}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1.25rem;background:#101a33;color:#fff}
        header a,header .link{color:#dfe6ff;text-decoration:none}header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
        .brand{font-weight:700;font-size:1.2rem;color:#fff!important}main{max-width:1100px;margin:1.5rem auto;padding:0 1rem}
        footer{max-width:1100px;margin:2rem auto;padding:1rem;color:var(--muted);font-size:.9rem}
        h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem;margin-bottom:1rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
        table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-size:.85rem;color:var(--muted);font-weight:600}
        label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{width:100%;padding:.55rem;border:1px solid #b8c0d0;border-radius:6px;font:inherit;background:#fff}
        textarea{min-height:6rem}input[type=checkbox]{width:auto}
        button,.button{display:inline-block;margin-top:.7rem;padding:.55rem 1rem;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;cursor:pointer;text-decoration:none}
        button.secondary{background:#e7ebf3;color:var(--ink)}button.danger{background:var(--bad)}button.link{background:none;padding:0;margin:0;color:inherit;text-decoration:underline}
        .inline{display:inline}.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}.actions form{margin:0}
        .muted{color:var(--muted)}.small{font-size:.88rem}.badge{background:#e5484d;color:#fff;border-radius:999px;padding:0 .45rem;font-size:.8rem}
        .status{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.82rem;font-weight:600;background:#e7ebf3}
        .s-accepted,.s-active{background:#dbe8ff;color:#173f9e}.s-completed{background:#d6f5e3;color:var(--ok)}.s-delivered{background:#e3f1ff;color:#0b5cad}
        .s-missed,.s-declined{background:#fde2e1;color:var(--bad)}.s-proposed,.s-invited{background:#fff1d6;color:var(--warn)}.s-withdrawn,.s-ended{background:#eceef2;color:#555}
        .s-verified{background:#d6f5e3;color:var(--ok)}.s-pending{background:#fff1d6;color:var(--warn)}.s-conflict{background:#fde2e1;color:var(--bad)}
        .s-open,.s-critical,.s-mishandled{background:#fde2e1;color:var(--bad)}.s-acknowledged,.s-major{background:#fff1d6;color:var(--warn)}
        .s-resolved,.s-minor{background:#e3f1ff;color:#0b5cad}.s-closed,.s-handled-openly{background:#d6f5e3;color:var(--ok)}
        .s-claimed,.s-expired,.s-revoked{background:#eceef2;color:#555}
        .sentiment-positive{color:var(--ok);font-weight:600}.sentiment-negative{color:var(--bad);font-weight:600}.sentiment-neutral{font-weight:600}
        blockquote.testimonial{margin:.8rem 0;padding:.2rem 0 .2rem 1rem;border-left:4px solid var(--line)}
        .risk{color:var(--warn);font-weight:600}.flash{padding:.7rem 1rem;border-radius:8px}.flash.ok{background:#d6f5e3}.flash.error{background:#fde2e1;color:#7a1410}
        .error-text{color:var(--bad);font-weight:600}pre.agreement{white-space:pre-wrap;font:inherit;background:#fbfcfe;border:1px solid var(--line);padding:.8rem;border-radius:6px}
        ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{padding:.45rem 0;border-bottom:1px dashed var(--line)}
        .message{border-left:3px solid var(--line);padding:.3rem .8rem;margin:.6rem 0}.message.request{border-color:var(--warn)}
        .copy{font-family:ui-monospace,monospace;word-break:break-all;background:#fffbe6;padding:.5rem;border-radius:6px;border:1px solid #f0d98c}
        @media (max-width:640px){th.hide-sm,td.hide-sm{display:none}h1{font-size:1.35rem}}
        """
}

func statusBadge(_ status: String) -> HTML { "<span class=\"status s-\(status)\">\(status)</span>" }
