"""What a browser sees: the interactive network pages, the SPARQL endpoint
(``kg serve``) and the review app."""
