#!/usr/bin/env python3
"""A stand-in for Twilio's recording media REST endpoint, for scripts/bench-soak.

usage: twilio_media.py PORT ACCOUNT_SID KEY_SID KEY_SECRET [MEDIA_BYTES]

Serves GET /2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{RE...}.mp3 (and .wav) for any recording
SID with HTTP Basic auth (the API key, as Ramal sends it, or 401 with Twilio's JSON error), as
audio/mpeg with an exact Content-Length: MEDIA_BYTES (default 8192) of deterministic bytes
derived from the SID. DELETE .../{RE...}.json answers 204. Anything else is 404.

Why not the twilio-sim crate: it serves only recordings of calls it ran itself, and soak calls
are pre-signed and replayed by wrk; this server knows every SID. GET /stats answers what it
served so far as JSON (requests by status).
"""
import base64
import hashlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, account, key_sid, key_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
size = int(sys.argv[5]) if len(sys.argv) > 5 else 8192
expected = "Basic " + base64.b64encode(f"{key_sid}:{key_secret}".encode()).decode()
path_re = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\.(mp3|wav|json)$")
stats = {}
lock = threading.Lock()


def media(sid):
    """SIZE bytes: an MPEG frame header, then a SHA-256 stream of the SID (stable per SID)."""
    seed = hashlib.sha256(sid.encode()).digest()
    out = bytearray(b"\xff\xfb\x90\x64")
    while len(out) < size:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out[:size])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Ramal's client pools connections
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        with lock:
            stats[status] = stats.get(status, 0) + 1
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"code": code, "message": message, "more_info":
                           f"https://www.twilio.com/docs/errors/{code}", "status": status}).encode()
        self.answer(status, body)

    def route(self):
        if self.path == "/stats":
            with lock:
                body = json.dumps(stats).encode()
            return self.answer(200, body)
        m = path_re.match(self.path.split("?", 1)[0])
        if not m or m.group(1) != account:
            return self.error(404, 20404, "The requested resource was not found")
        if self.headers.get("Authorization") != expected:
            return self.error(401, 20003, "Authenticate")
        return m.group(2), m.group(3)

    def do_GET(self):
        found = self.route()
        if not isinstance(found, tuple):
            return
        sid, ext = found
        if ext == "json":
            return self.answer(200, json.dumps({"sid": sid, "account_sid": account, "status": "completed"}).encode())
        self.answer(200, media(sid), "audio/mpeg" if ext == "mp3" else "audio/x-wav")

    def do_DELETE(self):
        found = self.route()
        if isinstance(found, tuple):
            self.answer(204)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.serve_forever()
