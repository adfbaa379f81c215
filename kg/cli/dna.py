"""``kg import dna``: a Discourse Network Analyzer (DNA 3) database as a kg project folder."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.model.errors import KgError
from ._app import app, fail

import_app = typer.Typer(name="import", help="Bring coded data from other tools into a kg project folder.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("dna", epilog="Example: kg import dna climate.dna climate && kg build climate --no-extract")
def dna(
    database: Path = typer.Argument(..., help="A DNA 3 database (.dna, SQLite)."),
    outdir: Path = typer.Argument(..., help="The project folder to write: articles/, topics.yaml, actors.yaml, "
                                  "curated.yaml (build it with `kg build OUTDIR --no-extract`)."),
    actor: str = typer.Option("organization", "--actor", help="The DNA variable that becomes the actor: "
                              "organization (the person is then the speaker) or person."),
    force: bool = typer.Option(False, "--force", help="Overwrite topics.yaml, actors.yaml and curated.yaml in "
                               "OUTDIR if present."),
) -> None:
    """Import a DNA database: documents with their text and metadata, "DNA Statement"s as curated assertions
    with exact offsets, concepts as a codebook, organisations and persons as a gazetteer."""
    from kg.ingest.dna_import import import_dna

    try:
        summary = import_dna(database, outdir, actor=actor, force=force)
    except KgError as e:
        fail(str(e), e.exit_code)
    for line in summary.lines():
        typer.echo(line)
