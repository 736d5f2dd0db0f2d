"""Every journey of the web interface in a real browser (Debian's chromium, headless, driven by
selenium), against a real server. Run by scripts/browser-test, which starts the server.

    python3 scripts/browser_journeys.py BASE_URL WORK_DIR ARTEFACTS_DIR KIND SERVER_LOG

The first administrator (from the server's start-up banner) changes the one-time password, adds
two organisations and two practitioners in the browser. The practitioners set up their
authenticator apps, then send, read, download, confirm receipt, reply, watch the tracking and
withdraw, with JavaScript on and again with it off. On the way: view-only viewing, the rules pages,
archives, partner passwords and administration. Every page gets a screenshot and axe-core (no
violations allowed, JavaScript on); every page is checked for the XSS corpus typed into the forms.
"""
import base64, hashlib, hmac, importlib.util, io, json, os, re, struct, subprocess, sys, time, urllib.error, urllib.request, zipfile

from selenium import webdriver
from selenium.common.exceptions import UnexpectedAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, work, artefacts, kind, server_log = sys.argv[1:6]
failures = []
pages_checked = set()
AXE = open(os.path.join(importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0], "axe.min.js")).read()

# Typed into every free-text field. Each would create an element carrying data-xss, or run script,
# if any page failed to escape it; "{{csrf}}" would be expanded by a template rendered twice.
XSS = "<script data-xss>window.xss=1</script>\"><img src=x data-xss onerror=window.xss=1>'</textarea><svg data-xss onload=window.xss=1>{{csrf}}"
XSS_SHORT = "\"><b data-xss>x</b>'{{csrf}}"
XSS_FILE = "x' onmouseover='window.xss=1' &amp; {{csrf}}.txt"


def fail(message):
    failures.append(message)
    print("  FAIL " + message, flush=True)


def browser(javascript):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1024"]:
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.javascript = javascript
    return driver


def resumable_requests(driver):
    """The tus requests the page's script made since this was last asked (Chrome's network log)."""
    seen = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            req = message["params"]["request"]
            if "/compose/uploads" in req["url"] or "/compose/drafts" in req["url"]:
                seen.append((req["method"], re.sub(r"https?://[^/]+", "", req["url"])))
    return seen


def expect_resumable(driver, what):
    """With JavaScript, files go by tus: a draft, a creation and at least one PATCH; without it, none."""
    seen = resumable_requests(driver)
    methods = {m for m, _ in seen}
    if driver.javascript and not ({"POST", "PATCH"} <= methods):
        fail(f"{what}: the files were not uploaded resumably: {seen}")
    if not driver.javascript and seen:
        fail(f"{what}: tus requests without JavaScript: {seen}")


def settled(driver):
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def arrived(driver, pattern):
    try:
        WebDriverWait(driver, 15).until(lambda d: re.search(pattern, d.current_url) and d.execute_script("return document.readyState") == "complete")
        return True
    except Exception:
        return bool(re.search(pattern, driver.current_url))


def check(driver, name):
    """Screenshot, no XSS element or script effect, and (JavaScript on) no console error and no axe violation."""
    try:
        settled(driver)
    except UnexpectedAlertPresentException:
        fail(f"{name}: a script ran an alert (XSS)")
        return
    suffix = "js" if driver.javascript else "nojs"
    pages_checked.add(name)
    driver.save_screenshot(os.path.join(artefacts, f"{name}-{suffix}.png"))
    # Without JavaScript, execute_script still works through WebDriver (pages' own script does not run).
    injected = driver.execute_script("return document.querySelectorAll('[data-xss]').length")
    if injected: fail(f"{name}: {injected} element(s) from the XSS corpus were created")
    if driver.execute_script("return window.xss === 1"): fail(f"{name}: script from the XSS corpus ran")
    if driver.javascript:
        # A page's own status (a 404 or 410 page on purpose) is not an error of the page.
        # Nor is a refusal the script asked for and showed (a tus upload refused as malware: 422).
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and not (e.get("source") == "network" and e["message"].startswith(driver.current_url + " "))
                  and not (e.get("source") == "network" and "/compose/uploads/" in e["message"] and "status of 422" in e["message"])]
        if errors: fail(f"{name}: console errors {errors}")
        # 400% zoom of a 1280-pixel window is 320 CSS pixels wide: nothing may need scrolling
        # sideways except a data table, which WCAG 1.4.10 allows to scroll inside its own box.
        driver.set_window_size(320, 900)
        wide = driver.execute_script(
            "return Array.from(document.querySelectorAll('body *')).filter(function (e) {"
            " if (e.closest('.table-wrap')) return false;"
            " var r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 1;"
            "}).slice(0, 3).map(function (e) { return e.outerHTML.slice(0, 100); })")
        if wide: fail(f"{name}: at 400% zoom these stick out sideways: {wide}")
        driver.set_window_size(1280, 1024)
        driver.execute_script(AXE)
        driver.set_script_timeout(60)
        results = driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
            ".then(function (r) { done(r); }).catch(function (e) { done({error: String(e), violations: []}); });")
        if results.get("error"): fail(f"{name}: axe could not run: {results['error']}")
        for violation in results["violations"]:
            fail(f"{name}: accessibility: {violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes: "
                 + "; ".join(n["html"][:120] for n in violation["nodes"][:3]) + ")")


def go(driver, path, name=None):
    driver.get(base + path)
    if name: check(driver, name)


def type_into(driver, field_id, text, clear=True):
    element = driver.find_element(By.ID, field_id)
    if clear: element.clear()
    element.send_keys(text)


def click(driver, text):
    """Clicks the button or link whose visible text contains `text`, and waits for the next page."""
    element = driver.find_element(By.XPATH, f"//main//*[self::button or self::a][contains(normalize-space(.), {json.dumps(text)})]")
    submit(driver, element)


