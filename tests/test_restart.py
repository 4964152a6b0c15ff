"""Restart at scale (issue 14): an on-disk store that already holds the data keeps its inferred
graph and the gate's validation baseline with its revision, and reuses them when nothing
changed (at 1M triples a start took 65 s: load 14, reasoning 22, validation 26).

- An unchanged store: nothing is loaded, reasoned or validated; what is reused equals a fresh
  computation, and a later update is checked as before.
- A write through the service records a new revision in its own transaction; the next start
  reuses what followed it. A crash between the write and its inferences makes it recompute.
- A write by another tool that changes the number of quads is detected, and recomputed.
- The state graph is internal: never listed, queried, dumped, counted or written by users.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from ehelsekg.errors import EhelsekgError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.reasoning.materialise import Materialiser
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from ehelsekg.store.changes import QuadChange
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.loading import load_shapes
from ehelsekg.store.state import STATE_GRAPH
from ehelsekg.store.transfer import dump_quads
from ehelsekg.validation import baseline_cache
from ehelsekg.validation.gate import Validator

ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: A new organisational unit: the ontology makes it an org:Organization too, and no shape
#: objects to it.
UNIT = "urn:ehelsekg:test:unit"
INSERT_UNIT = f"INSERT DATA {{ <{UNIT}> a <{ORG}OrganizationalUnit> }}"


@pytest.fixture
def chosen(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, cache_dir=tmp_path / "cache", workers=1)


@pytest.fixture
def spec(chosen: Settings, tmp_path: Path) -> Iterator[str]:
    """An on-disk store filled once, with its service started once (which keeps the
    baseline)."""
    spec = f"oxigraph:{tmp_path / 'kg'}"
    knowledge = open_knowledge_graph(chosen, store=spec)
    KnowledgeService(knowledge, chosen).close()
    del knowledge
    gc.collect()
    yield spec
    gc.collect()


def _inferred(knowledge: KnowledgeGraph) -> set[object]:
    return set(knowledge.store.triples([INFERRED_GRAPH]))


def _fresh_inferences(knowledge: KnowledgeGraph) -> set[object]:
    return set(Materialiser(knowledge.rules).rebuild(knowledge.store.asserted_triples()))


def _fresh_baseline(service: KnowledgeService) -> set[object]:
    fresh = Validator(shapes=service.shapes, compiled=service.validator.compiled)
    fresh.validate(service._knowledge.store, remember=True)
    return set(fresh.baseline or [])


def _has_unit_as_organisation(knowledge: KnowledgeGraph) -> bool:
    ask = f"ASK {{ <{UNIT}> a <{ORG}Organization> }}"
    return knowledge.store.query(ask).boolean is True


def test_a_restart_of_an_unchanged_store_reuses_inferences_and_baseline(
    spec: str, chosen: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = open_knowledge_graph(chosen, store=spec)
    assert knowledge.reused_inferences
    assert _inferred(knowledge) == _fresh_inferences(knowledge)

    def no_validation(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the store was validated again")

    with monkeypatch.context() as patched:
        patched.setattr(Validator, "validate", no_validation)
        service = KnowledgeService(knowledge, chosen)
    try:
        assert set(service.validator.baseline or []) == _fresh_baseline(service)

        def no_rules(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("the rules were run over the whole store again")

        # The first write takes the kept inferred graph as the rules' state.
        with monkeypatch.context() as patched:
            patched.setattr(Materialiser, "rebuild", no_rules)
            outcome = service.update(INSERT_UNIT)
        assert outcome.applied, outcome.report
        assert _has_unit_as_organisation(knowledge)
        assert _inferred(knowledge) == _fresh_inferences(knowledge)
    finally:
        service.close()


def test_a_write_through_the_service_is_reused_at_the_next_start(
    spec: str, chosen: Settings
) -> None:
    knowledge = open_knowledge_graph(chosen, store=spec)
    service = KnowledgeService(knowledge, chosen)
    before = knowledge.store.state().revision  # type: ignore[attr-defined]
    try:
        assert service.update(INSERT_UNIT).applied
    finally:
        service.close()
    assert knowledge.store.state().revision != before  # type: ignore[attr-defined]
    del knowledge, service
    gc.collect()
    again = open_knowledge_graph(chosen, store=spec)
    assert again.reused_inferences
    assert _has_unit_as_organisation(again)
    assert _inferred(again) == _fresh_inferences(again)
    found = baseline_cache.read(chosen.cache_dir, again.store, load_shapes(chosen))
    assert found is not None


def test_a_crash_between_a_write_and_its_inferences_recomputes_them(
    spec: str, chosen: Settings
) -> None:
    knowledge = open_knowledge_graph(chosen, store=spec)
    quad = ox.Quad(
        ox.NamedNode(UNIT), ox.NamedNode(RDF_TYPE), ox.NamedNode(ORG + "OrganizationalUnit")
    )
    # As the service applies a write; the process dies before the inferences follow.
    knowledge.store.apply_change(QuadChange(added=(quad,)))
    del knowledge
    gc.collect()
    again = open_knowledge_graph(chosen, store=spec)
    assert not again.reused_inferences
    assert _has_unit_as_organisation(again)


def test_a_change_by_another_tool_is_detected_by_its_count(spec: str, chosen: Settings) -> None:
    folder = Path(spec.removeprefix("oxigraph:"))
    other = ox.Store(str(folder))
    other.add(
        ox.Quad(
            ox.NamedNode(UNIT), ox.NamedNode(RDF_TYPE), ox.NamedNode(ORG + "OrganizationalUnit")
        )
    )
    other.flush()
    del other
    gc.collect()
    again = open_knowledge_graph(chosen, store=spec)
    assert not again.reused_inferences
    assert _has_unit_as_organisation(again)
    # Its revision is new, so no baseline kept for the old one is taken for it.
    assert baseline_cache.read(chosen.cache_dir, again.store, load_shapes(chosen)) is None


def test_the_state_graph_is_never_shown_or_written(spec: str, chosen: Settings) -> None:
    knowledge = open_knowledge_graph(chosen, store=spec)
    store = knowledge.store
    assert isinstance(store, OxigraphStore)
    assert store.state().complete
    assert URIRef(STATE_GRAPH) not in store.graph_names()
    listed = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert all(not str(row[0]).startswith(STATE_GRAPH) for row in listed)
    assert all(q[3] is None or str(q[3]) != STATE_GRAPH for q in dump_quads(store))
    assert len(store) == len(list(store.dataset_quads()))
    service = KnowledgeService(knowledge, chosen)
    try:
        with pytest.raises(EhelsekgError):
            service.update(f"INSERT DATA {{ GRAPH <{STATE_GRAPH}> {{ <{UNIT}> <{UNIT}> 1 }} }}")
        with pytest.raises(EhelsekgError):
            service.update(f"DROP GRAPH <{STATE_GRAPH}>")
    finally:
        service.close()
    assert store.state().complete


def test_a_baseline_kept_from_one_parse_of_the_shapes_reads_back_in_another(
    chosen: Settings, spec: str
) -> None:
    knowledge = open_knowledge_graph(chosen, store=spec)
    one, two = load_shapes(chosen), load_shapes(chosen)
    assert baseline_cache.fingerprint(one) == baseline_cache.fingerprint(two)
    first = Validator.for_shapes(one)
    first.validate(knowledge.store, remember=True)  # keeps nothing: no cache_dir
    first.cache_dir = chosen.cache_dir
    baseline_cache.write(chosen.cache_dir, knowledge.store, one, first.baseline or [])
    second = Validator.for_shapes(two)
    read = baseline_cache.read(chosen.cache_dir, knowledge.store, two)
    second.validate(knowledge.store, remember=True)
    assert read is not None and set(read) == set(second.baseline or [])
