"""What the rest of the library needs from a triple store: one small interface.

Each loaded file lives in a named graph of its own and what reasoning derives lives in
``graph:inferred`` (see ``graphs``), so that a query can see everything (the union of all
graphs, the default) or the asserted facts only. rdflib graphs are still made where a library
needs one (pyshacl, owlrl) by :meth:`Store.export`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from ehelsekg.errors import RejectedQueryError
from ehelsekg.namespaces import INFERRED_GRAPH, bind_all
from ehelsekg.store.changes import QuadChange, has_blank_node, update_text
from ehelsekg.store.terms import Quad, QueryResult, Triple


class Store(ABC):
    """What the rest of the library needs from a triple store."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        include_inferred: bool = True,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the asserted default graph plus the inferred graph (or the
        asserted graph only), or over ``dataset`` = (default graph IRIs, named graph IRIs).

        ``bindings`` pre-bind variables to RDF terms; values are never pasted into the text.
        ``base_iri`` resolves relative IRIs in the query (without it they are an error).
        ``max_rows`` stops reading after that many rows or triples (``truncated`` says so).
        """

    @abstractmethod
    def scratch_copy(self) -> Store:
        """An in-memory copy of every graph, to try an update on: whatever happens to the copy,
        this store (which may be on disk and shared with a forked worker) is not written."""

    @abstractmethod
    def replace_graph(self, name: URIRef, triples: Iterable[Triple]) -> None:
        """Make the named graph hold exactly ``triples``, atomically."""

    @abstractmethod
    def load_file(self, path: Path, graph: URIRef) -> None:
        """Parse an RDF file into a named graph (replacing what it held)."""

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The named graphs that hold triples."""

    @abstractmethod
    def triples(self, graphs: Sequence[URIRef] | None = None) -> Iterator[Triple]:
        """All triples of the given graphs (all graphs by default)."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads in the store."""

    @abstractmethod
    def asserted_triples(self) -> Iterator[Triple]:
        """The default graph: every file's triples as one set, plus what updates added."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction: all of it applies, or none of it.

        ``base_iri`` resolves relative IRIs in the update (without it they are an error).
        """

    def apply_change(self, change: QuadChange) -> None:
        """Apply exactly ``change`` (as the gate validated it), as one transaction."""
        if any(has_blank_node(quad) for quad in change.removed):
            raise RejectedQueryError(
                "this store cannot remove triples with blank nodes by identity; nothing was"
                " changed. Remove them with a DELETE of their own on the endpoint"
            )
        text = update_text(change)
        if text:
            self.update(text)

    @abstractmethod
    def load_dataset(
        self, graphs: Mapping[URIRef, Sequence[Triple]], default: Sequence[Triple] = ()
    ) -> None:
        """Replace each named graph in ``graphs``, and the default graph's own triples (those
        no file's graph states) by ``default``, in one write where the store can.

        Afterwards the default graph is the union of the files' graphs (see
        :func:`is_file_graph`) plus ``default``; any other graph (the inferred graph, graphs
        updates wrote) is written as it is. Blank nodes shared between graphs stay one node.
        """

    def dataset_quads(self) -> Iterator[Quad]:
        """Every quad: the default graph's (graph ``None``), then each named graph's."""
        for s, p, o in self.asserted_triples():
            yield s, p, o, None
        for name in self.graph_names():
            for s, p, o in self.triples([name]):
                yield s, p, o, name

    def asserted_graph_names(self) -> list[URIRef]:
        return [name for name in self.graph_names() if name != INFERRED_GRAPH]

    @property
    def revision(self) -> int | None:
        """A number that changes whenever this store is written through this object; None
        where it can change behind our back (a remote endpoint), so nothing may be cached."""
        return None

    def change_graph(self, name: URIRef, add: Iterable[Triple], remove: Iterable[Triple]) -> None:
        """Add and remove triples of one named graph (not mirrored into the default graph)."""
        removing = set(remove)
        kept = [t for t in self.triples([name]) if t not in removing]
        self.replace_graph(name, [*kept, *add])

    def asserted_snapshot(self) -> object:
        """What the asserted default graph holds now, for :meth:`asserted_changes`."""
        return frozenset(self.asserted_triples())

    def asserted_changes(self, snapshot: object) -> tuple[object, set[Triple], set[Triple]]:
        """(a new snapshot, triples added, triples removed) of the asserted default graph
        since ``snapshot``."""
        assert isinstance(snapshot, frozenset)
        now = frozenset(self.asserted_triples())
        return now, set(now - snapshot), set(snapshot - now)

    def export(self, graphs: Sequence[URIRef] | None = None) -> Graph:
        """An rdflib copy of the given graphs (the asserted default graph by default)."""
        graph = bind_all(Graph())
        triples = self.asserted_triples() if graphs is None else self.triples(graphs)
        for triple in triples:
            graph.add(triple)
        return graph
