"""A real SMTP peer for the mail tests (aiosmtpd): STARTTLS with a self-signed certificate,
AUTH PLAIN/LOGIN, and behaviour the tests switch at run time through `control.json` in the spool
folder:

    {"temporary": N}          answer 451 to the next N DATA commands
    {"permanent": ["a@b"]}    answer 550 to RCPT TO for these addresses
    {"delay": S}              wait S seconds before answering the final dot

Like a real mail server it takes responsibility for a message only when it can answer 250 to the
final dot: a client that has gone by then (killed mid-transaction) leaves nothing delivered.
Each delivered message is written to the spool as NNNN.eml; `deliveries.log` lists Message-IDs.

    python3 scripts/smtp_peer.py --port P --spool DIR --cert C --key K [--user U --password W]
"""
import argparse, asyncio, json, os, re, ssl, sys, time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--spool", required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--user")
parser.add_argument("--password")
args = parser.parse_args()
os.makedirs(args.spool, exist_ok=True)
control_path = os.path.join(args.spool, "control.json")


def control():
    try:
        with open(control_path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_control(value):
    with open(control_path + ".tmp", "w") as f:
        json.dump(value, f)
    os.replace(control_path + ".tmp", control_path)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in [a.lower() for a in control().get("permanent", [])]:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        settings = control()
        if settings.get("temporary", 0) > 0:
            settings["temporary"] -= 1
            save_control(settings)
            return "451 4.3.0 Try again later"
        if settings.get("delay"):
            await asyncio.sleep(settings["delay"])
        transport = getattr(server, "transport", None)
        if transport is None or transport.is_closing():
            return "451 4.4.2 Connection lost"  # nobody hears this: the client has gone
        content = envelope.original_content or envelope.content
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        match = re.search(r"^Message-ID:\s*<([^>]+)>", text, re.M | re.I)
        count = len([n for n in os.listdir(args.spool) if n.endswith(".eml")])
        path = os.path.join(args.spool, f"{count + 1:04d}.eml")
        with open(path, "w") as f:
            f.write(f"X-Peer-Mail-From: {envelope.mail_from}\nX-Peer-Rcpt-To: {','.join(envelope.rcpt_tos)}\n"
                    f"X-Peer-TLS: {'yes' if session.ssl else 'no'}\nX-Peer-Auth: {'yes' if session.authenticated else 'no'}\n" + text)
        with open(os.path.join(args.spool, "deliveries.log"), "a") as f:
            f.write((match.group(1) if match else "none") + "\n")
        return "250 2.0.0 Queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(args.cert, args.key)
options = dict(hostname="127.0.0.1", port=args.port, tls_context=context, require_starttls=True,
               server_hostname="localhost", data_size_limit=10 * 1024 * 1024)
if args.user:
    options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
controller = Controller(Handler(), **options)
controller.start()
print(f"smtp peer listening on 127.0.0.1:{args.port}", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
