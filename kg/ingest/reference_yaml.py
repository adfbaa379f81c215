"""Codebooks and gazetteers written in YAML, turned into the RDF a Turtle file would give.

A YAML file is a **codebook** when its top level has ``topics:`` (or a ``codebook:``
header), a **gazetteer** when it has a ``gazetteer:`` header ({} for no metadata);
any other YAML file is a curated file. ``kg init`` writes a commented example of
each (``kg/templates/project/``). In short (only ``notation``, ``label``, ``title``
of a role and ``gazetteer:`` are required)::

    language: en                       # of every label and text (default en; null: none)
    codebook: {id, title, label, description, version}    # the skos:ConceptScheme
    topics:                            # IRIs kgr:topic/<notation> unless an id says otherwise
      - {notation: farm-subsidies, label: Farm subsidies, aliases: [CAP payments],
         definition: …, scope_note: …, note: …, broader: topic, related: [topics], top: true, id: …}

    gazetteer: {id, title, description, version}          # a dcat:Dataset
    actors:                            # IRIs kgr:actor/<slug of label> unless an id says otherwise
      - {label: Poland, type: State, aliases: [Warsaw], member_of: [European Union],
         members: [actors], affiliation: actor, same_as: [wd:Q36], definition: …, note: …, id: …,
         roles: [{title: President, organisation: Poland, start: 2015-08-06, end: 2025-08-06,
                  aliases: [Polish President], label: …, id: …}]}

``type`` is Person, State, InternationalOrganisation, ActorGroup or Actor (the
default); dates are YYYY-MM-DD; a topic without ``broader`` is a top concept; a
role's IRI is kgr:role/<actor slug>/<n> and its default label "<title> (<person>,
<start year>–<end year>)". ``topics`` and ``actors`` may also be mappings from
notation (label) to the other fields. References (``member_of``, ``members``,
``affiliation``, ``organisation``; ``broader``, ``related``) name an actor (topic)
of the same file by any of its names, or give an IRI (``https://…``, ``urn:…`` or a
kg prefix: ``kgr:actor/x``, ``wd:Q36``). Every problem is one
:class:`~kg.model.errors.InputError` naming file and line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.ingest.curated import ACTOR_TYPES
from kg.model.errors import InputError
from kg.model.namespaces import KG, KGR, OWL, RDF, RDFS, SCHEMA, SKOS, XSD, actor_iri, slug, topic_iri
from kg.ingest.safe_yaml import (
    boolean, check_keys, compose_yaml, entries, is_mapping, is_null, is_scalar, line, mapping, read_text, sequence,
    value, values,
)
from kg.ingest.yaml_rdf import Triples, as_iri, claim, date, describe, header_fields, iri_of, language, resolver

YAML_SUFFIXES = (".yaml", ".yml")
DCAT = "http://www.w3.org/ns/dcat#"
NOTATION = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # as ontology/shapes.ttl requires
_MARKERS = re.compile(r"^(topics|codebook|gazetteer)\s*:", re.M)

_CODEBOOK_KEYS = ("language", "codebook", "topics")
_GAZETTEER_KEYS = ("language", "gazetteer", "actors")
_SCHEME_KEYS = ("id", "title", "label", "description", "version")
_DATASET_KEYS = ("id", "title", "description", "version")
_TOPIC_KEYS = ("notation", "label", "aliases", "definition", "scope_note", "note", "broader", "related", "top", "id")
_ACTOR_KEYS = ("label", "type", "aliases", "member_of", "members", "affiliation", "same_as", "definition", "note",
               "roles", "id")
_ROLE_KEYS = ("title", "organisation", "start", "end", "label", "aliases", "id")
_LINKS = {"member_of": SCHEMA + "memberOf", "members": SCHEMA + "member", "affiliation": SCHEMA + "affiliation"}


def reference_kind(path: str | Path) -> str | None:
    """``"codebook"`` or ``"gazetteer"`` for a reference file, None for anything else (curated YAML).

    YAML: by its top-level keys (``topics:``/``codebook:``, ``gazetteer:``). Turtle: "codebook" if it
    defines a kg:Topic, else "gazetteer" if it defines an actor, else None (e.g. the ontology).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ttl":
        return _turtle_kind(path)
    if suffix not in YAML_SUFFIXES:
        return None
    text = read_text(path, "YAML file")
    if not _MARKERS.search(text):  # cheap: most curated files say none of these words at line start
        return None
    root = compose_yaml(text, path)
    keys = {k.value for k, _ in root.value if is_scalar(k)} if root is not None and is_mapping(root) else set()
    if keys & {"topics", "codebook"}:
        return "codebook"
    return "gazetteer" if "gazetteer" in keys else None