def submit(driver, element):
    """Clicks a submit button and waits for the next page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda d: gone(page))
    settled(driver)


def expect(driver, text, what):
    """Waits for `text` on the page; otherwise a failure naming what did not happen and the errors shown."""
    try:
        WebDriverWait(driver, 10).until(lambda x: text in x.page_source)
        return True
    except Exception:
        fail(f"{what}: {text!r} did not appear ({driver.current_url}): {errors_shown(driver)}")
        return False


def gone(element):
    """True once the element's page has been replaced (chromium reports it in more than one way)."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def errors_shown(driver):
    return " | ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".error-summary li"))


def totp(secret, step):
    key = base64.b32decode(secret + "=" * ((8 - len(secret) % 8) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


class Person:
    """Someone with their own browser: signs in, and remembers their authenticator key."""

    def __init__(self, email, javascript):
        self.email = email
        self.password = None
        self.secret = None
        self.last_step = -1
        self.driver = browser(javascript)

    def code(self):
        # One step of drift is allowed either way; a step is never used twice.
        step = max(int(time.time() // 30), self.last_step + 1)
        self.last_step = step
        return totp(self.secret, step)

    def sign_in(self, password=None, expect=r"/inbox$", code=None):
        d = self.driver
        go(d, "/sign-in")
        type_into(d, "email", self.email)
        type_into(d, "password", password or self.password)
        if code or self.secret: type_into(d, "code", code or self.code())
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        if not arrived(d, expect): fail(f"{self.email}: sign-in did not reach {expect} ({d.current_url}): {errors_shown(d)}")

    def cookie(self):
        return "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())

    def fetch(self, url):
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": self.cookie()})) as response:
            return response.read()

    def quit(self):
        self.driver.quit()


def first_admin_password():
    for _ in range(100):
        text = open(server_log).read()
        match = re.search(r"One-time password:\s+(\S+)", text)
        if match: return match.group(1)
        time.sleep(0.1)
    raise SystemExit("the server did not print the first administrator's one-time password")


def change_password(person, old, new, screenshot):
    d = person.driver
    if screenshot: check(d, "change-password-first")
    type_into(d, "current", old)
    type_into(d, "new", new)
    type_into(d, "confirm", new)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if not arrived(d, r"/inbox$"): fail(f"{person.email}: changing the one-time password did not reach the inbox: {errors_shown(d)}")
    person.password = new


def admin_add_organisation(admin, name, domain, screenshot):
    d = admin.driver
    go(d, "/admin", "admin" if screenshot else None)
    click(d, "Add an organisation")
    arrived(d, r"/admin/organisations/new$")
    if screenshot:
        # An empty form first: the error summary, linked to the fields.
        type_into(d, "domains", XSS)
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".error-summary"))
        check(d, "admin-organisation-error")
    type_into(d, "name", name)
    type_into(d, "domains", domain)
    type_into(d, "switchboard", "020 8274 4901")
    type_into(d, "address", "Civic Centre\nLondon Road\n" + XSS_SHORT)
    if screenshot: check(d, "admin-organisation-new")
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if not arrived(d, r"/admin/organisations/(?!new$)[^/]+$"): fail(f"adding {name} failed: {errors_shown(d)}")
    if screenshot: check(d, "admin-organisation")
    return d.current_url


def admin_add_person(admin, org_url, email, name, screenshot):
    d = admin.driver
    d.get(org_url)
    click(d, "Add a person")
    arrived(d, r"/users/new$")
    if screenshot: check(d, "admin-user-new")
    type_into(d, "email", email)
    type_into(d, "name", name)
    type_into(d, "jobTitle", "Social worker " + XSS_SHORT)
    type_into(d, "department", "Children's services " + XSS_SHORT)
    type_into(d, "phone", "020 8274 1111")
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.ID, "one-time-password") or x.find_elements(By.CSS_SELECTOR, ".error-summary"))
    if screenshot: check(d, "admin-user-created")
    shown = d.find_elements(By.ID, "one-time-password")
    if not shown:
        fail(f"adding {email} failed: {errors_shown(d)}")
        return None
    return shown[0].text.strip()


def enrol_totp(person, decode_qr, screenshot):
    d = person.driver
    go(d, "/account", "account" if screenshot else None)
    if not d.current_url.endswith("/account/totp"):  # invited people are sent straight there
        click(d, "Authenticator app")
        arrived(d, r"/account/totp$")
    if screenshot: check(d, "totp-start")
    type_into(d, "password", person.password)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".qr svg"))
    if screenshot: check(d, "totp-scan")
    shown = d.find_element(By.ID, "secret").text.replace(" ", "")
    if decode_qr:
        png = os.path.join(work, "qr.png")
        d.find_element(By.CSS_SELECTOR, ".qr svg").screenshot(png)
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", png], capture_output=True, text=True).stdout.strip()
        if not decoded.startswith("otpauth://totp/"): fail(f"the QR code did not decode to an otpauth address: {decoded!r}")
        secret = re.search(r"secret=([A-Z2-7]+)", decoded)
        if not secret or secret.group(1) != shown: fail("the key shown is not the one in the QR code")
    person.secret = shown
    type_into(d, "code", person.code())
    click(d, "Turn on")
    WebDriverWait(d, 10).until(lambda x: "asks for a code" in x.page_source)
    if screenshot: check(d, "totp-on")
    codes = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#recovery-codes li")]
    if len(codes) != 10: fail(f"{person.email}: expected 10 recovery codes, saw {len(codes)}")
    return codes


def write_file(name, data):
    folder = os.path.join(work, "files", hashlib.sha256(name.encode() + os.urandom(4)).hexdigest()[:8])
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f: f.write(data)
    return path


