#!/usr/bin/env python3
"""Captures what the partnership pages, timelines and histories show, normalized (CSRF tokens, relative times), so two
builds can be compared on the same data: capture-pages.py BASE OUTDIR [email ...]"""
import json, os, re, sys, urllib.parse, urllib.request, http.cookiejar
base, out = sys.argv[1], sys.argv[2]
emails = sys.argv[3:] or ["alice@northwind.example", "carla@acme.example", "ben@northwind.example", "esha@kite.example"]
os.makedirs(out, exist_ok=True)
def norm(s):
    s = re.sub(r'name="_csrf" value="[^"]*"', 'name="_csrf" value="X"', s)
    s = re.sub(r'data-csrf="[^"]*"', 'data-csrf="X"', s)
    s = re.sub(r'\b(\d+ (min|h|d) ago|in \d+ (min|h|d)|now)\b', 'REL', s)
    return s
for email in emails:
    jar = http.cookiejar.CookieJar()
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a): return None
    web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = web.open(base + "/login").read().decode()
    form = re.search(r'<form[^>]*action="/login[^"]*"[^>]*>(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields.update(email=email, password="bonafide-demo")
    try: web.open(base + "/login", urllib.parse.urlencode(fields).encode())
    except urllib.error.HTTPError as e: assert e.code in (302, 303), e.code
    token = json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/auth/login", json.dumps({"email": email, "password": "bonafide-demo"}).encode(), {"content-type": "application/json"})))["token"]
    def api(path):
        try: return json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1" + path, headers={"Authorization": "Bearer " + token})))
        except urllib.error.HTTPError as e: return {"status": e.code}
    def get(path):
        try: return norm(web.open(base + path).read().decode())
        except urllib.error.HTTPError as e: return f"HTTP {e.code}"
    who = email.split("@")[0]
    def save(name, text): open(os.path.join(out, f"{who}-{name}"), "w").write(text)
    save("partnerships.html", get("/partnerships"))
    for p in api("/partnerships"):
        pid = p["id"]
        save(f"{pid}.html", get(f"/partnerships/{pid}"))
        save(f"{pid}-filtered.html", get(f"/partnerships/{pid}?state=open&owner=theirs&due=month"))
        save(f"{pid}-timeline.json", json.dumps(api(f"/partnerships/{pid}/timeline"), indent=1, sort_keys=True))
        save(f"{pid}-record.html", get(f"/partnerships/{pid}/record"))
        commitments = api(f"/partnerships/{pid}/commitments")
        for c in (commitments if isinstance(commitments, list) else [])[:4]:
            save(f"{pid}-c-{c['id']}.html", get(f"/partnerships/{pid}/commitments/{c['id']}"))
            save(f"{pid}-c-{c['id']}.json", json.dumps(api(f"/partnerships/{pid}/commitments/{c['id']}"), indent=1, sort_keys=True))
        incidents = api(f"/partnerships/{pid}/incidents")
        for i in (incidents if isinstance(incidents, list) else [])[:3]:
            save(f"{pid}-i-{i['id']}.html", get(f"/partnerships/{pid}/incidents/{i['id']}"))
            save(f"{pid}-i-{i['id']}.json", json.dumps(api(f"/partnerships/{pid}/incidents/{i['id']}"), indent=1, sort_keys=True))
        for side in ("organization", "partner"):
            org = (p.get(side) or {}).get("id")
            if org: save(f"org-{org}.html", get(f"/organizations/{org}"))
print("captured", len(os.listdir(out)), "files in", out)
