"""How SPARQL servers differ, read from the store's address: where the Query, Update and Graph Store
endpoints are (Oxigraph's layout or one URL for all, as Virtuoso and Fuseki have), how a query sees
the union of all graphs (``union=``), which graphs count (``scope=``), and the named graphs a server
lists (Virtuoso answers ``GRAPH ?g {}`` its own way)."""

from __future__ import annotations

import base64
import json
import urllib.parse

from kg.model.errors import StoreError

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


class Dialect:
    """The address's settings (see :class:`~kg.store.remote.store.RemoteStore`) and what they change.

    A part of ``RemoteStore``: queries go through its ``_select`` and ``graphs``.
    """

    def _configure(self, location: str) -> None:
        """Read the address: endpoints, authentication, modes, scope, timeouts and limits."""
        if not location.startswith(SCHEMES):
            raise StoreError(f"not a SPARQL store address: {location} (use sparql+http://HOST:PORT[/PATH])")
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

    def _dataset_fields(self) -> list[tuple[str, str]]:
        if self.union == "oxigraph":
            return [("union-default-graph", "")]
        if self.union == "dataset":
            graphs = self.graphs()
            return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        return []

    def _scope_filter(self, var: str = "?g") -> str:
        if self.scope is None:
            return f"FILTER(!STRSTARTS(STR({var}), {json.dumps(STAGING)}))"
        from kg.model.nquads import literal

        return f"FILTER(STRSTARTS(STR({var}), {literal(self.scope)}))"

    def _in_scope(self, graph: object) -> bool:
        value = getattr(graph, "value", None)
        if value is None:  # default graph
            return self.scope is None
        if value.startswith(STAGING):
            return False
        return self.scope is None or value.startswith(self.scope)

    def _list_graphs(self) -> list[str]:
        """Named graphs on the server now."""
        res = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", dataset=False)
        if any(r[0] is None for r in res.rows):  # Virtuoso answers GRAPH ?g {} with one unbound row
            res = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
        return [r[0].value for r in res.rows if r[0] is not None and r[0].kind == "iri"]
