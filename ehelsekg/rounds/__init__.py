"""Reporting rounds: a workbook for the measure owners, and its answers back into the graph.

``mapping`` reads the declarative mapping (``mappings/*.csv-metadata.json``, W3C CSVW), which
drives everything else: ``template`` writes the workbook, ``reading`` reads returned workbooks
or CSV files, ``convert`` turns their rows into RDF with a cell behind every triple, ``check``
validates the round with the project's shapes and points each result back to a cell,
``preview`` says in Norwegian what changed since the previous report, and ``writing`` writes
the round as a data file. ``importing`` runs those steps in order.
"""
