"""The HTTP API as real clients see it: a real server on the bundled data, on 127.0.0.1.

SPARQLWrapper and rdflib's SPARQLStore must get the answers the CLI gives (``ehelsekg sparql
… --format json|turtle``, run in-process with click's CliRunner); every result media type must
come with its Content-Type and parse; the service description, the named queries, the
critical path and /health must answer as documented in the README.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result, ResultRow
from SPARQLWrapper import GET, JSON, POST, XML, SPARQLWrapper

from ehelsekg.cli.main import main
from tests.server_process import running_server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PREFIXES = """PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
COUNT_MEASURES = PREFIXES + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ehk:Measure }"
GOALS = (
    PREFIXES
    + """SELECT ?goal ?number ?title WHERE {
  ?goal a ehk:StrategicGoal ; skos:notation ?number ; skos:prefLabel ?title
} ORDER BY xsd:integer(?number)"""
)
ASK_GOAL_4 = PREFIXES + 'ASK { ?goal a ehk:StrategicGoal ; skos:notation "4" }'
GOALS_GRAPH = (
    PREFIXES
    + """CONSTRUCT { ?goal a ehk:StrategicGoal ; skos:notation ?number ; skos:prefLabel ?title }
WHERE { ?goal a ehk:StrategicGoal ; skos:notation ?number ; skos:prefLabel ?title }"""
)
#: The strategy's five goals, as data/reference/strategies.ttl states them (from the
#: 2022 goal and initiative document, report:2022-goals).
GOAL_TITLES = [
    "Enklere arbeidshverdag",
    "Aktiv medvirkning i egen og næres helse",
    "Helsedata til fornying og forbedring",
    "Tilgjengelig informasjon og styrket samhandling",
    "Virkemidler som styrker gjennomføringskraft",
]
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A real, read-only server on the bundled data."""
    with running_server(environment={"EHELSEKG_WORKERS": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(base_url: str) -> str:
    return f"{base_url}/sparql"


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def cli(*arguments: str) -> str:
    """The CLI's standard output for ``ehelsekg ARGUMENTS``, run in-process."""
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def cli_json(query: str) -> dict[str, object]:
    document = json.loads(cli("sparql", query, "--format", "json"))
    assert isinstance(document, dict)
    return document


def cli_rows(query: str) -> list[tuple[object, ...]]:
    """The CLI's rows as rdflib terms, read by rdflib's own SPARQL JSON results parser."""
    return rows_of(
        Result.parse(io.StringIO(cli("sparql", query, "--format", "json")), format="json")
    )


def cli_graph(query: str) -> Graph:
    return Graph().parse(data=cli("sparql", query, "--format", "turtle"), format="turtle")


def wrapper(endpoint: str, query: str, *, method: str = GET, fmt: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setMethod(method)
    sparql.setReturnFormat(fmt)
    return sparql


def wrapper_json(endpoint: str, query: str, *, method: str = GET) -> dict[str, Any]:
    """SPARQLWrapper's answer in SPARQL JSON, as the dictionary it parses it into."""
    answer = wrapper(endpoint, query, method=method).queryAndConvert()
    assert isinstance(answer, dict)
    return answer


def rows_of(result: Result) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for row in result:
        assert isinstance(row, ResultRow)
        rows.append(tuple(row))
    return rows


def store_graph(endpoint: str) -> Graph:
    return Graph(store=SPARQLStore(query_endpoint=endpoint))


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].partition(";")[0].strip()


def check_error_shape(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"status", "code", "message"} <= set(error)
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["message"]


################################################################ same answers as the CLI


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", [COUNT_MEASURES, GOALS], ids=["count-measures", "goals"])
def test_sparqlwrapper_select_matches_cli(endpoint: str, query: str, method: str) -> None:
    answer = wrapper_json(endpoint, query, method=method)
    expected = cli_json(query)
    assert answer["head"] == expected["head"]
    assert answer["results"] == expected["results"]


@pytest.mark.parametrize("query", [COUNT_MEASURES, GOALS], ids=["count-measures", "goals"])
def test_sparqlstore_select_matches_cli(endpoint: str, query: str) -> None:
    assert rows_of(store_graph(endpoint).query(query)) == cli_rows(query)


