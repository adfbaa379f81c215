"""Writing reference data as YAML: a Turtle codebook or gazetteer converted, and new actors appended.

:func:`turtle_to_yaml` gives the YAML that :mod:`kg.ingest.reference_yaml` turns back into
exactly the triples of the Turtle file (it checks that before returning), so a
debate's Turtle files can be edited as YAML from then on. :func:`append_actors`
adds entries for actors the extractor found to a YAML gazetteer without touching
what is already there.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from kg.model.errors import InputError
from kg.model.files import write_atomic
from kg.model.namespaces import DCT, KG, KGR, OWL, PREFIXES, RDF, RDFS, SCHEMA, SKOS, actor_iri, slug, topic_iri
from kg.ingest.reference import normalise
from kg.ingest.reference_yaml import ACTOR_TYPES, DCAT, role_iri, role_label, yaml_triples
from kg.ingest.safe_yaml import compose_yaml, is_mapping, is_null, is_scalar, is_sequence, line


def turtle_to_yaml(path: str | Path) -> str:
    """A Turtle codebook or gazetteer as YAML text that loads back to the same triples.

    Raises InputError naming the file when it holds something the YAML shape cannot say
    (blank nodes, other predicates, several languages…).
    """
    import rdflib

    path = Path(path)
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as e:  # rdflib raises many types for bad Turtle
        raise InputError(f"bad Turtle: {' '.join(str(e).split())[:200]}", path) from None
    g = _Graph(graph, path)
    topics = g.typed(KG + "Topic")
    actors = g.typed(*(KG + t for t in ACTOR_TYPES))
    if topics and actors:
        raise InputError("defines both topics and actors: convert a codebook and a gazetteer separately", path)
    if not topics and not actors:
        raise InputError("defines no topics (kg:Topic) and no actors: not a codebook or gazetteer", path)
    head = f"# {'Codebook' if topics else 'Gazetteer'} converted from {path.name}; kg reads it as it reads the Turtle.\n"
    data = _codebook(g, topics) if topics else _gazetteer(g, actors)
    lang = g.language()
    text = head + ("" if lang == "en" else _dump({"language": lang})) + _dump_sections(data)
    _check_round_trip(graph, text, path)
    return text


class _Graph:
    """An rdflib graph whose subjects and values come in the order the file writes them."""

    def __init__(self, graph, path: Path):
        import pyoxigraph as ox

        self.graph, self.path = graph, path
        self.pos: dict[tuple, int] = {}
        for i, t in enumerate(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())):
            self.pos.setdefault(("subject", t.subject.value), i)
            self.pos.setdefault((t.subject.value, t.predicate.value, t.object.value), i)

    def objects(self, s, p: str) -> list:
        import rdflib

        return sorted(self.graph.objects(s, rdflib.URIRef(p)),
                      key=lambda o: (self.pos.get((str(s), p, str(o)), len(self.pos)), str(o)))

    def one(self, s, p: str):
        values = self.objects(s, p)
        return values[0] if values else None

    def typed(self, *types: str) -> list:
        import rdflib

        found = {s for t in types for s in self.graph.subjects(rdflib.RDF.type, rdflib.URIRef(t))}
        return sorted(found, key=lambda s: (self.pos.get(("subject", str(s)), len(self.pos)), str(s)))

    def language(self) -> str | None:
        langs = {o.language for o in self.graph.objects() if getattr(o, "language", None)}
        if len(langs) > 1:
            raise InputError(f"literals in several languages ({', '.join(sorted(langs))}); a YAML file has one",
                             self.path)
        return langs.pop() if langs else None


def _compact(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns) and iri != ns), key=len, default=None)
    if best is None or any(c.isspace() or c == ":" for c in iri[len(best):]):
        return iri
    return next(p for p, ns in PREFIXES.items() if ns == best) + ":" + iri[len(best):]


def _texts(g: _Graph, s, fields: dict[str, str]) -> dict:
    out = {}
    for key, p in fields.items():
        values = g.objects(s, p)
        if values:
            out[key] = str(values[0]) if len(values) == 1 else [str(v) for v in values]
    return out


def _codebook(g: _Graph, topics: list) -> dict:
    schemes = g.typed(SKOS + "ConceptScheme")
    data: dict = {}
    if schemes:
        s = schemes[0]
        header = _texts(g, s, {"title": DCT + "title"})
        label = g.one(s, RDFS + "label")
        if label is not None and str(label) != header.get("title"):
            header["label"] = str(label)
        header.update(_texts(g, s, {"description": DCT + "description", "version": OWL + "versionInfo"}))
        if str(s) != f"{KGR}codebook/{slug(header.get('title') or 'codebook')}":
            header = {"id": _compact(str(s)), **header}
        data["codebook"] = header
    notation = {t: str(g.one(t, SKOS + "notation")) for t in topics}
    name = lambda o: notation.get(o) or _compact(str(o))  # noqa: E731
    entries = []
    for t in topics:
        e: dict = {"notation": notation[t], **_texts(g, t, {"label": SKOS + "prefLabel"})}
        if str(t) != topic_iri(notation[t]):
            e["id"] = _compact(str(t))
        _aliases(g, t, e)
        e.update(_texts(g, t, {"definition": SKOS + "definition", "scope_note": SKOS + "scopeNote",
                               "note": SKOS + "note"}))
        broader = [name(b) for b in g.objects(t, SKOS + "broader")]
        if broader:
            e["broader"] = broader[0] if len(broader) == 1 else _Flow(broader)
        related = [name(r) for r in g.objects(t, SKOS + "related")]
        if related:
            e["related"] = _Flow(related)
        if schemes and bool(g.objects(t, SKOS + "topConceptOf")) == bool(broader):
            e["top"] = not broader
        entries.append(e)
    data["topics"] = entries
    return data


def _aliases(g: _Graph, s, e: dict) -> None:
    aliases = [str(a) for a in g.objects(s, SKOS + "altLabel")]
    if aliases:
        e["aliases"] = _Flow(aliases)


def _gazetteer(g: _Graph, actors: list) -> dict:
    datasets = g.typed(DCAT + "Dataset")
    header: dict = {}
    if datasets:
        s = datasets[0]
        header = _texts(g, s, {"title": DCT + "title", "description": DCT + "description",
                               "version": OWL + "versionInfo"})
        default = f"{KGR}gazetteer/{slug(header['title'])}" if "title" in header else f"{KGR}gazetteer"
        if str(s) != default:
            header = {"id": _compact(str(s)), **header}
    labels = {a: str(g.one(a, SKOS + "prefLabel") or g.one(a, RDFS + "label") or "") for a in actors}
    name = lambda o: labels.get(o) or _compact(str(o))  # noqa: E731
    entries = []
    for a in actors:
        types = [str(t).removeprefix(KG) for t in g.objects(a, RDF + "type") if str(t).removeprefix(KG) in ACTOR_TYPES]
        e: dict = {"label": labels[a], "type": types[0] if len(types) == 1 else types}
        if str(a) != actor_iri(labels[a]):
            e["id"] = _compact(str(a))
        _aliases(g, a, e)
        for key, p in (("member_of", SCHEMA + "memberOf"), ("members", SCHEMA + "member"),
                       ("affiliation", SCHEMA + "affiliation")):
            refs = [name(o) for o in g.objects(a, p)]
            if refs:
                e[key] = refs[0] if key == "affiliation" and len(refs) == 1 else _Flow(refs)
        same = [_compact(str(o)) for o in g.objects(a, OWL + "sameAs")]
        if same:
            e["same_as"] = _Flow(same)
        e.update(_texts(g, a, {"definition": SKOS + "definition", "note": SKOS + "note"}))
        roles = _roles(g, a, labels[a], name)
        if roles:
            e["roles"] = roles
        entries.append(e)
    return {"gazetteer": header, "actors": entries}


def _roles(g: _Graph, person, person_label: str, name) -> list[dict]:
    roles = g.objects(person, KG + "hasRole")
    numbered = {role_iri(str(person), n): n for n in range(1, len(roles) + 1)}
    roles.sort(key=lambda r: numbered.get(str(r), len(roles) + 1))  # stable: file order otherwise
    out = []
    for k, r in enumerate(roles, 1):
        e: dict = _texts(g, r, {"title": KG + "roleTitle"})
        org = g.one(r, KG + "inOrganisation")
        if org is not None:
            e["organisation"] = name(org)
        start, end = g.one(r, SCHEMA + "startDate"), g.one(r, SCHEMA + "endDate")
        for key, value in (("start", start), ("end", end)):
            if value is not None:
                e[key] = value.toPython() if isinstance(value.toPython(), datetime.date) else str(value)
        label = g.one(r, RDFS + "label")
        if label is not None and str(label) != role_label(e.get("title", ""), person_label,
                                                          start and str(start), end and str(end)):
            e["label"] = str(label)
        _aliases(g, r, e)
        if str(r) != role_iri(str(person), k):
            e["id"] = _compact(str(r))
        out.append(e)
    return out


class _Flow(list):
    """A list written on one line (``[a, b]``) while it fits: aliases and references."""


def _dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)  # list items indented under their key

        def ignore_aliases(self, data):
            return True

    # On one line while it fits; a long list one item a line, not folded mid-name.
    Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence(
        "tag:yaml.org,2002:seq", v, flow_style=sum(len(str(x)) + 2 for x in v) < 72))
    return Dumper


def _dump(data) -> str:
    import yaml

    return yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _dump_sections(data: dict) -> str:
    """Top-level keys one after the other; the entries of a list separated by blank lines."""
    out = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ["  " + _dump([v]).replace("\n", "\n  ").rstrip(" ") for v in value]
            out.append(f"{key}:\n" + "\n".join(items))
        else:
            out.append(_dump({key: value}))
    return "\n".join(out)


def _check_round_trip(graph, text: str, path: Path) -> None:
    import pyoxigraph as ox
    import rdflib

    try:
        triples = yaml_triples(text, path.with_suffix(".yaml"))
    except InputError as e:
        raise InputError(f"cannot be written as YAML: {e.message}", path) from None
    back = rdflib.Graph().parse(data=ox.serialize([ox.Triple(*t) for t in triples], format=ox.RdfFormat.N_TRIPLES),
                                format="nt")
    missing, extra = set(graph) - set(back), set(back) - set(graph)
    if missing or extra:
        s, p, o = sorted(missing or extra)[0]
        what = "has no YAML form" if missing else "would be added"
        raise InputError(f"cannot be written as YAML without loss: {len(missing)} triple(s) missing, {len(extra)} "
                         f"added; e.g. <{s}> <{p}> {o.n3()} {what}", path)


GAZETTEER_HEAD = """# Actors of this debate: a kg gazetteer (see `kg init` for the shape of an entry).
gazetteer: {}
"""


def actor_entries(rows: list[dict], indent: int = 2) -> str:
    """YAML list items for new actors (rows of :func:`kg.analysis.positions.new_actors`), each under a comment
    saying where the extractor found it, ready to complete and paste under ``actors:``."""
    pad = " " * indent
    out = []
    for r in rows:
        quote = " ".join(str(r.get("quote") or "").split())
        quote = quote if len(quote) <= 100 else quote[:99] + "…"
        where = f"{r.get('assertions', 0)} assertion(s) in {r.get('documents', 0)} document(s)"
        example = f', e.g. {r["doc"]}: "{quote}"' if quote else ""
        entry = {"label": r["actor"], "type": r.get("type") or "Actor", "aliases": _Flow()}
        body = _dump([entry]).rstrip("\n").replace("\n", "\n" + pad)
        out.append(f"{pad}# found by the extractor: {where}{example}\n"
                   f"{pad}# type: Person | State | InternationalOrganisation | ActorGroup | Actor\n{pad}{body}\n")
    return "\n".join(out)


def append_actors(path: str | Path, rows: list[dict]) -> list[str]:
    """Add entries for ``rows`` (new actors) to the YAML gazetteer at ``path``, creating it if need be.

    Actors the file already names (by label or alias) are left out; nothing already in the file
    changes. The result is checked as a gazetteer before it replaces the file (atomically).
    Returns the labels added.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else GAZETTEER_HEAD
    root = compose_yaml(text, path)
    top = {k.value: (k, v) for k, v in root.value} if root is not None and is_mapping(root) else {}
    if "gazetteer" not in top:
        raise InputError("not a YAML gazetteer (it has no top-level 'gazetteer:' line); "
                         "give a new file or a gazetteer", path)
    known = set()
    actors = top.get("actors", (None, None))[1]
    items = actors.value if actors is not None and is_sequence(actors) else []
    for item in items:
        if is_mapping(item):
            for k, v in item.value:
                if k.value in ("label", "aliases"):
                    known |= {normalise(n.value) for n in ([v] if not is_sequence(v) else v.value)}
    fresh: dict[str, dict] = {}
    for r in rows:
        fresh.setdefault(normalise(r["actor"]), r)
    rows = [r for key, r in fresh.items() if key not in known]
    if not rows:
        return []
    if not text.endswith("\n"):
        text += "\n"
    if actors is None:  # no actors: list yet
        text += "actors:\n" + actor_entries(rows)
    elif is_sequence(actors) and actors.value and not actors.flow_style:
        # Right after the line where the list's last item ends (before any comment or key that follows).
        last = actors
        while not is_scalar(last) and last.value:
            last = last.value[-1][1] if is_mapping(last) else last.value[-1]
        newline = text.find("\n", max(last.end_mark.index - 1, 0))
        at = len(text) if newline < 0 else newline + 1
        entries = "\n" + actor_entries(rows, actors.start_mark.column)
        text = text[:at] + entries + ("\n" if at < len(text) else "") + text[at:]
    elif is_null(actors) or (is_sequence(actors) and not actors.value):  # "actors:" or "actors: []"
        start, end = actors.start_mark.index, actors.end_mark.index
        text = text[:start].rstrip(" ") + "\n" + actor_entries(rows) + text[end:].lstrip(" ").removeprefix("\n")
    else:
        raise InputError("cannot append: 'actors' is not a block list (one '- label: …' per entry)", path,
                         line(actors))
    yaml_triples(text, path)  # still a valid gazetteer, or an error naming the line
    write_atomic(path, text)
    return [r["actor"] for r in rows]


def write_text(text: str, out: Path) -> None:
    """Write ``text`` to ``out`` beside it first and renamed, so a failed export leaves no half file."""
    try:
        write_atomic(out, text, newline="")
    except OSError as e:
        raise InputError(f"cannot write {out}: {e.strerror or e}") from None