def reference_nquads(path: str | Path, graph_iri: str) -> bytes:
    """N-Quads of a reference file in ``graph_iri``: Turtle as ``kg.model.nquads.skolemised_nquads`` gives
    it, a YAML codebook or gazetteer converted; the same bytes for the same input."""
    path = Path(path)
    if path.suffix.lower() not in YAML_SUFFIXES:
        from kg.model.nquads import skolemised_nquads

        return skolemised_nquads(path, graph_iri)
    return _yaml_nquads(read_text(path, "YAML file"), str(path), graph_iri)


@lru_cache(maxsize=32)
def _yaml_nquads(text: str, path_text: str, graph_iri: str) -> bytes:
    import pyoxigraph as ox

    g = ox.NamedNode(graph_iri)
    return ox.serialize([ox.Quad(s, p, o, g) for s, p, o in yaml_triples(text, Path(path_text))],
                        format=ox.RdfFormat.N_QUADS)


def yaml_triples(text: str, path: object) -> list:
    """The RDF triples (pyoxigraph terms, in file order) of a YAML codebook or gazetteer's text."""
    root = compose_yaml(text, path)
    if root is None:
        raise InputError("empty YAML file", path)
    top = mapping(root, path, "codebook or gazetteer file")
    out = Triples(path)
    codebook = [top[k][0] for k in ("codebook", "topics") if k in top]
    if codebook and "gazetteer" in top:
        later = max(codebook[0], top["gazetteer"][0], key=line)
        raise InputError("a file is a codebook ('topics:') or a gazetteer ('gazetteer:'), not both: split it",
                         path, line(later))
    if codebook:
        _codebook(top, path, out, line(root))
    elif "gazetteer" in top:
        _gazetteer(top, path, out, line(root))
    else:
        raise InputError("not a codebook or gazetteer: needs a top-level 'topics:' list or 'gazetteer:' header",
                         path, line(root))
    return out.triples


