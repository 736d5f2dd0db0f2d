"""The mail checks of scripts/mail-test: real servers and a real SMTP peer, started and stopped here.

    python3 scripts/mail_checks.py SMTP_PORT WORK_DIR sqlite|postgres PATH-TO-safehaven
"""
import json, os, re, signal, socket, subprocess, sys, time, urllib.request

smtp_port, work, kind, binary = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
spool = os.path.join(work, "spool")
db_args = os.environ.get("DBURL_ARGS", "").split()
failures = []
processes = []


def fail(message):
    failures.append(message)
    print("  FAIL " + message, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_peer():
    log = open(os.path.join(work, "peer.log"), "a")
    peer = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "smtp_peer.py"), "--port", str(smtp_port),
                             "--spool", spool, "--cert", os.path.join(work, "relay.pem"), "--key", os.path.join(work, "relay.key"),
                             "--user", "relay-user", "--password", "relay-secret-words"], stdout=log, stderr=log)
    processes.append(peer)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", smtp_port), timeout=0.2).close()
            return peer
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP peer did not start")


def start_server(data_dir=os.path.join(work, "data")):
    port = free_port()
    env = dict(os.environ, SAFEHAVEN_PUBLIC_URL="https://safehaven.example.org", SAFEHAVEN_SMTP_STARTTLS="required",
               SAFEHAVEN_SMTP_USERNAME="relay-user")
    log = open(os.path.join(work, f"server-{port}.log"), "a")
    server = subprocess.Popen([binary, "serve", "--data-dir", data_dir, *db_args, "--port", str(port), "--smtp-host", "localhost",
                               "--smtp-port", str(smtp_port), "--smtp-ca-file", os.path.join(work, "ca.pem"),
                               "--smtp-password-file", os.path.join(work, "smtp-password"), "--mail-from", "notices@safehaven.example.org"],
                              stdout=log, stderr=log, env=env)
    processes.append(server)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health").read()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start: " + open(os.path.join(work, f"server-{port}.log")).read())


def api(base, method, path, token=None, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=body, headers=headers or {})
    if token: request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def login(base, email, password):
    return api(base, "POST", "/api/v1/sessions", body=json.dumps({"email": email, "password": password}).encode(),
               headers={"Content-Type": "application/json"})["token"]