def test_goals_are_the_strategy_goals(endpoint: str) -> None:
    rows = wrapper_json(endpoint, GOALS)["results"]["bindings"]
    assert [row["number"]["value"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [row["title"]["value"] for row in rows] == GOAL_TITLES
    assert all(row["title"]["xml:lang"] == "nb" for row in rows)


def test_measure_count_is_positive(endpoint: str) -> None:
    rows = wrapper_json(endpoint, COUNT_MEASURES)["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) > 0


@pytest.mark.parametrize("method", [GET, POST])
def test_ask_matches_cli(endpoint: str, method: str) -> None:
    expected = cli_json(ASK_GOAL_4)["boolean"]
    assert expected is True
    assert wrapper_json(endpoint, ASK_GOAL_4, method=method)["boolean"] is expected
    assert store_graph(endpoint).query(ASK_GOAL_4).askAnswer is expected


def test_construct_matches_cli(endpoint: str) -> None:
    expected = cli_graph(GOALS_GRAPH)
    assert len(expected) == 15  # five goals, three triples each
    from_wrapper = wrapper(endpoint, GOALS_GRAPH, fmt=XML).queryAndConvert()
    assert isinstance(from_wrapper, Graph)
    assert isomorphic(from_wrapper, expected)
    from_store = store_graph(endpoint).query(GOALS_GRAPH).graph
    assert from_store is not None
    assert isomorphic(from_store, expected)


################################################################ media types


def test_select_as_sparql_json(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": GOALS}, headers={"Accept": "application/sparql-results+json"}
    )
    assert media_type(response) == "application/sparql-results+json"
    document = json.loads(response.content)
    assert document["head"]["vars"] == ["goal", "number", "title"]
    assert [b["title"]["value"] for b in document["results"]["bindings"]] == GOAL_TITLES


def test_select_as_sparql_xml(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": GOALS}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert media_type(response) == "application/sparql-results+xml"
    root = ET.fromstring(response.content)
    names = [v.get("name") for v in root.iter(f"{RESULTS_XML}variable")]
    assert names == ["goal", "number", "title"]
    titles = [
        b.findtext(f"{RESULTS_XML}literal")
        for b in root.iter(f"{RESULTS_XML}binding")
        if b.get("name") == "title"
    ]
    assert titles == GOAL_TITLES


@pytest.mark.parametrize(
    ("accept", "delimiter", "header"),
    [
        ("text/csv", ",", ["goal", "number", "title"]),
        ("text/tab-separated-values", "\t", ["?goal", "?number", "?title"]),
    ],
    ids=["csv", "tsv"],
)
def test_select_as_csv_and_tsv(
    client: httpx.Client, accept: str, delimiter: str, header: list[str]
) -> None:
    response = client.post("/sparql", data={"query": GOALS}, headers={"Accept": accept})
    assert media_type(response) == accept
    if accept == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
    else:
        # TSV has no quoting: a tab or newline inside a term is escaped.
        rows = [line.split(delimiter) for line in response.text.splitlines()]
    assert rows[0] == header
    assert len(rows) == 1 + len(GOAL_TITLES)
    titles = [row[2] for row in rows[1:]]
    if accept == "text/csv":
        assert titles == GOAL_TITLES
    else:
        # TSV writes terms in Turtle syntax: "…"@nb.
        assert titles == [f'"{title}"@nb' for title in GOAL_TITLES]


@pytest.mark.parametrize("accept", list(RDF_FORMATS))
def test_construct_in_each_rdf_format(client: httpx.Client, accept: str) -> None:
    response = client.post(
        "/sparql",
        content=GOALS_GRAPH.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert response.status_code == 200, response.text
    assert media_type(response) == accept
    graph = Graph().parse(data=response.content, format=RDF_FORMATS[accept])
    assert isomorphic(graph, cli_graph(GOALS_GRAPH))


def test_service_description(client: httpx.Client, endpoint: str) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert media_type(response) == "text/turtle"
    description = Graph().parse(data=response.text, format="turtle")
    assert list(description.objects(None, SD.endpoint)) == [URIRef(endpoint)]


################################################################ named queries, analysis, health


def test_named_query_listing(client: httpx.Client) -> None:
    response = client.get("/queries")
    assert response.status_code == 200
    listing = {query["name"]: query for query in response.json()}
    assert "goals" in listing
    assert [p["name"] for p in listing["measures-by-goal"]["parameters"]] == ["goal"]


def test_named_query_json_matches_cli(client: httpx.Client) -> None:
    response = client.get("/queries/measures-by-goal", params={"goal": 4})
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    document = response.json()
    rows = document["rows"]
    assert rows and all(row["measure"]["type"] == "uri" for row in rows)
    expected = json.loads(cli("query", "measures-by-goal", "-p", "goal=4", "--format", "json"))
    assert document["variables"] == expected["head"]["vars"]
    assert rows == expected["results"]["bindings"]


def test_named_query_csv(client: httpx.Client) -> None:
    as_json = client.get("/queries/measures-by-goal", params={"goal": 4}).json()
    response = client.get("/queries/measures-by-goal", params={"goal": 4, "format": "csv"})
    assert response.status_code == 200
    assert media_type(response) == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == as_json["variables"]
    assert [row[0] for row in rows[1:]] == [r["measure"]["value"] for r in as_json["rows"]]


def test_named_query_bad_parameter(client: httpx.Client) -> None:
    """There are five goals: goal=9 is refused with 422 in the one error shape."""
    response = client.get("/queries/measures-by-goal", params={"goal": 9})
    check_error_shape(response, 422)
    assert "goal" in response.json()["error"]["message"]


def test_critical_path_of_pll(client: httpx.Client) -> None:
    response = client.get("/critical-path/rmservice:pll")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["target"] == "https://w3id.org/ehelsekg/id/roadmap-service/pll"
    assert result["deadlineReachable"] is True


def test_health(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["quads"] > 0 and health["graphs"] > 0
    assert health["writable"] is False
