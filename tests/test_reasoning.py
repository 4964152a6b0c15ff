"""Reasoning: what the ontology implies is found, kept apart, and follows changes in the data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from random import Random

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import EHK, INFERRED_GRAPH
from ehelsekg.reasoning.materialise import Materialiser
from ehelsekg.reasoning.rules import infer, load_rules, owlrl_closure
from ehelsekg.settings import Settings
from ehelsekg.store.changes import QuadChange
from ehelsekg.store.loading import load_graph, rdf_files

ID = "https://w3id.org/ehelsekg/id/"

GOAL_LINK = """
goal:2 a ehk:StrategicGoal ; skos:notation "2" ; rdfs:label "Mål 2"@nb .
measure:900 a ehk:Measure ; dcterms:identifier "900" ; rdfs:label "Tiltak 900"@nb .
initiative:test a ehk:Initiative ; rdfs:label "Initiativ"@nb ;
    ehk:supportsGoal goal:2 ;
    ehk:involvesMeasure measure:900 .
"""

DEPENDENCY_CHAIN = """
report:test a ehk:Report ; dcterms:title "Test"@nb ; dcterms:date "2024-01-01"^^xsd:date .
measure:901 a ehk:Measure ; dcterms:identifier "901" ; rdfs:label "A"@nb .
measure:902 a ehk:Measure ; dcterms:identifier "902" ; rdfs:label "B"@nb .
prereq:c a ehk:Decision ; rdfs:label "C"@nb .
dependency:ab a ehk:Dependency ; ehk:dependent measure:901 ; ehk:dependee measure:902 ;
    ehk:reportedIn report:test .
dependency:bc a ehk:Dependency ; ehk:dependent measure:902 ; ehk:dependee prereq:c ;
    ehk:reportedIn report:test .
