"""The ``kg`` command line: a thin typer layer over the library (like spaCy's ``cli/``).

Each module registers its commands on :data:`app`; library errors become
one-line messages and exit codes here and nowhere else.
"""

from ._app import app, main  # noqa: F401
from . import core  # noqa: F401,E402  (registers commands)

for _optional in ("viz", "extract", "serve"):
    try:
        __import__(f"{__name__}.{_optional}")
    except ModuleNotFoundError as _e:  # a command module not written yet
        if _e.name != f"{__name__}.{_optional}":
            raise
