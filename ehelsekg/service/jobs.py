"""The work the service runs in its workers: one typed job per kind of request.

A job is a small frozen dataclass that crosses the pipe to a worker, where ``run`` reads the
worker's copy-on-write copy of the store. Its ``limit`` names the setting that bounds it, so
every kind of request has its own time limit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rdflib import URIRef
from rdflib.term import Node

from ehelsekg.analysis import cpm
from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.entities import Entity, load_entity
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.service.answers import (
    Answer,
    capped,
    graph_bytes,
    named_answer,
    serialise,
    serialise_native,
)
from ehelsekg.settings import Settings
from ehelsekg.store.base import Store
from ehelsekg.store.changes import QuadChange
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.formats import by_media_type
from ehelsekg.store.rdf_input import insert_data, parse_triples
from ehelsekg.store.terms import QueryResult
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import validation_document
from ehelsekg.views.build import build_view
from ehelsekg.views.html import render_html


@dataclass(frozen=True)
class WorkerState:
    """What a job may use: the store, the named queries, the gate and the settings."""

    store: Store
    catalogue: Catalogue
    validator: Validator
    settings: Settings


class Job(ABC):
    """One request's work, run in a worker."""

    #: The setting (seconds) that limits this kind of job.
    limit: ClassVar[str]
    #: "fast": may take the fast lane while the general workers are busy (and be moved on if
    #: it is slow there); "general": writes and whole-store work wait for a general worker.
    lane: ClassVar[str] = "fast"

    @abstractmethod
    def run(self, state: WorkerState) -> object:
        """Do the work; runs in a worker process."""


@dataclass(frozen=True)
class SparqlQuery(Job):
    """A SPARQL query of the protocol, answered as bytes in ``media_type``."""

    limit: ClassVar[str] = "query_timeout"
    text: str
    media_type: str = ""
    include_inferred: bool = True
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    base_iri: str | None = None

    def run(self, state: WorkerState) -> Answer:
        store = state.store
        if isinstance(store, OxigraphStore):
            answer = self.run_within(store, state.settings.max_rows, budget=None)
            assert answer is not None
            return answer
        cap = state.settings.max_rows
        result = store.query(
            self.text,
            include_inferred=self.include_inferred,
            dataset=self.dataset,
            base_iri=self.base_iri,
            max_rows=cap,
        )
        media_type = self.media_type or (
            "text/turtle" if result.kind == "graph" else "application/sparql-results+json"
        )
        return Answer(serialise(result, media_type), media_type, result.truncated)

    def run_within(self, store: OxigraphStore, cap: int, *, budget: int | None) -> Answer | None:
        """The answer from the embedded store, at most ``cap`` rows; with ``budget``, None if
        the solutions take more than ``budget`` bytes (see ``answers.serialise_native``)."""

        def ask() -> object:
            return store.native_query(
                self.text,
                include_inferred=self.include_inferred,
                dataset=self.dataset,
                base_iri=self.base_iri,
            )

        return serialise_native(ask(), self.media_type, cap, ask, budget=budget)


@dataclass(frozen=True)
class NamedQuery(Job):
    """A named query with its parameters: (result, truncated at the row cap)."""

    limit: ClassVar[str] = "named_query_timeout"
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    include_inferred: bool = True

    def run(self, state: WorkerState) -> tuple[QueryResult, bool]:
        result = state.catalogue.run(
            self.name, self.params, state.store, include_inferred=self.include_inferred
        )
        return capped(result, state.settings.named_query_max_rows)


@dataclass(frozen=True)
class NamedAnswer(Job):
    """A named query's answer, written in the worker as bytes (``answers.named_answer``):
    only bytes cross the pipe, not rows of rdflib terms."""

    limit: ClassVar[str] = "named_query_timeout"
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    include_inferred: bool = True
    media_type: str = "application/json"

    def run(self, state: WorkerState) -> Answer:
        result, truncated = NamedQuery(self.name, self.params, self.include_inferred).run(state)
        title = state.catalogue.get(self.name).title
        return named_answer(self.name, title, self.params, result, truncated, self.media_type)


