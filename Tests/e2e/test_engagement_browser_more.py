"""More engagement in headless Chromium: challenges, guides and resources, and updates for named organizations, each
driven through the pages its people click, between the demo's organizations and a customer without an account.

    BONAFIDE_BINARY=.build/debug/bonafide python3 -m pytest -q Tests/e2e/test_engagement_browser_more.py   (about 1 min)

The server, the mail receiver, the browser and the people's sign-ins are those of test_engagement_browser.py (its
`site` fixture and helpers, imported from it); read its docstring for the demo's relations. In short, for Northwind
Studio (Alice Becker): Acme Retail (Carla Diaz, Dan Brooks) is a partner in its collaborator circle, Kite Analytics
(Esha Rao) an ended partner in its connected circle, Lumen Labs (Grace Lin) a stranger. The API is used only to set up
what a test is not about; what is checked is what people see on the pages and in their mails.

A challenge needs two browsers at once: someone has the entry form open while Alice closes the challenge, so the
second person gets a Chromium of their own (`second_browser`), screenshotted too on a failure.
"""
import contextlib
import datetime
import os
import re
import time
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_browser import ARTIFACTS, new_chromium
from test_channels import ALICE, CARLA, DAN, lab  # noqa: F401 (lab: the fixture `site` stands on)
from test_engagement_browser import (  # noqa: F401 (site: fixture)
    BERLIN, ESHA, GRACE, PARTNERS, SETTLE, Site, absent, button, click, fill, last_segment, mail_at_once, mail_text, org_id,
    set_value, shown_time, site)

CONNECTED = "Your connected circle or closer"  # the label of the audience "connected"
EVERYONE = "Everyone, without signing in"  # the label of the audience "public"
SCRIPT = "<script>document.title = 'pwned'; window.pwned = true;</script>"


@contextlib.contextmanager
def second_browser(site, request, name):
    """Another person's own browser on the same server, with its own cookies."""
    driver = new_chromium()
    try:
        yield Site(site.server, site.inbox, driver)
    except BaseException:
        driver.save_screenshot(os.path.join(ARTIFACTS, f"engagement-failure-{request.node.name}-{name}.png"))
        raise
    finally:
        driver.quit()


def rendered_safely(site, element, bold):
    """Markdown's bold as <strong>; the script shown as text and never run."""
    d = site.driver
    assert [s.text for s in element.find_elements(By.TAG_NAME, "strong")] == [bold], element.text
    assert SCRIPT in element.text, element.text
    assert absent(d, "script", within=element), "the script became an element"
    assert d.execute_script("return window.pwned === undefined") and d.title != "pwned", "the script ran"


# MARK: 1. Challenges


def entries(site):
    """The entries on a challenge page as shown, in order: (author, text, highlight note or "")."""
    shown = []
    for item in site.driver.find_elements(By.CSS_SELECTOR, "#entries li[data-entry]"):
        author = item.find_element(By.CSS_SELECTOR, "p.small.muted strong").text
        text = item.find_element(By.CSS_SELECTOR, ".markdown").text
        note = item.find_element(By.CSS_SELECTOR, "p.answer").text if "Highlighted by" in item.text else ""
        shown.append((author, text, note))
    return shown


def entry_item(site, text):
    return site.driver.find_element(By.XPATH, f"//section[@id='entries']//li[@data-entry][contains(., '{text}')]")


