"""From records to the stored graph: quads of documents and assertions, the build
(plan, then write), the build manifest and the SQLite row projection."""
