"""kg agreement: Krippendorff's alpha between coders' curated files (and the extractor)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ._app import FormatOpt, check_format, command

_COLUMNS = ["group", "variable", "level", "alpha", "units", "documents", "coders"]


@command(example="kg agreement anna.yaml ben.yaml --docs articles/ --extractor")
def agreement(
    files: List[Path] = typer.Argument(..., help="Curated files (.yaml or .jsonl), one per coder: the coder "
                                       "its rows' notes name (kg review --coder), else the file's name."),
    docs: List[str] = typer.Option([], "--docs", help="Documents or folders the rows refer to; repeatable "
                                   "(default: articles/ when it exists, as kg init lays a debate out, else seeds/)."),
    extractor: bool = typer.Option(False, "--extractor", help="Add the automatic extractor as a coder, run on "
                                   "the documents the coders coded."),
    gazetteer: List[Path] = typer.Option([], "--gazetteer", help="Actor gazetteer (Turtle or YAML); repeatable."),
    codebook: List[Path] = typer.Option([], "--codebook", help="Topic codebook (Turtle or YAML); repeatable."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for --extractor."),
    fmt: str = FormatOpt,
) -> None:
    """Krippendorff's alpha per variable (statement, actor, stance, target, certainty) between coders,
    and between the extractor and the coders, on the documents they share.

    A unit is a passage: rows whose quote spans overlap are one statement. A coder who coded a document
    but has no row for a statement another coder found gives it the value "none" (a disagreement); a
    coder who did not code the document gives a missing value. An undefined alpha (no variation) is empty.
    """
    from kg.analysis.agreement import agreement as run
    from kg.ingest.documents import read_documents
    from kg.ingest.reference_files import ReferenceFiles
    from kg.analysis.output import render

    check_format(fmt)
    documents, _skipped = read_documents(docs or ["articles" if Path("articles").is_dir() else "seeds"])
    reference = ReferenceFiles.resolve(codebook, gazetteer).reference()
    extract = None
    if extractor:
        from kg.extraction import make_extractor

        extract = make_extractor(model=model)
    rows = run(files, documents, reference, extract=extract)
    typer.echo(render(rows, fmt, _COLUMNS))