def compose(sender, recipient_email, subject, files, view_only=False, screenshot=False, remove_one=None, basis="no-personal-data",
            case_refs="", justification="", purpose=None, expect_error=None, expect_send_error=None):
    d = sender.driver
    go(d, "/compose")
    if screenshot:
        check(d, "compose-recipients")
        type_into(d, "recipients", "not an address\n" + XSS)
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".error-summary"))
        check(d, "compose-recipients-error")
    type_into(d, "recipients", recipient_email)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if not d.find_elements(By.ID, "subject"):
        fail(f"compose: recipients refused: {errors_shown(d)}")
        return None
    if screenshot:
        if "not sent a share to this address before" not in d.page_source: fail("compose: no first-time warning for a new address")
        check(d, "compose-details")
        # A subject naming a date of birth is refused inline, without repeating it.
        type_into(d, "subject", "Jay, born 03/04/2015")
        type_into(d, "purpose", "Strategy meeting " + XSS)
        d.find_element(By.ID, "confirmRecipients").click()
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/compose/details']//button[@type='submit']"))
        summary = errors_shown(d)
        if "03/04/2015" in summary or "subject" not in d.find_element(By.CSS_SELECTOR, ".error-summary a").get_attribute("href"):
            fail(f"compose: the subject refusal repeats the data or is not linked to the field: {summary!r}")
        check(d, "compose-details-error")
    type_into(d, "subject", subject)
    type_into(d, "purpose", purpose or "For the child protection strategy meeting " + XSS)
    d.find_element(By.ID, "basis-" + basis).click()
    type_into(d, "caseReferences", case_refs)
    type_into(d, "justification", justification)
    type_into(d, "handling", "Do not forward " + XSS)
    type_into(d, "message", "Papers for Thursday.\n" + XSS)
    confirm = d.find_element(By.ID, "confirmRecipients") if d.find_elements(By.ID, "confirmRecipients") else None
    if confirm is not None and not confirm.is_selected(): confirm.click()
    d.find_element(By.ID, "expiry-14").click()
    if view_only: d.find_element(By.ID, "viewOnly").click()
    receipt = d.find_element(By.ID, "requireReceipt")
    if not receipt.is_selected(): receipt.click()
    submit(d, d.find_element(By.XPATH, "//main//form[@action='/compose/details']//button[@type='submit']"))
    if expect_error is not None:
        summary = errors_shown(d)
        if expect_error not in summary: fail(f"compose: expected the refusal {expect_error!r}, got {summary!r}")
        return None
    if not d.find_elements(By.ID, "files"):
        fail(f"compose: details refused: {errors_shown(d)}")
        return None
    if screenshot: check(d, "compose-check")
    paths = [write_file(name, data) for name, data in files]
    if remove_one is not None and d.javascript:
        extra = write_file("remove-me.txt", b"this file is removed before sending")
        d.find_element(By.ID, "files").send_keys("\n".join(paths + [extra]))
        WebDriverWait(d, 10).until(lambda x: len(x.find_elements(By.CSS_SELECTOR, "[data-selected-files] li")) == len(paths) + 1)
        if screenshot: check(d, "compose-files-chosen")
        d.find_element(By.XPATH, "//ul[@data-selected-files]/li[contains(., 'remove-me.txt')]//button").click()
        listed = [li.text for li in d.find_elements(By.CSS_SELECTOR, "[data-selected-files] li")]
        if len(listed) != len(paths) or any("remove-me" in t for t in listed): fail(f"compose: removing a file did not work: {listed}")
    elif paths:
        d.find_element(By.ID, "files").send_keys("\n".join(paths))
    if d.javascript: resumable_requests(d)
    d.find_element(By.XPATH, "//main//form[@action='/compose/send']//button[@type='submit']").click()
    if expect_send_error is not None:
        WebDriverWait(d, 15).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".error-summary") or "sent=1" in x.current_url)
        summary = errors_shown(d)
        if expect_send_error not in summary: fail(f"compose: expected the refusal {expect_send_error!r} when sending, got {summary!r}")
        return None
    if not arrived(d, r"/shares/[^/?]+\?sent=1$"):
        fail(f"compose: sending did not reach the share ({d.current_url}): {errors_shown(d)}")
        return None
    if paths: expect_resumable(d, "compose")
    if basis in ("consent", "no-personal-data") and "Share sent" not in d.page_source: fail("compose: no confirmation panel after sending")
    if basis not in ("consent", "no-personal-data") and "Waiting for authorisation" not in d.page_source: fail("compose: a share without consent was not held")
    if screenshot: check(d, "share-sent")
    return d.current_url.split("?")[0]


def read_and_download(recipient, share_url, files, screenshot):
    d = recipient.driver
    go(d, "/inbox")
    if screenshot: check(d, "inbox")
    d.get(share_url)
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".marking"))
    if screenshot: check(d, "share")
    if d.find_element(By.CSS_SELECTOR, ".marking").text != "OFFICIAL-SENSITIVE": fail("share: no marking banner")
    page = d.page_source
    if page.find("For the child protection strategy meeting") > page.find("Papers for Thursday"):
        fail("share: the purpose does not come before the message")
    if XSS.split(">")[0] + "&gt;" not in page and "&lt;script data-xss&gt;" not in page:
        fail("share: the XSS corpus is not shown as text")
    for name, data in files:
        links = d.find_elements(By.XPATH, f"//ul[@class='files']//a[@download and normalize-space(.)={json.dumps(name)}]")
        if not links:
            fail(f"share: no download link for {name!r}")
            continue
        if hashlib.sha256(recipient.fetch(links[0].get_attribute("href"))).digest() != hashlib.sha256(data).digest():
            fail(f"share: {name!r} downloaded differs from what was sent")
    click(d, "Confirm I have received this")
    WebDriverWait(d, 10).until(lambda x: "You confirmed receipt" in x.page_source)
    if screenshot: check(d, "share-confirmed")


def reply(recipient, share_url, text, attachment, screenshot):
    d = recipient.driver
    d.get(share_url)
    click(d, "Reply to")
    arrived(d, r"/reply$")
    if screenshot: check(d, "reply")
    type_into(d, "message", text)
    d.find_element(By.ID, "files").send_keys(write_file(*attachment))
    if d.javascript: resumable_requests(d)
    d.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
    if not arrived(d, r"/shares/[^/?]+\?sent=1$"):
        fail(f"reply: not sent ({d.current_url}): {errors_shown(d)}")
        return None
    expect_resumable(d, "reply")
    if screenshot: check(d, "reply-sent")
    return d.current_url.split("?")[0]


