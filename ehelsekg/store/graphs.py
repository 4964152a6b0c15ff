"""The one graph policy: which named graphs exist, where their triples come from, and which of
them a write may change. Every other module asks here.

- A **file graph** holds one loaded file's triples: ``graph:…`` for the project's own files, a
  ``file:`` IRI for a file given from elsewhere. Its triples are mirrored into the default
  graph, and it changes only when the file changes.
- The **inferred graph** (``graph:inferred``) holds what reasoning derives; only the reasoner
  writes it.
- Store **internal** graphs (``graph:internal/…``) hold a remote store's bookkeeping.
- Every other graph, and the user-written triples of the default graph, may be written by an
  update that passes the gate.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH

#: Graphs a remote store keeps for itself (never shown, never written by users).
INTERNAL_PREFIX = str(GRAPH) + "internal/"
#: IRI prefixes of graphs that change only when files change or the reasoner runs.
READ_ONLY_PREFIXES = (str(GRAPH), "file:")


def is_inferred_graph(name: URIRef | str) -> bool:
    """Whether ``name`` is the graph reasoning writes.

    >>> is_inferred_graph(GRAPH["inferred"])
    True
    """
    return str(name) == str(INFERRED_GRAPH)


def is_file_graph(name: URIRef | str) -> bool:
    """Whether a named graph holds a file's triples (under ``graph:``, or a ``file:`` IRI for a
    file from elsewhere) and so is mirrored into the default graph; the inferred graph is not.

    >>> is_file_graph(GRAPH["data/reference/actors"]), is_file_graph(GRAPH["inferred"])
    (True, False)
    >>> is_file_graph("file:///tmp/extra.ttl"), is_file_graph("http://example.org/g")
    (True, False)
    """
    text = str(name)
    return (
        text.startswith(READ_ONLY_PREFIXES)
        and not is_inferred_graph(text)
        and not text.startswith(INTERNAL_PREFIX)
    )


def is_read_only(name: URIRef | str) -> bool:
    """Whether a write may never change ``name``: a file graph, the inferred graph, or a
    store's internal graph.

    >>> is_read_only(GRAPH["inferred"]), is_read_only("http://example.org/mine")
    (True, False)
    """
    return str(name).startswith(READ_ONLY_PREFIXES)


def writable_graphs(names: Iterable[URIRef | str]) -> list[str]:
    """The named graphs among ``names`` that a write may change.

    >>> writable_graphs([GRAPH["data/x"], "http://example.org/g", GRAPH["inferred"]])
    ['http://example.org/g']
    """
    return [str(name) for name in names if not is_read_only(name)]


def file_graph_filter(variable: str) -> str:
    """The same test as :func:`is_file_graph`, as a SPARQL expression on ``?variable`` (for
    stores that must decide inside a query).

    >>> expression = file_graph_filter("h")
    >>> "?h != <https://w3id.org/ehelsekg/graph/inferred>" in expression
    True
    """
    starts = " || ".join(f'STRSTARTS(STR(?{variable}), "{p}")' for p in READ_ONLY_PREFIXES)
    return (
        f"({starts}) && ?{variable} != <{INFERRED_GRAPH}>"
        f' && !STRSTARTS(STR(?{variable}), "{INTERNAL_PREFIX}")'
    )
