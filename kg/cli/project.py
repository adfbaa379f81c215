"""Project commands: ``kg init`` starts a folder for a new debate, with YAML reference files."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import command


@command(example="kg init farm-debate && cd farm-debate && kg build .")
def init(
    directory: Path = typer.Argument(..., help="The project folder to create (it may exist, empty or not)."),
    force: bool = typer.Option(False, "--force", help="Overwrite topics.yaml, actors.yaml and curated.yaml if present."),
) -> None:
    """Start a project for a new debate: articles/, topics.yaml (codebook), actors.yaml (gazetteer) and
    curated.yaml, with commented examples; no Turtle needed."""
    from kg.ingest.init_project import init_project

    for p in init_project(directory, force=force):
        typer.echo(f"created {p}{'/' if p.is_dir() else ''}")
    typer.echo(
        "\nnext:\n"
        f"  cd {directory}\n"
        "  # put the debate's articles (.txt or .md) in articles/, edit topics.yaml and actors.yaml, then:\n"
        "  kg build .\n"
        "  kg actors --new --yaml actors.yaml   # actors found in the texts that actors.yaml lacks\n"
        "  kg topics; kg who green-rules; kg stance France"
    )
