"""One change sent all or nothing: drops and loads as one request where they fit, else staged in
temporary graphs (``urn:x-kg-staging:…``) and switched in by one small update (see
:class:`~kg.store.remote.store.RemoteStore`)."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
import urllib.parse
from collections.abc import Iterator

from kg.model.errors import QueryError, StoreError
from kg.store.remote.dialect import STAGING
from kg.store.remote.protocol import _one_line


class AllOrNothingCommit:
    """How ``RemoteStore`` sends a list of drops and loads as one change, and cleans up after a failed one."""

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