@dataclass(frozen=True)
class BindParameters(Job):
    """A named query's parameters as the RDF terms they bind (for the query page's editor)."""

    limit: ClassVar[str] = "named_query_timeout"
    name: str
    params: Mapping[str, str] = field(default_factory=dict)

    def run(self, state: WorkerState) -> dict[str, Node]:
        query = state.catalogue.get(self.name)
        return dict(state.catalogue.bind(query, self.params, state.store))


@dataclass(frozen=True)
class CheckUpdate(Job):
    """An update tried on a copy: (conforms, report summary, raw results, exact change)."""

    limit: ClassVar[str] = "update_timeout"
    lane: ClassVar[str] = "general"
    text: str
    base_iri: str | None = None

    def run(self, state: WorkerState) -> tuple[bool, dict[str, object], object, QuadChange]:
        # On a copy: this worker's store may be the on-disk store itself, and it goes on
        # answering queries, so a refused update must not stay in it.
        verdict = state.validator.check(state.store, self.text, base_iri=self.base_iri)
        report = validation_document(verdict.report)
        return verdict.report.conforms, report, verdict.raw, verdict.change


@dataclass(frozen=True)
class Validate(Job):
    """The SHACL report of the whole store."""

    limit: ClassVar[str] = "update_timeout"
    lane: ClassVar[str] = "general"

    def run(self, state: WorkerState) -> dict[str, object]:
        return validation_document(state.validator.validate(state.store))


@dataclass(frozen=True)
class CriticalPath(Job):
    """The critical path to a roadmap service, goal or measure."""

    limit: ClassVar[str] = "analysis_timeout"
    target: str
    strict: bool = False

    def run(self, state: WorkerState) -> dict[str, object]:
        network = build_network(state.store, state.catalogue)
        node = cpm.resolve_node(network, self.target)
        return cpm.critical_path(network, node, strict=self.strict).to_json()


@dataclass(frozen=True)
class Impact(Job):
    """What moves, and by how much, if a node finishes ``slip`` months later."""

    limit: ClassVar[str] = "analysis_timeout"
    node: str
    slip: int

    def run(self, state: WorkerState) -> dict[str, object]:
        network = build_network(state.store, state.catalogue)
        return cpm.impact(network, cpm.resolve_node(network, self.node), self.slip).to_json()


@dataclass(frozen=True)
class View(Job):
    """One view as a self-contained HTML page."""

    limit: ClassVar[str] = "page_timeout"
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    base_url: str = ""

    def run(self, state: WorkerState) -> str:
        built = build_view(
            self.name, dict(self.params), state.store, state.catalogue, base_url=self.base_url
        )
        return render_html(built)


@dataclass(frozen=True)
class DescribeEntity(Job):
    """What the store says about one entity, or None."""

    limit: ClassVar[str] = "page_timeout"
    iri: str

    def run(self, state: WorkerState) -> Entity | None:
        return load_entity(state.store, state.catalogue, URIRef(self.iri))


@dataclass(frozen=True)
class ReadGraph(Job):
    """One graph of the store (None: the asserted default graph) in an RDF syntax."""

    limit: ClassVar[str] = "page_timeout"
    graph: str | None
    media_type: str

    def run(self, state: WorkerState) -> bytes | None:
        store = state.store
        if self.graph is not None and URIRef(self.graph) not in store.graph_names():
            return None
        exported = store.export() if self.graph is None else store.export([URIRef(self.graph)])
        fmt = by_media_type(self.media_type).rdf
        assert fmt is not None
        return graph_bytes(exported, fmt)


@dataclass(frozen=True)
class ParseUpload(Job):
    """An uploaded graph as the INSERT DATA that adds it to ``target`` ('' when empty);
    parsed in a worker, so a hostile document cannot stall the server."""

    limit: ClassVar[str] = "update_timeout"
    lane: ClassVar[str] = "general"
    body: bytes
    media_type: str
    base_iri: str
    target: str | None

    def run(self, state: WorkerState) -> str:
        triples = parse_triples(self.body, self.media_type, base_iri=self.base_iri)
        return insert_data(triples, self.target)


def dataset(
    default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The protocol's dataset parameters, or None when neither is given."""
    if not default_graphs and not named_graphs:
        return None
    return tuple(default_graphs), tuple(named_graphs)
