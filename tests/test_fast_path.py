"""GET /sparql?query=… and GET /queries/{name} are answered before FastAPI's middleware and
routing (server/fast_path.py); a request with an Origin header goes through the whole stack,
so that CORS is decided in one place. Both ways must answer alike: status, body, content
type, the truncation header, the security headers and the one JSON error shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient

from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from server import create_app
from tests.test_server_safety import ALLOWED_ORIGIN, assert_error_shape

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/ehelsekg/id/measure/181> ?p ?o }"
#: (method, path, query string, Accept): the fast path's cases, answers and errors alike.
REQUESTS = [
    ("GET", "/sparql", {"query": POINT}, "application/sparql-results+json"),
    ("GET", "/sparql", {"query": POINT}, "text/csv"),
    ("GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}, "application/sparql-results+xml"),
    ("GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"}, "text/turtle"),
    ("GET", "/sparql", {"query": "SELECT * WHERE {"}, "application/sparql-results+json"),
    ("GET", "/sparql", {"query": POINT}, "image/png"),
    ("HEAD", "/sparql", {"query": POINT}, "application/sparql-results+json"),
    ("GET", "/queries/goals", {}, "application/json"),
    ("GET", "/queries/goals", {"format": "csv"}, "application/json"),
    ("GET", "/queries/measures-by-goal", {"goal": "4"}, "text/csv"),
    ("GET", "/queries/measures-by-goal", {"goal": "99"}, "application/json"),
    ("GET", "/queries/measures-by-goal", {}, "application/json"),
    ("GET", "/queries/no-such-query", {}, "application/json"),
    ("GET", "/queries/goals", {"inferred": "false"}, "image/png"),
]
COMPARED = ("content-type", "x-result-truncated", "x-content-type-options", "referrer-policy")


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    allowing = replace(settings, cors_origins=(ALLOWED_ORIGIN,), workers=1)
    app = create_app(allowing, knowledge=open_knowledge_graph(allowing))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(("method", "path", "params", "accept"), REQUESTS)
def test_the_fast_path_answers_as_the_routes_do(
    client: TestClient, method: str, path: str, params: dict[str, str], accept: str
) -> None:
    fast = client.request(method, path, params=params, headers={"Accept": accept})
    routed = client.request(
        method, path, params=params, headers={"Accept": accept, "Origin": ALLOWED_ORIGIN}
    )
    assert routed.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN, "went the stack"
    assert "access-control-allow-origin" not in fast.headers, "answered by the fast path"
    assert fast.status_code == routed.status_code, (fast.text, routed.text)
    assert fast.content == routed.content
    for name in COMPARED:
        assert fast.headers.get(name) == routed.headers.get(name), name
    assert fast.headers["x-content-type-options"] == "nosniff"
    if fast.status_code >= 400:
        assert_error_shape(
            httpx.Response(fast.status_code, headers=fast.headers, content=fast.content),
            fast.status_code,
        )


def test_a_named_query_answers_in_its_own_json_shape(client: TestClient) -> None:
    answer = client.get("/queries/measures-by-goal", params={"goal": "4"})
    assert answer.status_code == 200
    document = answer.json()
    assert set(document) == {"query", "title", "parameters", "variables", "rows", "truncated"}
    assert document["query"] == "measures-by-goal"
    assert document["parameters"] == {"goal": "4"}
    assert document["rows"] and set(document["rows"][0]) <= set(document["variables"])
    assert answer.headers["x-result-truncated"] == "false"
