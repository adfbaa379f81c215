"""``kg review``: a local web app over a :class:`~kg.web.review_store.ReviewStore` (stdlib ``http.server``).

One page (``/``) and a JSON API under ``/api/``. The page and its script and style come from a fixed dict
of packaged assets: no request path reaches the file system. Writes (``POST /api/decide``) need the
random token embedded in the page in the ``X-Review-Token`` header (CSRF), a JSON body of at most
:data:`MAX_BODY` bytes, and a ``Host`` naming this server (DNS rebinding). Every response carries a
Content-Security-Policy that allows only this origin, so the page can make no outside request.
"""

from __future__ import annotations

import hmac
import json
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from kg.model.errors import KgError
from kg.web.review_store import ReviewError, ReviewStore, StaleVersionError

MAX_BODY = 64 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_ASSETS = {"/review.js": ("review.js", "text/javascript; charset=utf-8"),
           "/review.css": ("review.css", "text/css; charset=utf-8")}


def _asset(name: str) -> bytes:
    return resources.files("kg.web").joinpath("assets", name).read_bytes()


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, review: ReviewStore, host: str = "127.0.0.1", port: int = 7879, *, quiet: bool = True):
        self.review = review
        self.token = secrets.token_hex(24)
        self.quiet = quiet
        self.assets = {path: (_asset(name), ctype) for path, (name, ctype) in _ASSETS.items()}
        page = _asset("review.html").decode("utf-8").replace("__REVIEW_TOKEN__", self.token)
        self.assets["/"] = (page.encode("utf-8"), "text/html; charset=utf-8")
        super().__init__((host, port), ReviewHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "kg-review"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            return self._json(421, {"error": "unexpected Host header"})
        url = urlsplit(self.path)
        if url.path in self.server.assets:
            body, ctype = self.server.assets[url.path]
            return self._send(200, body, ctype)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        review = self.server.review
        try:
            if url.path == "/api/documents":
                value = review.documents(q.get("limit", 100), q.get("offset", 0))
            elif url.path == "/api/document":
                value = review.document(q.get("id", ""))
            elif url.path == "/api/queue":
                value = review.queue(q.get("limit", 50), q.get("offset", 0), doc=q.get("doc") or None,
                                     actor=q.get("actor") or None, topic=q.get("topic") or None)
            elif url.path == "/api/version":
                value = {"version": review.version(), "coder": review.coder}
            elif url.path == "/api/names":
                value = review.names()
            else:
                return self._json(404, {"error": "not found"})
        except ReviewError as e:
            return self._json(400, {"error": str(e)})
        except KgError as e:
            return self._json(500, {"error": str(e)})
        return self._json(200, value)

    def do_POST(self) -> None:
        if not self._host_ok():
            return self._json(421, {"error": "unexpected Host header"})
        if urlsplit(self.path).path != "/api/decide":
            return self._json(404, {"error": "not found"})
        if not hmac.compare_digest(self.headers.get("X-Review-Token", ""), self.server.token):
            return self._json(403, {"error": "missing or wrong review token: reload the page"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self._json(415, {"error": "the body must be JSON"})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._json(411, {"error": "Content-Length required"})
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self._json(413, {"error": f"request body larger than {MAX_BODY} bytes"})
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return self._json(400, {"error": "the body must be a JSON object"})
        try:
            value = decide(self.server.review, body)
        except StaleVersionError as e:
            return self._json(409, {"error": str(e)})
        except ReviewError as e:
            return self._json(400, {"error": str(e)})
        except KgError as e:
            return self._json(500, {"error": str(e)})
        return self._json(200, value)


def _text(body: dict, key: str, default: str | None = None) -> str | None:
    v = body.get(key, default)
    if v is not None and not isinstance(v, str):
        raise ReviewError(f"{key!r} must be text")
    return v


def decide(review: ReviewStore, body: dict) -> dict:
    """Apply one decision from a request body: {"action": accept|reject|edit|add, "version": …, …}."""
    action, version = _text(body, "action", ""), _text(body, "version", "")
    if action == "accept":
        return review.accept(_text(body, "id", ""), version)
    if action == "reject":
        return review.reject(_text(body, "id", ""), version, _text(body, "reason", "") or "")
    if action == "edit":
        changes = body.get("changes")
        if not isinstance(changes, dict) or not all(isinstance(v, (str, type(None))) for v in changes.values()):
            raise ReviewError("'changes' must map fields to text")
        return review.edit(_text(body, "id", ""), version, new_actor_type=_text(body, "new_actor_type"), **changes)
    if action == "add":
        fields = {k: _text(body, k) for k in ("doc", "quote", "actor", "stance", "target", "speaker",
                                              "new_actor_type")}
        fields["certainty"] = _text(body, "certainty", "certain") or "certain"
        for k in ("start", "end"):
            if not isinstance(body.get(k), int) or isinstance(body.get(k), bool):
                raise ReviewError(f"{k!r} must be a whole number")
        return review.add(version, start=body["start"], end=body["end"], **fields)
    raise ReviewError(f"unknown action {action!r} (accept, reject, edit or add)")


def make_server(review: ReviewStore, host: str = "127.0.0.1", port: int = 7879, *, quiet: bool = True) -> ReviewServer:
    return ReviewServer(review, host, port, quiet=quiet)
