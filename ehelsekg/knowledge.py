"""Opening the knowledge graph: files into named graphs of a store, inferences beside them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH
from ehelsekg.reasoning.materialise import Materialiser
from ehelsekg.reasoning.rules import RuleSet, load_rules
from ehelsekg.settings import Settings
from ehelsekg.store import state as store_state
from ehelsekg.store.base import Store
from ehelsekg.store.changes import QuadChange, asserted_delta
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.loading import data_paths, ontology_paths
from ehelsekg.store.opening import open_store

_log = logging.getLogger(__name__)


def graph_name_for(path: Path, settings: Settings) -> URIRef:
    """The named graph a file is loaded into: readable for the project's own files.

    >>> s = Settings(home=Path("/p"))
    >>> str(graph_name_for(Path("/p/data/reference/actors.ttl"), s))
    'https://w3id.org/ehelsekg/graph/data/reference/actors'
    """
    resolved = path.resolve()
    for root, prefix in ((settings.ontology_dir, "ontology/"), (settings.data_dir, "data/")):
        try:
            relative = resolved.relative_to(root.resolve())
        except ValueError:
            continue
        return GRAPH[prefix + relative.with_suffix("").as_posix()]
    return URIRef(resolved.as_uri())


@dataclass
class KnowledgeGraph:
    """A store holding the ontology and data, and the rules that keep its inferences."""

    settings: Settings
    store: Store
    rules: RuleSet
    timings: dict[str, float] = field(default_factory=dict)
    #: Whether the inferred graph recorded in an on-disk store was reused as it was.
    reused_inferences: bool = False

    #: The rules' state between writes, and what the asserted graph held at the last one.
    _materialiser: Materialiser | None = field(default=None, init=False, repr=False)
    _snapshot: object = field(default=None, init=False, repr=False)

    def refresh_inferences(self) -> int:
        """Recompute the inferred graph from the asserted graphs; return how many triples."""
        started = time.perf_counter()
        self._materialiser = Materialiser(self.rules)
        self._snapshot = self.store.asserted_snapshot()
        derived = self._materialiser.rebuild(self.store.asserted_triples())
        self.store.replace_graph(INFERRED_GRAPH, derived)
        self._mark_inferred()
        self.timings["reasoning"] = time.perf_counter() - started
        return len(derived)

    def prepare_inferences(self) -> None:
        """Build the rules' state before a write, if it is not built yet. After a restart that
        reused the store's inferred graph, that graph is taken as it is (``adopt``) rather than
        derived again: at 1M triples the rules take 20 s, taking the graph about 10 s."""
        if self._materialiser is not None or not self.reused_inferences:
            return
        started = time.perf_counter()
        materialiser = Materialiser(self.rules)
        # Its asserted triples are the reference for the next write (see update_inferences).
        self._snapshot = None
        materialiser.adopt(self.store.asserted_triples(), self.store.triples([INFERRED_GRAPH]))
        self._materialiser = materialiser
        self.timings["reasoning"] = time.perf_counter() - started

    def update_inferences(self, change: QuadChange | None = None) -> tuple[int, int]:
        """Bring the inferred graph up to date after a write, from what the write changed
        (see ``materialise``); return (inferred triples added, removed).

        ``change`` is the write as the service applied it: its default-graph quads are the
        asserted triples that changed, so the store is not compared whole with what it held
        before (seconds at 1M triples). Without it, or when it holds a blank node, it is."""
        if self._materialiser is None:
            self.refresh_inferences()
            return 0, 0
        started = time.perf_counter()
        delta = asserted_delta(change) if change is not None else None
        if delta is not None:
            added, removed = delta
            # The materialiser's asserted triples are the reference from now on.
            self._snapshot = None
        elif self._snapshot is None:
            now = set(self.store.asserted_triples())
            added, removed = now - self._materialiser.asserted, self._materialiser.asserted - now
            self._snapshot = self.store.asserted_snapshot()
        else:
            self._snapshot, added, removed = self.store.asserted_changes(self._snapshot)
        appeared, went = self._materialiser.change(added, removed)
        if appeared or went:
            self.store.change_graph(INFERRED_GRAPH, appeared, went)
        self._mark_inferred()
        self.timings["reasoning"] = time.perf_counter() - started
        return len(appeared), len(went)

    def _mark_inferred(self) -> None:
        """Record in an on-disk store that the inferred graph is that of its revision (written
        after the inferred graph, so a crash in between leaves it marked stale)."""
        if on_disk(self.store):
            assert isinstance(self.store, OxigraphStore)
            revision = self.store.state().revision
            self.store.write_state(inferred_for=revision, quads=len(self.store))

    def incompleteness(self) -> str | None:
        """Why the store cannot be served as the knowledge graph (None: it can): an on-disk
        store whose load did not finish, or a store that asserts nothing at all."""
        if on_disk(self.store):
            assert isinstance(self.store, OxigraphStore)
            if not self.store.state().complete:
                return f"the store {self.store.path} is incomplete: a load into it did not finish"
        if not self.store.query("ASK { ?s ?p ?o }", include_inferred=False).boolean:
            return (
                "the store holds no asserted triples, so there is nothing to serve or validate;"
                " fill it again from the files (restart with an empty store) or load a dump"
                " (`ehelsekg load`)"
            )
        return None


def on_disk(store: Store) -> bool:
    """Whether ``store`` is an embedded store on disk, which records its state."""
    return isinstance(store, OxigraphStore) and store.path is not None


def _open_on_disk(store: OxigraphStore, fill: Callable[[], None]) -> bool:
    """Make sure an on-disk store is complete, filling it from the files if it is empty or a
    first fill was stopped; return whether its recorded inferences are current.

    A store that holds data but is not complete is refused (StoreNotReadyError), never served.
    """
    state = store.state()
    if state.complete:
        if state.inferences_current(len(store)):
            return True
        if state.inferred_for is not None and state.inferred_for == state.revision:
            _log.warning("the store %s was changed by another tool; recomputing", store.path)
        # Whatever changed it, nothing recorded for the old revision (the validation baseline)
        # may be reused.
        store.write_state(revision=store_state.new_revision())
        return False
    if state.status == store_state.FILLING:
        _log.warning(
            "the store %s was stopped while it was first filled; filling it again", store.path
        )
        store.clear_for_refill()
    elif next(store.dataset_quads(), None) is not None or state.status is not None:
        raise store_state.refusal(store.path, state, len(store))
    else:
        store.write_state(status=store_state.FILLING, begun_by="a first start")
    fill()
    store.flush()
    store.write_state(status=store_state.COMPLETE, begun_by=None)
    return False


def open_knowledge_graph(
    settings: Settings,
    *,
    store: str = "memory",
    extra: Sequence[Path] = (),
    only: Sequence[Path] | None = None,
    reason: bool = True,
) -> KnowledgeGraph:
    """Open a store and fill it with the ontology and data (bundled, plus ``extra``, or ``only``).

    A store that already holds data is used as it is. An on-disk one is filled only when empty
    (or when a first fill was stopped), is refused if a load into it did not finish
    (StoreNotReadyError), and keeps its inferred graph when nothing changed since it was
    computed (see ``store.state``); other stores get fresh inferences.
    """
    timings: dict[str, float] = {}
    backend = open_store(store)
    started = time.perf_counter()
    ontology = ontology_paths(settings)

    def fill() -> None:
        for path in [*ontology, *data_paths(settings, extra=extra, only=only)]:
            backend.load_file(path, graph_name_for(path, settings))

    current = False
    if isinstance(backend, OxigraphStore) and backend.path is not None:
        current = _open_on_disk(backend, fill)
    elif store == "memory" or not backend.graph_names():
        fill()
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    rules = load_rules(ontology, settings.cache_dir)
    timings["rules"] = time.perf_counter() - started
    knowledge = KnowledgeGraph(settings=settings, store=backend, rules=rules, timings=timings)
    if reason and current:
        # The materialiser is built at the first write (see prepare_inferences).
        knowledge.reused_inferences = True
        timings["reasoning"] = 0.0
    elif reason:
        knowledge.refresh_inferences()
    return knowledge
