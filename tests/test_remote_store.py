"""``--store sparql:URL`` against a real Oxigraph server: every named query, the analysis, the
views and the update gate answer as on the embedded store."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from ehelsekg.analysis import cpm as analysis
from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.main import main
from ehelsekg.errors import RejectedQueryError, RemoteStoreError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from ehelsekg.store.base import Store
from ehelsekg.store.opening import open_store
from ehelsekg.store.remote import DEFAULT_COPY, Endpoints, RemoteStore
from ehelsekg.store.terms import QueryResult
from ehelsekg.views.build import build_view
from tests.oxigraph_server import running_oxigraph
from tests.server_process import free_port
from tests.test_named_queries import EXAMPLES

SETTINGS = Settings()
QUERY_NAMES = sorted(path.stem for path in SETTINGS.queries_dir.glob("*.rq"))
CHECKS = sorted(SETTINGS.queries_dir.glob("checks/*.rq"))
CASES = [(name, params) for name in QUERY_NAMES for params in EXAMPLES.get(name, [{}])]
EX = "http://example.org/"


@pytest.fixture(scope="module")
def query_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db") as url:
        yield url


@pytest.fixture(scope="module")
def remote(settings: Settings, query_url: str) -> KnowledgeGraph:
    """The bundled data loaded into the Oxigraph server through the remote store."""
    return open_knowledge_graph(settings, store=f"sparql:{query_url}")


_CONCAT = re.compile(r'GROUP_CONCAT\(.*?;\s*separator\s*=\s*"([^"]+)"\s*\)\s+AS\s+\?(\w+)', re.I)


def _concatenated(query: str) -> dict[str, str]:
    """The GROUP_CONCAT columns of a query and their separators."""
    return {variable: separator for separator, variable in _CONCAT.findall(query)}


def _value(term: Node | None, separator: str | None) -> object:
    # Blank node labels are the engine's own; only that a blank node stands there compares.
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:"
    if separator is not None:
        # SPARQL leaves the order of GROUP_CONCAT's values open; the engine follows storage.
        return tuple(sorted(str(term).split(separator)))
    return term.n3()


def _answer(result: QueryResult, concatenated: dict[str, str]) -> object:
    if result.kind == "ask":
        return result.boolean
    rows = Counter(
        tuple(sorted((k, _value(v, concatenated.get(k))) for k, v in record.items()))
        for record in result.records()
    )
    return sorted(result.variables), rows, result.truncated


def _same(remote: QueryResult, embedded: QueryResult, query: str = "") -> None:
    assert remote.kind == embedded.kind
    if remote.kind == "graph":
        assert isomorphic(remote.graph, embedded.graph)
    else:
        concatenated = _concatenated(query)
        assert _answer(remote, concatenated) == _answer(embedded, concatenated)


def test_the_remote_store_holds_the_same_graphs_and_quads(
    remote: KnowledgeGraph, knowledge: KnowledgeGraph
) -> None:
    assert isinstance(remote.store, RemoteStore)
    assert remote.store.graph_names() == knowledge.store.graph_names()
    assert DEFAULT_COPY not in remote.store.graph_names()
    assert len(remote.store) == len(knowledge.store)
    assert isomorphic(remote.store.export(), knowledge.store.export())
    inferred = [INFERRED_GRAPH]
    assert set(remote.store.triples(inferred)) == set(knowledge.store.triples(inferred))


@pytest.mark.parametrize("include_inferred", [True, False], ids=["inferred", "asserted"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}{p or ''}" for n, p in CASES])
def test_every_named_query_answers_as_on_the_embedded_store(
    name: str,
    params: dict[str, str],
    include_inferred: bool,
    remote: KnowledgeGraph,
    knowledge: KnowledgeGraph,
    catalogue: Catalogue,
) -> None:
    answers = [
        catalogue.run(name, params, k.store, include_inferred=include_inferred)
        for k in (remote, knowledge)
    ]
    _same(*answers, catalogue.get(name).text)


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_every_quality_check_answers_as_on_the_embedded_store(
    path: Path, remote: KnowledgeGraph, knowledge: KnowledgeGraph
) -> None:
    text = path.read_text(encoding="utf-8")
    _same(remote.store.query(text), knowledge.store.query(text))


def test_dataset_bindings_base_and_row_cap_mean_the_same(
    remote: KnowledgeGraph, knowledge: KnowledgeGraph
) -> None:
    graph = str(remote.store.graph_names()[0])
    asks: list[tuple[str, dict[str, object]]] = [
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"dataset": ([graph], [])}),
        ("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"dataset": ([], [graph])}),
        ("SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p", {"max_rows": 7}),
        ("CONSTRUCT WHERE { ?s a ?o }", {"max_rows": 3}),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"bindings": {"o": URIRef(graph)}}),
        ("ASK { <relative> ?p ?o }", {"base_iri": EX}),
    ]
    for text, options in asks:
        found = remote.store.query(text, **options)  # type: ignore[arg-type]
        expected = knowledge.store.query(text, **options)  # type: ignore[arg-type]
        assert found.truncated == expected.truncated, text
        if found.kind == "graph":
            assert len(found.graph) == len(expected.graph) == 3
        else:
            _same(found, expected)


def test_critical_path_and_views_are_the_same(
    remote: KnowledgeGraph, knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    paths = []
    for k in (remote, knowledge):
        network = build_network(k.store, catalogue)
        paths.append(
            analysis.critical_path(network, analysis.resolve_node(network, "rmservice:pll"))
        )
    assert paths[0].to_json() == paths[1].to_json()
    for name, params in [("goal", {"goal": "4"}), ("roadmap", {})]:
        views = [build_view(name, params, k.store, catalogue) for k in (remote, knowledge)]
        assert views[0].title == views[1].title
        assert sorted(n.id for n in views[0].nodes) == sorted(n.id for n in views[1].nodes)
        assert len(views[0].edges) == len(views[1].edges)


def test_a_syntax_error_is_rejected_with_the_servers_message(remote: KnowledgeGraph) -> None:
    with pytest.raises(RejectedQueryError, match=r"1:\d+"):
        remote.store.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(RejectedQueryError, match="nothing was changed"):
        remote.store.update("INSERT DATA { <http://example.org/a> }")


def test_an_unreachable_endpoint_is_a_clear_error(settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(RemoteStoreError, match=f"{url}: cannot reach the SPARQL endpoint"):
        open_knowledge_graph(settings, store=f"sparql:{url}")
    result = CliRunner().invoke(main, ["query", "goals", "--store", f"sparql:{url}"])
    assert result.exit_code == RemoteStoreError.exit_code
    assert url in result.output


def test_store_urls_give_the_protocol_endpoints() -> None:
    oxigraph = Endpoints.parse("http://127.0.0.1:7878/query")
    assert (oxigraph.update, oxigraph.store) == (
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    fuseki = Endpoints.parse("https://kg.example.org/ds/query")
    assert (fuseki.update, fuseki.store) == (
        "https://kg.example.org/ds/update",
        "https://kg.example.org/ds/data",
    )
    virtuoso = Endpoints.parse(
        "http://h:8890/sparql;update=http://h:8890/sparql-auth"
        ";store=http://h:8890/sparql-graph-crud-auth;timeout=120"
    )
    assert virtuoso.update == "http://h:8890/sparql-auth"
    assert virtuoso.store == "http://h:8890/sparql-graph-crud-auth"
    assert virtuoso.timeout == 120
    assert Endpoints.parse("http://h/sparql").store is None
    assert Endpoints.parse("http://h/sparql;sync=copy").sync == "copy"
    assert Endpoints.parse("http://h/query;store=none").store is None
    with pytest.raises(RemoteStoreError, match="http"):
        Endpoints.parse("localhost:7878/query")
    assert isinstance(open_store("sparql:http://127.0.0.1:7878/query"), RemoteStore)


def test_without_the_graph_store_protocol_graphs_are_read_and_written_by_sparql(
    remote: KnowledgeGraph, query_url: str
) -> None:
    plain: Store = open_store(f"sparql:{query_url};store=none;sync=copy")
    assert isinstance(plain, RemoteStore) and plain.endpoints.store is None
    assert set(plain.triples([INFERRED_GRAPH])) == set(remote.store.triples([INFERRED_GRAPH]))
    graph = URIRef(EX + "no-graph-store")
    triple = (URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b"))
    plain.replace_graph(graph, [triple])
    try:
        assert triple in set(remote.store.asserted_triples())
        assert remote.store.query(f"ASK {{ <{EX}a> <{EX}p> <{EX}b> }}").boolean is True
    finally:
        plain.replace_graph(graph, [])
    assert triple not in set(remote.store.asserted_triples())
    assert graph not in remote.store.graph_names()
    plain.update(f"INSERT DATA {{ <{EX}a> <{EX}p> <{EX}c> }}")
    try:
        assert remote.store.query(f"ASK {{ <{EX}a> <{EX}p> <{EX}c> }}").boolean is True
    finally:
        plain.update(f"DELETE DATA {{ <{EX}a> <{EX}p> <{EX}c> }}")
    assert remote.store.query(f"ASK {{ <{EX}a> <{EX}p> <{EX}c> }}").boolean is False


def test_the_update_gate_works_through_the_remote_store(
    remote: KnowledgeGraph, settings: Settings
) -> None:
    check_update_gate(remote, settings)


def check_update_gate(knowledge: KnowledgeGraph, settings: Settings) -> None:
    """Through ``knowledge``'s store: an update that makes a Violation is refused whole and
    leaves the store as it was; a valid one is applied, asserted, and queries still answer."""
    service = KnowledgeService(knowledge, settings)
    store = knowledge.store
    before = len(store)
    try:
        refused = service.update(
            f"INSERT DATA {{ <{EX}first-half> <{EX}p> 1 }} ;\n"
            f"INSERT DATA {{ <{EX}bad-measure> a <https://w3id.org/ehelsekg/ontology#Measure> }}"
        )
        assert refused.applied is False
        assert len(store) == before
        assert store.query(f"ASK {{ <{EX}first-half> ?p ?o }}").boolean is False
        accepted = service.update(f"INSERT DATA {{ <{EX}fine> <{EX}p> 1 }}")
        assert accepted.applied is True
        assert store.query(f"ASK {{ <{EX}fine> <{EX}p> 1 }}").boolean is True
        assert store.query(f"ASK {{ <{EX}fine> ?p ?o }}", include_inferred=False).boolean is True
        assert (URIRef(f"{EX}fine"), URIRef(f"{EX}p")) in {
            (s, p) for s, p, _ in store.asserted_triples()
        }
        assert service.named("goals", {})[0].rows
        # A read answered in the event loop would wait there on the remote store.
        assert service.inline.limit == 0
    finally:
        service.close()
        store.update(f"DELETE DATA {{ <{EX}fine> <{EX}p> 1 }}")
        knowledge.refresh_inferences()
    assert len(store) == before


def test_a_lost_endpoint_is_a_503_in_the_one_error_shape(
    settings: Settings, tmp_path: Path
) -> None:
    """The store's server goes away while ours runs: requests get 503 store-unavailable."""
    from fastapi.testclient import TestClient

    from server.app import create_app

    with ExitStack() as oxigraph:
        url = oxigraph.enter_context(running_oxigraph(tmp_path / "db"))
        knowledge = open_knowledge_graph(settings, store=f"sparql:{url}")
        app = create_app(replace(settings, workers=1), knowledge=knowledge)
        with TestClient(app) as client:
            assert client.get("/queries/goals").status_code == 200
            oxigraph.close()
            answer = client.get("/queries/goals")
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "store-unavailable"
    assert url.split("/query")[0] in error["message"]
