"""Writing the kg project files of a DNA import (articles/, topics.yaml, actors.yaml, curated.yaml), and
:class:`ImportSummary`, what was written and skipped. What goes where: :mod:`kg.ingest.dna_import`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.ingest.dna_database import DNA_STATEMENT, _iso
from kg.ingest.reference_export import write_text
from kg.model.files import write_atomic
from kg.model.errors import InputError
from kg.model.namespaces import slug
from kg.ingest.reference import normalise

# DNA's Type attribute (free text) → kg actor type, when it says one of these.
_TYPE_MAP = {"state": "State", "country": "State", "government": "State",
             "international organisation": "InternationalOrganisation",
             "international organization": "InternationalOrganisation", "io": "InternationalOrganisation",
             "group": "ActorGroup", "coalition": "ActorGroup", "person": "Person", "actor": "Actor"}
_FILES = ("topics.yaml", "actors.yaml", "curated.yaml")


@dataclass
class ImportSummary:
    """What :func:`~kg.ingest.dna_import.import_dna` wrote and what it skipped (and why)."""

    database: str
    outdir: str
    documents: int = 0
    statements: int = 0
    persons: int = 0
    organisations: int = 0
    concepts: int = 0
    coders: int = 0
    other_types: dict[str, int] = field(default_factory=dict)  # statement type label → statements skipped
    skipped: dict[str, int] = field(default_factory=dict)  # reason → statements (or documents) skipped
    shifted: int = 0  # quotes that also occur earlier in their document: kg places them there
    repeated: int = 0  # statements equal to an earlier one of their document: kg keeps one assertion
    no_agreement: int = 0  # statements without an agreement value: imported as neutral
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"imported {self.database} into {self.outdir}: documents: {self.documents}, statements: "
               f"{self.statements}, concepts: {self.concepts}, organisations: {self.organisations}, "
               f"persons: {self.persons}, coders: {self.coders}"]
        for label, n in sorted(self.other_types.items()):
            out.append(f"skipped {n} statement(s) of type {label!r} (only {DNA_STATEMENT!r} becomes assertions)")
        for reason, n in sorted(self.skipped.items()):
            out.append(f"skipped {n}: {reason}")
        out += [f"note: {n} {text}" for n, text in (
            (self.shifted, "quote(s) also occur earlier in their document; kg's offsets point to the first "
                           "occurrence (the dna-csv export gives DNA's own back)"),
            (self.repeated, "statement(s) repeat another of their document (same text, actor, speaker, concept "
                            "and agreement): kg keeps one assertion for each such group"),
            (self.no_agreement, "statement(s) have no agreement value: imported as neutral")) if n]
        out.extend(self.notes)
        out.append(f"next: kg build {self.outdir} --no-extract   (DNA's statements only; without --no-extract "
                   "kg's extractor adds its own assertions)")
        return out


_BREAKS = ("\r", "\n", "\x85", "\u2028", "\u2029")


@lru_cache(maxsize=2)
def _dumper(fast: bool):
    """The YAML dumper: the project's style (block lists indented), or libyaml's emitter (``fast``, for
    thousands of front matters). Either writes a string with line breaks double-quoted, breaks as escapes."""
    import yaml

    from kg.ingest.reference_export import _dumper as styled

    base = getattr(yaml, "CSafeDumper", None) if fast else None
    dumper = type("Dumper", (base,), {}) if base else styled()
    dumper.add_representer(str, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:str", v, style='"' if any(b in v for b in _BREAKS) else None))
    return dumper


def _dump(data, width: int = 100, fast: bool = False, check: bool = True) -> str:
    """``data`` as YAML (see :func:`_dumper`); with ``check``, loaded back and compared."""
    import yaml

    text = yaml.dump(data, Dumper=_dumper(fast), sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=False)
    if check and yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) != data:
        raise InputError("a value cannot be written as YAML exactly")  # pragma: no cover
    return text


def _write(path: Path, text: str) -> None:
    write_text(text, path)  # written beside and renamed; no newline translation


def _write_document(path: Path, doc_id, title, text: str, coder, author, source, section, notes, dtype, date,
                    statements: list[str], repeats: list[str]) -> None:
    day, time = _iso(date)
    front = {"title": title, "date": day, "time": time, "source": source, "author": author, "section": section,
             "type": dtype, "notes": notes, "coder": coder, "dna_id": str(doc_id)}
    front = {k: str(v) for k, v in front.items() if v is not None and str(v).strip()}
    if statements:
        front["dna_statements"] = statements
    if repeats:
        front["dna_repeats"] = repeats
    # Bytes as stored: no newline translation, so DNA's character offsets index the body unchanged.
    write_atomic(path, "---\n" + _dump(front, width=10_000, fast=True, check=False) + "---\n" + text, newline="")


def _note(attributes: dict[str, str], mapped: bool = False) -> str:
    """DNA's Notes attribute, and its Type unless it became the kg type."""
    parts = [attributes["notes"]] if attributes.get("notes") else []
    if attributes.get("type") and not mapped:
        parts.append(f"DNA type: {attributes['type']}")
    return "; ".join(parts)


