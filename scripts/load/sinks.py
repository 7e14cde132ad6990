"""SMTP and webhook sinks for the load run: one asyncio process, three ports.

    python -m load.sinks --dir DIR

Prints one JSON line `{"smtp": p, "http": p, "control": p}` once listening. Every
message accepted (SMTP 250 after DATA) is a line of DIR/smtp.jsonl, every webhook
request (whatever it was answered) a line of DIR/http.jsonl, each with its receive
time `t` (seconds since 1970, this machine's clock). Written in Python (asyncio,
a minimal protocol subset) rather than aiosmtpd / http.server so that a few
thousand messages a second do not make the sink the bottleneck.

Control port (HTTP, POST unless noted):
  /smtp/down          stop listening and drop every open SMTP session
  /smtp/up            listen again on the same port
  /webhook?status=N[&retry_after=S]   answer N from now on (200 = normal)
  /flush              write buffered records now
  GET /stats          {"smtp": n, "http": n, "http_2xx": n, ...}
"""
import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time

MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)
CASE_MARK = re.compile(r"Sag (\d+): L\d+c(\d+)")


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", buffering=1 << 16)
        self.count = 0

    def write(self, record):
        self.file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.count += 1

    def flush(self):
        self.file.flush()
        os.fsync(self.file.fileno())


class SMTPSink:
    def __init__(self, recorder, port):
        self.recorder = recorder
        self.port = port
        self.server = None
        self.sessions = set()

    async def up(self):
        if self.server is None:
            self.server = await asyncio.start_server(
                self.session, "127.0.0.1", self.port, reuse_address=True, limit=1 << 22)
            self.port = self.server.sockets[0].getsockname()[1]

    async def down(self):
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.sessions):
            writer.transport.abort()
        self.sessions.clear()

    async def session(self, reader, writer):
        self.sessions.add(writer)
        try:
            writer.write(b"220 load-sink ESMTP\r\n")
            rcpts = []
            while True:
                line = await reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-load-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
                elif verb == b"HELO":
                    writer.write(b"250 load-sink\r\n")
                elif verb == b"MAIL":
                    rcpts = []
                    writer.write(b"250 OK\r\n")
                elif verb == b"RCPT":
                    rcpts.append(line[8:].strip().decode("utf-8", "replace"))
                    writer.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    received = time.time()
                    found = MESSAGE_ID.search(data)
                    self.recorder.write({
                        "t": received,
                        "message_id": found.group(1).decode() if found else None,
                        "to": rcpts,
                        "bytes": len(data),
                    })
                    writer.write(b"250 OK stored\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    return
                elif verb in (b"RSET", b"NOOP"):
                    writer.write(b"250 OK\r\n")
                else:
                    writer.write(b"502 not implemented\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            self.sessions.discard(writer)
            writer.transport.abort()


async def read_http_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for item in lines[1:]:
        if ":" in item:
            name, value = item.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, path, headers, body


def http_response(status, body=b"", extra=None):
    reason = {200: "OK", 204: "No Content", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}
    lines = [f"HTTP/1.1 {status} {reason.get(status, 'Status')}", f"Content-Length: {len(body)}",
             "Content-Type: application/json"]
    for name, value in (extra or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class WebhookSink:
    def __init__(self, recorder):
        self.recorder = recorder
        self.status = 200
        self.retry_after = None
        self.answered_2xx = 0

    async def connection(self, reader, writer):
        try:
            while True:
                method, path, headers, body = await read_http_request(reader)
                received = time.time()
                status = self.status
                record = {"t": received, "status": status, "bytes": len(body)}
                try:
                    post = json.loads(body or b"{}")
                    text = post.get("text") or ""
                    mark = CASE_MARK.search(text.replace("\\", ""))
                    if mark:
                        record["sag"] = int(mark.group(1))
                        record["change"] = int(mark.group(2))
                    else:
                        found = re.search(r"/sag/(\d+)", text)
                        record["sag"] = int(found.group(1)) if found else None
                    record["channel"] = post.get("channel")
                    record["title"] = text.split("\n", 1)[0][-60:]
                except ValueError:
                    record["unreadable"] = True
                self.recorder.write(record)
                extra = {}
                if status == 429 and self.retry_after is not None:
                    extra["Retry-After"] = str(self.retry_after)
                if 200 <= status < 300:
                    self.answered_2xx += 1
                writer.write(http_response(status, b"ok" if status == 200 else b"{}", extra))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.transport.abort()


async def main_async(args):
    os.makedirs(args.dir, exist_ok=True)
    smtp_records = Recorder(os.path.join(args.dir, "smtp.jsonl"))
    http_records = Recorder(os.path.join(args.dir, "http.jsonl"))
    smtp = SMTPSink(smtp_records, args.smtp_port)
    await smtp.up()
    webhook = WebhookSink(http_records)
    http_server = await asyncio.start_server(webhook.connection, "127.0.0.1", args.http_port, reuse_address=True)
    events = []

    def note(what):
        events.append({"t": time.time(), "what": what})

    async def control(reader, writer):
        try:
            while True:
                method, path, headers, body = await read_http_request(reader)
                route, _, query = path.partition("?")
                params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                payload = b""
                if route == "/smtp/down":
                    await smtp.down(); note("smtp down")
                elif route == "/smtp/up":
                    await smtp.up(); note("smtp up")
                elif route == "/webhook":
                    webhook.status = int(params.get("status", 200))
                    webhook.retry_after = params.get("retry_after")
                    note(f"webhook {webhook.status}")
                elif route == "/flush":
                    smtp_records.flush(); http_records.flush()
                elif route == "/stats":
                    payload = json.dumps({
                        "smtp": smtp_records.count, "http": http_records.count, "http_2xx": webhook.answered_2xx,
                        "smtp_up": smtp.server is not None, "webhook_status": webhook.status, "events": events,
                    }).encode()
                else:
                    writer.write(http_response(404)); await writer.drain(); continue
                writer.write(http_response(200, payload)); await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.transport.abort()

    control_server = await asyncio.start_server(control, "127.0.0.1", 0)
    print(json.dumps({
        "smtp": smtp.port, "http": http_server.sockets[0].getsockname()[1],
        "control": control_server.sockets[0].getsockname()[1],
    }), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 0.25)
        except asyncio.TimeoutError:
            pass
        smtp_records.file.flush(); http_records.file.flush()
    smtp_records.flush(); http_records.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--smtp-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    args = parser.parse_args()
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
