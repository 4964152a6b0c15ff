"""The W3C SPARQL 1.1 Protocol test manifest, run against a real server over HTTP.

Every ``mf:ProtocolTest`` of ``tests/w3c/sparql11-protocol/manifest.ttl`` (the manifest of
w3c/rdf-tests ``sparql/sparql11/protocol/``, vendored with its licence: ``tests/w3c/``) becomes
one test, in manifest order, named by its local name. Its requests are sent as the manifest
writes them — method, path (``/sparql/`` is the server's ``/sparql/``), query string, headers,
and the body in its stated character encoding — **plus our ``Authorization: Bearer`` header**:
the manifest's update tests send no credentials, and this endpoint takes updates only with the
configured token. Each response is checked against the manifest: the status class
(``mf:expectedStatus``), the ASK answer (``mf:expectedBoolean``) and the kind of result
(``mf:expectedFormat``: a boolean, a table or an RDF graph, in a media type that carries it and
that parses). An error must also come in the server's one JSON error shape.

The server is ``ehelsekg serve --only <folder with data1.nt, data2.nt, data3.nt>`` with an
update token. Nothing is ever fetched, so, as ``tests/w3c/README.md`` explains, the documents a test
names are made graphs of the store before it runs, through the endpoint itself (an authorised
SPARQL Update): each ``ut:graphData`` file into a graph named by its ``rdfs:label``. Any other
graph IRI a request names in ``default-graph-uri``/``named-graph-uri``/``using-graph-uri``/
``using-named-graph-uri`` (such as ``…/data0.rdf``, for which the manifest has no data) is not
made: the endpoint treats it as an empty graph, as the protocol has it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import url2pathname

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from tests.server_process import running_server

SUITE = Path(__file__).resolve().parent / "w3c" / "sparql11-protocol"
MANIFEST = SUITE / "manifest.ttl"
TOKEN = "w3c-protocol-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: The protocol's parameters that name graphs of the dataset.
GRAPH_PARAMETERS = (
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
)
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"


@dataclass(frozen=True)
class Expected:
    """What the manifest says a response must be."""

    status_classes: frozenset[int]
    boolean: bool | None
    format: str | None


@dataclass(frozen=True)
class ManifestRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graph_data: tuple[tuple[Path, str], ...]
    requests: tuple[ManifestRequest, ...]

    def graph_iris(self) -> list[str]:
        """Every graph IRI the test's requests name in a dataset parameter."""
        named = []
        for request in self.requests:
            query = parse_qs(urlsplit(request.path).query)
            for parameter in GRAPH_PARAMETERS:
                named += [iri for iri in query.get(parameter, []) if iri not in named]
        return named


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return [] if head is None else list(Collection(graph, head))


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return None if value is None else str(value)


def _local_file(uri: Node | None) -> Path:
    assert uri is not None
    return Path(url2pathname(urlsplit(str(uri)).path))


def _request(graph: Graph, node: Node) -> ManifestRequest:
    headers = tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _items(graph, graph.value(node, HT.headers))
    )
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = _text(graph, content, CNT.characterEncoding) or "UTF-8"
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    assert response is not None
    statuses: dict[Node, int] = {
        HTS.StatusCode2xx: 2,
        HTS.StatusCode3xx: 3,
        HTS.StatusCode4xx: 4,
        HTS.StatusCode5xx: 5,
    }
    boolean = graph.value(response, MF.expectedBoolean)
    return ManifestRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        expected=Expected(
            status_classes=frozenset(
                statuses[s] for s in graph.objects(response, MF.expectedStatus)
            ),
            boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
            format=_text(graph, response, MF.expectedFormat),
        ),
    )


def load_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """The manifest's protocol tests, in the order of its ``mf:entries``."""
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        assert (entry, RDF.type, MF.ProtocolTest) in graph, entry
        action = graph.value(entry, MF.action)
        graph_data = tuple(
            (_local_file(graph.value(data, UT.graph)), str(graph.value(data, RDFS.label)))
            for data in graph.objects(entry, UT.graphData)
        )
        tests.append(
            ProtocolTest(
                name=str(entry).rpartition("#")[2],
                title=str(graph.value(entry, MF.name)),
                graph_data=tuple(sorted(graph_data, key=lambda pair: pair[1])),
                requests=tuple(
                    _request(graph, r) for r in _items(graph, graph.value(action, HT.requests))
                ),
            )
        )
    return tests


