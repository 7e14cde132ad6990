#!/usr/bin/env python3
"""Programmable HTTP sink for integration tests.

Records every request and answers from a script of canned responses.

    http_sink.py --port 0 [--host 127.0.0.1]

Prints `PORT <n>` as the first stdout line once listening.

Control endpoints (never recorded):
  POST /_control/script    JSON list of responses, consumed in order; afterwards the default
                           (200, body `{}`). Each item: {"status": int, "headers": {name: value},
                           "body": str, "delay": seconds, "close": bool}. Replaces the old script.
  GET  /_control/requests  JSON list of recorded requests: {"method", "path", "headers": [[n, v]],
                           "body" (utf-8, lossy), "body_base64", "client_port", "connection",
                           "received_at" (seconds since 1970)}.
  POST /_control/reset     clears the script and the recorded requests.
  POST /_control/webhook_secret
                           the body is a Standard Webhooks secret (`whsec_...`): from then on each
                           request's signature is checked, independently of the code under test,
                           and recorded as "webhook_signature": {"standardwebhooks": bool or null
                           (null when that package is not installed), "hmac": bool (Python's hmac)}.
"""
import argparse
import base64
import hashlib
import hmac
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
script = []
requests = []
connection_counter = [0]
webhook_secret = [None]

try:
    import standardwebhooks
except ImportError:  # the check by hand below still runs
    standardwebhooks = None


def check_webhook_signature(secret, headers, body):
    """Checks a Standard Webhooks signature twice: with the `standardwebhooks` package (when
    installed) and with a few lines of hmac over `id.timestamp.body`."""
    msg_id = headers.get("webhook-id") or ""
    timestamp = headers.get("webhook-timestamp") or ""
    signatures = (headers.get("webhook-signature") or "").split(" ")
    key = base64.b64decode(secret[len("whsec_"):])
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    by_hmac = any(
        candidate.startswith("v1,") and hmac.compare_digest(candidate[3:], expected) for candidate in signatures
    )
    by_package = None
    if standardwebhooks is not None:
        try:
            standardwebhooks.Webhook(secret).verify(body, {
                "webhook-id": msg_id, "webhook-timestamp": timestamp,
                "webhook-signature": headers.get("webhook-signature") or "",
            })
            by_package = True
        except Exception:
            by_package = False
    return {"standardwebhooks": by_package, "hmac": by_hmac}


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so clients can keep connections alive (the default 1.0 closes each time).
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with lock:
            connection_counter[0] += 1
            self.connection_id = connection_counter[0]

    def log_message(self, format, *args):
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body=b"", headers=None, close=False):
        self.send_response(status)
        has_type = False
        for name, value in (headers or {}).items():
            if name.lower() == "content-type":
                has_type = True
            self.send_header(name, str(value))
        if not has_type:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _control(self, body):
        global script
        if self.command == "POST" and self.path == "/_control/script":
            items = json.loads(body or b"[]")
            with lock:
                script = list(items)
            self._send(204)
        elif self.command == "GET" and self.path == "/_control/requests":
            with lock:
                payload = json.dumps(requests).encode()
            self._send(200, payload)
        elif self.command == "POST" and self.path == "/_control/webhook_secret":
            with lock:
                webhook_secret[0] = body.decode().strip()
            self._send(204)
        elif self.command == "POST" and self.path == "/_control/reset":
            with lock:
                script = []
                requests.clear()
            self._send(204)
        else:
            self._send(404, b'{"error":"unknown control endpoint"}')

    def _handle(self):
        try:
            body = self._read_body()
            if self.path.startswith("/_control/"):
                self._control(body)
                return
            with lock:
                secret = webhook_secret[0]
            checked = check_webhook_signature(secret, self.headers, body) if secret else None
            with lock:
                requests.append({
                    "webhook_signature": checked,
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8", "replace"),
                    "body_base64": base64.b64encode(body).decode(),
                    "client_port": self.client_address[1],
                    "connection": self.connection_id,
                    "received_at": time.time(),
                })
                item = script.pop(0) if script else {}
            delay = float(item.get("delay", 0))
            if delay > 0:
                time.sleep(delay)
            self._send(
                int(item.get("status", 200)),
                str(item.get("body", "{}")).encode(),
                item.get("headers"),
                bool(item.get("close", False)),
            )
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its time-out elapsed during `delay`).
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # A parent may spawn us from a thread that blocks signals, and the mask is inherited:
    # unblock them so SIGTERM stops the sink.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
