#!/usr/bin/env python3
"""fake_llm.py - a stand-in OpenAI-compatible judge for feedbench's tests.

Serves POST /v1/chat/completions (and /chat/completions) on 127.0.0.1 over
HTTP/1.1 with keep-alive, using only the Python standard library.

    python3 tests/fake_llm.py --port 0 --log requests.jsonl [--idle 120] [--delay S]

With --port 0 the kernel picks the port; the first line on stdout is then
"PORT <n>".  The server exits by itself after --idle seconds without a
request, so a crashed test never leaves it behind.

Answers are deterministic functions of the request: the texts are read back
from the user message (<text k> ... </text k>) and each gets a rating taken
from a marker in the text, "[[rate:4]]" (anything, "N/A" or "9" included),
else from a hash of the text: 1 + int(sha256(text)[:8], 16) % 5.  Type ids
come from "[[types:1,3]]", else "None".  So a test can check that every value
lands on the right completion however the texts were shuffled.  The answer
shape follows the request: type-rating when the output format asks for a
"Type:" line, a critique ("Overall Score: S", S from "[[score:7.5]]" or
1 + hash % 10) when it mentions "Overall Score", else Rating/Rationale.

Misbehaviour on cue.  The mode comes from the model name "fake-MODE" or a
marker "FAKE:MODE" anywhere in the messages.  "MODE-N-TAG" misbehaves for the
first N requests carrying that exact mode string, then answers normally (the
TAG only keeps counters of different tests apart); "MODE" alone always
misbehaves.  Modes:

    ok          normal answer
    malformed   prose without any rating
    cutoff      the first part of a normal answer, finish_reason "length"
    429         429 with retry-after-ms: 100
    429s        429 with retry-after: 1 (seconds)
    429date     429 with retry-after as an HTTP date one second ahead
    quota       429 with error code insufficient_quota (OpenAI's shape)
    402         402 with an OpenRouter-style error
    500 503 529 408   that status with an error body
    noretry     500 with x-should-retry: false
    stall       read the request, then say nothing (for --stall seconds)
    drop        close the connection without answering
    error200    HTTP 200 whose body is an error (OpenRouter)
    ollama      404 {"error": "model 'x' not found"}
    anthropic   529 {"type":"error","error":{"type":"overloaded_error",...}}
    intcode     400 with an integer error code (vLLM, llama.cpp)
    big         a 9 MiB body with Content-Length
    bigchunked  a 9 MiB body, chunked (no length known in advance)

Every request is logged to --log as one JSON line: sequence number, path,
model, mode, whether an Authorization header was present (never its value),
the status sent, the client's port (to see connection reuse), the time and
the SHA-256 of the request body (to see a request asked twice).  --delay
makes every answer wait that many seconds (a slow judge, for tests that
interrupt a run).
"""

import argparse
import email.utils
import hashlib
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIG = 9 * 1024 * 1024
TEXT_RE = re.compile(r"<text (\d+)>\n?(.*?)\n?</text \1>", re.S)
MODE_RE = re.compile(r"FAKE:([A-Za-z0-9_]+(?:-[0-9]+(?:-[A-Za-z0-9_]+)?)?)")


class State:
    def __init__(self, log_path, stall, delay=0.0):
        self.lock = threading.Lock()
        self.seq = 0
        self.counts = {}
        self.last = time.monotonic()
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None
        self.stall = stall
        self.delay = delay

    def touch(self):
        with self.lock:
            self.last = time.monotonic()
            self.seq += 1
            return self.seq

    def misbehave(self, mode_str, limit):
        """True while this mode string has been seen at most limit times."""
        with self.lock:
            n = self.counts.get(mode_str, 0) + 1
            self.counts[mode_str] = n
            return limit is None or n <= limit

    def write(self, rec):
        if not self.log:
            return
        with self.lock:
            self.log.write(json.dumps(rec) + "\n")
            self.log.flush()


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_rating(text):
    m = re.search(r"\[\[rate:([^\]]*)\]\]", text)
    if m:
        return m.group(1)
    return str(1 + int(digest(text)[:8], 16) % 5)


def text_types(text):
    m = re.search(r"\[\[types:([^\]]*)\]\]", text)
    return m.group(1) if m else "None"


def critique_score(text):
    m = re.search(r"\[\[score:([^\]]*)\]\]", text)
    if m:
        return m.group(1)
    return str(1 + int(digest(text)[:8], 16) % 10)


def rating_answer(user):
    texts = TEXT_RE.findall(user)
    rest = TEXT_RE.sub("", user)
    typed = re.search(r"(?m)^\s*Type:", rest) is not None
    blocks = []
    for num, text in texts:
        h = digest(text)[:8]
        lines = ["#### Output for Text %s" % num]
        if typed:
            lines.append("Type: %s" % text_types(text))
            lines.append("Rationale: types of text %s (%s)." % (num, h))
        lines.append("Rating: %s" % text_rating(text))
        lines.append("Rationale: text %s has digest %s." % (num, h))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def critique_answer(user):
    texts = TEXT_RE.findall(user)
    subject = texts[0][1] if texts else user
    return ("The response could be clearer (digest %s).\n\nOverall Score: %s"
            % (digest(subject)[:8], critique_score(subject)))