def track_and_withdraw(sender, share_url, reply_url, reply_file, screenshot):
    d = sender.driver
    go(d, "/inbox")
    d.get(reply_url)
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".marking"))
    if screenshot: check(d, "reply-received")
    name, data = reply_file
    link = d.find_elements(By.XPATH, f"//ul[@class='files']//a[@download and normalize-space(.)={json.dumps(name)}]")
    if not link or hashlib.sha256(sender.fetch(link[0].get_attribute("href"))).digest() != hashlib.sha256(data).digest():
        fail("the reply's file did not arrive intact")
    if "This conversation" not in d.page_source: fail("the reply does not show its conversation")
    go(d, "/sent")
    if screenshot: check(d, "sent")
    d.get(share_url)
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".timeline"))
    if screenshot: check(d, "sender-share")
    if "Email notice: handed over for delivery" not in d.page_source: fail("the sender does not see the email notice handed over")
    timeline = d.find_element(By.CSS_SELECTOR, ".timeline").text
    for seen in ("Email notice queued", "Opened", "Downloaded a file", "Confirmed receipt", "Replied"):
        if seen not in timeline: fail(f"sender timeline lacks {seen!r}: {timeline!r}")
    click(d, "Withdraw this share")
    arrived(d, r"/revoke$")
    if screenshot: check(d, "revoke-confirm")
    click(d, "Yes, withdraw it")
    WebDriverWait(d, 10).until(lambda x: "Share withdrawn" in x.page_source)
    if screenshot: check(d, "revoked")
    d.get(share_url)
    timeline = d.find_element(By.CSS_SELECTOR, ".timeline").text
    for seen in ("Withdrawn", "Content destroyed"):
        if seen not in timeline: fail(f"after withdrawing, the timeline lacks {seen!r}: {timeline!r}")


def journey(admin, javascript, orgs, n):
    """Two practitioners at different organisations, each with an authenticator app, do everything in the browser."""
    label = "js" if javascript else "nojs"
    shots = javascript or n == 2
    alice = Person(f"alice{n}@merton.gov.uk", javascript)
    bob = Person(f"bob{n}@nhs.net", javascript)
    try:
        alice_once = admin_add_person(admin, orgs[0], alice.email, f"Alice {XSS_SHORT} Smith", shots and javascript)
        bob_once = admin_add_person(admin, orgs[1], bob.email, "Bob Jones", False)
        if not alice_once or not bob_once: return
        for person, once in ((alice, alice_once), (bob, bob_once)):
            person.sign_in(once, expect=r"/account/password$")
            change_password(person, once, f"harbour-lantern-{n}-{person.email[:3]}-violet", shots and person is alice)
            codes = enrol_totp(person, decode_qr=javascript, screenshot=shots and person is alice)
            go(person.driver, "/inbox")
            person.driver.find_element(By.XPATH, "//header//button[contains(., 'Sign out')]").click()
            arrived(person.driver, r"/sign-in$")
            # Back in with the app's code; without JavaScript, Bob uses a recovery code instead.
            person.sign_in(code=codes[0] if codes and person is bob and not javascript else None)
        files = [(f"chronology-{label}.bin", os.urandom(300_000)), (XSS_FILE, b"notes\n" + XSS.encode())]
        share = compose(alice, bob.email, f"Strategy meeting papers {label}", files, screenshot=shots, remove_one=True)
        if not share: return
        read_and_download(bob, share, files, shots)
        reply_file = (f"reply-{label}.bin", os.urandom(50_000))
        answer = reply(bob, share, "Thank you, read. " + XSS, reply_file, shots)
        if answer: track_and_withdraw(alice, share, answer, reply_file, shots)
        # Bob can no longer open it.
        bob.driver.get(share)
        if "No longer available" not in bob.driver.page_source and "Page not found" not in bob.driver.page_source:
            fail(f"{label}: the withdrawn share still opens for its recipient")
        if shots: check(bob.driver, "share-withdrawn")
        if javascript:
            extras(alice, bob)
            record_book(admin, orgs, alice, bob)
            records(alice)
            external(alice)
    finally:
        alice.quit()
        bob.quit()


def invitation_link(email):
    """The link in the invitation email the server wrote (no relay here: .eml files in the data directory)."""
    import email as mail
    folder = os.path.join(work, "data", "mail")
    for _ in range(100):
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if ".invitation" not in name: continue
            message = mail.message_from_bytes(open(os.path.join(folder, name), "rb").read())
            if message["To"] != f"<{email}>": continue
            text = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_payload(decode=True).decode()
            return re.search(r"(https?://\S+/invitations/[0-9a-f]{32})", text).group(1), message.as_string()
        time.sleep(0.1)
    raise SystemExit(f"no invitation email for {email}")


