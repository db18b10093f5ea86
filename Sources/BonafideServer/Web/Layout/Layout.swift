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
    /// The path of the page shown, to mark its menu entry as the current page.
    var current: String = ""
    /// A page for someone outside Bonafide (a customer answering a survey): no menu, no sign-in, no API link.
    var minimal = false
    /// Links for the page's head that the body cannot carry (a profile's feed, for feed readers to discover).
    var head: HTML = ""

    /// The menu of a signed-in person: (path, label).
    static let menu = [
        (SiteURL.dashboard(), "Dashboard"), (SiteURL.partnerships(), "Partnerships"), (SiteURL.incidentsOverview(), "Incidents"),
        (SiteURL.surveys(), "Surveys"), (SiteURL.mentions(), "Mentions"),
        (SiteURL.updates(), "Updates"), (SiteURL.caseStudies(), "Case studies"),
        (SiteURL.support(), "Support"),
        (SiteURL.events(), "Events"),
        (SiteURL.panels(), "Panels"),
        (SiteURL.challenges(), "Challenges"),
        (SiteURL.offers(), "Offers"),
        (SiteURL.circles(), "Circles"), (SiteURL.find(), "Find"), (SiteURL.ownOrganization(), "Organization"),
        (SiteURL.notifications(), "Notifications"), (SiteURL.Settings.page(), "Settings"),
    ]

    /// `aria-current="page"` on the entry for the page shown (or a page under it).
    func currentMark(_ path: String) -> HTML {
        current == path || current.hasPrefix(path + "/") ? " aria-current=\"page\"" : ""
    }

    func render(_ body: HTML) -> HTML {
        let nav: HTML
        if minimal {
            nav = ""
        } else if let actor {
            let links = HTML.join(
                Self.menu.map { path, label in
                    let badge: HTML =
                        path == SiteURL.notifications() && unread > 0
                        ? " <span class=\"badge\" aria-label=\"\(unread) unread\">\(unread)</span>" : ""
                    return "<a href=\"\(path)\"\(currentMark(path))>\(label)\(badge)</a>"
                })
            // A checkbox and its label open the menu on a phone without any script.
            nav = """
                <input type="checkbox" id="menu-toggle" class="menu-toggle" aria-controls="main-menu">\
                <label for="menu-toggle" class="menu-button">Menu\(unread > 0 ? HTML(raw: " <span class=\"badge\" aria-hidden=\"true\">\(unread)</span>") : "")</label>\
                <nav aria-label="Main" id="main-menu">\(links)\
                <form method="get" action="\(SiteURL.search())" role="search" class="header-search"><input type="search" name="q" aria-label="Search partnerships, commitments, conversations, organizations" placeholder="Search" maxlength="100"></form>\
                <form method="post" action="\(SiteURL.logout())" class="inline">\(csrfField(csrf))<button class="link" title="Signed in as \(actor.user.name)">Sign out</button></form></nav>
                """
        } else {
            nav =
                "<nav aria-label=\"Main\"><a href=\"\(SiteURL.login())\"\(currentMark(SiteURL.login()))>Sign in</a><a href=\"\(SiteURL.signup())\"\(currentMark(SiteURL.signup()))>Sign up</a></nav>"
        }
        let flashHTML: HTML =
            flash.map { f in
                "<p class=\"flash \(f.error ? "error" : "ok")\" role=\"\(f.error ? "alert" : "status")\">\(f.message)</p>"
            } ?? ""
        let footer: HTML =
            minimal
            ? "<footer>Sent with Bonafide</footer>"
            : "<footer>Bonafide · trust you can verify · <a href=\"\(SiteURL.openAPI())\">API</a></footer>"
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Bonafide</title>\(head)<style>\(HTML(raw: Layout.css))</style></head>
            <body><a class="skip" href="#main">Skip to content</a><header><a class="brand" href="\(SiteURL.home())">Bonafide</a>\(nav)</header>
            <main id="main" tabindex="-1">\(flashHTML)\(body)</main>
            \(footer)</body></html>
            """
    }

    static let css = """
        :root{--ink:#1d2433;--muted:#5b6578;--line:#d9dee8;--bg:#f6f7fb;--card:#fff;--accent:#2355d8;--ok:#1f7a4d;--warn:#8a5300;--bad:#b42318;\
        --step--1:.875rem;--step-0:1rem;--step-1:1.2rem;--step-2:1.44rem;--step-3:1.728rem;\
        --space-1:.25rem;--space-2:.5rem;--space-3:.75rem;--space-4:1rem;--space-5:1.5rem;--space-6:2rem}
        *{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1.25rem;background:#101a33;color:#fff}
        header a,header .link{color:#dfe6ff;text-decoration:none}header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
        .brand{font-weight:700;font-size:1.2rem;color:#fff!important}main{max-width:1100px;margin:1.5rem auto;padding:0 1rem}
        body>footer{max-width:1100px;margin:2rem auto;padding:1rem;color:var(--muted);font-size:.9rem}
        h1{font-size:var(--step-3);line-height:1.2;margin:var(--space-1) 0 var(--space-4)}h2{font-size:var(--step-1);line-height:1.3;margin:var(--space-5) 0 var(--space-2)}\
        h3{font-size:var(--step-0);margin:var(--space-4) 0 var(--space-2)}.card>h2:first-child{margin-top:0}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:var(--space-4) var(--space-5);margin-bottom:var(--space-4)}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:var(--space-4)}
        table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-size:var(--step--1);color:var(--muted);font-weight:600}
        label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{width:100%;padding:.55rem;border:1px solid #7b8598;border-radius:6px;font:inherit;background:#fff}
        textarea{min-height:6rem}input[type=checkbox],input[type=radio]{width:auto;margin:0}
        label:has(>input[type=radio]),label:has(>input[type=checkbox]){display:inline-flex;align-items:center;gap:.35rem;font-weight:400;margin:.3rem 1rem .3rem 0}
        fieldset{border:1px solid var(--line);border-radius:8px;margin:.8rem 0;padding:.5rem .9rem}legend{font-weight:600;padding:0 .3rem}
        .skip{position:absolute;left:-999px;top:.5rem;background:#fff;color:var(--accent);padding:.5rem 1rem;border-radius:6px;z-index:10}.skip:focus{left:.5rem}
        .header-search input{width:9rem;padding:.3rem .6rem;border-radius:6px;border:1px solid #5d6b8f;background:#1b2645;color:#fff}
        .header-search input::placeholder{color:#c5cde0}
        header nav a[aria-current=page]{color:#fff;font-weight:700;text-decoration:underline;text-underline-offset:.3rem}
        .menu-toggle{display:none}.menu-button{display:none;margin:0;font-weight:600;cursor:pointer;color:#fff;border:1px solid #5d6b8f;border-radius:6px;padding:.3rem .8rem}
        .menu-toggle:focus-visible+.menu-button{outline:2px solid #fff;outline-offset:2px}
        a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #7aa2ff;outline-offset:2px}
        button,.button{display:inline-block;margin-top:.7rem;padding:.55rem 1rem;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;cursor:pointer;text-decoration:none}
        button.secondary{background:#e7ebf3;color:var(--ink)}button.danger{background:var(--bad)}button.link{background:none;padding:0;margin:0;color:inherit;text-decoration:underline}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        nav.tabs{display:flex;gap:1rem;margin:.5rem 0 1rem}nav.tabs a[aria-current=page]{font-weight:700;text-decoration:underline;text-underline-offset:.3rem}
        nav.pager{display:flex;gap:var(--space-5);margin:var(--space-4) 0}a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:.15em}a:hover{text-decoration-thickness:2px}
        details.confirm summary{cursor:pointer;color:var(--bad);font-weight:600}.inline{display:inline}.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}.actions form{margin:0}
        .muted{color:var(--muted)}.small{font-size:var(--step--1)}.badge{background:#c62a2f;color:#fff;border-radius:999px;padding:0 .45rem;font-size:.8rem}
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
        ul.inbox{list-style:none;padding:0;margin:0}ul.inbox li{display:flex;flex-wrap:wrap;gap:.3rem 1rem;justify-content:space-between;align-items:center;padding:.5rem 0;border-bottom:1px solid var(--line)}
        ul.inbox li button{margin:0;padding:.3rem .8rem}ol.checklist{list-style:none;padding:0;margin:0}ol.checklist li{padding:.35rem 0}ol.checklist li.done{color:var(--muted)}
        nav.jump{position:sticky;top:0;z-index:5;display:flex;gap:.4rem 1rem;flex-wrap:wrap;background:var(--bg);padding:.5rem 0;margin-bottom:.5rem;border-bottom:1px solid var(--line);font-size:.95rem}nav.jump a[aria-current=true]{font-weight:700;text-decoration:underline;text-underline-offset:.3rem}
        ul.figures{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.5rem 1.75rem}ul.figures a{text-decoration:none;color:var(--ink)}ul.figures strong{font-size:var(--step-2);margin-right:var(--space-1)}
        form.filters{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:flex-end;margin:.5rem 0}form.filters select{width:auto}form.filters label{margin:.2rem 0}
        figure.chart{margin:.5rem 0 1rem}.chart-plot{display:flex;gap:.4rem}.chart-y{display:flex;flex-direction:column;justify-content:space-between;font-size:.8rem;color:var(--muted);text-align:right;height:120px;min-width:2.2rem}
        .chart-area{flex:1;min-width:0}.chart-area svg{display:block;border-left:1px solid var(--line);border-bottom:1px solid var(--line)}.chart-x{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
        .bar-labels{display:grid;text-align:center;font-size:.8rem;color:var(--muted)}.bar-labels span{overflow:hidden}.bar-labels b{display:block;color:var(--ink);font-weight:600}
        .chart-legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:.4rem 0 0}
        .empty-state{display:flex;gap:var(--space-4);align-items:flex-start;padding:var(--space-3) 0}.empty-state .icon{flex:none;color:var(--accent);opacity:.8}.empty-state p{margin:0 0 var(--space-2)}.empty-title{font-weight:600}
        ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{padding:.45rem 0;border-bottom:1px dashed var(--line)}
        .message{border-left:3px solid var(--line);padding:.3rem .8rem;margin:.6rem 0}.message.request{border-color:var(--warn)}
        .copy{font-family:ui-monospace,monospace;word-break:break-all;background:#fffbe6;padding:.5rem;border-radius:6px;border:1px solid #f0d98c}
        @media (max-width:640px){th.hide-sm,td.hide-sm{display:none}h1{font-size:var(--step-2)}
        .card{overflow-x:auto;padding:.9rem}
        header{justify-content:space-between}.menu-button{display:inline-block}.menu-toggle:not(:checked)~nav{display:none}
        .menu-toggle{display:block;position:absolute;opacity:0;width:1px;height:1px}
        header nav{flex-basis:100%;flex-direction:column;align-items:flex-start;gap:.6rem;padding:.5rem 0}}
        """
}

/// A status pill; `tone` picks the colour of another status when the word means something else here (an open
/// survey is good news, an open incident is not).
func statusBadge(_ status: String, tone: String? = nil) -> HTML { "<span class=\"status s-\(tone ?? status)\">\(status)</span>" }
