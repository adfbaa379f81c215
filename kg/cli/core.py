"""Core commands: build, stance, query, actors, topics, who, export, validate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ._app import FormatOpt, StoreOpt, check_format, command, fail, write_lock_for
from ._app import open_store_for as _open


@command()
def build(
    paths: List[str] = typer.Argument(None, help="Articles (.txt/.md and more), curated files (.yaml/.jsonl), codebooks and gazetteers (.ttl/.yaml), or folders. Added to what the store already holds. Default: the files the store remembers (for a new store, seeds/)."),
    store: Optional[str] = StoreOpt,
    gazetteer: List[Path] = typer.Option([], "--gazetteer", help="Your own actor gazetteer (Turtle or YAML); repeatable. Remembered by the store."),
    codebook: List[Path] = typer.Option([], "--codebook", help="Your own topic codebook (SKOS Turtle or YAML); repeatable. Remembered by the store."),
    shipped: bool = typer.Option(False, "--with-shipped", help="Also use the shipped Ukraine/NATO codebook and gazetteer next to your own."),
    columns: Optional[str] = typer.Option(None, "--columns", help="Columns of article collections (CSV, JSON Lines) by kg field, e.g. text=story_text,id=guid,date=published (common names are found without it). Remembered by the store."),
    sync: bool = typer.Option(False, "--sync", help="Make the store hold exactly PATHS: documents not among them are removed (and listed)."),
    extract: bool = typer.Option(True, "--extract/--no-extract", help="Run the automatic extractor on every new or changed document."),
    full: bool = typer.Option(False, "--full", help="Rebuild every document, not only new or changed ones."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Report and skip unreadable documents instead of stopping."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Largest document accepted (default 5 MB)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Extraction processes."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run extraction on a Dask cluster (scheduler address)."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for extraction (default $KG_SPACY_MODEL or en_core_web_sm)."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0, help="Keep only extracted assertions of at least this confidence (curated ones are always kept)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars and no summary; errors only."),
    wait: bool = typer.Option(False, "--wait", help="If another writer holds the store, wait for it instead of failing."),
) -> None:
    """Build or update the store: adds PATHS to what it holds; only new or changed documents are processed.

    Documents leave the store only through `kg remove` or `kg build --sync`.
    """
    from kg.graph.build import build as run_build
    from ._progress import progress_bars

    extractor = None
    if extract:
        from kg.extraction import make_extractor

        extractor = make_extractor(model=model, workers=workers, dask=dask, min_confidence=min_confidence)
    with progress_bars(quiet) as progress:
        report = run_build(paths or None, store, codebooks=codebook, gazetteers=gazetteer, with_shipped=shipped,
                           extractor=extractor, strict=not skip_bad, max_bytes=max_bytes, full=full, sync=sync,
                           progress=progress, wait=wait, columns=_column_map(columns))
    if not quiet:
        typer.echo(f"built {report.store}: " + report.summary())


def _column_map(text: Optional[str]) -> Optional[dict]:
    """``text=story_text,id=guid`` as a mapping (one line naming the bad pair otherwise)."""
    if not text:
        return None
    pairs = {}
    for item in text.split(","):
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            fail(f"--columns: {item.strip()!r} is not FIELD=COLUMN (e.g. text=story_text)", 2)
        pairs[field.strip()] = column.strip()
    return pairs


@command()
def remove(
    docs: List[str] = typer.Argument(..., help="Ids of documents to drop (file names without extension)."),
    store: Optional[str] = StoreOpt,
    wait: bool = typer.Option(False, "--wait", help="If another writer holds the store, wait for it instead of failing."),
) -> None:
    """Remove documents and every assertion drawn from them (all or nothing)."""
    from kg.graph.build import remove as run_remove

    res = run_remove(docs, store, wait=wait)
    for doc_id, close in res.unknown.items():
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        typer.echo(f"warning: no document {doc_id!r} in the store (already removed?){hint}", err=True)
    typer.echo(f"removed {len(res.removed)} document(s)" + (f": {', '.join(res.removed)}" if res.removed else ""))


@command()
def stance(
    actor: str = typer.Argument(..., help="Actor name, label or alias (case-insensitive)."),
    target: Optional[str] = typer.Option(None, "--target", "-t", help="Only positions on this topic, actor or "
                                         "uncoded target (its words; 'text:…' looks only among those)."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
) -> None:
    """List an actor's positions: stance, target, certainty, speaker, quote, source document."""
    from kg.analysis.output import render
    from kg.analysis.positions import STANCE_KEYS, spoken, stance as positions

    check_format(fmt)
    with _open(store) as s:
        rows = positions(s, actor, target)
        said = spoken(s, actor) if not rows and not target else 0
    typer.echo(render(rows, fmt, list(STANCE_KEYS)))
    if said:
        typer.echo(f"{actor} holds no position here, but is the speaker of {said} assertion{'s' * (said != 1)} "
                   "(kg query 'SELECT ?a WHERE { ?a kg:attributedTo ?s }' lists them)", err=True)


