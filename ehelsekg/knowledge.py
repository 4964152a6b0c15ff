"""Opening the knowledge graph: files into named graphs of a store, inferences beside them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH
from ehelsekg.reasoning.materialise import Materialiser
from ehelsekg.reasoning.rules import RuleSet, load_rules
from ehelsekg.settings import Settings
from ehelsekg.store.base import Store
from ehelsekg.store.loading import data_paths, ontology_paths
from ehelsekg.store.opening import open_store


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
        self.timings["reasoning"] = time.perf_counter() - started
        return len(derived)

    def update_inferences(self) -> tuple[int, int]:
        """Bring the inferred graph up to date after a write, from what the write changed
        (see ``materialise``); return (inferred triples added, removed)."""
        if self._materialiser is None:
            self.refresh_inferences()
            return 0, 0
        started = time.perf_counter()
        self._snapshot, added, removed = self.store.asserted_changes(self._snapshot)
        appeared, went = self._materialiser.change(added, removed)
        if appeared or went:
            self.store.change_graph(INFERRED_GRAPH, appeared, went)
        self.timings["reasoning"] = time.perf_counter() - started
        return len(appeared), len(went)


def open_knowledge_graph(
    settings: Settings,
    *,
    store: str = "memory",
    extra: Sequence[Path] = (),
    only: Sequence[Path] | None = None,
    reason: bool = True,
) -> KnowledgeGraph:
    """Open a store and fill it with the ontology and data (bundled, plus ``extra``, or ``only``).

    An on-disk store that already holds data is used as it is, apart from fresh inferences.
    """
    timings: dict[str, float] = {}
    backend = open_store(store)
    started = time.perf_counter()
    ontology = ontology_paths(settings)
    if store == "memory" or not backend.graph_names():
        for path in [*ontology, *data_paths(settings, extra=extra, only=only)]:
            backend.load_file(path, graph_name_for(path, settings))
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    rules = load_rules(ontology, settings.cache_dir)
    timings["rules"] = time.perf_counter() - started
    knowledge = KnowledgeGraph(settings=settings, store=backend, rules=rules, timings=timings)
    if reason:
        knowledge.refresh_inferences()
    return knowledge