def send(base, token, subject, message, about=None):
    boundary = "b0undary"
    draft = {"subject": subject, "message": message, "recipients": ["bob@nhs.net"], "purpose": "Strategy meeting", "basis": "no-personal-data",
             "handling": "Do not forward", "requireReceipt": True}
    if about: draft["about"] = about
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"share\"\r\nContent-Type: application/json\r\n\r\n".encode()
            + json.dumps(draft).encode()
            + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Zebedee-family-report.pdf\"\r\n"
              f"Content-Type: application/pdf\r\n\r\n%PDF report\r\n--{boundary}--\r\n".encode())
    return api(base, "POST", "/api/v1/shares", token=token, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def deliveries():
    try:
        with open(os.path.join(spool, "deliveries.log")) as f:
            return [line.strip() for line in f if line.strip()]
    except OSError:
        return []


def wait_for(count, label, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(deliveries()) >= count: return True
        time.sleep(0.1)
    fail(f"{label}: expected {count} deliveries, the peer has {len(deliveries())}")
    return False


def settle_then_expect(count, label):
    """Waits for `count` deliveries, then two more worker passes, and checks no copy arrived."""
    wait_for(count, label)
    time.sleep(2.5)  # the worker looks every second: a duplicate would arrive within two passes
    got = deliveries()
    if len(got) != count: fail(f"{label}: {len(got)} deliveries instead of {count}")
    if len(set(got)) != len(got): fail(f"{label}: a Message-ID was delivered twice")


def control(value):
    with open(os.path.join(spool, "control.json") + ".tmp", "w") as f: json.dump(value, f)
    os.replace(os.path.join(spool, "control.json") + ".tmp", os.path.join(spool, "control.json"))


def messages():
    out = []
    for name in sorted(n for n in os.listdir(spool) if n.endswith(".eml")):
        with open(os.path.join(spool, name)) as f: out.append(f.read())
    return out


def outbox(*args):
    result = subprocess.run([binary, "outbox", *args, "--data-dir", os.path.join(work, "data"), *db_args], capture_output=True, text=True)
    return result.stdout + result.stderr


os.makedirs(spool, exist_ok=True)
peer = start_peer()
server, base = start_server()
try:
    alice = login(base, "alice@merton.gov.uk", "violet-harbour-lantern-42")
    bob = login(base, "bob@nhs.net", "copper-meadow-thistle-77")

    # 1. One announce, over STARTTLS with AUTH, the right headers, and nothing about the case.
    subject, message = "Strategy papers Quixotic", "Confidential-Message-Text-Marmalade"
    share = send(base, alice, subject, message, about=["Jay Zebedee"])
    settle_then_expect(1, "announce")
    first = messages()[0]
    for header in ("Message-ID: <", "Date: ", "From: \"Safehaven\" <notices@safehaven.example.org>", "To: <bob@nhs.net>",
                   "Auto-Submitted: auto-generated", "X-Peer-TLS: yes", "X-Peer-Auth: yes", "X-Peer-Mail-From: notices@safehaven.example.org",
                   "Subject: A secure share is waiting for you", "Content-Transfer-Encoding: quoted-printable", "multipart/alternative"):
        if header not in first: fail(f"announce lacks {header!r}")
    flat = first.replace("=\r\n", "").replace("=\n", "")
    if f"https://safehaven.example.org/shares/{share['id']}" not in flat: fail("announce lacks the link to the share")
    if "Alice Smith at Merton Council" not in flat: fail("announce does not name the sender and organisation")

    # 2. Receipt (to the sender) and withdrawal (to the addressee): one each.
    api(base, "POST", f"/api/v1/shares/{share['id']}/receipt", token=bob)
    wait_for(2, "receipt")
    api(base, "POST", f"/api/v1/shares/{share['id']}/revoke", token=alice)
    settle_then_expect(3, "withdrawal")
    subjects = [re.search(r"^Subject: (.*)$", m, re.M).group(1) for m in messages()]
    if subjects != ["A secure share is waiting for you", "Receipt confirmed", "A share sent to you was withdrawn"]:
        fail(f"the notices were {subjects}")
    if "To: <alice@merton.gov.uk>" not in messages()[1]: fail("the receipt notice did not go to the sender")

    # 3. Two 451 replies, then accepted: exactly once.
    control({"temporary": 2})
    send(base, alice, "Second papers", "m")
    settle_then_expect(4, "after two 4xx replies")

    # 4. A 550: failed for good, listed for an administrator, sent once retried by hand.
    control({"permanent": ["bob@nhs.net"]})
    send(base, alice, "Third papers", "m")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "550" not in outbox("list"): time.sleep(0.2)
    listed = outbox("list")
    if "550" not in listed: fail(f"a 550 refusal is not listed as failed: {listed!r}")
    control({})
    print(outbox("retry", listed.split("\t")[0].strip()).strip())
    settle_then_expect(5, "retried by hand after a 5xx")
    if "no failed notifications" not in outbox("list"): fail("the retried notification is still listed as failed")

    # 5. The relay is down while three shares are sent; each notice arrives once when it is back.
    peer.terminate(); peer.wait()
    for n in range(3): send(base, alice, f"Outage papers {n}", "m")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and outbox("list", "--all").count("queued") < 3: time.sleep(0.2)
    time.sleep(2)
    peer = start_peer()
    settle_then_expect(8, "after an outage of the relay")

    # 6. Killed mid-batch: the relay holds its answer to the final dot; the server dies waiting.
    control({"delay": 4})
    for n in range(3): send(base, alice, f"Kill papers {n}", "m")
    time.sleep(1.5)  # the worker's next pass is under way and waiting for the relay
    server.send_signal(signal.SIGKILL); server.wait()
    control({})
    time.sleep(4.5)  # the peer's held answer finds nobody to hear it: not delivered
    # Restarted: the lease of the killed worker must lapse before its rows are claimed again.
    server, base = start_server()
    settle_then_expect(11, "after a kill mid-batch")

    # 7. Someone without an account: exactly one invitation, whose link a scanner can open freely.
    import email as mail
    alice = login(base, "alice@merton.gov.uk", "violet-harbour-lantern-42")
    boundary = "b0undary"
    draft = {"subject": "Bundle Quixotic", "message": "m", "recipients": ["dana@familylaw.example.co.uk"], "purpose": "Hearing", "basis": "no-personal-data"}
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"share\"\r\nContent-Type: application/json\r\n\r\n".encode()
            + json.dumps(draft).encode() + f"\r\n--{boundary}--\r\n".encode())
    api(base, "POST", "/api/v1/shares", token=alice, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    settle_then_expect(12, "an invitation")
    invitation = mail.message_from_string(messages()[-1].split("\n", 4)[4])
    text = next(p for p in invitation.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    if invitation["To"] != "<dana@familylaw.example.co.uk>" or "invited" not in invitation["Subject"]: fail(f"the invitation went wrong: {invitation['Subject']}")
    link = re.search(r"https://safehaven\.example\.org(/invitations/[0-9a-f]{32})", text)
    if not link: fail("the invitation has no link")
    else:
        for _ in range(3):
            with urllib.request.urlopen(base + link.group(1)) as page:
                if b"Set up your access" not in page.read(): fail("the invitation link does not open the set-up page")
    settle_then_expect(12, "opening the link sends nothing")

    # 8. PostgreSQL: two servers on one database deliver each message once.
    if kind == "postgres":
        second, base2 = start_server(os.path.join(work, "data"))
        token2 = login(base2, "alice@merton.gov.uk", "violet-harbour-lantern-42")
        alice = login(base, "alice@merton.gov.uk", "violet-harbour-lantern-42")
        for n in range(15):
            send(base, alice, f"Two servers {n}", "m")
            send(base2, token2, f"Two servers b{n}", "m")
        settle_then_expect(42, "two servers on one database")
        second.terminate(); second.wait()

    # Nothing about any case in any message.
    for text in messages():
        flat = text.replace("=\r\n", "").replace("=\n", "")
        for secret in ("Quixotic", "Marmalade", "Zebedee", "Jay", "papers", "report.pdf", "Strategy meeting", "Do not forward"):
            if secret in flat: fail(f"a delivered message contains {secret!r}")
finally:
    for p in processes:
        if p.poll() is None:
            p.kill()
            p.wait()

print(f"mail-{kind}: {len(deliveries())} messages delivered, {len(set(deliveries()))} distinct")
if failures:
    print(f"mail-{kind}: {len(failures)} failures")
    sys.exit(1)
print(f"mail-{kind}: every notice arrived exactly once, with no personal data, through outage, refusals and a kill")
