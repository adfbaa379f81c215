"""The SPARQL 1.1 Protocol's encodings for ``kg serve``: what a request says, and what its answer is written as.

A request's parameters come from the URL and, for a POST, from its body
(``application/x-www-form-urlencoded`` with ``query=``, or an
``application/sparql-query`` body; an ``application/sparql-update`` body gets
403).  The answer's format is a ``format=`` parameter, else the Accept header
(:func:`kg.store.sparql_results.negotiate`); a result that cannot be written in
the asked format gets 406.  Failures are :class:`HttpError` (raised here) or
:class:`~kg.web.serve_check.Refusal` (raised by :func:`respond`, also in a worker
process), each with its HTTP status and a one-line message.
"""

from __future__ import annotations

from typing import BinaryIO
from urllib.parse import parse_qsl

from kg.model.namespaces import PREFIXES
from kg.store import sparql_results as sr
from kg.web.serve_check import Refusal
from kg.web.serve_engine import Answer, one_line

DRAIN_BODY = 16 << 20  # a body over the limit but under this is read (and dropped) before the 413


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, close: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.close = close


def _media(header: str | None) -> tuple[str, dict[str, str]]:
    """``text/plain; charset=UTF-8`` -> ("text/plain", {"charset": "UTF-8"})."""
    parts = (header or "").split(";")
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


# --- the request -------------------------------------------------------------------------------------

def read_params(command: str, headers, rfile: BinaryIO, url_query: str, max_body: int) -> list[tuple[str, str]]:
    """The protocol parameters, from the URL and, for POST, the body (``headers``: the request's message)."""
    params = parse_qs(url_query)
    if command != "POST":
        return params
    ctype, opts = _media(headers.get("Content-Type"))
    if ctype == "application/sparql-update":
        raise HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only", close=True)
    if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        raise HttpError(415, "POST a query as application/x-www-form-urlencoded (query=…) or "
                             "application/sparql-query", close=True)
    body = read_body(headers, rfile, max_body)
    if ctype == "application/x-www-form-urlencoded":
        try:
            return params + parse_qs(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise HttpError(400, "a form body must be URL-encoded (or UTF-8) text") from None
    charset = opts.get("charset", "utf-8")
    try:
        text = body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise HttpError(400, f"the query body is not valid {charset}") from None
    if any(k == "query" for k, _ in params):
        raise HttpError(400, "give the query either in the body or as query=, not both")
    return params + [("query", text)]


def read_body(headers, rfile: BinaryIO, max_body: int) -> bytes:
    """A POST's body, by its Content-Length, refusing chunked bodies and bodies over ``max_body`` bytes."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        raise HttpError(411, "chunked request bodies are not supported; send a Content-Length", close=True)
    length = headers.get("Content-Length")
    if length is None:
        raise HttpError(411, "a POST needs a Content-Length", close=True)
    try:
        n = int(length)
        if n < 0:
            raise ValueError
    except ValueError:
        raise HttpError(400, f"bad Content-Length {length[:20]!r}", close=True) from None
    if n > max_body:
        if n <= DRAIN_BODY:  # read it first, so that a client still sending sees the answer, not a reset
            while n > 0 and (chunk := rfile.read(min(n, 1 << 16))):
                n -= len(chunk)
        raise HttpError(413, f"request body over {max_body} bytes", close=True)
    body = rfile.read(n)
    if len(body) < n:
        raise HttpError(400, "request body shorter than its Content-Length", close=True)
    return body


def parse_qs(qs: str) -> list[tuple[str, str]]:
    if not qs:
        return []
    try:
        return parse_qsl(qs, keep_blank_values=True, errors="strict", max_num_fields=200)
    except (ValueError, UnicodeDecodeError) as e:
        raise HttpError(400, f"bad request parameters: {one_line(e)}") from None


# --- the answer's format -----------------------------------------------------------------------------

def format_param(params: list[tuple[str, str]]) -> str | None:
    """The format a ``format=`` parameter asks for; None when there is none (or it says auto)."""
    values = [v for k, v in params if k == "format"]
    if len(values) > 1:
        raise HttpError(400, "more than one format parameter")
    if not values or values[0].strip().lower() in ("", "auto"):
        return None
    fmt = sr.format_name(values[0])
    if fmt is None:
        raise HttpError(400, f"unknown format {values[0][:60]!r} (choose from {', '.join(sr.MEDIA_TYPES)})")
    return fmt


def check_acceptable(fmt: str | None, accept: str | None) -> None:
    """Raise :class:`HttpError` 406 when no format is asked for and the Accept header allows none of ours."""
    if fmt is None and sr.negotiate(accept, "select") is None and sr.negotiate(accept, "graph") is None:
        raise HttpError(406, f"cannot answer with {accept[:100]!r}; results are available as "
                             + ", ".join(sr.MEDIA_TYPES.values()))


def respond(answer: Answer, fmt: str | None, accept: str | None, max_rows: int) -> tuple[str, bytes, dict[str, str]]:
    """Content type, body and headers for an answer in the asked format; :class:`Refusal` 406 when it has none."""
    kind = answer.kind
    what = "CONSTRUCT/DESCRIBE results (graphs)" if kind == "graph" else f"{kind.upper()} results"
    choices = ", ".join(sr.MEDIA_TYPES[f] for f in sr.formats_for(kind))
    if fmt is not None:
        if fmt not in sr.formats_for(kind):
            raise Refusal(406, f"{what} cannot be written as {fmt}; choose {choices}")
    else:
        fmt = sr.negotiate(accept, kind)
        if fmt is None:
            raise Refusal(406, f"{what} cannot be written as {accept!r}; choose {choices}")
    if kind == "graph":
        triples = answer.triples or []
        text_out = sr.turtle(triples, PREFIXES) if fmt == "turtle" else sr.ntriples(triples)
    else:
        text_out = sr.serialize(answer.result, fmt)
    headers = {
        "Vary": "Accept",
        "X-KG-Truncated": "true" if answer.truncated else "false",
        "X-KG-Row-Limit": str(max_rows),
    }
    return sr.content_type(fmt), text_out.encode("utf-8"), headers
