"""A remote SPARQL 1.1 endpoint as a kg store (``--store sparql+http://…``).

Everything goes over plain HTTP with the standard library (``urllib``): the
SPARQL 1.1 Query and Update protocols, plus — where the server has it — a
dataset-wide Graph Store endpoint taking and giving N-Quads (Oxigraph's
``/store``). See :class:`RemoteStore` for the address convention.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from kg.store import sparql_results
from kg.model.errors import QueryError, StoreError
from kg.model.namespaces import PREFIXES, XSD, sparql_prologue
from kg.store.oxigraph import Result, Store, Term

SCHEMES = ("sparql+http://", "sparql+https://")
DEFAULT_TIMEOUT = 60.0
DEFAULT_WRITE_TIMEOUT = 600.0  # a transactional load of millions of quads takes minutes
# Oxigraph's server refuses SPARQL bodies over 1 MiB (0x100000 bytes); stay below.
DEFAULT_MAX_UPDATE = 1_000_000
DEFAULT_PAGE = 10_000  # Virtuoso's default ResultSetMaxRows
STAGING = "urn:x-kg-staging:"
_UNION_MODES = ("oxigraph", "native", "dataset")
_LOAD_MODES = ("gsp", "update")
_PARAMS = ("query", "update", "gsp", "union", "load", "timeout", "scope", "max_update", "page")
_LANG_RE = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")
_VAR_RE = re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+$")


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


# --------------------------------------------------------------------------
# Binding variables: a VALUES block at the start of the outermost WHERE group
# --------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"
              |'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<var>[?$][\w\u00B7\u00C0-\uFFFF]+)
  | (?P<name>[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::[\w.\-:%\\\u00B7\u00C0-\uFFFF]*)?
           |:[\w.\-:%\u00B7\u00C0-\uFFFF]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _tokens(sparql: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) for every token but whitespace and comments."""
    out = []
    for m in _TOKEN_RE.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, m.group(), m.start(), m.end()))
    return out