def record_book(admin, orgs, alice, bob):
    """People, consent, sharing under consent and without it (held for Mo, Alice's manager, who authorises one and refuses
    another), withdrawal of consent and its one-step recall, the off-site and removable-media logs, a misdirection incident."""
    d = alice.driver
    purpose = "Child protection strategy discussion"
    mo = Person("mo1@merton.gov.uk", True)
    try:
        once = admin_add_person(admin, orgs[0], mo.email, "Mo Khan", False)
        admin.driver.get(orgs[0])
        admin.driver.find_element(By.LINK_TEXT, "Mo Khan").click()
        arrived(admin.driver, r"/admin/users/")
        box = admin.driver.find_element(By.ID, "role-manager")
        if not box.is_selected(): box.click()
        click(admin.driver, "Save changes")
        expect(admin.driver, "Changes saved", "records")
        mo.sign_in(once, expect=r"/account/password$")
        change_password(mo, once, "copper-lantern-meadow-beacon", False)
        # A file carrying malware (the EICAR test file) is refused when sending, naming the file.
        if os.environ.get("SAFEHAVEN_TEST_CLAMD"):
            eicar = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
            compose(alice, bob.email, "Scanned papers", [("scan-eicar.com", eicar)], expect_send_error="contains malware")
            check(d, "compose-malware-refused")
        # A person, then their consent.
        go(d, "/records/people")
        type_into(d, "caseReference", "CP-0113")
        type_into(d, "displayName", "Jamie Doe " + XSS_SHORT)
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/people' and @method='post']//button"))
        if not arrived(d, r"/records/people/[^/]+$"): fail(f"people: the person was not added: {errors_shown(d)}"); return
        person_url = d.current_url
        check(d, "person")
        go(d, "/records/people")
        type_into(d, "caseReference", "cp-0113")
        type_into(d, "displayName", "Someone else")
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/people' and @method='post']//button"))
        if "already recorded" not in errors_shown(d): fail("people: a second person with the same case reference was accepted")
        check(d, "people-error")
        d.get(person_url)
        click(d, "Record consent for CP-0113")
        arrived(d, r"/records/consents/new")
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        if not d.find_elements(By.CSS_SELECTOR, ".error-summary"): fail("consent: an empty form was accepted")
        check(d, "consent-form-error")
        d.find_element(By.ID, "givenBy-parent").click()
        type_into(d, "giverName", "Sam Doe " + XSS_SHORT)
        type_into(d, "purposes", purpose)
        d.find_element(By.XPATH, "//label[normalize-space(.)='St Helier Hospital']").click()
        type_into(d, "information", "Health visiting notes " + XSS_SHORT)
        type_into(d, "limits", "Not to the school " + XSS_SHORT)
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        if not arrived(d, r"/records/consents/[^/]+$"): fail(f"consent: not recorded: {errors_shown(d)}"); return
        consent_url = d.current_url
        check(d, "consent")
        # Under consent it goes at once; for another purpose it is refused with the reason.
        covered = compose(alice, bob.email, "Papers under consent", [("notes.txt", b"notes\n")], basis="consent", case_refs="CP-0113", purpose=purpose)
        compose(alice, bob.email, "Not covered", [], basis="consent", case_refs="CP-0113", purpose="School admission",
                expect_error="does not cover")
        check(d, "compose-consent-refused")
        # Without consent: held until Mo decides.
        why = "Risk of serious harm outweighs the duty of confidence; telling the parents would increase it. " + XSS_SHORT
        held = compose(alice, bob.email, "Held for authorisation", [("held.txt", b"held\n")], basis="public-interest", case_refs="CP-0113",
                       justification=why)
        refused = compose(alice, bob.email, "To be refused", [], basis="safeguarding", case_refs="CP-0113", justification=why)
        if not (covered and held and refused): return
        check(d, "share-held")
        go(bob.driver, "/inbox")
        if "Held for authorisation" in bob.driver.page_source: fail("authorisation: the recipient sees a held share")
        go(mo.driver, "/authorisations", "authorisations")
        mo.driver.find_element(By.LINK_TEXT, "Held for authorisation").click()
        arrived(mo.driver, r"/authorisations/[^/]+$")
        check(mo.driver, "authorisation")
        submit(mo.driver, mo.driver.find_element(By.XPATH, "//form[contains(@action, '/approve')]//button"))
        expect(mo.driver, "Authorised and sent", "records")
        go(bob.driver, "/inbox")
        if "Held for authorisation" not in bob.driver.page_source: fail("authorisation: the authorised share did not arrive")
        mo.driver.find_element(By.LINK_TEXT, "To be refused").click()
        submit(mo.driver, mo.driver.find_element(By.XPATH, "//form[contains(@action, '/refuse')]//button"))
        if "href=\"#reason\"" not in mo.driver.page_source: fail("authorisation: a refusal without a reason was accepted")
        check(mo.driver, "authorisation-error")
        type_into(mo.driver, "reason", "Ask the parents first: there is no immediate risk. " + XSS_SHORT)
        submit(mo.driver, mo.driver.find_element(By.XPATH, "//form[contains(@action, '/refuse')]//button"))
        expect(mo.driver, "Refused.", "records")
        d.get(refused)
        if "Not authorised" not in d.page_source: fail("authorisation: the sender does not see the refusal")
        d.get(held)
        if "Authorised by Mo Khan" not in d.page_source: fail("authorisation: the share does not name its authoriser")
        # Consent withdrawn: Alice is told and withdraws her open shares under it in one step.
        d.get(consent_url)
        type_into(d, "note", "Parent withdrew by letter " + XSS_SHORT)
        submit(d, d.find_element(By.XPATH, "//form[contains(@action, '/withdraw')]//button"))
        expect(d, "Consent withdrawn", "records")
        go(d, "/records", "records-alerts")
        if "Consent was withdrawn for" not in d.page_source: fail("consent: no alert for the sender of a share under a withdrawn consent")
        d.get(covered)
        if "has been withdrawn" not in d.page_source: fail("consent: the share page does not say its consent was withdrawn")
        d.get(consent_url)
        submit(d, d.find_element(By.XPATH, "//form[contains(@action, '/revoke-shares')]//button"))
        expect(d, "One share withdrawn", "records")
        check(d, "consent-withdrawn")
        # Off site and back.
        go(d, "/records/offsite")
        type_into(d, "what", "Paper case file " + XSS_SHORT)
        type_into(d, "why", "Home visit")
        type_into(d, "dueBack", "yesterday")
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/offsite']//button"))
        if "href=\"#dueBack\"" not in d.page_source: fail("off site: a date that is not a date was accepted")
        type_into(d, "dueBack", time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 86400)))
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/offsite']//button"))
        expect(d, "Record its return", "records")
        check(d, "offsite")
        submit(d, d.find_element(By.XPATH, "//form[contains(@action, '/return')]//button"))
        expect(d, "Return recorded", "records")
        # A memory stick: refused unencrypted, issued, wiped.
        go(d, "/records/media")
        for field, value in (("device", "Memory stick " + XSS_SHORT), ("serial", "KS-2231"), ("encryption", "Hardware AES-256"),
                             ("contents", "Court bundle"), ("dueBack", time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 86400)))):
            type_into(d, field, value)
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/media']//button"))
        if "href=\"#encryptionConfirmed\"" not in d.page_source: fail("media: an unencrypted device was issued")
        check(d, "media-error")
        d.find_element(By.ID, "encryptionConfirmed").click()
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/media']//button"))
        expect(d, "recorded as issued", "records")
        check(d, "media")
        d.find_element(By.XPATH, "//input[@value='wiped']/following-sibling::label").click()
        d.find_element(By.XPATH, "//form[contains(@action, '/close')]//input[@name='note']").send_keys("Wiped with the vendor tool")
        submit(d, d.find_element(By.XPATH, "//form[contains(@action, '/close')]//button"))
        expect(d, "recorded as wiped", "records")
        # Sent to the wrong person: reported, recalled in one action, who was told, the decision, closed.
        wrong = compose(alice, bob.email, "Sent to the wrong Bob", [("wrong.txt", b"wrong\n")])
        if not wrong: return
        go(d, "/records/incidents", "incidents")
        d.find_element(By.ID, "kind-misdirection").click()
        type_into(d, "description", "Sent to the wrong Bob " + XSS_SHORT)
        d.find_element(By.XPATH, "//label[starts-with(normalize-space(.), 'Sent to the wrong Bob')]").click()
        submit(d, d.find_element(By.XPATH, "//main//form[@action='/records/incidents']//button"))
        if not arrived(d, r"/records/incidents/[^/]+$"): fail(f"incident: not reported: {errors_shown(d)}"); return
        incident_url = d.current_url
        check(d, "incident")
        click(d, "Recall all these shares")
        expect(d, "One share recalled", "records")
        d.find_element(By.ID, "party-line-manager").click()
        type_into(d, "name", "Mo Khan")
        submit(d, d.find_element(By.XPATH, "//form[contains(@action, '/told')]//button"))
        expect(d, "Recorded.", "records")
        bob.driver.get(wrong)
        if "Sent to the wrong Bob" in bob.driver.page_source and "No longer available" not in bob.driver.page_source:
            fail("incident: the recalled share still opens for its recipient")
        mo.driver.get(incident_url)
        mo.driver.find_element(By.ID, "report-no").click()
        type_into(mo.driver, "reason", "Recalled unopened within the hour; the recipient is a nurse bound by confidentiality.")
        submit(mo.driver, mo.driver.find_element(By.XPATH, "//form[contains(@action, '/decision')]//button"))
        expect(mo.driver, "Decision recorded", "records")
        type_into(mo.driver, "lessons", "Confirm the address with the person before sending. " + XSS_SHORT)
        submit(mo.driver, mo.driver.find_element(By.XPATH, "//form[contains(@action, '/close')]//button"))
        expect(mo.driver, "Incident closed", "records")
        check(mo.driver, "incident-closed")
        # The person's history, on screen, on paper and as CSV.
        d.get(person_url)
        check(d, "person-history")
        if "Papers under consent" in d.page_source: fail("history: a share subject appears in the history")
        click(d, "Printable disclosure history")
        arrived(d, r"/print$")
        check(d, "person-print")
        history = alice.fetch(person_url + "/history.csv").decode()
        for expected in ("consent", "public-interest", "Mo Khan"):
            if expected not in history: fail(f"history: the CSV lacks {expected!r}")
        for kind, expected in (("consents", "Sam Doe"), ("offsite", "Paper case file"), ("media", "wiped"), ("incidents", "misdirection")):
            exported = alice.fetch(base + "/records.csv?set=" + kind).decode()
            if expected not in exported: fail(f"records: the {kind} export lacks {expected!r}")
    finally:
        mo.quit()