def test_a_challenge_started_in_the_form_takes_entries_from_a_customer_link_and_the_circle_until_alice_closes_it(site, request):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    title = f"Your best onboarding email {run}"
    prompt = f"Show us the **first email** a new customer gets from you ({run}).\n\n- What it says\n- Why it works"
    bea = f"bea+{run}@customer.example"

    # Alice starts a challenge for Northwind's connected circle, inviting a customer without an account. A close
    # before the opening is refused at its field, the rest kept as typed; corrected, it starts once.
    site.sign_in(ALICE)
    site.open("/challenges")
    click(d, d.find_element(By.ID, "new-challenge-link"))
    assert site.path() == "/challenges/new"
    fill(d, "challenge-title", title, By.ID)
    fill(d, "challenge-prompt", prompt, By.ID)
    opens = datetime.datetime.strptime(d.find_element(By.ID, "challenge-opens").get_attribute("value"), "%Y-%m-%dT%H:%M")
    assert Select(d.find_element(By.ID, "challenge-zone")).first_selected_option.text == "Europe/Berlin"
    set_value(d, "challenge-closes", (opens - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    Select(d.find_element(By.ID, "challenge-visibility")).select_by_visible_text(CONNECTED)
    fill(d, "challenge-csv", f"{bea},Bea Buyer", By.ID)
    click(d, button(d, "Start the challenge"))
    refused = site.text("#closesAt-error")
    assert refused == "A challenge closes after it opens, and stays open at least an hour.", refused
    assert d.find_element(By.ID, "challenge-closes").get_attribute("aria-invalid") == "true"
    assert d.find_element(By.ID, "challenge-title").get_attribute("value") == title
    assert d.find_element(By.ID, "challenge-prompt").get_attribute("value") == prompt
    assert d.find_element(By.ID, "challenge-csv").get_attribute("value") == f"{bea},Bea Buyer"
    assert Select(d.find_element(By.ID, "challenge-visibility")).first_selected_option.text == CONNECTED
    set_value(d, "challenge-closes", (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    click(d, button(d, "Start the challenge"))
    started = f"The challenge is set. Who sees it: {CONNECTED.lower()}. Invited 1 with a personal link."
    assert site.flash() == started, site.flash()
    challenge_path = site.path()
    assert re.fullmatch(r"/challenges/[0-9a-f-]{36}", challenge_path), challenge_path
    assert site.text("#challenge-phase") == "Open for entries", site.text("#challenge-phase")
    assert absent(d, "#entry-body"), "the organizer is offered the entry form"
    site.open("/challenges")
    assert len(d.find_elements(By.LINK_TEXT, title)) == 1, "the refused challenge was stored too"

    # Kite's Esha enters first (through the API: her entry is not what this test is about).
    esha_entry = f"Ours opens with the one number the customer cares about ({run})."
    server.api("POST", f"/challenges/{last_segment(challenge_path)}/entries", ESHA, {"body": esha_entry, "link": ""}, expect=201)

    # The customer's mail holds the personal link, once; she enters through it in her own browser, Markdown rendered
    # and the script she pasted shown as text. Before she sends, the others' entries are hidden from her.
    mail = site.inbox.wait(bea, f"Northwind Studio invites you to “{title}”")
    links = re.findall(r"^(\S+/c/\S+)$", mail_text(mail), re.M)
    assert len(links) == 1 and links[0].startswith(server.base + "/c/ch_"), mail_text(mail)
    link = links[0][len(server.base):]
    bea_entry = f"We send a short video of the first order being packed ({run})."  # as shown; typed with Markdown
    with second_browser(site, request, "second") as other:
        od = other.driver
        other.visitor()
        page = other.open(link)
        assert title in page and "personal link" in other.text("#link-note"), page
        assert "first email" in other.text("article[data-challenge] .markdown strong"), other.text("article[data-challenge]")
        hidden = other.text("#entries-hidden")
        assert hidden == "1 entry so far: you see the others' entries once you have sent yours.", hidden
        assert esha_entry not in other.html()
        fill(od, "entry-body", f"{bea_entry.replace('a short video', '**a short video**')}\n\n{SCRIPT}", By.ID)
        fill(od, "entry-link", f"https://bea.example/unboxing-{run}", By.ID)
        click(od, button(od, "Send your entry"))
        assert other.path() == link
        mine = entry_item(other, bea_entry)
        assert "Bea Buyer (invited)" in mine.text and "your entry" in mine.text, mine.text
        rendered_safely(other, mine.find_element(By.CSS_SELECTOR, ".markdown"), "a short video")
        assert esha_entry in other.text("#entries"), "after sending, the customer does not see the others' entries"

        # Carla (Acme, Northwind's collaborator circle) sees the new challenge and the demo's, in her own zone with
        # the organizer's beside it; the entries stay hidden until she sends hers.
        site.sign_in(CARLA)
        listed = site.open("/challenges")
        assert title in listed and "Show us your fastest checkout" in listed, listed
        click(d, d.find_element(By.LINK_TEXT, title))
        assert site.path() == challenge_path
        assert "(Europe/Berlin)" in site.text("#challenge-time"), site.text("#challenge-time")
        hidden = site.text("#entries-hidden")
        assert hidden == "2 entries so far: you see the others' entries once you have sent yours.", hidden
        assert bea_entry not in site.html() and esha_entry not in site.html(), "entries shown before Carla sent hers"
        carla_entry = f"A plain-text welcome from the founder, no images ({run})."
        fill(d, "entry-body", carla_entry, By.ID)
        click(d, button(d, "Send your entry"))
        assert site.flash() == "Your entry is in. You can edit it until the challenge closes.", site.flash()
        shown = entries(site)
        assert [e[0] for e in shown] == ["Esha Rao, Kite Analytics", "Bea Buyer (invited)", "Carla Diaz, Acme Retail"], shown
        assert esha_entry in shown[0][1] and bea_entry in shown[1][1] and carla_entry in shown[2][1], shown

        # The demo's challenge: Carla's entry there is highlighted by Northwind.
        site.open("/challenges")
        click(d, d.find_element(By.LINK_TEXT, "Show us your fastest checkout"))
        demo = entries(site)
        assert demo[0][0] == "Carla Diaz, Acme Retail" and demo[0][2].startswith("Highlighted by Northwind Studio:"), demo

        # Alice sees every entry and the figures, and highlights the customer's: it moves to the top.
        site.sign_in(ALICE)
        site.open(challenge_path)
        figures = [site.text(f"#figure-{k}") for k in ("entries", "participants", "highlights", "invited")]
        assert figures == ["3", "3", "0", "1"], figures
        note = f"Packing video: personal and shows the product ({run})."
        item = entry_item(site, bea_entry)
        item.find_element(By.CSS_SELECTOR, "input[name='note']").send_keys(note)
        click(d, button(item, "Highlight"))
        assert site.flash() == "Highlighted: Bea Buyer (invited) is told why.", site.flash()
        shown = entries(site)
        assert [e[0] for e in shown] == ["Bea Buyer (invited)", "Esha Rao, Kite Analytics", "Carla Diaz, Acme Retail"], shown
        assert shown[0][2] == f"Highlighted by Northwind Studio: {note}", shown
        assert site.text("#figure-highlights") == "1"

        # The customer is mailed why, and sees her entry first, highlighted, through her link.
        told = site.inbox.wait(bea, f"Northwind Studio highlighted your entry to “{title}”")
        assert f"Why it stands out: {note}" in mail_text(told), mail_text(told)
        other.open(link)
        assert entries(other)[0][0] == "Bea Buyer (invited)" and entries(other)[0][2].endswith(note), entries(other)

        # Grace (Lumen Labs, outside the audience) does not see it listed, and its address is not found for her.
        site.sign_in(GRACE)
        assert title not in site.open("/challenges")
        site.not_found(challenge_path)

        # Dan (Acme) has the entry form open and types while Alice closes the challenge: his entry is refused with
        # when it closed.
        other.sign_in(DAN)
        other.open(challenge_path)
        fill(od, "entry-body", f"Ours is a checklist, sent a day late ({run}).", By.ID)
        site.sign_in(ALICE)
        site.open(challenge_path)
        before = datetime.datetime.now(BERLIN)
        click(d, button(d, "Close the challenge now"))
        after = datetime.datetime.now(BERLIN)
        closed = "The challenge is closed: it takes no more entries, and everyone who may see it now sees all of them."
        assert site.flash() == closed, site.flash()
        assert site.text("#challenge-phase") == "Closed" and "(closed early)" in site.text("#challenge-time")
        click(od, button(od, "Send your entry"))
        said = other.text("#your-entry .error-text")
        moments = {shown_time(before, BERLIN), shown_time(after, BERLIN)}
        assert any(said == f"This challenge was closed early, {m} Berlin time (Europe/Berlin): it takes no more entries."
                   for m in moments), said
        assert "You did not send an entry." in other.text("#your-entry")
        assert len(entries(other)) == 3 and "sent a day late" not in other.text("#entries"), other.text("#entries")


# MARK: 2. Guides and resources


def test_guides_and_resources_added_in_the_form_show_on_the_profile_each_to_its_audience_until_removed(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    northwind = org_id(server, ALICE)
    demo_guide = "How we run usability sessions"
    guide, video = f"Writing a good brief {run}", f"Component requests explained {run}"
    video_url = f"https://video.example.com/northwind/components-{run}"

    def card():
        return site.text("#guides-and-resources")

    # Alice adds a public guide in Markdown.
    site.sign_in(ALICE)
    site.open("/organization/content")
    Select(d.find_element(By.ID, "content-kind")).select_by_visible_text("Guide")
    fill(d, "content-title", guide, By.ID)
    fill(d, "content-description", "What we need from you before a project starts.", By.ID)
    fill(d, "content-body", f"A brief names **one goal** ({run}).\n\n{SCRIPT}", By.ID)
    Select(d.find_element(By.ID, "content-visibility")).select_by_visible_text(EVERYONE)
    click(d, button(d, "Add it"))
    assert site.flash() == f"Added to your guides and resources. Who sees it: {EVERYONE.lower()}.", site.flash()
    guide_path = site.path()
    assert re.fullmatch(r"/content/[0-9a-f-]{36}", guide_path), guide_path
    rendered_safely(site, d.find_element(By.CSS_SELECTOR, "article.content-item .markdown"), "one goal")

    # A video for partners at a javascript: address is refused at its field, as typed, and nothing is added.
    site.open("/organization/content")
    Select(d.find_element(By.ID, "content-kind")).select_by_visible_text("Video")
    fill(d, "content-title", video, By.ID)
    fill(d, "content-description", "How partners ask for a new component.", By.ID)
    fill(d, "content-url", "javascript:alert(document.cookie)", By.ID)
    Select(d.find_element(By.ID, "content-visibility")).select_by_visible_text(PARTNERS)
    click(d, button(d, "Add it"))
    refused = site.text("#url-error")
    assert refused == "A video's address must be a web address starting with https:// or http://.", refused
    assert d.find_element(By.ID, "content-url").get_attribute("aria-invalid") == "true"
    assert d.find_element(By.ID, "content-title").get_attribute("value") == video
    assert video not in site.text("#own-content"), "the refused video is listed"
    fill(d, "content-url", video_url, By.ID)
    click(d, button(d, "Add it"))
    assert site.flash() == f"Added to your guides and resources. Who sees it: {PARTNERS.lower()}.", site.flash()
    video_path = site.path()
    site.open("/organization/content")
    listed = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#own-content tbody tr")]
    assert sum(guide in r for r in listed) == 1 and sum(video in r for r in listed) == 1, listed

    # A visitor reads the guide on Northwind's public profile, not the video, whose page asks them to sign in.
    site.visitor()
    site.open(f"/profiles/{northwind}")
    shown = card()
    assert guide in shown and demo_guide in shown and video not in shown, shown
    site.open(video_path)
    assert site.path().startswith("/login"), site.path()

    # Carla (Acme, a partner) sees both on the profile, the video with where it leads.
    site.sign_in(CARLA)
    site.open(f"/organizations/{northwind}#guides-and-resources")
    shown = card()
    assert guide in shown and video in shown, shown
    item = d.find_element(By.XPATH, f"//section[@id='guides-and-resources']//li[contains(., '{video}')]")
    watch = item.find_element(By.LINK_TEXT, "Watch the video on video.example.com")
    assert watch.get_attribute("href") == video_url

    # Grace (Lumen Labs, no relation) sees the guide only; the video's page is not found for her.
    site.sign_in(GRACE)
    site.open(f"/organizations/{northwind}#guides-and-resources")
    shown = card()
    assert guide in shown and video not in shown, shown
    assert guide in site.open(guide_path)
    site.not_found(video_path)

    # Alice removes the guide: it leaves the profile, the demo's guide stays.
    site.sign_in(ALICE)
    site.open(f"/organization/content/{last_segment(guide_path)}")
    click(d, button(d, f"Remove “{guide}”"))
    assert site.flash() == f"Removed “{guide}”: it is no longer on your profile.", site.flash()
    assert guide not in site.text("#own-content")
    site.visitor()
    site.open(f"/profiles/{northwind}")
    shown = card()
    assert guide not in shown and demo_guide in shown, shown
    site.sign_in(GRACE)
    site.not_found(guide_path)


# MARK: 3. Updates for named organizations


def test_an_update_for_a_named_organization_reaches_only_it_and_naming_none_is_refused_as_typed(site):
    server, d = site.server, site.driver
    run = uuid.uuid4().hex[:6]
    mail_at_once(server, "update.published", CARLA, ESHA)
    title = f"Forecasting workshop dates {run}"
    body = f"Esha, the **forecasting workshop** can be on the 12th or the 19th ({run})."

    def kite_box():
        return d.find_element(By.XPATH, "//fieldset[@id='update-organizations']//label[contains(., 'Kite Analytics')]/input")

    # "Named organizations" with no box ticked is refused at the boxes, the text kept; nothing is published.
    site.sign_in(ALICE)
    site.open("/updates")
    boxes = site.text("#update-organizations")
    assert "Kite Analytics" in boxes and "Acme Retail" in boxes and "Lumen Labs" not in boxes, boxes
    fill(d, "update-title", title, By.ID)
    fill(d, "update-body", body, By.ID)
    Select(d.find_element(By.ID, "update-visibility")).select_by_visible_text("Named organizations")
    click(d, button(d.find_element(By.ID, "new-update"), "Publish"))
    refused = site.text("#organizationIds-error")
    assert refused == "Name 1 to 50 organizations to address the update to; this names 0.", refused
    assert d.find_element(By.ID, "update-organizations").get_attribute("aria-invalid") == "true"
    assert d.find_element(By.ID, "update-title").get_attribute("value") == title
    assert d.find_element(By.ID, "update-body").get_attribute("value") == body
    assert Select(d.find_element(By.ID, "update-visibility")).first_selected_option.text == "Named organizations"
    assert title not in site.text("#updates-list"), "a refused update is listed"

    # Ticking Kite Analytics only, it is published for Kite and Northwind's own people.
    kite_box().click()
    click(d, button(d.find_element(By.ID, "new-update"), "Publish"))
    assert site.flash() == "Published for Kite Analytics and your own people.", site.flash()
    update_path = site.path()
    assert re.fullmatch(r"/updates/[0-9a-f-]{36}", update_path), update_path
    assert site.text("#update-audience") == "Who reads it: Named organizations: Kite Analytics", site.text("#update-audience")
    site.open("/updates")
    assert len(d.find_elements(By.LINK_TEXT, title)) == 1, "the refused update was published too"

    # Esha (Kite) reads it in her list and on its page, and is mailed it.
    site.sign_in(ESHA)
    assert title in site.open("/updates")
    page = site.open(update_path)
    assert title in page and "forecasting workshop" in site.text("article.update .markdown strong"), page
    site.inbox.wait(ESHA, f"Northwind Studio: {title}")

    # Carla (Acme, Northwind's partner, but not named) neither sees it nor is mailed; its address is not found.
    site.sign_in(CARLA)
    assert title not in site.open("/updates")
    site.not_found(update_path)
    time.sleep(SETTLE)
    assert not site.inbox.to(CARLA, title), "Carla was mailed an update for Kite Analytics only"
