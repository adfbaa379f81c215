"""Questions analysts ask of the store, answered as rows of plain data.

>>> rows = stance(store, "poland")            # doctest: +SKIP
>>> rows[0]["stance"], rows[0]["target"]      # doctest: +SKIP
('supports', 'troop deployment')
"""

from __future__ import annotations

from pathlib import Path

from kg import queries
from kg.model.errors import InputError, KgError, UnknownNameError
from kg.graph.projection import Projection
from kg.ingest.reference import TEXT_PREFIX, Reference
from kg.store import Result, Store, Term

STANCE_KEYS = ("actor", "stance", "target", "certainty", "attributed_to", "quote", "doc")


def reference(store: Store) -> Reference:
    """The actors and topics known to the store."""
    return Reference.from_store(store)


class _Names:
    """Resolve user-typed names, reading the whole reference index only when a quick lookup fails.

    Most names are a label, alias or notation up to case: one bound query finds them,
    which keeps ``kg stance`` fast on stores with thousands of actors. Anything
    else (accents, a leading "the", typos needing suggestions) takes the full index.
    """

    def __init__(self, store: Store):
        self.store = store
        self._ref: Reference | None = None

    @property
    def ref(self) -> Reference:
        if self._ref is None:
            self._ref = reference(self.store)
        return self._ref

    def _quick(self, name: str, kind: str) -> str | None:
        name = name.strip()
        # Exact labels are index lookups; only then scan the labels ignoring case.
        for term in (Term.literal(name, lang="en"), Term.literal(name)):
            hits = {r["thing"] for r in self.store.query(queries.load("find_exact"), {"label": term}).dicts()
                    if r["kind"] == kind}
            if len(hits) == 1:
                return hits.pop()
        rows = self.store.query(queries.load("find_name"), {"name": name.lower()}).dicts()
        hits = {r["thing"] for r in rows if r["kind"] == kind}
        return hits.pop() if len(hits) == 1 else None  # ambiguous: let the full index decide

    def actor(self, name: str) -> str:
        return self._quick(name, "actor") or self.ref.resolve_actor(name).iri

    def target(self, name: str) -> str:
        if name.startswith(TEXT_PREFIX):
            return self.uncoded(name[len(TEXT_PREFIX):].strip(), name)
        if name.startswith(("actor:", "topic:")):
            return self.ref.resolve_target(name).iri
        found = self._quick(name, "topic") or self._quick(name, "actor")
        if found:
            return found
        try:
            return self.ref.resolve_target(name).iri
        except UnknownNameError as e:
            return self.uncoded(name.strip(), name, e.suggestions)

    def uncoded(self, text: str, name: str, suggestions: list[str] = ()) -> str:
        """An uncoded target (free text no topic or actor matched) by its label: equal ignoring case,
        else the one label containing ``text``; several or none raise with the candidates."""
        rows = self.store.query(queries.load("find_uncoded"), {"name": text.lower()}).dicts() if text else []
        exact = {r["target"] for r in rows if r["exact"] is True}
        hits = exact or {r["target"] for r in rows}
        if len(hits) == 1:
            return hits.pop()
        labels = list(dict.fromkeys(r["label"] for r in rows))
        if len(hits) > 1:
            shown = ", ".join(repr(x) for x in labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
            raise KgError(f"target {name!r} matches {len(labels)} uncoded targets: {shown}; give more of its words")
        raise UnknownNameError("target", name, list(suggestions))


def target_iri(store: Store, name: str) -> str:
    """The IRI of a target (topic or actor) named by a user; UnknownNameError with suggestions otherwise."""
    return _Names(store).target(name)


def stance_rows(store: Store, actor: str, target: str | None = None) -> list[dict]:
    """Every assertion about ``actor`` (a label or alias), optionally on one ``target``: full rows."""
    names = _Names(store)
    bindings: dict[str, Term] = {"actor": Term.iri(names.actor(actor))}
    if target:
        bindings["target"] = Term.iri(names.target(target))
    with Projection.opened(store) as rows:
        if rows is not None:
            return rows.stance(bindings["actor"].value, bindings["target"].value if target else None)
    return store.query(queries.load("stance"), bindings).dicts()


def stance(store: Store, actor: str, target: str | None = None) -> list[dict]:
    """An actor's positions as rows with the keys of :data:`STANCE_KEYS`."""
    return [
        {"actor": r["actorLabel"], "stance": r["stance"], "target": r["targetLabel"],
         "certainty": r["certainty"], "attributed_to": r["speakerLabel"], "quote": r["quote"], "doc": r["doc"]}
        for r in stance_rows(store, actor, target)
    ]


def spoken(store: Store, actor: str) -> int:
    """How many assertions ``actor`` (a label or alias) is the speaker of: someone who holds no position of
    their own may still report others' ("Okafor said the council backs it")."""
    iri = _Names(store).actor(actor)
    rows = store.query("SELECT ?speaker (COUNT(?a) AS ?n) WHERE { ?a kg:attributedTo ?speaker } GROUP BY ?speaker",
                       {"speaker": Term.iri(iri)}).dicts()
    return int(rows[0]["n"]) if rows and rows[0].get("n") is not None else 0


def who(store: Store, topic: str) -> list[dict]:
    """Actors by stance on a topic (or on an actor as target)."""
    t = _Names(store).target(topic)
    with Projection.opened(store) as proj:
        rows = proj.who(t) if proj is not None else store.query(queries.load("who"), {"target": Term.iri(t)}).dicts()
    # GROUP_CONCAT order is the engine's row order: sort so every store prints the same.
    tidy = lambda v: ",".join(sorted(v.split(","))) if v else v  # noqa: E731
    return [{"stance": r["stance"], "actor": r["actorLabel"], "assertions": r["assertions"],
             "certainty": tidy(r["certainties"]), "docs": tidy(r["docs"])} for r in rows]


def actors(store: Store) -> list[dict]:
    """Every known actor with type and aliases."""
    ref = reference(store)
    return [{"actor": a.label, "type": a.type, "aliases": "; ".join(a.aliases), "new": a.is_new, "id": a.iri}
            for a in sorted(ref.actors.values(), key=lambda a: a.label.casefold())]


NEW_ACTOR_KEYS = ("actor", "type", "assertions", "documents", "quote", "doc", "id")


def new_actors(store: Store) -> list[dict]:
    """Actors the extractor found that no gazetteer or curated file declares, most cited first: how many
    assertions name them (as actor, speaker or target), in how many documents, and the first quote."""
    found: dict[str, dict] = {}
    for r in store.query(queries.load("new_actors")).dicts():
        a = found.setdefault(r["actor"], {"actor": r["label"], "type": r["type"], "assertions": set(),
                                          "documents": set(), "quote": None, "doc": None, "id": r["actor"]})
        if a["type"] == "Actor" and r["type"] != "Actor":
            a["type"] = r["type"]
        if r["assertion"]:
            a["assertions"].add(r["assertion"])
            a["documents"].add(r["doc"])
            if a["quote"] is None:  # rows come ordered by document and offset
                a["quote"], a["doc"] = r["quote"], r["doc"]
    rows = [{**a, "assertions": len(a["assertions"]), "documents": len(a["documents"])} for a in found.values()]
    return sorted(rows, key=lambda a: (-a["assertions"], a["actor"].casefold(), a["id"]))


def topics(store: Store) -> list[dict]:
    """Every codebook topic with its notation and labels."""
    ref = reference(store)
    return [{"notation": t.notation, "label": t.label, "alt_labels": "; ".join(t.alt_labels), "id": t.iri}
            for t in sorted(ref.topics.values(), key=lambda t: t.notation)]


def _names_a_file(text: str) -> bool:
    """True when ``text`` is the path of an existing file (a long query or a name the OS refuses is not)."""
    if "\n" in text or len(text.encode("utf-8", "surrogateescape")) > 4096:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # name too long, NUL byte
        return False


def read_query(text_or_file: str) -> str:
    """SPARQL given inline, or as a path to an existing ``.rq`` file, or as the name of a shipped query;
    anything else is query text."""
    if _names_a_file(text_or_file):
        p = Path(text_or_file)
        try:
            return p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read query: {e}", p) from None
    if text_or_file.endswith((".rq", ".sparql")) and "\n" not in text_or_file and " " not in text_or_file.strip():
        raise InputError("no such query file", Path(text_or_file))
    if text_or_file in queries.names():
        return queries.load(text_or_file)
    if not text_or_file.strip():
        raise KgError("empty query")
    return text_or_file


def run_query(store: Store, text_or_file: str, *, allow_update: bool = False,
              bindings: dict[str, Term | str] | None = None) -> Result:
    """Run any SPARQL query (or, with ``allow_update``, an update) against the store."""
    return store.query(read_query(text_or_file), bindings, allow_update=allow_update)
