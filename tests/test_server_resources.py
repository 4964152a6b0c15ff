"""The Graph Store Protocol, /resource/ pages and the query page, in-process.

Expected values come from the bundled data: measure 181 is "Kjernejournal dokumentdeling" in
data/2022-09-portfolio-report.ttl (derived from report:2022-09, assessed by
assessment:2022-09-181), and data/reference/actors.ttl is loaded into
graph:data/reference/actors.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from server import create_app

TOKEN = "t"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
MEASURE_181 = URIRef("https://w3id.org/ehelsekg/id/measure/181")
ACTORS_GRAPH = "https://w3id.org/ehelsekg/graph/data/reference/actors"
MINE = "http://example.org/graph/mine"
EX = "http://example.org/"
#: A status assessment breaking ehs:StatusAssessmentShape: no measure, no report, and a
#: status that is not a concept.
BROKEN = f"""@prefix ehk: <https://w3id.org/ehelsekg/ontology#> .
<{EX}bad> a ehk:StatusAssessment ; ehk:status "purple" .
"""


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(update_token=TOKEN))) as client:
        yield client


@pytest.fixture
def writer() -> Iterator[TestClient]:
    """An app of its own for each test that writes, so tests cannot see each other's writes."""
    with TestClient(create_app(Settings(update_token=TOKEN))) as client:
        yield client


