"""A query that cannot match an inferred triple is asked of the asserted triples alone.

- What a query can read is told from its parse, and errs only towards "everything".
- Every named query, every benchmark query and a set of awkward texts give the same answer
  narrowed as over the whole dataset, on the bundled data and on synthetic data.
- A query whose predicates the reasoner writes is never narrowed; nor is one once an inferred
  triple it could match appears.
- The service learns a slow query's reach in a worker, after the answer, and keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from bench.generate import generate
from bench.http import PROTOCOL_QUERIES
from bench.run import BUNDLED_PARAMETERS
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import EHK, INFERRED_GRAPH
from ehelsekg.service.jobs import NamedAnswer
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.reach import EVERYTHING, ReachMemory, query_reach, text_digest

PREFIXES = (
    "PREFIX e: <urn:e#> PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>"
    " PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>"
    " PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    " PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)

#: Texts whose reach must be everything: each has a part that may match any triple.
EVERYTHING_TEXTS = [
    "SELECT * WHERE { <urn:m> ?p ?o }",
    "SELECT * WHERE { ?s !e:c ?o }",
    "SELECT * WHERE { ?s e:a ?o FILTER EXISTS { ?s ?p 1 } }",
    # rdflib's algebra drops the inner pattern of a nested EXISTS; the parse tree keeps it.
    "SELECT * WHERE { ?s e:a ?o FILTER EXISTS { ?s e:b ?x FILTER NOT EXISTS { ?x ?q ?z } } }",
    "SELECT * WHERE { ?s e:a ?o } ORDER BY (EXISTS { ?s ?p ?o })",
    "SELECT * WHERE { ?s e:a ?o BIND(EXISTS { ?o ?p 2 } AS ?b) }",
    "SELECT * WHERE { ?s e:a ?o } GROUP BY ?s HAVING (EXISTS { ?s ?p ?o })",
    "SELECT * WHERE { ?s e:a ?o OPTIONAL { ?o e:b ?x FILTER EXISTS { ?x ?v 1 } } }",
    "SELECT * WHERE { ?x e:p* ?y }",
    "SELECT * WHERE { ?x e:p?/e:q? ?y }",
    "DESCRIBE <urn:a>",
    "SELECT * WHERE { SERVICE <urn:s> { ?a e:b ?c } }",
    "SELECT * WHERE { ?s e:a ?o } # a BASE in a comment is enough",
    "SELECT * WHERE { ?s <urn:e#\\u0061> ?o }",
    # rdflib keeps the escape in the IRI; pyoxigraph reads e:a.b.
    "SELECT * WHERE { ?s e:a\\.b ?o }",
    "SELECT * WHERE { ?s undeclared:a ?o }",
    "SELECT * WHERE { ?s e:a ?o",
]


@pytest.mark.parametrize("text", EVERYTHING_TEXTS)
def test_a_part_that_may_match_anything_makes_the_reach_everything(text: str) -> None:
    assert query_reach(PREFIXES + text) == EVERYTHING


@pytest.mark.parametrize(
    ("text", "predicates", "classes", "any_class"),
    [
        ("SELECT * WHERE { ?s e:a/^e:b ?o }", {"a", "b"}, set(), False),
        # A prefix declared twice: the last declaration holds, as in pyoxigraph.
        ("PREFIX e: <urn:x#> PREFIX e: <urn:e#> SELECT * { ?s e:a ?o }", {"a"}, set(), False),
        ("SELECT * WHERE { ?s a e:K ; e:a ?o }", {"a"}, {"K"}, False),
        ("SELECT * WHERE { ?s a ?c }", set(), set(), True),
        ("SELECT * WHERE { ?s ^a ?c }", set(), set(), True),
        ("SELECT * WHERE { <urn:a> e:p* ?y }", {"p"}, set(), False),
        ("SELECT * { ?s e:a ?o FILTER NOT EXISTS { ?s e:b/e:c 1 }}", {"a", "b", "c"}, set(), False),
        (
            "SELECT * { ?s e:a ?o FILTER EXISTS { ?s e:b ?x FILTER NOT EXISTS { ?x e:q 1 } } }",
            {"a", "b", "q"},
            set(),
            False,
        ),
        ("SELECT (COUNT(*) AS ?n) { { SELECT ?s { ?s e:q ?o } } }", {"q"}, set(), False),
        ("CONSTRUCT WHERE { ?s e:q ?o }", {"q"}, set(), False),
        ("SELECT * WHERE { ?s e:a [ e:d ?z ; a e:Z ] }", {"a", "d"}, {"Z"}, False),
        (
            "SELECT * { OPTIONAL { ?s e:a ?o } MINUS { ?s e:m ?x } { ?s e:u 1 } UNION {?s e:v 2}}",
            {"a", "m", "u", "v"},
            set(),
            False,
        ),
        ("SELECT * WHERE { GRAPH ?g { ?s e:z ?o } }", {"z"}, set(), False),
    ],
)
def test_the_reach_names_every_predicate_and_class(
    text: str, predicates: set[str], classes: set[str], any_class: bool
) -> None:
    reach = query_reach(PREFIXES + text)
    assert not reach.anything
    assert reach.predicates == {f"urn:e#{p}" for p in predicates}
    assert reach.classes == {f"urn:e#{c}" for c in classes}
    assert reach.any_class is any_class


def taught(store: OxigraphStore, texts: list[str]) -> None:
    store.reaches.remember((text_digest(t), query_reach(t)) for t in texts)


def rows(store: OxigraphStore, text: str) -> list[tuple[str, ...]]:
    answer = store.query(text)
    if answer.kind == "ask":
        return [(str(answer.boolean),)]
    return sorted(tuple(str(term) for term in row) for row in answer.rows)


def named_rows(
    catalogue: Catalogue, knowledge: KnowledgeGraph, name: str, params: dict[str, str]
) -> list[tuple[str, ...]]:
    result = catalogue.run(name, params, knowledge.store)
    return sorted(tuple(str(term) for term in row) for row in result.rows)


def awkward_texts() -> list[str]:
    """Texts that read a little of everything, narrowed or not."""
    return [
        PREFIXES + text
        for text in [
            "SELECT ?r (COUNT(?f) AS ?n) WHERE { ?r a ehk:Report"
            " OPTIONAL { ?f ehk:reportedIn ?r } } GROUP BY ?r",
            "SELECT * WHERE { ?m ehk:contributesToGoal ?g }",
            "SELECT * WHERE { ?m a ehk:Measure FILTER NOT EXISTS { ?m ehk:contributesToGoal ?g } }",
            "SELECT * WHERE { ?x a <http://www.w3.org/ns/prov#Entity> }",
            "SELECT ?c (COUNT(*) AS ?n) WHERE { ?x a ?c } GROUP BY ?c",
            "SELECT * WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), 'kjern')) }",
            "ASK { ?s ehk:dependsOn ?o }",
            "SELECT * WHERE { ?a ehk:reportedIn ?r ; ehk:status ?s"
            " FILTER EXISTS { ?a ehk:hasDependency ?d } }",
            "SELECT * WHERE { ?s dcterms:title ?t } ORDER BY ?t LIMIT 5",
            "SELECT * WHERE { BIND(1 AS ?x) }",
        ]
    ] + [
        text.replace("{measure}", "https://w3id.org/ehelsekg/id/measure/181")
        for text in PROTOCOL_QUERIES.values()
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, size="12", seed=1)
    return folder


def pair(settings: Settings, data: Path | None) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    only = sorted(data.glob("*.ttl")) if data is not None else None
    return open_knowledge_graph(settings, only=only), open_knowledge_graph(settings, only=only)


@pytest.mark.parametrize("data", ["bundled", "synthetic"])
def test_narrowed_answers_are_the_whole_datasets_answers(
    data: str, settings: Settings, catalogue: Catalogue, synthetic: Path
) -> None:
    folder = synthetic if data == "synthetic" else None
    whole, narrowed = pair(settings, folder)
    store = narrowed.store
    assert isinstance(store, OxigraphStore)
    texts = awkward_texts() + [catalogue.get(name).text for name in catalogue.names()]
    taught(store, texts)
    asked_alone = [text for text in texts if not store.may_read_inferred(text)]
    # Not a vacuous comparison: most named queries are asked of the asserted triples alone.
    assert len(asked_alone) >= 12
    assert catalogue.get("reports").text in asked_alone
    assert catalogue.get("measures-by-goal").text not in asked_alone
    for text in awkward_texts():
        assert rows(store, text) == rows(whole.store, text), text  # type: ignore[arg-type]
    if folder is None:
        parameters = BUNDLED_PARAMETERS
    else:
        parameters = json.loads((folder / "manifest.json").read_text())["parameters"]
    for name in catalogue.names():
        params = parameters.get(name, {})
        expected = named_rows(catalogue, whole, name, params)
        assert named_rows(catalogue, narrowed, name, params) == expected, name


def test_a_query_that_may_match_an_inferred_triple_is_not_narrowed(
    knowledge: KnowledgeGraph,
) -> None:
    store = knowledge.store
    assert isinstance(store, OxigraphStore)
    text = PREFIXES + "SELECT * WHERE { ?m ehk:contributesToGoal ?g }"
    taught(store, [text])
    assert store.may_read_inferred(text)
    # contributesToGoal is only ever inferred in the bundled data.
    assert rows(store, text)


def test_an_inferred_triple_that_appears_ends_the_narrowing(settings: Settings) -> None:
    knowledge = open_knowledge_graph(settings)
    store = knowledge.store
    assert isinstance(store, OxigraphStore)
    text = PREFIXES + "SELECT ?o WHERE { <urn:e#s> e:only ?o }"
    taught(store, [text])
    assert not store.may_read_inferred(text)
    assert rows(store, text) == []
    store.change_graph(INFERRED_GRAPH, [(URIRef("urn:e#s"), URIRef("urn:e#only"), Literal(1))], [])
    assert store.may_read_inferred(text)
    assert rows(store, text) == [("1",)]


def test_a_query_with_a_relative_iri_is_asked_of_the_whole_dataset(
    knowledge: KnowledgeGraph,
) -> None:
    # The base the query is asked with decides what <#…> names: here an inferred predicate.
    text = "SELECT * WHERE { ?m <#contributesToGoal> ?g }"
    assert query_reach(text) == EVERYTHING
    store = knowledge.store
    assert isinstance(store, OxigraphStore)
    taught(store, [text])
    answer = store.query(text, base_iri=str(EHK))
    assert answer.rows, "the inferred contributesToGoal triples are found"


def test_a_query_of_absolute_iris_is_narrowed_whatever_its_base(knowledge: KnowledgeGraph) -> None:
    store = knowledge.store
    assert isinstance(store, OxigraphStore)
    text = PREFIXES + "SELECT ?r WHERE { ?r a ehk:Report }"
    taught(store, [text])
    assert not store.may_read_inferred(text)
    answer = store.query(text, base_iri="http://127.0.0.1:8000/sparql")
    assert len(answer.rows) == len(store.query(text).rows) > 0


@pytest.fixture
def service(settings: Settings) -> Iterator[KnowledgeService]:
    chosen = replace(settings, workers=1, fast_workers=0, inline_seconds=0.0, narrow_seconds=1e-9)
    running = KnowledgeService(open_knowledge_graph(chosen), chosen)
    yield running
    running.close()


def test_the_service_learns_a_slow_querys_reach_after_answering(
    service: KnowledgeService,
) -> None:
    store = service._knowledge.store
    assert isinstance(store, OxigraphStore)
    text = service.catalogue.get("reports").text
    assert store.reaches.known(text) is None
    first = service.run(NamedAnswer("reports"))
    # The worker parses the text after its first answer; the next answer brings the reach.
    second = service.run(NamedAnswer("reports"))
    assert first == second
    reach = store.reaches.known(text)
    assert reach is not None and not reach.anything
    assert str(EHK.reportedIn) in reach.predicates


def test_with_narrowing_off_nothing_is_learnt(settings: Settings) -> None:
    chosen = replace(settings, workers=1, fast_workers=0, inline_seconds=0.0, narrow_seconds=0.0)
    running = KnowledgeService(open_knowledge_graph(chosen), chosen)
    try:
        for _ in range(3):
            running.run(NamedAnswer("reports"))
        store = running._knowledge.store
        assert isinstance(store, OxigraphStore)
        assert store.reaches.known(running.catalogue.get("reports").text) is None
    finally:
        running.close()


def test_examination_stops_at_its_budget_and_goes_on_next_time() -> None:
    memory = ReachMemory()
    texts = [PREFIXES + f"SELECT * WHERE {{ ?s e:p{n} ?o }}" for n in range(3)]
    for text in texts:
        memory.note_asked(text)
    memory.queue_asked(slow=True)
    memory.examine_queued(budget=0.0)
    assert [memory.known(t) for t in texts] == [None, None, None]
    memory.examine_queued(budget=60.0)
    assert all(memory.known(t) is not None for t in texts)
    assert len(memory.take_learnt()) == 3
    assert memory.take_learnt() == []


def test_texts_of_a_quick_job_are_not_examined() -> None:
    memory = ReachMemory()
    memory.note_asked(PREFIXES + "SELECT * WHERE { ?s e:p ?o }")
    memory.queue_asked(slow=False)
    memory.examine_queued(budget=60.0)
    assert memory.take_learnt() == []
