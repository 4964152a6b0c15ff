"""The bottom layer: where triples live (embedded Oxigraph or a remote SPARQL endpoint), how
files and dumps get in and out, the one graph policy and the one formats table."""