def _codebook(top: dict, path: object, out: Triples, at: int) -> None:
    check_keys(top, _CODEBOOK_KEYS, "a codebook", path)
    language(top, out, path)
    if "topics" not in top:
        raise InputError("a codebook needs a 'topics:' list", path, at)
    header = header_fields(top, "codebook", _SCHEME_KEYS, path)
    topics: list[tuple[dict, int, str, str]] = []  # fields, line, notation, iri
    names: dict[str, tuple[str, int]] = {}  # normalised name -> (iri, line)
    first: dict[str, int] = {}
    for fields, n in entries(top, "topics", "notation", "topic", path):
        check_keys(fields, _TOPIC_KEYS, "a topic", path)
        for k in ("notation", "label"):
            if k not in fields:
                raise InputError(f"topic needs a {k!r}", path, n)
        notation = value(fields, "notation", path)
        if not NOTATION.match(notation):
            raise InputError(f"bad notation {notation!r}: lowercase letters and digits joined by hyphens "
                             f"(e.g. {slug(notation)!r})", path, line(fields["notation"][1]))
        if notation in first:
            raise InputError(f"duplicate notation {notation!r} (first on line {first[notation]})", path, n)
        first[notation] = n
        iri = iri_of(fields, path, topic_iri(notation))
        for name, at_ in [(notation, n), (value(fields, "label", path), n), *values(fields, "aliases", path)]:
            claim(names, name, iri, at_, "topic", path)
        topics.append((fields, n, notation, iri))

    find = resolver(names, [t[2] for t in topics], "topic", path)

    def resolve(key: str, fields: dict) -> list[str]:
        return [find(name, key, at_) for name, at_ in values(fields, key, path)]

    broader = {iri: resolve("broader", f) for f, _, _, iri in topics}
    _no_cycles(broader, {iri: n for _, n, _, iri in topics}, path)
    scheme = None
    if header:
        title = value(header, "title", path)
        scheme = iri_of(header, path, f"{KGR}codebook/{slug(title or 'codebook')}")
        out.add(scheme, RDF + "type", SKOS + "ConceptScheme")
        describe(out, scheme, header, path, ("title",))
        if "label" in header or title:
            out.text(scheme, RDFS + "label", value(header, "label", path) or title)
        describe(out, scheme, header, path, ("description",))
        if "version" in header:
            out.plain(scheme, OWL + "versionInfo", value(header, "version", path))
    # A topic without a broader one is a top concept of the scheme unless it says top: false.
    tops = set()
    for fields, _, _, iri in topics:
        top_ = boolean(fields, "top", path)
        if top_ or (top_ is None and not broader[iri]):
            tops.add(iri)
    for _, n, _, iri in topics:
        if scheme and iri in tops:
            out.add(scheme, SKOS + "hasTopConcept", iri, n)
    for fields, n, notation, iri in topics:
        out.add(iri, RDF + "type", KG + "Topic", n)
        out.add(iri, RDF + "type", SKOS + "Concept")
        if scheme:
            out.add(iri, SKOS + "inScheme", scheme)
            if iri in tops:
                out.add(iri, SKOS + "topConceptOf", scheme)
        out.plain(iri, SKOS + "notation", notation)
        out.text(iri, SKOS + "prefLabel", value(fields, "label", path))
        describe(out, iri, fields, path, ("definition", "scope_note", "note"))
        for b in broader[iri]:
            out.add(iri, SKOS + "broader", b, n)
        for r in resolve("related", fields):
            out.add(iri, SKOS + "related", r, n)
        for alias, _ in values(fields, "aliases", path):
            out.text(iri, SKOS + "altLabel", alias)


def _no_cycles(broader: dict[str, list[str]], lines: dict[str, int], path: object) -> None:
    for start in broader:
        seen, todo = set(), list(broader[start])
        while todo:
            b = todo.pop()
            if b == start:
                raise InputError("topic is broader than itself (a cycle of 'broader')", path, lines[start])
            if b not in seen:
                seen.add(b)
                todo.extend(broader.get(b, ()))


def role_label(title: str, person: str, start: str | None, end: str | None) -> str:
    """A role's rdfs:label when the file gives none: ``"President (Andrzej Duda, 2015–2025)"``."""
    if not start:
        return f"{title} ({person})"
    return f"{title} ({person}, {start[:4]}–{end[:4] if end else ''})"


def role_iri(person_iri: str, n: int) -> str:
    """The default IRI of a person's ``n``-th role (1-based), as the shipped gazetteer names them."""
    return f"{KGR}role/{person_iri.rstrip('/').rsplit('/', 1)[-1]}/{n}"