def _write_topics(outdir: Path, concepts: list[tuple[int, str]], attrs: dict, summary: ImportSummary) -> dict[str, str]:
    """topics.yaml from DNA's concepts; returns concept value → notation."""
    names: dict[str, str] = {}  # every name (normalised as kg compares them) → its topic's notation
    notations: set[str] = set()
    out: dict[str, str] = {}
    topics = []
    for eid, value in concepts:
        if normalise(value) in names:
            out[value] = names[normalise(value)]
            summary.notes.append(f"note: concept {value!r} has a name of topic {out[value]!r} (case, punctuation "
                                 "or an alias); its statements go to that topic")
            continue
        base = n = slug(value)
        k = 2
        while n in notations:
            n, k = f"{base}-{k}", k + 1
        notations.add(n)
        names[normalise(value)] = n
        entry: dict = {"notation": n, "label": value}
        a = attrs.get(eid, {})
        if a.get("alias") and normalise(a["alias"]) not in names:
            names[normalise(a["alias"])] = n
            entry["aliases"] = [a["alias"]]
        note = _note(a)
        if note:
            entry["note"] = note
        topics.append(entry)
        out[value] = n
    summary.concepts = len(topics)
    head = ("# Codebook: DNA's concepts, imported by kg import dna. Refine labels, add definitions and\n"
            "# broader topics; keep each notation (curated.yaml names topics by it).\n")
    _write(outdir / "topics.yaml", head + (_dump({"topics": topics}) if topics else "topics: []\n"))
    return out


def _write_actors(outdir: Path, orgs: list[tuple[int, str]], persons: list[tuple[int, str]], attrs: dict,
                  summary: ImportSummary) -> dict[str, str]:
    """actors.yaml from DNA's organisations and persons; returns entity value → the label written."""
    from kg.ingest.curated import ACTOR_TYPES

    names: dict[str, str] = {}  # every name (normalised as kg compares them) → its actor's label
    label_of: dict[str, str] = {}
    entries = []
    for kind, items in (("organisation", orgs), ("person", persons)):
        for eid, value in items:
            if normalise(value) in names:
                label_of[value] = names[normalise(value)]
                summary.notes.append(f"note: {kind} {value!r} has a name of {label_of[value]!r} (case, punctuation "
                                     "or an alias); both are one actor")
                continue
            names[normalise(value)] = value
            a = attrs.get(eid, {})
            entry: dict = {"label": value, "type": "Person" if kind == "person" else "Actor"}
            dna_type = a.get("type")
            mapped = _TYPE_MAP.get(normalise(dna_type)) if dna_type else None
            if kind == "organisation" and mapped in ACTOR_TYPES and mapped != "Person":
                entry["type"] = mapped
            if a.get("alias") and normalise(a["alias"]) not in names:
                names[normalise(a["alias"])] = value
                entry["aliases"] = [a["alias"]]
            note = _note(a, mapped=entry["type"] != "Actor" and kind == "organisation")
            if note:
                entry["note"] = note
            entries.append(entry)
            label_of[value] = value
            summary.persons += kind == "person"
            summary.organisations += kind != "person"
    head = ("# Gazetteer: DNA's organisations (type Actor, or State/InternationalOrganisation/ActorGroup when\n"
            "# DNA's Type attribute says so) and persons (type Person), imported by kg import dna.\n"
            "# Refine types, add aliases, member_of and roles; keep each label (curated.yaml names actors by it).\n"
            "gazetteer: {}\n")
    _write(outdir / "actors.yaml", head + (_dump({"actors": entries}) if entries else "actors: []\n"))
    return label_of