def ask(client: TestClient, pattern: str) -> bool:
    response = client.get(
        "/sparql",
        params={"query": f"ASK {{ {pattern} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def assert_error(response: object, status: int) -> dict[str, object]:
    """The response has ``status`` and the one JSON error shape."""
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    error: dict[str, object] = body["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return error


def parse(text: str, media_type: str) -> Graph:
    return Graph().parse(data=text, format=RDF_FORMATS[media_type])


################################################################ Graph Store: reads


@pytest.mark.parametrize("media_type", RDF_FORMATS)
def test_default_graph_in_each_format(client: TestClient, media_type: str) -> None:
    response = client.get("/graph-store?default", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    graph = parse(response.text, media_type)
    assert (MEASURE_181, RDFS.label, Literal("Kjernejournal dokumentdeling", lang="nb")) in graph
    assert (MEASURE_181, DCTERMS.identifier, Literal("181")) in graph


def test_default_graph_is_turtle_without_preference(client: TestClient) -> None:
    response = client.get("/graph-store", params={"default": ""})
    assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("media_type", RDF_FORMATS)
def test_per_file_graph_is_the_file(
    client: TestClient, media_type: str, settings: Settings
) -> None:
    response = client.get(
        "/graph-store", params={"graph": ACTORS_GRAPH}, headers={"Accept": media_type}
    )
    assert response.status_code == 200, response.text
    expected = Graph().parse(settings.data_dir / "reference" / "actors.ttl", format="turtle")
    assert isomorphic(parse(response.text, media_type), expected)


def test_unknown_graph_is_404(client: TestClient) -> None:
    response = client.get("/graph-store", params={"graph": "http://example.org/no-such-graph"})
    assert "no-such-graph" in str(assert_error(response, 404)["message"])


def test_unacceptable_type_is_406(client: TestClient) -> None:
    assert_error(client.get("/graph-store?default", headers={"Accept": "image/png"}), 406)


@pytest.mark.parametrize("query", ["", "?graph=http://a/&default", "?graph=not-an-iri"])
def test_graph_must_be_named_once(client: TestClient, query: str) -> None:
    assert_error(client.get("/graph-store" + query), 400)


################################################################ Graph Store: writes


def test_writes_need_the_token(client: TestClient) -> None:
    body = f"<{EX}s> <{EX}p> <{EX}o> ."
    turtle = {"Content-Type": "text/turtle"}
    target = {"graph": MINE}
    assert_error(client.put("/graph-store", params=target, content=body, headers=turtle), 401)
    assert_error(client.post("/graph-store", params=target, content=body, headers=turtle), 401)
    assert_error(client.delete("/graph-store", params=target), 401)
    wrong = {**turtle, "Authorization": "Bearer wrong"}
    assert_error(client.put("/graph-store", params=target, content=body, headers=wrong), 401)
    cross_site = {**turtle, **AUTH, "Origin": "https://elsewhere.example"}
    assert_error(client.put("/graph-store", params=target, content=body, headers=cross_site), 403)
    assert not ask(client, f"GRAPH <{MINE}> {{ ?s ?p ?o }}")


def test_without_a_configured_token_writes_are_refused() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.put(
            "/graph-store",
            params={"graph": MINE},
            content=f"<{EX}s> <{EX}p> <{EX}o> .",
            headers={"Content-Type": "text/turtle", **AUTH},
        )
        assert assert_error(response, 403)["code"] == "read-only"


def test_put_post_delete_a_named_graph(writer: TestClient) -> None:
    turtle = {"Content-Type": "text/turtle", **AUTH}
    first = f"<{EX}s> <{EX}p> 'one' , [ <{EX}q> 1 ] ."
    response = writer.put("/graph-store", params={"graph": MINE}, content=first, headers=turtle)
    assert response.status_code == 201, response.text
    assert response.json()["applied"] is True
    assert ask(writer, f"GRAPH <{MINE}> {{ <{EX}s> <{EX}p> 'one' }}")
    stored = writer.get("/graph-store", params={"graph": MINE}, headers={"Accept": "text/turtle"})
    assert isomorphic(parse(stored.text, "text/turtle"), Graph().parse(data=first))

    second = json.dumps({"@context": {"p": f"{EX}p"}, "@id": f"{EX}s", "p": "two"})
    response = writer.put(
        "/graph-store",
        params={"graph": MINE},
        content=second,
        headers={"Content-Type": "application/ld+json", **AUTH},
    )
    assert response.status_code == 200, response.text
    assert ask(writer, f"GRAPH <{MINE}> {{ <{EX}s> <{EX}p> 'two' }}")
    assert not ask(writer, f"GRAPH <{MINE}> {{ <{EX}s> <{EX}p> 'one' }}")

    third = f'<{EX}s> <{EX}p> "three" .\n'
    response = writer.post(
        "/graph-store",
        params={"graph": MINE},
        content=third,
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert response.status_code == 200, response.text
    assert ask(writer, f"GRAPH <{MINE}> {{ <{EX}s> <{EX}p> 'two', 'three' }}")

    response = writer.delete("/graph-store", params={"graph": MINE}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert not ask(writer, f"GRAPH <{MINE}> {{ ?s ?p ?o }}")
    assert_error(writer.get("/graph-store", params={"graph": MINE}), 404)
    assert_error(writer.delete("/graph-store", params={"graph": MINE}, headers=AUTH), 404)


def test_post_to_the_default_graph(writer: TestClient) -> None:
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}thing"><ex:note>added</ex:note></rdf:Description>
</rdf:RDF>"""
    response = writer.post(
        "/graph-store?default",
        content=xml,
        headers={"Content-Type": "application/rdf+xml", **AUTH},
    )
    assert response.status_code == 200, response.text
    assert ask(writer, f"<{EX}thing> <{EX}note> 'added'")


def test_data_breaking_a_shape_is_refused_and_nothing_changes(writer: TestClient) -> None:
    def default_graph() -> Graph:
        response = writer.get("/graph-store?default", headers={"Accept": "application/n-triples"})
        return parse(response.text, "application/n-triples")

    before = default_graph()
    response = writer.post(
        "/graph-store?default", content=BROKEN, headers={"Content-Type": "text/turtle", **AUTH}
    )
    error = assert_error(response, 422)
    assert error["code"] == "shapes-violated"
    assert f"{EX}bad" in json.dumps(error["details"])
    assert isomorphic(default_graph(), before)


def test_refused_write_is_not_visible_to_queries(writer: TestClient) -> None:
    response = writer.post(
        "/graph-store?default", content=BROKEN, headers={"Content-Type": "text/turtle", **AUTH}
    )
    assert_error(response, 422)
    for _ in range(3):  # whichever worker answers
        assert not ask(writer, f"<{EX}bad> ?p ?o")


@pytest.mark.parametrize(
    "graph", [ACTORS_GRAPH, "https://w3id.org/ehelsekg/graph/inferred"], ids=["file", "inferred"]
)
def test_file_and_inferred_graphs_are_read_only(client: TestClient, graph: str) -> None:
    body = f"<{EX}s> <{EX}p> <{EX}o> ."
    headers = {"Content-Type": "text/turtle", **AUTH}
    for method in ("PUT", "POST"):
        response = client.request(
            method, "/graph-store", params={"graph": graph}, content=body, headers=headers
        )
        assert assert_error(response, 403)["code"] == "read-only"
    assert_error(client.delete("/graph-store", params={"graph": graph}, headers=AUTH), 403)
    assert not ask(client, f"<{EX}s> ?p ?o")


def test_default_graph_cannot_be_replaced_or_deleted(client: TestClient) -> None:
    response = client.put(
        "/graph-store?default", content="", headers={"Content-Type": "text/turtle", **AUTH}
    )
    assert_error(response, 405)
    assert_error(client.delete("/graph-store?default", headers=AUTH), 405)
    assert ask(client, f"<{MEASURE_181}> ?p ?o")


def test_rdf_xml_with_a_doctype_is_refused(client: TestClient) -> None:
    laughs = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY a "ha"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/laugh"><ex:p>&b;</ex:p></rdf:Description>
</rdf:RDF>"""
    response = client.post(
        "/graph-store",
        params={"graph": MINE},
        content=laughs,
        headers={"Content-Type": "application/rdf+xml", **AUTH},
    )
    assert "DOCTYPE" in str(assert_error(response, 400)["message"])
    assert not ask(client, f"GRAPH ?g {{ <{EX}laugh> ?p ?o }}")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on 127.0.0.1 that records whether anything connected to it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        sock.settimeout(0.3)
        yield sock


@pytest.mark.parametrize(
    "context",
    [
        "{url}",
        ["{url}", {"p": "http://example.org/p"}],
        {"@import": "{url}", "p": "http://example.org/p"},
        {"p": {"@id": "http://example.org/p", "@context": "{url}"}},
    ],
    ids=["string", "list", "import", "scoped"],
)
def test_json_ld_with_a_remote_context_is_refused_unfetched(
    client: TestClient, listener: socket.socket, context: object
) -> None:
    port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}/context.jsonld"
    document = json.dumps({"@context": context, "@id": f"{EX}remote", "p": "x"})
    response = client.post(
        "/graph-store",
        params={"graph": MINE},
        content=document.replace("{url}", url),
        headers={"Content-Type": "application/ld+json", **AUTH},
    )
    assert_error(response, 400)
    with pytest.raises(TimeoutError):
        listener.accept()
    assert not ask(client, f"GRAPH ?g {{ <{EX}remote> ?p ?o }}")


def test_syntax_error_is_400_with_the_parsers_message(client: TestClient) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": MINE},
        content=f"<{EX}s> <{EX}p> .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    message = str(assert_error(response, 400)["message"])
    assert "line 1" in message and "not a valid RDF object" in message


def test_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": MINE},
        content="<p>hi</p>",
        headers={"Content-Type": "text/html", **AUTH},
    )
    assert_error(response, 415)


def test_body_over_the_limit_is_413() -> None:
    with TestClient(create_app(Settings(update_token=TOKEN, max_body_bytes=200))) as client:
        response = client.post(
            "/graph-store",
            params={"graph": MINE},
            content=f"<{EX}s> <{EX}p> '{'x' * 300}' .",
            headers={"Content-Type": "text/turtle", **AUTH},
        )
        assert_error(response, 413)


################################################################ /resource/ and /id/


def test_measure_page_in_html(client: TestClient) -> None:
    response = client.get("/resource/measure/181", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>181 Kjernejournal dokumentdeling" in page
    assert 'href="/resource/report/2022-09"' in page
    assert 'href="/resource/assessment/2022-09-181"' in page
    assert "?format=ttl" in page and "?format=jsonld" in page


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/ld+json", "application/n-triples"]
)
def test_measure_in_rdf(client: TestClient, media_type: str) -> None:
    response = client.get("/resource/measure/181", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    graph = parse(response.text, media_type)
    assert (MEASURE_181, DCTERMS.identifier, Literal("181")) in graph
    assessment = URIRef("https://w3id.org/ehelsekg/id/assessment/2022-09-181")
    assert (
        assessment,
        URIRef("https://w3id.org/ehelsekg/ontology#assessedMeasure"),
        MEASURE_181,
    ) in graph


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/resource/measure/181?format=ttl", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert_error(client.get("/resource/measure/181?format=pdf"), 400)


@pytest.mark.parametrize(
    "path", ["/resource/measure/999999", "/resource/no-such-kind/181", "/resource/measure/a%3Eb"]
)
def test_unknown_entity_is_404(client: TestClient, path: str) -> None:
    assert_error(client.get(path, headers={"Accept": "text/html"}), 404)


def test_entity_iri_redirects_to_its_description(client: TestClient) -> None:
    response = client.get("/id/measure/181", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/resource/measure/181")
    followed = client.get("/id/measure/181", headers={"Accept": "text/turtle"})
    assert (MEASURE_181, DCTERMS.identifier, Literal("181")) in parse(followed.text, "text/turtle")


def test_text_from_the_graph_is_escaped(tmp_path: Path, settings: Settings) -> None:
    nasty = "<img src=x onerror=alert(1)>"
    path = tmp_path / "nasty.ttl"
    path.write_text(
        f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ehelsekg/id/measure/990001> rdfs:label "{nasty}"@nb ;
    rdfs:comment "</td><script>alert(2)</script>" ;
    rdfs:seeAlso <javascript:alert(3)> .
<https://w3id.org/ehelsekg/id/measure/990002> rdfs:label "<b>linker</b>" ;
    rdfs:seeAlso <https://w3id.org/ehelsekg/id/measure/990001> .
""",
        encoding="utf-8",
    )
    knowledge = open_knowledge_graph(settings, only=[path])
    with TestClient(create_app(settings, knowledge=knowledge)) as client:
        page = client.get("/resource/measure/990001", headers={"Accept": "text/html"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    assert "&lt;b&gt;linker&lt;/b&gt;" in page
    assert 'href="javascript:' not in page


################################################################ the query page and /docs


def external_urls(html: str) -> list[str]:
    return re.findall(r"(?:https?:)?//[^\s\"'<>]+", html)


def test_query_page_loads_yasgui_from_the_app(client: TestClient) -> None:
    response = client.get("/query", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert 'src="/static/yasgui/yasgui.min.js"' in page
    assert 'href="/static/yasgui/yasgui.min.css"' in page
    assert 'data-endpoint="/sparql"' in page
    assert external_urls(page) == []
    for reference in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert reference.startswith("/"), reference
        status = client.get(reference).status_code
        assert status == 200, f"{reference}: {status}"


def test_query_page_lists_every_named_query(client: TestClient, catalogue: Catalogue) -> None:
    page = client.get("/query").text
    for name in catalogue.names():
        assert f'data-query="{name}"' in page
    named = client.get("/query/named-queries.json").json()
    assert [q["name"] for q in named] == catalogue.names()


def test_named_query_texts_for_the_editor_parse(client: TestClient) -> None:
    named = client.get("/query/named-queries.json").json()
    for query in named:
        ox.Store().query(query["text"])
    by_name = {q["name"]: q["text"] for q in named}
    # report=latest is bound to the latest report with assessments (2022-09, see reports.ttl).
    assert (
        "VALUES ?report { <https://w3id.org/ehelsekg/id/report/2022-09> }"
        in by_name["operating-cost-growth"]
    )
    assert "# VALUES ?goal { … }" in by_name["measures-by-goal"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/yasgui/yasgui.min.js",
        "/static/yasgui/yasgui.min.css",
        "/static/ui/query.js",
        "/static/swagger-ui/swagger-ui-bundle.js",
    ],
)
def test_static_files_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.content) > 1000


def test_docs_are_self_hosted(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page
    assert external_urls(page) == []
    assert_error(client.get("/redoc"), 404)


def test_openapi_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/graph-store", "/resource/{kind}/{key}", "/id/{kind}/{key}", "/", "/sparql"):
        assert path in paths
    assert {"get", "put", "post", "delete"} <= set(paths["/graph-store"])