def _match_close(toks: list, i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][0] == "open":
            depth += 1
        elif toks[j][0] == "close":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("malformed SPARQL: unbalanced braces")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside any group."""
    for kind, text, *_ in _tokens(sparql):
        if kind == "name" and text.upper() in _FORMS:
            return text.upper()
        if kind == "open":
            break
    raise QueryError("malformed SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def sparql_term(t: Term) -> str:
    """A term as SPARQL text, every character of its value escaped (never raw user text)."""
    from kg.model.nquads import iri, literal

    if t.kind == "iri":
        return iri(t.value)
    if t.kind == "bnode":
        raise QueryError("a blank node cannot be bound in a query sent to a SPARQL endpoint")
    if t.lang:
        if not _LANG_RE.match(t.lang):
            raise QueryError(f"invalid language tag {t.lang!r}")
        return literal(t.value) + "@" + t.lang
    if t.datatype and t.datatype != XSD + "string":
        return literal(t.value) + "^^" + iri(t.datatype)
    return literal(t.value)


def values_clause(bindings: dict[str, Term]) -> str:
    names = list(bindings)
    for n in names:
        if not _VAR_RE.match(n):
            raise QueryError(f"invalid variable name {n!r}")
    head = " ".join("?" + n for n in names)
    row = " ".join(sparql_term(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def bind_values(sparql: str, bindings: dict[str, Term]) -> str:
    """The query with ``bindings`` joined in as a VALUES block opening its outermost WHERE group.

    The protocol has no way to pass bindings, so they become data: each value
    is written as an escaped RDF term, and the block goes where the query's
    own patterns start, so the result is what Oxigraph's substitution gives.
    """
    if not bindings:
        return sparql
    values = values_clause(bindings)
    toks = _tokens(sparql)
    form_at = next((i for i, t in enumerate(toks) if t[0] == "name" and t[1].upper() in _FORMS), None)
    if form_at is None:
        raise QueryError("malformed SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = toks[form_at][1].upper()
    i = form_at + 1
    if form == "CONSTRUCT":
        if i < len(toks) and toks[i][0] == "open":  # skip the template
            i = _match_close(toks, i) + 1
        else:  # CONSTRUCT WHERE { triples }: spell out the template
            j = next((k for k in range(i, len(toks)) if toks[k][0] == "open"), None)
            if j is None:
                raise QueryError("malformed SPARQL: CONSTRUCT without a WHERE group")
            end = _match_close(toks, j)
            body = sparql[toks[j][3]:toks[end][2]]
            return (sparql[:toks[form_at][3]] + " {" + body + "} WHERE { " + values + " " + body + "}"
                    + sparql[toks[end][3]:])
    j = next((k for k in range(i, len(toks)) if toks[k][0] == "open"), None)
    if j is None:
        if form == "DESCRIBE":
            return sparql.rstrip() + f" WHERE {{ {values} }}"
        raise QueryError(f"malformed SPARQL: {form} without a WHERE group")
    at = toks[j][3]
    if j + 1 < len(toks) and toks[j + 1][0] == "name" and toks[j + 1][1].upper() == "SELECT":
        end = _match_close(toks, j)  # { SELECT … } : wrap the sub-select in its own group
        return sparql[:at] + f" {values} {{" + sparql[at:toks[end][2]] + "} " + sparql[toks[end][2]:]
    return sparql[:at] + f" {values} " + sparql[at:]


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

def _turtle(triples_data: bytes, content_type: str) -> str:
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0].strip()) or ox.RdfFormat.TURTLE
    triples = [ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(triples_data, format=fmt)]
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return text.decode("utf-8") if isinstance(text, bytes) else text


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------

class RemoteStore(Store):
    """A SPARQL 1.1 endpoint, read and written over HTTP.

    Address convention (the ``sparql+`` prefix is dropped to get the HTTP URL)::

        sparql+http://HOST:PORT                 Oxigraph's layout: /query, /update, /store
        sparql+http://HOST:PORT/PATH            one URL for query and update (Fuseki /ds, Virtuoso /sparql)
        sparql+https://…                        the same over TLS
        sparql+http://USER:PASSWORD@HOST…       HTTP basic authentication

    URL query parameters adjust it (paths are resolved against the URL, so
    ``/x`` is on the same host and a full ``http(s)://`` URL is taken as is):

    ``query=``, ``update=``
        the Query and Update endpoints;
    ``gsp=``
        a Graph Store endpoint that takes and gives a whole dataset as N-Quads
        (``POST``/``GET`` without ``graph=``, as Oxigraph's ``/store`` and
        Fuseki's dataset URL do); ``gsp=none`` for none. Default: ``/store``
        for the Oxigraph layout, none otherwise;
    ``load=gsp|update``
        how quads are written: one N-Quads ``POST`` to ``gsp`` (default where
        there is one), or SPARQL ``INSERT DATA`` (default otherwise);
    ``union=oxigraph|native|dataset``
        how queries see the union of all graphs, as kg's queries expect:
        ``oxigraph`` sends Oxigraph's ``union-default-graph`` parameter (default
        for the Oxigraph layout); ``native`` trusts the server, whose default
        graph already is the union (Virtuoso; Fuseki/TDB with
        ``unionDefaultGraph``); ``dataset`` names every graph as both a
        ``default-graph-uri`` and a ``named-graph-uri`` (plain SPARQL 1.1
        protocol, works anywhere; default when a PATH is given);
    ``scope=IRI-PREFIX``
        only named graphs whose IRI starts with it count for ``graphs()``,
        ``len()``, ``dump()`` and ``union=dataset`` (for a shared server such as
        Virtuoso, whose system graphs are otherwise included);
    ``timeout=SECONDS`` on every request (default 60 for reads, 600 for writes); ``max_update=BYTES``
    (default 1,000,000) the largest update body sent; ``page=ROWS`` (default
    10,000) rows per request when a dump pages through SELECT results.

    Examples: ``sparql+http://127.0.0.1:7878`` (``oxigraph serve``);
    ``sparql+http://127.0.0.1:8890/sparql?union=native&scope=https://w3id.org/kg/id/graph/``
    (Virtuoso); ``sparql+http://127.0.0.1:3030/ds?gsp=/ds`` (Fuseki).

    Writes are all-or-nothing. Each ``load_nquads``/``remove_graph`` — or all
    the writes of a :meth:`batch` or ``with store:`` block (``kg build`` runs in
    one) — go to the server as one change, by the first of these that applies:

    1. no graph to drop and ``load=gsp``: one N-Quads ``POST`` to ``gsp``;
    2. small enough (``max_update``): one SPARQL Update, ``DROP SILENT GRAPH``
       for each graph dropped, then ``INSERT DATA``;
    3. otherwise the quads are first staged in temporary graphs
       (``urn:x-kg-staging:…``; one ``POST``, or ``INSERT DATA`` requests of at
       most ``max_update`` bytes), then one small SPARQL Update drops the
       replaced graphs and moves the staged quads into place. If anything
       fails, the staged quads are deleted and the data is as it was.

    Each request is atomic where the server runs it in one transaction:
    Oxigraph does, for ``/update`` and for ``/store`` without
    ``no_transaction``. Between the staging and the switch of (3), readers
    of the union also see the staged quads. Blank nodes written with
    ``load=update`` in several requests lose their identity across requests
    (kg skolemises its own).
    """

    def __init__(self, location: str, read_only: bool = False):
        if not location.startswith(SCHEMES):
            raise StoreError(f"not a SPARQL store address: {location} (use sparql+http://HOST:PORT[/PATH])")
        self.read_only = read_only
        url = location[len("sparql+"):]
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            raise StoreError(f"no host in SPARQL store address {location}")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            raise StoreError(f"bad port in SPARQL store address {location}") from None
        self._auth = None
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port:
            netloc += f":{parts.port}"
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        params: dict[str, str] = {}
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            if k not in _PARAMS:
                raise StoreError(f"unknown parameter {k!r} in SPARQL store address (known: {', '.join(_PARAMS)})")
            params[k] = v
        base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))
        oxigraph_layout = parts.path in ("", "/")
        self.location = "sparql+" + urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

        def resolve(value: str) -> str:
            u = urllib.parse.urljoin(base, value)
            if urllib.parse.urlsplit(u).scheme not in ("http", "https"):
                raise StoreError(f"endpoint {value!r} in {self.location} is not an http(s) URL")
            return u

        if oxigraph_layout:
            q, u, g = "/query", "/update", "/store"
        else:
            q, u, g = base, base, "none"
        self.query_url = resolve(params.get("query", q))
        self.update_url = resolve(params.get("update", u))
        gsp = params.get("gsp", g)
        self.gsp_url = None if gsp in ("", "none") else resolve(gsp)
        self.load_mode = params.get("load", "gsp" if self.gsp_url else "update")
        if self.load_mode not in _LOAD_MODES:
            raise StoreError(f"load={self.load_mode} in {self.location}: choose from {', '.join(_LOAD_MODES)}")
        if self.load_mode == "gsp" and not self.gsp_url:
            raise StoreError(f"load=gsp in {self.location} needs a gsp= endpoint")
        self.union = params.get("union", "oxigraph" if oxigraph_layout else "dataset")
        if self.union not in _UNION_MODES:
            raise StoreError(f"union={self.union} in {self.location}: choose from {', '.join(_UNION_MODES)}")
        self.scope = params.get("scope") or None
        try:
            self.timeout = float(params.get("timeout", DEFAULT_TIMEOUT))
            self.write_timeout = float(params.get("timeout", DEFAULT_WRITE_TIMEOUT))
            self.max_update = int(params.get("max_update", DEFAULT_MAX_UPDATE))
            self.page = int(params.get("page", DEFAULT_PAGE))
        except ValueError as e:
            raise StoreError(f"bad number in SPARQL store address {self.location}: {e}") from None
        if self.timeout <= 0 or self.max_update <= 0 or self.page <= 0:
            raise StoreError(f"timeout, max_update and page must be positive in {self.location}")
        self._pending: list[tuple[str, object]] | None = None
        self._batch_depth = 0
        self._tmp: list[str] = []
        self._graph_cache: list[str] | None = None
        self._graph_time = 0.0

    # ------------------------------------------------------------------ HTTP
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

    def _dataset_fields(self) -> list[tuple[str, str]]:
        if self.union == "oxigraph":
            return [("union-default-graph", "")]
        if self.union == "dataset":
            graphs = self.graphs()
            return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        return []

    # ------------------------------------------------------------------ reading
    def _select(self, sparql: str, dataset: bool = True) -> Result:
        fields = [("query", sparql_prologue() + sparql)] + (self._dataset_fields() if dataset else [])
        data, _ = self._form(self.query_url, fields, "application/sparql-results+json", "query")
        return self._parse_json(data)

    def _parse_json(self, data: bytes) -> Result:
        try:
            return sparql_results.parse_json(data)
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

    def graphs(self) -> list[str]:
        """Named graphs, as they will be once pending writes are sent (sending nothing)."""
        names = set(self._server_graphs())
        for kind, x in self._pending or []:
            if kind == "drop":
                names.discard(x)
            else:
                names.update(_load_graphs(x))
        return sorted(g for g in names
                      if not g.startswith(STAGING) and (self.scope is None or g.startswith(self.scope)))

    def _scope_filter(self, var: str = "?g") -> str:
        if self.scope is None:
            return f"FILTER(!STRSTARTS(STR({var}), {json.dumps(STAGING)}))"
        from kg.model.nquads import literal

        return f"FILTER(STRSTARTS(STR({var}), {literal(self.scope)}))"

    def __len__(self) -> int:
        self._flush()
        named = f"{{ GRAPH ?g {{ ?s ?p ?o }} {self._scope_filter()} }}"
        # Only Oxigraph without union-default-graph has a default graph apart from the union.
        where = named + (" UNION { ?s ?p ?o }" if self.union == "oxigraph" and self.scope is None else "")
        res = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", dataset=False)
        try:
            return int(res.rows[0][0].value)
        except (IndexError, AttributeError, TypeError, ValueError):
            raise StoreError(f"unexpected answer from SPARQL endpoint {self.query_url} to a COUNT") from None

    def dump(self, fmt: str) -> bytes:
        from kg.store.oxigraph import EXPORT_FORMATS, OxigraphStore

        if fmt not in EXPORT_FORMATS:
            raise QueryError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
        self._flush()
        local = OxigraphStore(None)
        local.load_nquads(self.nquads())
        return local.dump(fmt)

    def nquads(self) -> bytes:
        """The store's quads as N-Quads (within ``scope``; staging graphs left out)."""
        import pyoxigraph as ox

        self._flush()
        if self.gsp_url:
            data, _ = self._request(self.gsp_url, accept="application/n-quads", what="read")
            try:
                quads = [q for q in ox.parse(data, format=ox.RdfFormat.N_QUADS) if self._in_scope(q.graph_name)]
            except SyntaxError as e:
                raise StoreError(f"unexpected answer from Graph Store {self.gsp_url}: {_one_line(e)}") from None
            return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        return b"".join(self._paged_quads())

    def _in_scope(self, graph: object) -> bool:
        value = getattr(graph, "value", None)
        if value is None:  # default graph
            return self.scope is None
        if value.startswith(STAGING):
            return False
        return self.scope is None or value.startswith(self.scope)

    def _paged_quads(self) -> Iterator[bytes]:
        from kg.model.nquads import iri

        offset = 0
        while True:
            res = self._select(
                f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope_filter()} }} "
                f"ORDER BY ?g ?s ?p ?o LIMIT {self.page} OFFSET {offset}", dataset=False)
            for s, p, o, g in res.rows:
                yield (f"{_nq(s)} {iri(p.value)} {_nq(o)} {iri(g.value)} .\n").encode("utf-8")
            if len(res.rows) < self.page:
                return
            offset += self.page

    # ------------------------------------------------------------------ writing
    def load_nquads(self, data: str | bytes) -> None:
        self._write(("load", data.encode("utf-8") if isinstance(data, str) else bytes(data)))

    def load_nquads_file(self, path: str | Path) -> None:
        fd, copy = tempfile.mkstemp(suffix=".nq", prefix="kg-remote-")
        os.close(fd)
        self._tmp.append(copy)
        try:
            shutil.copyfile(path, copy)
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e.strerror or e}") from None
        self._write(("load", Path(copy)))

    def remove_graph(self, graph: str) -> None:
        self._write(("drop", graph))

    def _write(self, op: tuple[str, object]) -> None:
        if self._pending is not None:
            self._pending.append(op)
        else:
            self._graph_cache = None
            try:
                self._commit([op])
            finally:
                self._cleanup_tmp()

    def _begin(self) -> None:
        if self._pending is None:
            self._pending = []
        self._batch_depth += 1

    def _end(self, ok: bool) -> None:
        self._batch_depth -= 1
        if self._batch_depth:
            return
        try:
            if ok:
                self._flush()
        finally:
            self._pending = None
            self._graph_cache = None
            self._cleanup_tmp()

    @contextlib.contextmanager
    def batch(self) -> Iterator[RemoteStore]:
        """Defer writes and send them as one all-or-nothing change.

        The change is sent when the batch ends, or before the next query (so
        queries see earlier writes; ``graphs()`` needs no sending); an
        exception inside drops whatever is still pending. ``with store:``
        is a batch too.
        """
        self._begin()
        ok = False
        try:
            yield self
            ok = True
        finally:
            self._end(ok)

    def __enter__(self) -> RemoteStore:
        self._begin()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._end(exc_type is None)

    def _flush(self) -> None:
        if self._pending:
            ops = list(self._pending)
            self._pending.clear()
            self._graph_cache = None
            self._commit(ops)

    def _cleanup_tmp(self) -> None:
        if self._pending:
            return
        for p in self._tmp:
            with contextlib.suppress(OSError):
                os.unlink(p)
        self._tmp.clear()

    def _commit(self, ops: list[tuple[str, object]]) -> None:
        try:
            self._commit_ops(ops)
        finally:
            self._graph_cache = None

    def _commit_ops(self, ops: list[tuple[str, object]]) -> None:
        """Apply drops and loads, in order, as one change."""
        import pyoxigraph as ox

        from kg.model.nquads import iri

        last_drop = {g: i for i, (kind, g) in enumerate(ops) if kind == "drop"}
        loads = [(i, src) for i, (kind, src) in enumerate(ops) if kind == "load"]
        raw = sum(len(s) if isinstance(s, bytes) else s.stat().st_size for _, s in loads)

        def surviving() -> Iterator[object]:
            """Every quad not wiped by a later drop of its graph."""
            for i, src in loads:
                try:
                    parsed = (ox.parse(src, format=ox.RdfFormat.N_QUADS) if isinstance(src, bytes)
                              else ox.parse(path=str(src), format=ox.RdfFormat.N_QUADS))
                    for q in parsed:
                        g = getattr(q.graph_name, "value", None)
                        if g is None or last_drop.get(g, -1) < i:
                            yield q
                except SyntaxError as e:
                    raise StoreError(f"cannot load N-Quads: {_one_line(e)}") from None

        # Dropping a graph the server does not have is a no-op: leave it out (a first build then
        # needs no staging). A drop still hides quads loaded before it in this change.
        dropped = set(last_drop)
        if dropped:
            dropped &= set(self._server_graphs())
        if not loads:
            if dropped:
                self._send_update(" ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in sorted(dropped)))
            return
        if not dropped and self.load_mode == "gsp":  # one N-Quads POST, atomic on its own
            self._post_quads(surviving())
            return
        if raw <= self.max_update:  # small: one update request, drops and data together
            quads = list(surviving())
            text = "".join(f"DROP SILENT GRAPH {iri(g)} ;\n" for g in sorted(dropped)) + (
                _insert_data(quads) if quads else "")
            if not text:
                return
            if len(urllib.parse.urlencode([("update", text)])) <= self.max_update:
                self._send_update(text.rstrip().rstrip(";"))
                return
        self._commit_staged(surviving(), dropped)

    def _server_graphs(self) -> list[str]:
        """Named graphs on the server now (kept for a few seconds inside a batch)."""
        if self._graph_cache is None or not self._batch_depth or time.monotonic() - self._graph_time > 10:
            self._graph_time = time.monotonic()
            res = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", dataset=False)
            if any(r[0] is None for r in res.rows):  # Virtuoso answers GRAPH ?g {} with one unbound row
                res = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
            self._graph_cache = [r[0].value for r in res.rows if r[0] is not None and r[0].kind == "iri"]
        return self._graph_cache

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

    def _commit_staged(self, quads: Iterator[object], dropped: set[str]) -> None:
        """Stage the quads in temporary graphs, then switch them in with one small update."""
        import pyoxigraph as ox

        from kg.model.nquads import iri, literal

        token = f"{STAGING}{int(time.time())}-{secrets.token_hex(6)}/"
        default_stage = token + "default"
        staged_targets: set[str] = set()
        has_default = False

        def staged() -> Iterator[object]:
            nonlocal has_default
            for q in quads:
                g = getattr(q.graph_name, "value", None)
                if g is None:
                    has_default = True
                    target = default_stage
                else:
                    staged_targets.add(g)
                    target = token + ("r/" if g in dropped else "a/") + g
                yield ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(target))

        try:
            if self.load_mode == "gsp":
                self._post_quads(staged())
            else:
                self._insert_chunks(staged())
            n = len(token) + 3  # SUBSTR is 1-based: skip the token and "r/" or "a/"
            parts = [f"DROP SILENT GRAPH {iri(g)}" for g in sorted(dropped - staged_targets)]
            parts.append(
                "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { "
                "{ SELECT DISTINCT ?g WHERE { GRAPH ?r { ?s0 ?p0 ?o0 } "
                f"FILTER(STRSTARTS(STR(?r), {literal(token + 'r/')})) BIND(IRI(SUBSTR(STR(?r), {n})) AS ?g) }} }} "
                "GRAPH ?g { ?s ?p ?o } }")
            parts.append(
                "INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?t { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?t), {literal(token)}) && ?t != {iri(default_stage)}) "
                f"BIND(IRI(SUBSTR(STR(?t), {n})) AS ?g) }}")
            if has_default:
                parts.append(f"ADD SILENT GRAPH {iri(default_stage)} TO DEFAULT")
            parts.append("DELETE { GRAPH ?t { ?s ?p ?o } } WHERE { GRAPH ?t { ?s ?p ?o } "
                         f"FILTER(STRSTARTS(STR(?t), {literal(token)})) }}")
            self._send_update(" ;\n".join(parts))
        except BaseException:
            with contextlib.suppress(StoreError, QueryError):
                self._drop_staging(token, staged_targets, has_default)
            raise
        # The switch removed the staged quads; drop the (now empty) staging graphs themselves.
        with contextlib.suppress(StoreError, QueryError):
            self._drop_staging(token, staged_targets, has_default, quads_gone=True)

    def _drop_staging(self, token: str, targets: set[str], has_default: bool, quads_gone: bool = False) -> None:
        from kg.model.nquads import iri, literal

        names = [token + p + g for g in sorted(targets) for p in ("r/", "a/")]
        names += [token + "default"] if has_default else []
        if not quads_gone:
            self._send_update("DELETE { GRAPH ?t { ?s ?p ?o } } WHERE { GRAPH ?t { ?s ?p ?o } "
                              f"FILTER(STRSTARTS(STR(?t), {literal(token)})) }}")
        chunk: list[str] = []
        size = 0
        for name in names:
            op = f"DROP SILENT GRAPH {iri(name)}"
            if chunk and size + len(op) * 2 > self.max_update:
                self._send_update(" ;\n".join(chunk))
                chunk, size = [], 0
            chunk.append(op)
            size += len(op) * 2
        if chunk:
            self._send_update(" ;\n".join(chunk))

    def _insert_chunks(self, quads: Iterator[object]) -> None:
        """INSERT DATA requests of at most ``max_update`` bytes (staging graphs only)."""
        chunk: list[str] = []
        size = 0
        limit = self.max_update // 3 - 100  # form encoding at most triples each UTF-8 byte
        for q in quads:
            line = _quad_text(q)
            n = len(line.encode("utf-8"))
            if chunk and size + n > limit:
                self._send_update("INSERT DATA {\n" + "".join(chunk) + "}")
                chunk, size = [], 0
            chunk.append(line)
            size += n
        if chunk:
            self._send_update("INSERT DATA {\n" + "".join(chunk) + "}")

    def purge_staging(self) -> list[str]:
        """Drop staging graphs left by an interrupted write; return their names."""
        res = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                           f"FILTER(STRSTARTS(STR(?g), {json.dumps(STAGING)})) }}", dataset=False)
        names = sorted(r[0].value for r in res.rows if r[0] is not None)
        from kg.model.nquads import iri

        for i in range(0, len(names), 500):
            self._send_update(" ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in names[i:i + 500]))
        return names

    def close(self) -> None:
        if self._pending:
            self._flush()
        self._cleanup_tmp()


def _load_graphs(src: object) -> set[str]:
    """The named graphs an N-Quads payload (bytes or a file) writes to."""
    import pyoxigraph as ox

    try:
        parsed = (ox.parse(src, format=ox.RdfFormat.N_QUADS) if isinstance(src, bytes)
                  else ox.parse(path=str(src), format=ox.RdfFormat.N_QUADS))
        return {q.graph_name.value for q in parsed if hasattr(q.graph_name, "value")}
    except SyntaxError as e:
        raise StoreError(f"cannot load N-Quads: {_one_line(e)}") from None


def _nq(t: Term) -> str:
    if t.kind == "bnode":
        return "_:" + re.sub(r"[^A-Za-z0-9_]", "_", t.value)
    return t.n3() if t.kind == "iri" else sparql_term(t)


def _quad_text(q: object) -> str:
    return f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}\n"


def _insert_data(quads: list) -> str:
    """INSERT DATA with consecutive quads of one graph grouped in a GRAPH block."""
    out = ["INSERT DATA {\n"]
    current: str | None = None
    for q in quads:
        key = getattr(q.graph_name, "value", None)
        if key != current:
            if current is not None:
                out.append("}\n")
            if key is not None:
                out.append(f"GRAPH {q.graph_name} {{\n")
            current = key
        out.append(f"{q.subject} {q.predicate} {q.object} .\n")
    if current is not None:
        out.append("}\n")
    out.append("}")
    return "".join(out)