TESTS = load_manifest()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on the W3C data files, writable with TOKEN."""
    folder = tmp_path_factory.mktemp("w3c-protocol-data")
    for data in sorted(SUITE.glob("data*.nt")):
        shutil.copy(data, folder / data.name)
    environment = {"EHELSEKG_UPDATE_TOKEN": TOKEN, "EHELSEKG_WORKERS": "1"}
    with running_server(environment=environment, only=[folder]) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as http:
        yield http


def _prepare_graphs(client: httpx.Client, test: ProtocolTest) -> None:
    """Load the test's ``ut:graphData`` into the graphs it names, as the manifest says. Any
    other graph a request names is left to the endpoint: one the store does not hold is an
    empty graph (nothing is fetched), and an update may create its own USING graph."""
    operations = []
    for path, name in test.graph_data:
        triples = Graph().parse(path, format="nt").serialize(format="nt")
        operations.append(f"INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}")
    if not operations:
        return
    response = client.post(
        "/sparql",
        content=" ;\n".join(operations).encode("utf-8"),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 200, response.text


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).partition(";")[0].strip().lower()


def _boolean(response: httpx.Response) -> bool:
    media_type = _media_type(response)
    assert media_type in BOOLEAN_TYPES, f"{media_type} cannot carry an ASK answer"
    if media_type.endswith("json"):
        answer = json.loads(response.content)["boolean"]
        assert isinstance(answer, bool), response.text
        return answer
    element = ET.fromstring(response.content).find(f"{RESULTS_XML}boolean")
    assert element is not None and element.text in ("true", "false"), response.text
    return element.text == "true"


def _check_table(response: httpx.Response) -> None:
    media_type = _media_type(response)
    assert media_type in TABULAR_TYPES, f"{media_type} is not a SPARQL results format"
    if media_type.endswith("json"):
        document = json.loads(response.content)
        assert isinstance(document["head"]["vars"], list)
        assert isinstance(document["results"]["bindings"], list)
    elif media_type.endswith("xml"):
        root = ET.fromstring(response.content)
        assert root.find(f"{RESULTS_XML}results") is not None, response.text
    else:
        delimiter = "," if media_type == "text/csv" else "\t"
        rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
        assert rows, "a table has at least its header row"


def _check_graph(response: httpx.Response) -> None:
    media_type = _media_type(response)
    assert media_type in RDF_TYPES, f"{media_type} is not an RDF format"
    Graph().parse(data=response.content, format=RDF_TYPES[media_type])


def _check_error_shape(response: httpx.Response) -> None:
    error = response.json()["error"]
    assert error["status"] == response.status_code
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


def _check(response: httpx.Response, expected: Expected) -> None:
    where = f"{response.request.method} {response.request.url} → {response.status_code}"
    assert response.status_code // 100 in expected.status_classes, f"{where}: {response.text}"
    if response.status_code >= 400:
        _check_error_shape(response)
    if expected.format == "boolean" or expected.boolean is not None:
        answer = _boolean(response)
        if expected.boolean is not None:
            assert answer is expected.boolean, f"{where}: {response.text}"
    elif expected.format == "tabular":
        _check_table(response)
    elif expected.format == "RDF":
        _check_graph(response)
    else:
        assert expected.format is None, f"unknown mf:expectedFormat {expected.format}"


def test_manifest_has_every_protocol_test() -> None:
    """The runner reads all 34 tests of the manifest, each with at least one request."""
    assert len(TESTS) == 34
    assert all(test.requests for test in TESTS)


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_protocol(test: ProtocolTest, client: httpx.Client) -> None:
    _prepare_graphs(client, test)
    for request in test.requests:
        assert request.path.startswith("/sparql/"), request.path
        response = client.request(
            request.method,
            request.path,
            headers=[*request.headers, *AUTH.items()],
            content=request.body,
        )
        _check(response, request.expected)


def test_clear_all_leaves_the_read_only_graphs(client: httpx.Client) -> None:
    """The manifest's CLEAR ALL / DROP ALL must succeed, but the per-file graphs and the
    inferred graph are read-only: ALL and NAMED reach only the graphs updates may write."""
    written = "http://example.org/protocol-clear-all-test/"
    update = (
        f"INSERT DATA {{ GRAPH <{written}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
    )
    for text in (update, "DROP ALL"):
        response = client.post(
            "/sparql",
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update", **AUTH},
        )
        assert response.status_code == 200, response.text
    ask = f"""ASK {{
  FILTER NOT EXISTS {{ GRAPH <{written}> {{ ?s ?p ?o }} }}
  GRAPH ?ontology {{ ?class a <http://www.w3.org/2002/07/owl#Class> }}
  FILTER(STRSTARTS(STR(?ontology), "https://w3id.org/ehelsekg/graph/ontology/"))
}}"""
    response = client.post(
        "/sparql",
        content=ask.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": BOOLEAN_TYPES[0]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True