def records(alice):
    """The register by hand: a telephone disclosure (its checklist confirmed), a decision not to share, a correction, the export."""
    d = alice.driver
    go(d, "/records", "records")
    click(d, "Record information shared another way")
    arrived(d, r"/records/new")
    check(d, "record-disclosure")
    for field, value in (("reason", "Safeguarding concern " + XSS_SHORT), ("informationType", "Attendance record " + XSS_SHORT),
                         ("recipientName", "Dr Patel " + XSS_SHORT), ("recipientJobTitle", "GP"), ("recipientOrganisation", "Wrythe Surgery"),
                         ("recipientPhone", "020 8296 0000"), ("caseReferences", "CP-0113"),
                         ("justification", "The GP must know of the injury seen at school today " + XSS_SHORT), ("authorisedBy", "Mo Khan")):
        type_into(d, field, value)
    d.find_element(By.ID, "lawfulBasis-safeguarding").click()
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if "href=\"#confirmations\"" not in d.page_source: fail("records: a disclosure without its checklist was accepted")
    check(d, "record-disclosure-error")
    for box in d.find_elements(By.CSS_SELECTOR, "#confirmations input[type=checkbox]"):
        if not box.is_selected(): box.click()
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if "Recorded." not in d.page_source: fail(f"records: the disclosure was not recorded: {errors_shown(d)}")
    click(d, "Record a decision not to share")
    arrived(d, r"/records/new")
    for field, value in (("reason", "No consent and no safeguarding concern"), ("informationType", "Family history"),
                         ("recipientOrganisation", "A housing association")):
        type_into(d, field, value)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if "Decided not to share" not in d.page_source: fail(f"records: the decision was not recorded: {errors_shown(d)}")
    check(d, "records-list")
    d.find_element(By.XPATH, "//a[starts-with(normalize-space(.), 'Correct')]").click()
    arrived(d, r"/correct$")
    check(d, "record-correct")
    type_into(d, "reason", "No consent; the request did not say why it was needed")
    for box in d.find_elements(By.CSS_SELECTOR, "#confirmations input[type=checkbox]"):
        if not box.is_selected(): box.click()
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    if "Correction recorded." not in d.page_source or "corrects" not in d.page_source: fail(f"records: the correction was not recorded: {errors_shown(d)}")
    exported = alice.fetch(base + "/records.csv").decode()
    for expected in ("decision_not_to_share", "telephone", "Wrythe Surgery", "A housing association", "the request did not say why",
                     "safeguarding", "CP-0113", "Mo Khan", "consent", "public-interest"):
        if expected not in exported: fail(f"records: the export lacks {expected!r}")