def mode_of(req):
    """(mode string, base name, limit) from the model name or a marker."""
    model = str(req.get("model", ""))
    spec = None
    if model.startswith("fake-"):
        spec = model[5:]
    else:
        for m in req.get("messages", []):
            c = m.get("content") if isinstance(m, dict) else None
            found = MODE_RE.search(c) if isinstance(c, str) else None
            if found:
                spec = found.group(1)
                break
    if not spec:
        return "ok", "ok", None
    parts = spec.split("-")
    limit = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return spec, parts[0], limit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_llm/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def send_json(self, status, obj, headers=None):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        return status

    def do_GET(self):
        st = self.server.state
        seq = st.touch()
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            status = self.send_json(200, {"object": "list", "data": [
                {"id": "fake-judge", "object": "model"}]})
        else:
            status = self.send_json(404, {"error": {"message": "no such path",
                                                    "type": "invalid_request_error",
                                                    "code": None}})
        self.record(seq, None, "ok", status)

    def record(self, seq, model, mode, status, body=b""):
        self.server.state.write({
            "seq": seq, "path": self.path, "model": model, "mode": mode,
            "auth": self.headers.get("Authorization") is not None,
            "status": status, "client_port": self.client_address[1],
            "time": time.time(), "body_sha": hashlib.sha256(body).hexdigest()})

    def do_POST(self):
        st = self.server.state
        seq = st.touch()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path not in ("/v1/chat/completions", "/chat/completions"):
            status = self.send_json(404, {"error": {"message": "no such path",
                                                    "type": "invalid_request_error",
                                                    "code": None}})
            self.record(seq, None, "ok", status)
            return
        try:
            req = json.loads(raw.decode("utf-8"))
            if not isinstance(req, dict):
                raise ValueError("body is not an object")
        except (ValueError, UnicodeDecodeError) as e:
            status = self.send_json(400, {"error": {"message": "bad JSON: %s" % e,
                                                    "type": "invalid_request_error",
                                                    "code": None}})
            self.record(seq, None, "ok", status)
            return
        spec, base, limit = mode_of(req)
        if base != "ok" and not st.misbehave(spec, limit):
            base = "ok"
        if st.delay > 0:
            time.sleep(st.delay)
        status = self.answer(req, base)
        self.record(seq, req.get("model"), spec, status, raw)

    def answer(self, req, base):
        err = lambda status, msg, typ, code, headers=None: self.send_json(
            status, {"error": {"message": msg, "type": typ, "param": None, "code": code}},
            headers)
        if base == "429":
            return err(429, "Rate limit reached", "requests", "rate_limit_exceeded",
                       {"retry-after-ms": "100"})
        if base == "429s":
            return err(429, "Rate limit reached", "requests", "rate_limit_exceeded",
                       {"retry-after": "1"})
        if base == "429date":
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            return err(429, "Rate limit reached", "requests", "rate_limit_exceeded",
                       {"retry-after": when})
        if base == "quota":
            return err(429, "You exceeded your current quota", "insufficient_quota",
                       "insufficient_quota")
        if base == "402":
            return self.send_json(402, {"error": {"code": 402,
                                                  "message": "Insufficient credits"}})
        if base in ("500", "503", "529", "408"):
            return err(int(base), "The server had an error", "server_error", None)
        if base == "noretry":
            return err(500, "Do not retry this", "server_error", None,
                       {"x-should-retry": "false"})
        if base == "ollama":
            return self.send_json(404, {"error": "model 'fake' not found"})
        if base == "anthropic":
            return self.send_json(529, {"type": "error", "error": {
                "type": "overloaded_error", "message": "Overloaded"}})
        if base == "intcode":
            return self.send_json(400, {"error": {"message": "context too long",
                                                  "type": "BadRequestError", "code": 400}})
        if base == "error200":
            return self.send_json(200, {"error": {"code": 502,
                                                  "message": "upstream provider error"}})
        if base == "stall":
            time.sleep(self.server.state.stall)
            self.close_connection = True
            return 0
        if base == "drop":
            self.close_connection = True
            return 0
        if base == "big":
            data = b"x" * BIG
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:
                pass
            self.close_connection = True
            return 200
        if base == "bigchunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"y" * 65536
            try:
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            self.close_connection = True
            return 200
        return self.normal(req, base)

    def normal(self, req, base):
        msgs = [m for m in req.get("messages", []) if isinstance(m, dict)]
        user = "\n".join(str(m.get("content", "")) for m in msgs if m.get("role") == "user")
        if base == "malformed":
            content = "I have read the texts and they are all quite interesting."
        elif "Overall Score" in user:
            content = critique_answer(user)
        else:
            content = rating_answer(user)
        finish = "stop"
        if base == "cutoff":
            content = content[:len(content) // 2]
            finish = "length"
        words = len(user.split())
        body = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": req.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": words, "completion_tokens": len(content.split()),
                      "total_tokens": words + len(content.split())},
        }
        return self.send_json(200, body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", default=None)
    ap.add_argument("--idle", type=float, default=120.0,
                    help="exit after this many seconds without a request")
    ap.add_argument("--stall", type=float, default=30.0,
                    help="how long the stall mode keeps a request hanging")
    ap.add_argument("--delay", type=float, default=0.0,
                    help="seconds every answer waits")
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.log, args.stall, args.delay)
    print("PORT %d" % server.server_address[1], flush=True)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True)
    t.start()
    try:
        while True:
            time.sleep(0.5)
            with server.state.lock:
                idle = time.monotonic() - server.state.last
            if idle > args.idle:
                break
    except KeyboardInterrupt:
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
