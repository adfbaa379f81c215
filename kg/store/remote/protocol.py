"""The SPARQL 1.1 protocols over plain HTTP (``urllib``): Query, Update and a dataset-wide Graph Store.

Failures of the network or of the server become one-line :class:`StoreError` or
:class:`QueryError`; a query the endpoint rejected is explained in words where it
is one of the usual mistakes (:mod:`kg.store.sparql_errors`).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from kg.model.errors import QueryError, StoreError
from kg.model.namespaces import PREFIXES, sparql_prologue
from kg.store.base import Result, Term
from kg.store.remote.bindings import bind_values, query_form
from kg.store.sparql_results.read import parse_json


def _one_line(text: object, limit: int = 200) -> str:
    return " ".join(str(text).split())[:limit]


def _diagnosed(sparql: str, error: QueryError, update: bool = False) -> QueryError:
    """For a query the endpoint (or :func:`query_form`) rejected: its mistake in words, with line and
    column (see :mod:`kg.store.sparql_errors`), when it is one of the usual ones; else ``error`` as it was."""
    from kg.store.sparql_errors import SparqlSyntaxError, syntax_error

    # Only the usual mistakes: where rdflib's grammar stops says little about what another engine refused.
    found = syntax_error(sparql, PREFIXES, update=update, clause=False)
    if not isinstance(found, SparqlSyntaxError):
        return error
    rejected = re.match(r"SPARQL endpoint \S+ rejected the \w+ \(HTTP \d+\)", str(error))
    if rejected:  # say who refused it, then why
        return SparqlSyntaxError(found.reason, found.line, found.column, found.near, context=rejected.group(0))
    return found


def _turtle(triples_data: bytes, content_type: str) -> str:
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0].strip()) or ox.RdfFormat.TURTLE
    triples = [ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(triples_data, format=fmt)]
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return text.decode("utf-8") if isinstance(text, bytes) else text


class SparqlProtocol:
    """The HTTP exchanges of ``RemoteStore``: queries, updates and N-Quads to and from the Graph Store.

    It uses the endpoints, timeouts and authentication that :class:`~kg.store.remote.dialect.Dialect`
    read from the address, and sends pending writes (``_flush``) before a query.
    """

    def _request(self, url: str, *, data: bytes | object | None = None, content_type: str | None = None,
                 accept: str | None = None, method: str | None = None, length: int | None = None,
                 what: str = "query") -> tuple[bytes, str]:
        """One HTTP exchange; network and HTTP failures become one-line StoreError/QueryError."""
        headers = {"User-Agent": "kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if length is not None:
            headers["Content-Length"] = str(length)
        if self._auth:
            headers["Authorization"] = self._auth
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        timeout = self.write_timeout if what in ("load", "update") else self.timeout
        shown = url.split("?")[0]
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            try:
                body = e.read().decode("utf-8", "replace")
            except Exception:  # noqa: BLE001 - the status alone is enough
                body = ""
            detail = _one_line(body) or e.reason
            if e.code in (401, 403):
                raise StoreError(f"SPARQL endpoint {shown} refused access (HTTP {e.code}): {detail}") from None
            if 400 <= e.code < 500 and what in ("query", "update"):
                raise QueryError(f"SPARQL endpoint {shown} rejected the {what} (HTTP {e.code}): {detail}") from None
            raise StoreError(f"SPARQL endpoint {shown} failed (HTTP {e.code}): {detail}") from None
        except urllib.error.URLError as e:
            raise StoreError(f"cannot reach SPARQL endpoint {shown}: {self._reason(e.reason, timeout)}") from None
        except (TimeoutError, socket.timeout):
            raise StoreError(f"cannot reach SPARQL endpoint {shown}: no answer within {timeout:g} s") from None
        except (ConnectionError, OSError) as e:
            raise StoreError(f"cannot reach SPARQL endpoint {shown}: {self._reason(e, timeout)}") from None

    def _reason(self, reason: object, timeout: float) -> str:
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return f"no answer within {timeout:g} s"
        if isinstance(reason, socket.gaierror):
            return "unknown host"
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror.lower()
        return _one_line(reason) or type(reason).__name__

    def _form(self, url: str, fields: list[tuple[str, str]], accept: str | None, what: str) -> tuple[bytes, str]:
        body = urllib.parse.urlencode(fields).encode("ascii")
        return self._request(url, data=body, content_type="application/x-www-form-urlencoded", accept=accept,
                             what=what)

    def _select(self, sparql: str, dataset: bool = True) -> Result:
        fields = [("query", sparql_prologue() + sparql)] + (self._dataset_fields() if dataset else [])
        data, _ = self._form(self.query_url, fields, "application/sparql-results+json", "query")
        return self._parse_json(data)

    def _parse_json(self, data: bytes) -> Result:
        try:
            return parse_json(data)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise StoreError(f"unexpected answer from SPARQL endpoint {self.query_url}: {_one_line(e)}") from None

    def _query(self, sparql: str, bindings: dict[str, Term]) -> Result:
        self._flush()
        try:
            form = query_form(sparql)
            text = sparql_prologue() + bind_values(sparql, bindings)
            fields = [("query", text)] + self._dataset_fields()
            if form in ("SELECT", "ASK"):
                data, _ = self._form(self.query_url, fields, "application/sparql-results+json", "query")
                return self._parse_json(data)
            data, ctype = self._form(self.query_url, fields, "application/n-triples, text/turtle;q=0.9", "query")
        except QueryError as e:
            raise _diagnosed(sparql, e) from None
        try:
            return Result("graph", graph=_turtle(data, ctype))
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"unexpected answer from SPARQL endpoint {self.query_url}: {_one_line(e)}") from None

    def _update(self, sparql: str) -> None:
        self._flush()
        try:
            self._send_update(sparql_prologue() + sparql)
        except QueryError as e:
            raise _diagnosed(sparql, e, update=True) from None
        self._graph_cache = None

    def _send_update(self, text: str) -> None:
        self._form(self.update_url, [("update", text)], None, "update")

    def _post_quads(self, quads: Iterator[object]) -> None:
        """One N-Quads POST to the Graph Store (streamed from a temporary file)."""
        import pyoxigraph as ox

        fd, path = tempfile.mkstemp(suffix=".nq", prefix="kg-post-")
        try:
            with os.fdopen(fd, "wb") as out:
                ox.serialize(quads, output=out, format=ox.RdfFormat.N_QUADS)
            size = os.path.getsize(path)
            with open(path, "rb") as body:
                self._request(self.gsp_url, data=body, content_type="application/n-quads", method="POST",
                              length=size, what="load")
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