def external(alice):
    """Someone with no account: invited by email, sets up access through the link, reads, downloads, replies."""
    dana = Person("dana@familylaw.example.co.uk", True)
    try:
        files = [("letter-for-dana.txt", b"For the hearing.\n")]
        share = compose(alice, dana.email, "Hearing bundle", files)
        if not share: return
        link, raw = invitation_link(dana.email)
        for secret in ("Hearing bundle", "letter-for-dana", "child protection", "Papers for Thursday"):
            if secret in raw: fail(f"the invitation email contains {secret!r}")
        d = dana.driver
        # A mail scanner opens the link (twice): nothing is used up.
        for _ in range(2): d.get(link)
        check(d, "invitation")
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        if not d.find_elements(By.CSS_SELECTOR, ".error-summary"): fail("invitation: an empty form was accepted")
        check(d, "invitation-error")
        for field, value in (("name", "Dana Reyes " + XSS_SHORT), ("jobTitle", "Solicitor"), ("organisation", "Reyes Family Law " + XSS_SHORT),
                             ("phone", "020 7946 0000"), ("password", "lantern-quartz-meadow-9"), ("confirm", "lantern-quartz-meadow-9")):
            type_into(d, field, value)
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        if not arrived(d, r"/account/totp$"): fail(f"invitation: not taken to set up the authenticator app ({d.current_url}): {errors_shown(d)}")
        check(d, "invitation-totp")
        d.get(base + "/inbox")
        if not arrived(d, r"/account/totp$"): fail("invitation: the inbox opened before the authenticator app was set up")
        dana.password = "lantern-quartz-meadow-9"
        enrol_totp(dana, decode_qr=False, screenshot=False)
        # The link is used up.
        d.get(link)
        if "no longer works" not in d.page_source: fail("invitation: the link worked a second time")
        d.get_log("browser")  # that page's 410 is intended
        d.get(share)
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".marking"))
        check(d, "invited-share")
        if "Send a share" in d.find_element(By.TAG_NAME, "header").text: fail("invited people are offered to send new shares")
        name, data = files[0]
        link_el = d.find_elements(By.XPATH, f"//ul[@class='files']//a[@download and normalize-space(.)={json.dumps(name)}]")
        if not link_el or dana.fetch(link_el[0].get_attribute("href")) != data: fail("invited: the file did not download intact")
        answer = reply(dana, share, "Received, thank you.", ("dana-reply.txt", b"signed\n"), False)
        if not answer: return
        alice.driver.get(answer)
        if "Received, thank you." not in alice.driver.page_source: fail("invited: the sender does not see the reply")
        d.get(base + "/compose")
        if "Page not found" not in d.page_source and "not send new shares" not in d.page_source: fail("invited people can compose")
    finally:
        dana.quit()


def extras(alice, bob):
    """View-only viewing, the rules pages, archives and partner passwords (JavaScript on, axe on every page)."""
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    files = [("case-notes.txt", b"Seen at home on Monday.\n" + XSS.encode()), ("photo.png", png), ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")]
    share = compose(alice, bob.email, "View-only notes", files, view_only=True)
    if share:
        d = bob.driver
        d.get(share)
        if d.find_elements(By.CSS_SELECTOR, "ul.files a[download]"): fail("view-only: a download link is offered")
        check(d, "share-view-only")
        d.find_element(By.XPATH, "//a[contains(., 'case-notes.txt') and contains(., 'View')]").click()
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".viewer__text"))
        check(d, "view-text")
        mark = d.find_element(By.ID, "watermark").text
        if "Bob Jones" not in mark: fail(f"view-only: the watermark does not name the viewer: {mark!r}")
        if "Seen at home on Monday." not in d.find_element(By.CSS_SELECTOR, ".viewer__text").text: fail("view-only: the text is not shown")
        d.get(share)
        d.find_element(By.XPATH, "//a[contains(., 'photo.png') and contains(., 'View')]").click()
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".viewer__picture"))
        check(d, "view-picture")
        d.get(share)
        d.find_element(By.XPATH, "//a[contains(., 'report.pdf') and contains(., 'View')]").click()
        WebDriverWait(d, 10).until(lambda x: "cannot be shown in the page" in x.page_source)
        check(d, "view-not-viewable")
        file_id = re.search(r"/files/([^/]+)/view", d.current_url).group(1)
        try:
            bob.fetch(share + f"/files/{file_id}")
            fail("view-only: the file downloads anyway")
        except urllib.error.HTTPError as error:
            if error.code != 403: fail(f"view-only: a download answered {error.code}")
        # The sender sees the views in the timeline.
        alice.driver.get(share)
        if "Viewed a file in the page" not in alice.driver.page_source: fail("view-only: the sender does not see the views")
    d = alice.driver
    # The channel advisor.
    go(d, "/rules", "advisor")
    type_into(d, "people", "many " + XSS_SHORT)
    type_into(d, "to", XSS)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".error-summary"))
    check(d, "advisor-error")
    type_into(d, "people", "3")
    type_into(d, "to", "someone@nhs.net")
    d.find_element(By.ID, "urgency-urgent").click()
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".channels"))
    check(d, "advisor-answer")
    if not d.find_elements(By.CSS_SELECTOR, ".channel .checklist"): fail("advisor: no checklists")
    # Printable fax cover sheet and envelope labels.
    go(d, "/rules/fax-cover-sheet", "fax-cover-form")
    for field, value in (("toName", "Dr Patel " + XSS_SHORT), ("toOrganisation", "St Helier " + XSS_SHORT), ("toFax", "020 8296 0000"), ("pages", "3")):
        type_into(d, field, value)
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".printable"))
    check(d, "fax-cover-sheet")
    go(d, "/rules/envelope-labels", "envelope-form")
    type_into(d, "toName", "Dr Patel " + XSS_SHORT)
    type_into(d, "toAddress", "St Helier Hospital\nWrythe Lane\n" + XSS_SHORT)
    type_into(d, "returnAddress", "Merton Civic Centre")
    submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".printable"))
    check(d, "envelope-labels")
    # An encrypted archive of a share: the password shown once, the archive opens with it.
    files = [("letter.txt", b"For the family's solicitor.\n")]
    share = compose(alice, bob.email, "Letter for the solicitor", files)
    if share:
        d.get(share)
        d.find_element(By.LINK_TEXT, "Make an encrypted archive of this share").click()
        arrived(d, r"/export$")
        check(d, "export")
        submit(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.ID, "archive-password"))
        check(d, "export-ready")
        password = d.find_element(By.ID, "archive-password").text.strip()
        archive = alice.fetch(d.find_element(By.PARTIAL_LINK_TEXT, "Download the archive").get_attribute("href"))
        import pyzipper
        with pyzipper.AESZipFile(io.BytesIO(archive)) as z:
            z.setpassword(password.encode())
            names = z.namelist()
            if not any(z.read(n) == files[0][1] for n in names): fail(f"export: the archive does not hold the file ({names})")
    # Partner passwords: make one, show it, change it.
    go(d, "/archive-passwords", "partner-passwords")
    type_into(d, "partner", "St Helier " + XSS_SHORT)
    type_into(d, "purpose", "Monthly returns " + XSS_SHORT)
    type_into(d, "rotateDays", "90")
    d.find_element(By.XPATH, "//main//form[@action='/archive-passwords']//button").click()
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.ID, "revealed-password"))
    check(d, "partner-password-made")
    shown = d.find_element(By.ID, "revealed-password")
    first = shown.text
    d.find_element(By.XPATH, "//button[starts-with(normalize-space(.), 'Change')]").click()
    WebDriverWait(d, 10).until(lambda x: gone(shown))
    if d.find_element(By.ID, "revealed-password").text == first: fail("partner passwords: changing kept the same password")
    check(d, "partner-password-changed")


