"""The records every stage shares: assertions, actors, targets (``records``), the RDF
namespaces and IRIs (``namespaces``), N-Quads terms (``nquads``) and the typed errors."""
