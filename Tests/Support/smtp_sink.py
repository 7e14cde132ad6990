#!/usr/bin/env python3
"""SMTP sink for integration tests (aiosmtpd).

    smtp_sink.py --spool DIR [--port 0] [--host 127.0.0.1]
                 [--tls-cert C --tls-key K [--require-starttls] [--implicit-tls]]
                 [--auth-user U --auth-password P] [--delay-ms N]

Stores each accepted message in DIR as `<n>.eml` (raw DATA bytes, CRLF kept) plus `<n>.json`
({"mail_from", "rcpt_tos", "peer": [host, port], "tls", "auth_user"}); the .json is written last
(atomically), so its presence means the message is complete. Prints `PORT <n>` when ready.
With --auth-user, AUTH PLAIN/LOGIN is offered (after STARTTLS only) and required for MAIL.
With --delay-ms, each message is answered that much later (a slow server: sends stay in flight).
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SpoolHandler:
    def __init__(self, spool, delay_seconds=0.0):
        self.spool = spool
        self.delay_seconds = delay_seconds
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)
        with self.lock:
            number = next(self.counter)
        base = os.path.join(self.spool, f"{number:04d}")
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or b"")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": list(session.peer[:2]) if session.peer else None,
            # session.ssl covers STARTTLS; the transport's ssl_object also covers implicit TLS.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": session.auth_data if isinstance(session.auth_data, str) else None,
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.replace(base + ".json.tmp", base + ".json")
        return "250 OK stored"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login == self.user and auth_data.password == self.password:
            return AuthResult(success=True, auth_data=self.user.decode())
        return AuthResult(success=False, handled=False)


class EphemeralPortController(Controller):
    """aiosmtpd's Controller checks readiness by connecting to `self.port`; with port 0
    that must first be replaced by the port the server actually bound."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password")
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()
    # A parent may spawn us from a thread that blocks signals, and the mask is inherited:
    # unblock them so SIGTERM stops the sink.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())

    os.makedirs(args.spool, exist_ok=True)
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    smtp_kwargs = {}
    if args.auth_user is not None:
        smtp_kwargs["authenticator"] = Authenticator(args.auth_user, args.auth_password or "")
        smtp_kwargs["auth_required"] = True
        smtp_kwargs["auth_require_tls"] = tls_context is not None
    if tls_context is not None and not args.implicit_tls:
        smtp_kwargs["tls_context"] = tls_context
        smtp_kwargs["require_starttls"] = args.require_starttls

    controller = EphemeralPortController(
        SpoolHandler(args.spool, args.delay_ms / 1000),
        hostname=args.host,
        port=args.port,
        ssl_context=tls_context if args.implicit_tls else None,
        **smtp_kwargs,
    )
    controller.start()
    print(f"PORT {controller.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