def _gazetteer(top: dict, path: object, out: Triples, at: int) -> None:
    check_keys(top, _GAZETTEER_KEYS, "a gazetteer", path)
    language(top, out, path)
    if "actors" not in top:
        raise InputError("a gazetteer needs an 'actors:' list", path, at)
    header = header_fields(top, "gazetteer", _DATASET_KEYS, path)
    actors: list[tuple[dict, int, str, str]] = []  # fields, line, label, iri
    names: dict[str, tuple[str, int]] = {}
    first: dict[str, int] = {}
    for fields, n in entries(top, "actors", "label", "actor", path):
        check_keys(fields, _ACTOR_KEYS, "an actor", path)
        if "label" not in fields:
            raise InputError("actor needs a 'label'", path, n)
        label = value(fields, "label", path)
        type_ = value(fields, "type", path) or "Actor"
        if type_ not in ACTOR_TYPES:
            raise InputError(f"unknown actor type {type_!r} (choose from {', '.join(ACTOR_TYPES)})", path,
                             line(fields["type"][1]))
        iri = iri_of(fields, path, actor_iri(label))
        if iri in first:
            raise InputError(f"actor {label!r} is listed twice (first on line {first[iri]})", path, n)
        first[iri] = n
        for name, at_ in [(label, n), *values(fields, "aliases", path)]:
            claim(names, name, iri, at_, "actor", path)
        actors.append((fields, n, label, iri))

    resolve = resolver(names, [a[2] for a in actors], "actor", path)
    if header:
        title = value(header, "title", path)
        dataset = iri_of(header, path, f"{KGR}gazetteer/{slug(title)}" if title else f"{KGR}gazetteer")
        out.add(dataset, RDF + "type", DCAT + "Dataset")
        describe(out, dataset, header, path)
        if "version" in header:
            out.plain(dataset, OWL + "versionInfo", value(header, "version", path))
    for fields, n, label, iri in actors:
        out.add(iri, RDF + "type", KG + (value(fields, "type", path) or "Actor"), n)
        out.text(iri, SKOS + "prefLabel", label)
        out.text(iri, RDFS + "label", label)
        for key, predicate in _LINKS.items():
            for name, at_ in values(fields, key, path):
                out.add(iri, predicate, resolve(name, key, at_), at_)
        for text, at_ in values(fields, "same_as", path):
            same = as_iri(text)
            if same is None:
                raise InputError(f"'same_as' must be an IRI (e.g. wd:Q36), not {text!r}", path, at_)
            out.add(iri, OWL + "sameAs", same, at_)
        describe(out, iri, fields, path, ("definition", "note"))
        for alias, _ in values(fields, "aliases", path):
            out.text(iri, SKOS + "altLabel", alias)
        roles = sequence(fields["roles"][1], path, "roles") if "roles" in fields and not is_null(fields["roles"][1]) else []
        for k, node in enumerate(roles, 1):
            _role(out, iri, label, mapping(node, path, "role"), k, line(node), resolve, path)


def _role(out: Triples, person: str, person_label: str, fields: dict, k: int, n: int, resolve, path: object) -> None:
    check_keys(fields, _ROLE_KEYS, "a role", path)
    if "title" not in fields:
        raise InputError("role needs a 'title' (e.g. Prime Minister)", path, n)
    title = value(fields, "title", path)
    start, end = date(fields, "start", path), date(fields, "end", path)
    if start and end and end <= start:
        raise InputError(f"role ends ({end}) before it starts ({start})", path, line(fields["end"][1]))
    role = iri_of(fields, path, role_iri(person, k))
    out.add(person, KG + "hasRole", role, n)
    out.add(role, RDF + "type", KG + "Role", n)
    out.text(role, RDFS + "label", value(fields, "label", path) or role_label(title, person_label, start, end))
    out.text(role, KG + "roleTitle", title)
    if "organisation" in fields:
        org = value(fields, "organisation", path)
        out.add(role, KG + "inOrganisation", resolve(org, "organisation", line(fields["organisation"][1])), n)
    if start:
        out.plain(role, SCHEMA + "startDate", start, XSD + "date")
    if end:
        out.plain(role, SCHEMA + "endDate", end, XSD + "date")
    for alias, _ in values(fields, "aliases", path):
        out.text(role, SKOS + "altLabel", alias)


def _turtle_kind(path: Path) -> str | None:
    import pyoxigraph as ox

    data = read_text(path, "Turtle file").encode("utf-8")
    types = set()
    try:
        for t in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            if t.predicate.value == RDF + "type":
                types.add(t.object.value)
    except SyntaxError as e:
        raise InputError(f"bad RDF: {' '.join(str(e).split())}", path) from None
    if KG + "Topic" in types:
        return "codebook"
    return "gazetteer" if types & {KG + t for t in ACTOR_TYPES} else None