"""


def _ask(knowledge: KnowledgeGraph, query: str, *, include_inferred: bool = True) -> bool:
    result = knowledge.store.query(
        "PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>\n" + query,
        include_inferred=include_inferred,
    )
    return bool(result.boolean)


def test_a_fact_that_only_follows_from_the_ontology_is_found(
    small_graph: Callable[[str], KnowledgeGraph],
) -> None:
    """ehk:contributesToGoal is the chain involvedInInitiative (inverse of involvesMeasure)
    followed by supportsGoal; nothing asserts it."""
    knowledge = small_graph(GOAL_LINK)
    query = f"ASK {{ <{ID}measure/900> ehk:contributesToGoal <{ID}goal/2> }}"
    assert _ask(knowledge, query)
    assert not _ask(knowledge, query, include_inferred=False)


def test_it_disappears_when_the_asserted_fact_it_follows_from_is_removed(
    small_graph: Callable[[str], KnowledgeGraph],
) -> None:
    knowledge = small_graph(GOAL_LINK)
    query = f"ASK {{ <{ID}measure/900> ehk:contributesToGoal <{ID}goal/2> }}"
    assert _ask(knowledge, query)
    store = knowledge.store
    (data_graph,) = [g for g in store.asserted_graph_names() if "snippet" in str(g)]
    kept = [t for t in store.triples([data_graph]) if t[1] != EHK.involvesMeasure]
    store.replace_graph(data_graph, kept)
    knowledge.refresh_inferences()
    assert not _ask(knowledge, query)


def test_dependency_nodes_give_direct_and_transitive_dependencies(
    small_graph: Callable[[str], KnowledgeGraph],
) -> None:
    knowledge = small_graph(DEPENDENCY_CHAIN)
    a, b, c = (f"<{ID}measure/901>", f"<{ID}measure/902>", f"<{ID}prerequisite/c>")
    assert _ask(knowledge, f"ASK {{ {a} ehk:dependsOn {b} }}")
    assert _ask(knowledge, f"ASK {{ {b} ehk:dependsOn {c} }}")
    assert not _ask(knowledge, f"ASK {{ {a} ehk:dependsOn {c} }}")
    assert _ask(knowledge, f"ASK {{ {a} ehk:dependsOnTransitively {c} }}")
    # The inverse of ehk:dependent links the measure to its dependency node.
    assert _ask(knowledge, f"ASK {{ {a} ehk:hasDependency <{ID}dependency/ab> }}")


def test_inferred_triples_live_apart_from_asserted_ones(knowledge: KnowledgeGraph) -> None:
    inferred = set(knowledge.store.triples([INFERRED_GRAPH]))
    asserted = set(knowledge.store.triples(knowledge.store.asserted_graph_names()))
    assert inferred, "reasoning derived nothing"
    assert not inferred & asserted
    assert all(not isinstance(s, Literal) for s, _, _ in inferred)
    assert not any(p == OWL.sameAs for _, p, _ in inferred)


def test_inferred_equal_owlrls_full_closure_for_the_ontologys_own_terms(
    settings: Settings, knowledge: KnowledgeGraph
) -> None:
    """owlrl's OWL 2 RL closure of ontology + bundled data, restricted to instance data (no
    schema terms as subjects, no literal subjects, no owl:sameAs, no owl:Thing typing), must be
    exactly what the compiled rules put in the inferred graph."""
    graph = load_graph(settings)
    theirs = set(owlrl_closure(graph)) - set(graph)
    ours = set(knowledge.store.triples([INFERRED_GRAPH]))
    schema_terms = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype)
        for s in graph.subjects(RDF.type, kind)
    }

    def instance_level(triple: tuple[object, object, object]) -> bool:
        s, p, o = triple
        if isinstance(s, Literal) or p == OWL.sameAs or s == o or s in schema_terms:
            return False
        if str(s).startswith("http://www.w3.org/"):
            return False
        if p == RDF.type:
            return isinstance(o, URIRef) and o not in (OWL.Thing, RDFS.Resource)
        return str(p).startswith(str(EHK))

    expected = {t for t in theirs if instance_level(t)}
    actual = {t for t in ours if instance_level(t)}
    assert len(expected) > 500
    assert actual == expected, (sorted(actual - expected)[:5], sorted(expected - actual)[:5])


def test_rules_are_cached_by_ontology_content(tmp_path: Path, settings: Settings) -> None:
    ontology = rdf_files([settings.ontology_dir])
    first = load_rules(ontology, tmp_path)
    cached = list(tmp_path.glob("rules-*.json"))
    assert len(cached) == 1
    assert load_rules(ontology, tmp_path).chains == first.chains
    # A different ontology gets a different cache entry.
    changed = tmp_path / "extra.ttl"
    changed.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/ehelsekg/ontology#x> a owl:TransitiveProperty .\n",
        encoding="utf-8",
    )
    load_rules([*ontology, changed], tmp_path)
    assert len(list(tmp_path.glob("rules-*.json"))) == 2


def test_reasoning_follows_the_asserted_data_only(settings: Settings, tmp_path: Path) -> None:
    """Opening a graph from scratch and re-reasoning gives the same inferences."""
    first = open_knowledge_graph(settings)
    again = first.refresh_inferences()
    assert again == len(set(first.store.triples([INFERRED_GRAPH])))
    rules = load_rules(rdf_files([settings.ontology_dir]), settings.cache_dir)
    recomputed = infer(first.store.triples(first.store.asserted_graph_names()), rules)
    assert recomputed == set(first.store.triples([INFERRED_GRAPH]))


# --- Incremental materialisation ---------------------------------------------------------


@pytest.mark.parametrize("start", ["rebuild", "adopt"])
def test_changes_keep_the_inferences_of_a_full_recomputation(
    knowledge: KnowledgeGraph, start: str
) -> None:
    """Random removals and additions, biased to the links that feed property chains and
    transitive closures, give exactly what reasoning from scratch gives, change by change;
    from the rules run afresh, or from the inferred graph a store kept (after a restart)."""
    asserted = set(knowledge.store.asserted_triples())
    materialiser = Materialiser(knowledge.rules)
    if start == "rebuild":
        assert materialiser.rebuild(asserted) == infer(asserted, knowledge.rules)
    else:
        materialiser.adopt(asserted, knowledge.store.triples([INFERRED_GRAPH]))
        rebuilt = Materialiser(knowledge.rules)
        rebuilt.rebuild(asserted)
        assert materialiser.derived == rebuilt.derived
        assert materialiser.facts == rebuilt.facts
    random = Random(20261201)
    chained = {URIRef(link) for _head, chain in knowledge.rules.chains for link in chain}
    nodes = sorted({s for s, _p, _o in asserted if isinstance(s, URIRef)}, key=str)
    predicates = sorted(chained | {RDF.type, EHK.owner, EHK.assessedMeasure}, key=str)
    classes = sorted({o for _s, p, o in asserted if p == RDF.type}, key=str)
    expected = infer(asserted, knowledge.rules)
    for _round in range(25):
        candidates = sorted((t for t in asserted if t[1] in chained or t[1] == RDF.type), key=str)
        removed = set(random.sample(candidates, random.randint(0, 12)))
        added = {
            (random.choice(nodes), p, random.choice(classes if p == RDF.type else nodes))
            for p in random.choices(predicates, k=random.randint(0, 8))
        } - asserted
        appeared, went = materialiser.change(added, removed)
        before = expected
        asserted = (asserted - removed) | added
        expected = infer(asserted, knowledge.rules)
        assert materialiser.derived == expected
        assert (appeared, went) == (expected - before, before - expected)


def test_an_update_brings_the_inferred_graph_up_to_date(settings: Settings) -> None:
    """After a write only the change is reasoned over, with the result of a full run."""
    knowledge = open_knowledge_graph(settings)
    knowledge.store.update(
        "PREFIX ehk: <https://w3id.org/ehelsekg/ontology#> "
        f"DELETE WHERE {{ <{ID}dependency/2022-09-181-nhn-leveranser> ehk:dependee ?x }} ; "
        f"INSERT DATA {{ <{ID}measure/181> ehk:dependsOn <{ID}measure/160> }}"
    )
    appeared, went = knowledge.update_inferences()
    assert appeared > 0 or went > 0
    incremental = set(knowledge.store.triples([INFERRED_GRAPH]))
    assert incremental == infer(knowledge.store.asserted_triples(), knowledge.rules)


def test_a_change_as_the_service_applies_it_keeps_the_inferences_exact(
    settings: Settings,
) -> None:
    """The write's own quads tell the asserted change; a later write without them (or with a
    blank node) compares the store with the reasoner's asserted triples instead."""
    knowledge = open_knowledge_graph(settings)
    measure, other = ox.NamedNode(f"{ID}measure/181"), ox.NamedNode(f"{ID}measure/160")
    link = ox.Quad(measure, ox.NamedNode(str(EHK.dependsOn)), other)
    dependee = next(
        knowledge.store._store.quads_for_pattern(  # type: ignore[attr-defined]
            ox.NamedNode(f"{ID}dependency/2022-09-181-nhn-leveranser"),
            ox.NamedNode(str(EHK.dependee)),
            None,
            ox.DefaultGraph(),
        )
    )
    change = QuadChange(added=(link,), removed=(dependee,))
    knowledge.store.apply_change(change)
    appeared, went = knowledge.update_inferences(change)
    assert appeared > 0 or went > 0
    expected = infer(knowledge.store.asserted_triples(), knowledge.rules)
    assert set(knowledge.store.triples([INFERRED_GRAPH])) == expected
    # A blank node: the store names it anew, so the change's own quads cannot be used.
    node = ox.Quad(ox.BlankNode(), ox.NamedNode(str(EHK.dependent)), measure)
    knowledge.store.apply_change(QuadChange(added=(node,)))
    knowledge.update_inferences(QuadChange(added=(node,)))
    knowledge.store.update(
        f"DELETE DATA {{ <{ID}measure/181> <{EHK.dependsOn}> <{ID}measure/160> }}"
    )
    knowledge.update_inferences()
    expected = infer(knowledge.store.asserted_triples(), knowledge.rules)
    assert set(knowledge.store.triples([INFERRED_GRAPH])) == expected
