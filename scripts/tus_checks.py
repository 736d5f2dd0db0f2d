"""The checks of scripts/tus-test: a real tus client against a real server, interrupted twice.

    python3 scripts/tus_checks.py PATH-TO-safehaven WORK_DIR ALICE_TOKEN BOB_TOKEN SIZE_MB
"""
import base64, hashlib, json, os, signal, socket, subprocess, sys, time, urllib.parse, urllib.request

from tusclient import client as tus

binary, work, alice, bob, size_mb = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
db_args = os.environ.get("DBURL_ARGS", "").split()
port = None
failures = []
CHUNK = 64 * 1024 * 1024


def check(name, ok, detail=""):
    print(("  ok   " if ok else "  FAIL ") + name + (f" ({detail})" if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_server():
    log = open(os.path.join(work, "server.log"), "a")
    server = subprocess.Popen([binary, "serve", "--data-dir", os.path.join(work, "data"), *db_args, "--port", str(port)],
                              stdout=log, stderr=log)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health").read()
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start: " + open(os.path.join(work, "server.log")).read())


def call(method, path, token, body=None, headers=None, raw=None):
    data = json.dumps(body).encode() if body is not None else raw
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def offset_of(location):
    status, headers, _ = call("HEAD", urllib.parse.urlparse(location).path, alice, headers={"Tus-Resumable": "1.0.0"})
    return int(headers["Upload-Offset"]) if status == 200 else None


def rss_peak_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def client_until(location, path, stop_at_offset, victim):
    """Runs a tuspy client in its own process and kills `victim` (the client or the server)
    once the server says at least `stop_at_offset` bytes have arrived."""
    script = (
        "import sys\nfrom tusclient import client\n"
        f"c = client.TusClient('http://127.0.0.1:{port}/api/v1/uploads', headers={{'Authorization': 'Bearer {alice}'}})\n"
        f"u = c.uploader({path!r}, url={location!r}, chunk_size={CHUNK})\nu.upload()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        time.sleep(0.02)
        if proc.poll() is not None:
            return False
        # The server reports only what is durable: poll until it passes the mark.
        current = offset_of(location)
        if current is not None and current >= stop_at_offset:
            (victim or proc).send_signal(signal.SIGKILL)
            proc.kill()
            proc.wait()
            return True


def main():
    global port
    port = free_port()
    path = os.path.join(work, "case-file.bin")
    size = size_mb * 1024 * 1024
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        block = os.urandom(1024 * 1024)
        for i in range(size_mb):
            # Every mebibyte differs, so a chunk stored twice or out of place changes the hash.
            piece = i.to_bytes(8, "big") + block[8:]
            f.write(piece)
            digest.update(piece)
        # A length that is not a whole number of chunks.
        tail = b"the end of the case file\n" * 41
        f.write(tail)
        digest.update(tail)
    size += len(tail)
    expected = digest.hexdigest()
    server = start_server()

    status, _, body = call("POST", "/api/v1/drafts", alice)
    check("a draft is opened", status == 201, body)
    draft = json.loads(body)["id"]
    my_client = tus.TusClient(f"http://127.0.0.1:{port}/api/v1/uploads", headers={"Authorization": "Bearer " + alice})
    uploader = my_client.uploader(path, chunk_size=CHUNK, metadata={"draft": draft, "filename": "case-file.bin",
                                                                      "filetype": "application/octet-stream"})
    location = uploader.create_url()
    check("tuspy creates the upload", location.startswith(f"http://127.0.0.1:{port}/api/v1/uploads/"), location)

    # Interruption 1: the client dies mid-request; the server keeps every byte it acknowledged.
    killed = client_until(location, path, size // 3, None)
    first = offset_of(location)
    print(f"  client killed at {first:,} of {size:,} bytes", flush=True)
    check("the client is killed mid-upload", killed and first is not None and size // 3 <= first < size, f"offset {first}")

    # Interruption 2: the server is killed (SIGKILL) mid-request and started again.
    killed = client_until(location, path, 2 * size // 3, server)
    server.wait()
    server = start_server()
    second = offset_of(location)
    print(f"  server killed and restarted: resumes at {second:,}", flush=True)
    # (A small file, as in a quick run, may finish before the kill lands; the full 1 GiB never does.)
    check("after a restart the upload resumes from a durable offset",
          killed and second is not None and first < second and (second < size or size_mb < 256),
          f"offset {second}")

    # Resumed to the end by a fresh tuspy uploader that asks the server where to carry on.
    resumed = my_client.uploader(path, url=location, chunk_size=CHUNK)
    check("tuspy asks the server where to resume", resumed.offset == second, f"{resumed.offset} vs {second}")
    resumed.upload()
    check("the upload completes", offset_of(location) == size)
    peak = rss_peak_mib(server.pid)
    print(f"  server peak memory while finishing {size_mb} MiB: {peak:.0f} MiB", flush=True)
    check("server memory stays flat", peak < 200, f"{peak:.0f} MiB")

    share = {"recipients": ["bob@nhs.net"], "subject": "Strategy meeting papers", "purpose": "Child protection strategy discussion",
             "basis": "no-personal-data", "message": "The papers for Thursday."}
    status, _, body = call("POST", f"/api/v1/shares?draft={draft}", alice, share)
    check("the draft is sent as a share", status == 201, body[:300])
    detail = json.loads(body)
    check("the share carries the file", [f["name"] for f in detail["files"]] == ["case-file.bin"] and detail["files"][0]["sha256"] == expected)

    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/shares/{detail['id']}/files/{detail['files'][0]['id']}")
    request.add_header("Authorization", "Bearer " + bob)
    received = hashlib.sha256()
    count = 0
    with urllib.request.urlopen(request) as response:
        while True:
            piece = response.read(4 * 1024 * 1024)
            if not piece:
                break
            received.update(piece)
            count += len(piece)
    check("the recipient downloads it intact", received.hexdigest() == expected and count == size, f"{count} bytes")
    # Forty at once, as an attacker or a buggy client would: forty PATCHes of one upload, and forty
    # creations that together pass the share's size limit.
    from concurrent.futures import ThreadPoolExecutor
    status, _, body = call("POST", "/api/v1/drafts", alice)
    race_draft = json.loads(body)["id"]
    small = os.urandom(3 * 1024 * 1024 + 7)
    tus_headers = {"Tus-Resumable": "1.0.0"}
    meta = f"draft {base64.b64encode(race_draft.encode()).decode()},filename {base64.b64encode(b'race.bin').decode()}"
    status, headers, _ = call("POST", "/api/v1/uploads", alice, headers=dict(tus_headers, **{"Upload-Length": str(len(small)), "Upload-Metadata": meta}))
    race = headers["Location"]

    def patch(_):
        return call("PATCH", race, alice, raw=small, headers=dict(tus_headers, **{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}))[0]

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(patch, range(40)))
    check("forty PATCHes at once: one stores the file, the rest are told to wait or where it stands, none fails",
          statuses.count(204) >= 1 and all(s in (204, 409) for s in statuses) and offset_of(race) == len(small), sorted(set(statuses)))
    _, _, body = call("GET", f"/api/v1/drafts/{race_draft}", alice)
    check("and it was stored once, whole", json.loads(body)["uploads"][0]["sha256"] == hashlib.sha256(small).hexdigest())

    limit = 2 * 1024 * 1024 * 1024
    each = 100 * 1024 * 1024

    def create(n):
        m = f"draft {base64.b64encode(race_draft.encode()).decode()},filename {base64.b64encode(f'part-{n}.bin'.encode()).decode()}"
        return call("POST", "/api/v1/uploads", alice, headers=dict(tus_headers, **{"Upload-Length": str(each), "Upload-Metadata": m}))[0]

    with ThreadPoolExecutor(40) as pool:
        created = list(pool.map(create, range(40)))
    room = (limit - len(small)) // each
    check(f"forty creations at once: exactly {room} fit the share's limit, the rest are refused",
          created.count(201) == room and created.count(413) == 40 - room, f"{created.count(201)} created, {sorted(set(created))}")
    call("DELETE", f"/api/v1/drafts/{race_draft}", alice)

    # A HEAD that finds nothing leaves the connection usable (no stray body).
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("HEAD", "/api/v1/uploads/no-such-upload", headers={"Authorization": "Bearer " + alice, "Tus-Resumable": "1.0.0"})
    first = conn.getresponse()
    first.read()
    conn.request("GET", "/health")
    second = conn.getresponse()
    check("a HEAD answered 404 keeps the connection in step", first.status == 404 and second.status == 200 and b"ok" in second.read())
    conn.close()

    uploads_dir = os.path.join(work, "data", "uploads")
    check("nothing is left in the upload area", os.listdir(uploads_dir) == [], os.listdir(uploads_dir))
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    if failures:
        print(open(os.path.join(work, "server.log")).read()[-3000:])
        raise SystemExit(f"tus checks: {len(failures)} failed")
    print("tus checks: all passed", flush=True)


main()
