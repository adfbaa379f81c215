"""Opening a store by its address: a folder (Oxigraph), ``:memory:`` (rdflib) or ``sparql+http(s)://…``.

>>> store = open_store(":memory:")
>>> store.load_nquads('<http://a> <http://b> "c" <http://g> .\\n')
>>> store.query("SELECT ?o WHERE { ?s ?p ?o }").rows[0][0].value
'c'
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.model.errors import StoreError
from kg.store.base import MEMORY, Store
from kg.store.memory import MemoryStore
from kg.store.oxigraph import OxigraphStore

DEFAULT_STORE = ".kg"


def store_location(store: str | Path | None = None) -> str:
    """The store to use: the argument, else ``$KG_STORE``, else ``./.kg``."""
    return str(store or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(location: str | Path | None = None, *, create: bool = False, read_only: bool = False) -> Store:
    """Open the store at ``location`` (see :func:`store_location`); ``:memory:`` is rdflib's memory store.

    Opening a folder that holds no store is an error unless ``create``.
    """
    loc = store_location(location)
    if loc == MEMORY:
        return MemoryStore()
    if loc.startswith(("sparql+http://", "sparql+https://")):
        from kg.store.remote.store import RemoteStore

        return RemoteStore(loc)
    path = Path(loc)
    from kg.store.locking import recover_if_idle

    recover_if_idle(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"store location {loc} is a file, not a folder")
    from kg.store.dirs import holds_store

    if not create and not (path.is_dir() and holds_store(path)):
        raise StoreError(f"no store at {loc}; run `kg build` first (or set --store / KG_STORE)")
    return OxigraphStore(path, read_only=read_only and path.exists())


def replace_store(built: Path, target: Path) -> None:
    """Make the version ``built`` (a folder inside ``target``) the store's active one, atomically."""
    from kg.store.dirs import activate

    activate(built, target)