@command()
def who(
    topic: str = typer.Argument(..., help="Topic notation or label, an actor, or the words of an uncoded target "
                                "(exact, else contained, ignoring case; 'text:…' looks only among those)."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
) -> None:
    """Actors by stance on a topic (or an actor, or an uncoded target)."""
    from kg.analysis.output import render
    from kg.analysis.positions import who as run_who

    check_format(fmt)
    with _open(store) as s:
        rows = run_who(s, topic)
    typer.echo(render(rows, fmt, ["stance", "actor", "assertions", "certainty", "docs"]))


@command(example="kg actors --new --yaml actors.yaml")
def actors(
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
    new: bool = typer.Option(False, "--new", help="Only actors the extractor found that no gazetteer or curated "
                             "file declares, with how many assertions and documents name them and a quote."),
    yaml_file: Optional[Path] = typer.Option(None, "--yaml", help="With --new: append them to this YAML gazetteer "
                                             "(e.g. actors.yaml; created if missing) as entries to complete; "
                                             "actors it already names are left out."),
) -> None:
    """List known actors with their type and aliases (--new: those the gazetteer lacks)."""
    from kg.analysis.output import render
    from kg.analysis.positions import NEW_ACTOR_KEYS, actors as run_actors, new_actors

    check_format(fmt)
    if yaml_file is not None and not new:
        fail("--yaml needs --new", 2)
    with _open(store) as s:
        rows = new_actors(s) if new else run_actors(s)
    if yaml_file is not None:
        from kg.ingest.reference_export import append_actors

        added = append_actors(yaml_file, rows)
        typer.echo(f"added {len(added)} actor(s) to {yaml_file}" + (f": {', '.join(added)}" if added else ""), err=True)
    if new:
        typer.echo(render(rows, fmt, list(NEW_ACTOR_KEYS) if fmt != "table" else list(NEW_ACTOR_KEYS[:-1])))
        return
    typer.echo(render(rows, fmt, ["actor", "type", "aliases", "new", "id"] if fmt != "table" else ["actor", "type", "aliases"]))


@command()
def topics(store: Optional[str] = StoreOpt, fmt: str = FormatOpt) -> None:
    """List the codebook's topics."""
    from kg.analysis.output import render
    from kg.analysis.positions import topics as run_topics

    check_format(fmt)
    with _open(store) as s:
        rows = run_topics(s)
    typer.echo(render(rows, fmt, ["notation", "label", "alt_labels", "id"] if fmt != "table" else ["notation", "label", "alt_labels"]))


@command()
def query(
    sparql: str = typer.Argument(..., help="SPARQL text, a .rq file, or the name of a shipped query (e.g. stance)."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
    update: bool = typer.Option(False, "--update", help="Allow SPARQL Update (modifies the store)."),
    wait: bool = typer.Option(False, "--wait", help="With --update: if another writer holds the store, wait for it."),
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) with the project's prefixes predeclared."""
    from kg.analysis.output import render
    from kg.analysis.positions import run_query

    check_format(fmt)
    with write_lock_for(store, enabled=update, wait=wait), _open(store, read_only=not update) as s:
        res = run_query(s, sparql, allow_update=update)
    if res.kind == "select":
        typer.echo(render(res.dicts(), fmt, res.vars))
    elif res.kind == "ask":
        if update:
            typer.echo("update applied")
        else:
            typer.echo({"json": "true" if res.boolean else "false"}.get(fmt, str(res.boolean).lower()))
    else:
        typer.echo(res.graph, nl=False)


@command()
def export(
    fmt: str = typer.Option("turtle", "--format", "-f",
                            help="turtle, trig, nquads, jsonld, ntriples (RDF); graphml, gexf, csv (a network view for Gephi/igraph); "
                            "dna-csv (statements as DNA's event list), dl (DNA's congruence network, UCINET DL)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Output file (default: standard output; for a network kg-<view>.<format>; csv: a folder, or a .csv prefix)."),
    view: str = typer.Option("congruence", "--view", "-v", help="Network view (graphml/gexf/csv): stance, congruence, conflict, actor, topic."),
    name: Optional[str] = typer.Option(None, "--name", help="The actor (--view actor) or topic (--view topic)."),
    depth: int = typer.Option(2, "--depth", help="Hops around the actor in --view actor."),
    source: Optional[str] = typer.Option(None, "--source", help="Only assertions from this source (outlet, or document id)."),
    certainty: Optional[str] = typer.Option(None, "--certainty", help="Minimum certainty: possible, probable or certain."),
    stance: Optional[str] = typer.Option(None, "--stance", help="Only these stances (comma-separated)."),
    since: Optional[str] = typer.Option(None, "--since", help="Documents dated on or after (YYYY[-MM[-DD]])."),
    until: Optional[str] = typer.Option(None, "--until", help="Documents dated on or before (YYYY[-MM[-DD]])."),
    max_nodes: Optional[int] = typer.Option(None, "--max-nodes", help="Keep only the most connected nodes."),
    store: Optional[str] = StoreOpt,
) -> None:
    """Export the graph as RDF, or one network view as GraphML, GEXF or CSV."""
    from kg.analysis.network_export import EXPORT_FORMATS as NETWORK_FORMATS
    from kg.store import EXPORT_FORMATS

    if fmt in ("dna-csv", "dl"):  # for DNA users: its event list CSV, a network as UCINET DL (kg/dna_export.py)
        from kg.analysis.dna_export import dl_network, dna_csv
        from kg.ingest.reference_export import write_text
        from kg.analysis.rows import Filters

        filters = Filters.make(source=source, certainty=certainty, stance=stance, since=since, until=until)
        with _open(store) as s:
            if fmt == "dl":
                text, note = dl_network(s, view, filters), ""
            else:
                text, rep = dna_csv(s, filters)
                note = (f" ({rep.rows} statements; left out {rep.left_out} with a stance other than supports or "
                        "opposes: DNA's agreement is 1 or 0)") if rep.left_out else f" ({rep.rows} statements)"
        if out:
            write_text(text, out)
            typer.echo(f"wrote {out}{note}", err=True)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
            if note.startswith(" (") and "left out" in note:
                typer.echo(note.strip(" ()"), err=True)
        return
    if fmt in NETWORK_FORMATS:
        from kg.analysis.network_export import export_network

        if view in ("actor", "topic") and not name:
            fail(f"the {view} view needs a name: kg export --format {fmt} --view {view} --name NAME", 2)

        with _open(store) as s:
            paths = export_network(s, fmt, view, out, name=name, depth=depth, max_nodes=max_nodes, source=source,
                                   certainty=certainty, stance=stance, since=since, until=until)
        for p in paths:
            typer.echo(f"wrote {p}", err=True)
        return
    if fmt not in EXPORT_FORMATS:
        fail(f"unknown export format {fmt!r} (choose from "
             f"{', '.join(EXPORT_FORMATS + NETWORK_FORMATS + ('dna-csv', 'dl'))})", 2)
    with _open(store) as s:
        if out:
            from kg.model.files import atomic_open

            try:  # whole or not at all: a failed export leaves no half file
                with atomic_open(out, "wb") as f:
                    s.dump_to(fmt, f)
            except OSError as e:
                fail(f"cannot write {out}: {e.strerror or e}")
            typer.echo(f"wrote {out} ({out.stat().st_size} bytes)", err=True)
        else:
            s.dump_to(fmt, sys.stdout.buffer)
            sys.stdout.flush()


@command()
def validate(store: Optional[str] = StoreOpt) -> None:
    """Check the graph against the SHACL shapes; exit 1 when it does not conform."""
    from kg.graph.validate import validate as run_validate

    with _open(store) as s:
        conforms, text = run_validate(s)
    typer.echo(text)
    if not conforms:
        raise typer.Exit(1)
