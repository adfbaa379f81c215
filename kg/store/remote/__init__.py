"""A remote SPARQL 1.1 endpoint as a kg store (``--store sparql+http://…``).

Everything goes over plain HTTP with the standard library (``urllib``): the
SPARQL 1.1 Query and Update protocols, plus — where the server has it — a
dataset-wide Graph Store endpoint taking and giving N-Quads (Oxigraph's
``/store``). See :class:`~kg.store.remote.store.RemoteStore` for the address convention.

The parts: :mod:`~kg.store.remote.store` (the store), :mod:`~kg.store.remote.protocol`
(the HTTP client: query, update, graph store), :mod:`~kg.store.remote.dialect` (how
servers differ: endpoints, the union of graphs, scope), :mod:`~kg.store.remote.batch`
(writes held until they go as one change), :mod:`~kg.store.remote.commit` (that change,
all or nothing) and :mod:`~kg.store.remote.bindings` (bindings as a VALUES block).
"""
