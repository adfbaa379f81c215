"""The ``kg`` command line: a thin typer layer over the library (like spaCy's ``cli/``).

Each module registers its commands on :data:`app`; library errors become
one-line messages and exit codes here and nowhere else.
"""

from ._app import app, main  # noqa: F401
from . import agreement, core, dna, extract, project, review, serve, viz  # noqa: F401,E402  (each registers its commands)
