"""The remote store: a SPARQL endpoint behind the :class:`~kg.store.base.Store` interface, made of
the dialect, the protocol client, batched writes and the all-or-nothing commit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.model.errors import QueryError, StoreError
from kg.store.base import Store, Term
from kg.store.remote.batch import BatchedWrites
from kg.store.remote.bindings import sparql_term
from kg.store.remote.commit import AllOrNothingCommit
from kg.store.remote.dialect import Dialect
from kg.store.remote.protocol import SparqlProtocol, _one_line


class RemoteStore(BatchedWrites, AllOrNothingCommit, SparqlProtocol, Dialect, Store):
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
        self.read_only = read_only
        self._configure(location)
        self._pending: list[tuple[str, object]] | None = None
        self._batch_depth = 0
        self._tmp: list[str] = []
        self._graph_cache: list[str] | None = None
        self._graph_time = 0.0

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
        from kg.store.base import EXPORT_FORMATS
        from kg.store.oxigraph import OxigraphStore

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

    def close(self) -> None:
        if self._pending:
            self._flush()
        self._cleanup_tmp()


def _nq(t: Term) -> str:
    if t.kind == "bnode":
        return "_:" + re.sub(r"[^A-Za-z0-9_]", "_", t.value)
    return t.n3() if t.kind == "iri" else sparql_term(t)