def administration(admin, orgs):
    """Disable, enable and reset the second factor of someone; check the audit trail."""
    d = admin.driver
    carol = Person("carol@nhs.net", True)
    try:
        once = admin_add_person(admin, orgs[1], carol.email, "Carol Ward", False)
        carol.sign_in(once, expect=r"/account/password$")
        change_password(carol, once, "meadow-copper-thistle-lamp", False)
        d.get(orgs[1])
        d.find_element(By.LINK_TEXT, "Carol Ward").click()
        arrived(d, r"/admin/users/")
        check(d, "admin-user")
        type_into(d, "jobTitle", "Ward sister " + XSS_SHORT)
        click(d, "Save changes")
        WebDriverWait(d, 10).until(lambda x: "Changes saved" in x.page_source)
        check(d, "admin-user-saved")
        click(d, "Disable this account")
        WebDriverWait(d, 10).until(lambda x: "can no longer sign in" in x.page_source)
        check(d, "admin-user-disabled")
        carol.driver.get(base + "/inbox")
        if not arrived(carol.driver, r"/sign-in$"): fail("a disabled account's session still works")
        click(d, "Enable this account")
        WebDriverWait(d, 10).until(lambda x: "can sign in again" in x.page_source)
        carol.sign_in()
        enrol_totp(carol, decode_qr=False, screenshot=False)
        d.refresh()
        click(d, "Remove their authenticator app")
        WebDriverWait(d, 10).until(lambda x: "authenticator app was removed" in x.page_source)
        carol.secret = None
        carol.sign_in()
        go(d, "/admin")
        click(d, "Check the audit trail now")
        WebDriverWait(d, 30).until(lambda x: x.find_elements(By.ID, "audit-result"))
        check(d, "admin-audit")
        if "intact" not in d.find_element(By.ID, "audit-result").text: fail("the audit trail is not reported intact")
        d.find_element(By.LINK_TEXT, "Notifications not delivered").click()
        arrived(d, r"/admin/outbox$")
        check(d, "admin-outbox")
        # Not an administrator: the pages are not found.
        carol.driver.get(base + "/admin")
        if "Page not found" not in carol.driver.page_source: fail("a practitioner can open the administration pages")
    finally:
        carol.quit()


admin = Person("admin@safehaven.invalid", True)
try:
    # The first administrator: the one-time password from the start-up banner must be changed first.
    once = first_admin_password()
    go(admin.driver, "/", "sign-in")
    type_into(admin.driver, "email", XSS)
    submit(admin.driver, admin.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(admin.driver, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".error-summary"))
    check(admin.driver, "sign-in-error")
    admin.sign_in(once, expect=r"/account/password$")
    change_password(admin, once, "lantern-violet-harbour-beacon", True)
    check(admin.driver, "inbox-empty")
    orgs = [admin_add_organisation(admin, "Merton Council " + XSS_SHORT, "merton.gov.uk", True),
            admin_add_organisation(admin, "St Helier Hospital", "nhs.net", False)]
    check(admin.driver, "admin-organisation-people")
    journey(admin, True, orgs, 1)
    nojs_admin = Person(admin.email, False)
    nojs_admin.password = admin.password
    # With the keyboard alone: Tab from the top of the page to each field, Enter to sign in.
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    keyboard = nojs_admin.driver
    keyboard.get(base + "/sign-in")
    order = []
    for _ in range(3):
        ActionChains(keyboard).send_keys(Keys.TAB).perform()
        order.append(keyboard.switch_to.active_element.get_attribute("id") or keyboard.switch_to.active_element.get_attribute("class"))
    if order[-1] != "email": fail(f"keyboard: Tab order on the sign-in page is {order}")
    ActionChains(keyboard).send_keys(nojs_admin.email, Keys.TAB, nojs_admin.password, Keys.ENTER).perform()
    if not arrived(keyboard, r"/inbox$"): fail(f"keyboard: signing in with the keyboard alone did not reach the inbox ({keyboard.current_url})")
    try:
        journey(nojs_admin, False, orgs, 2)
    finally:
        nojs_admin.quit()
    administration(admin, orgs)
    # Signing out everywhere ends this browser's session too.
    go(admin.driver, "/account")
    click(admin.driver, "Sign out everywhere")
    if not arrived(admin.driver, r"/sign-in$"): fail("sign out everywhere did not return to sign-in")
    admin.driver.get(base + "/admin")
    if not arrived(admin.driver, r"/sign-in$"): fail("the administration pages are visible after signing out everywhere")
finally:
    admin.quit()

shots = sorted(os.listdir(artefacts))
print(f"browser-{kind}: {len(pages_checked)} pages checked, {len(shots)} screenshots in {artefacts}")
if failures:
    print(f"browser-{kind}: {len(failures)} failures")
    sys.exit(1)
print(f"browser-{kind}: every journey passed with JavaScript on and off; axe found no violations; no XSS")
