"""Reading what users bring: articles (text, HTML, PDF, tables, feeds) with their front
matter, curated assertions, reference data (codebooks, gazetteers) and DNA databases."""
