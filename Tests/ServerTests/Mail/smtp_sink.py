"""A real SMTP server for the e-mail report tests (aiosmtpd from PyPI): it takes every message on
loopback and writes it to FOLDER as N.eml, with the envelope in N.json. With CERT and KEY it
offers STARTTLS and requires it before MAIL; with a USER:PASSWORD it requires that login.

Usage: smtp_sink.py FOLDER [CERT KEY [USER:PASSWORD]]   (prints "ready PORT" once it listens)
"""
import json
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# The test process starts this from a thread that blocks most signals, and a child inherits the
# mask: unblocked, SIGTERM from the test's terminate() ends the sink instead of leaving it running.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
tls = None
if len(sys.argv) >= 4:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(sys.argv[2], sys.argv[3])
login = sys.argv[4].split(":", 1) if len(sys.argv) >= 5 else None


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        with open(os.path.join(folder, f"{Sink.count}.eml"), "wb") as out:
            out.write(envelope.original_content or envelope.content)
        with open(os.path.join(folder, f"{Sink.count}.json"), "w") as out:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                       "login": session.authenticated}, out)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and login and data.login.decode() == login[0] \
        and data.password.decode() == login[1]
    return AuthResult(success=bool(ok))


with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
kwargs = {}
if tls:
    kwargs.update(tls_context=tls, require_starttls=True)
if login:
    kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
controller = Controller(Sink(), hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs)
controller.start()
print(f"ready {port}", flush=True)
try:
    while True:
        time.sleep(1)
finally:
    controller.stop()
