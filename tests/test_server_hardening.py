"""The smaller faults of issue 14, each with the input that showed it, and starvation.

- deeply nested JSON-LD is a 400 (before: a 500 from a RecursionError);
- an upload under the body limit is stored even when its INSERT DATA text is larger, and the
  limits and messages name the graph sent (before: "the query is 2017877 bytes");
- a very long URL or header block gets the one JSON error shape (before: uvicorn's plain text);
- every HTML page has a Content-Security-Policy, every response nosniff and a referrer policy;
- a write's Origin must be the server's own configured origin or an allowed one, never
  whatever the Host header says (before: Origin equal to Host was accepted);
- two runaway queries cannot keep a quick query or a named query waiting (before: 9.1 s, or a
  503 "no worker was free").

In-process apps where the fault is in the app; real servers where it is in uvicorn or in the
worker processes. Limits are small to spare a 2-core machine.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pyoxigraph
import pytest
from fastapi.testclient import TestClient

from ehelsekg.errors import DataLoadError
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store import rdf_input
from server import create_app
from tests.server_process import running_server
from tests.test_server_safety import ALLOWED_ORIGIN, TOKEN, assert_error_shape

EX = "http://example.org/hardening/"
#: Runs for minutes on the bundled data and returns rows only at the end.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON_LD = {"Content-Type": "application/ld+json", "Authorization": f"Bearer {TOKEN}"}
BODY_LIMIT = 100_000


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(
        update_token=TOKEN,
        query_timeout=2.0,
        update_timeout=60.0,
        max_body_bytes=BODY_LIMIT,
        cors_origins=(ALLOWED_ORIGIN,),
        workers=1,
        host="127.0.0.1",
        port=8000,
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    """A writable app over its own copy of the bundled data."""
    app = create_app(settings, knowledge=open_knowledge_graph(settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def has(client: TestClient, pattern: str) -> bool:
    response = client.get("/sparql", params={"query": f"ASK {{ {pattern} }}"})
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


################################################################ JSON-LD depth


@pytest.mark.parametrize("opening", ["[", '{"@list": ', '{"http://example.org/p": '])
def test_deeply_nested_json_ld_is_a_400(client: TestClient, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    # 10,000 levels where the body limit allows, else as many as fit (a Python parser
    # recurses out at 1,000).
    depth = min(10_000, (BODY_LIMIT - 10) // (len(opening) + 1))
    body = opening * depth + "1" + closing * depth
    response = client.post(
        "/graph-store", params={"graph": EX + "deep"}, content=body, headers=JSON_LD
    )
    error = assert_error_shape(response, 400)
    assert "deep" in error["message"] and "100" in error["message"], error


def test_json_ld_at_the_depth_limit_is_read() -> None:
    depth = rdf_input.MAX_JSON_DEPTH
    nested = "[" * (depth - 1) + '"x"' + "]" * (depth - 1)
    document = f'{{"@id": "{EX}s", "{EX}p": {nested}}}'
    assert rdf_input.json_depth(document.encode()) == depth
    triples = rdf_input.parse_triples(
        document.encode(), "application/ld+json", base_iri="http://example.org/"
    )
    assert triples


def test_a_parser_recursion_error_is_a_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def overflow(*_args: Any, **_kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pyoxigraph, "parse", overflow)
    with pytest.raises(DataLoadError, match="nests too deeply"):
        rdf_input.parse_triples(b"<a> <b> <c> .", "text/turtle", base_iri="http://x/")


################################################################ upload limits


def _json_ld(count: int) -> bytes:
    """A JSON-LD graph of ``count`` triples whose N-Triples are about twice its size."""
    context = {"@context": {"x": EX + "a-rather-long-namespace-for-things/"}}
    items = [{"@id": f"x:s{i}", "x:label": f"v{i}"} for i in range(count)]
    return json.dumps({**context, "@graph": items}).encode()


def test_an_upload_under_the_body_limit_is_stored_though_its_insert_is_larger(
    client: TestClient,
) -> None:
    body = _json_ld(1)
    count = 1
    while len(_json_ld(count * 2)) < BODY_LIMIT * 0.95:
        count *= 2
    while len(_json_ld(count + 50)) < BODY_LIMIT * 0.95:
        count += 50
    body = _json_ld(count)
    assert 0.9 * BODY_LIMIT < len(body) < BODY_LIMIT
    graph = EX + "near-the-limit"
    insert = rdf_input.insert_data(
        rdf_input.parse_triples(body, "application/ld+json", base_iri=graph), graph
    )
    assert len(insert.encode()) > 1.5 * BODY_LIMIT, "the INSERT DATA should be the larger"
    response = client.put("/graph-store", params={"graph": graph}, content=body, headers=JSON_LD)
    assert response.status_code == 201, response.text
    count_query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = client.get("/sparql", params={"query": count_query}).json()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == count


def test_an_upload_over_the_body_limit_is_refused_naming_the_graph(client: TestClient) -> None:
    body = _json_ld(10_000)
    assert len(body) > BODY_LIMIT
    response = client.put(
        "/graph-store", params={"graph": EX + "too-big"}, content=body, headers=JSON_LD
    )
    message = assert_error_shape(response, 413)["message"]
    assert message.startswith("the graph you sent is"), message
    assert f"the limit is {BODY_LIMIT} (EHELSEKG_MAX_BODY_BYTES)" in message
    assert "query" not in message


################################################################ security headers

HTML_PAGES = ["/", "/query", "/docs", "/resource/measure/181", "/report/2022-09/", "/rounds"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_has_a_content_security_policy(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "base-uri 'none'" in policy and "form-action 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_html_error_pages_and_json_answers_carry_the_headers(client: TestClient) -> None:
    missing = client.get("/resource/measure/no-such-measure", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    if missing.headers["content-type"].startswith("text/html"):
        assert "default-src 'none'" in missing.headers["content-security-policy"]
    answer = client.get("/health")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    error = client.get("/no-such-page")
    assert error.headers["x-content-type-options"] == "nosniff"


################################################################ Origin


def _write(client: TestClient, headers: dict[str, str], name: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{EX}origin> {{ <{EX}{name}> <{EX}p> 1 }} }}",
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {TOKEN}",
            **headers,
        },
    )
    return response


def test_a_write_whose_origin_only_matches_the_host_header_is_refused(
    client: TestClient,
) -> None:
    # DNS rebinding: a page of rebind.example whose name now points at this server sends
    # Host and Origin both naming rebind.example.
    rebound = {"Host": "rebind.example:8000", "Origin": "http://rebind.example:8000"}
    assert assert_error_shape(_write(client, rebound, "rebound"), 403)["code"] == "cross-site"
    testserver = {"Origin": "http://testserver"}
    assert assert_error_shape(_write(client, testserver, "host"), 403)["code"] == "cross-site"
    assert not has(client, f"GRAPH ?g {{ <{EX}rebound> ?p ?o }}")
    assert not has(client, f"GRAPH ?g {{ <{EX}host> ?p ?o }}")


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000", ALLOWED_ORIGIN],
)
def test_a_write_from_the_servers_own_origin_or_an_allowed_one_is_applied(
    client: TestClient, origin: str
) -> None:
    name = f"from-{abs(hash(origin))}"
    response = _write(client, {"Origin": origin}, name)
    assert response.status_code == 200, response.text
    assert has(client, f"GRAPH <{EX}origin> {{ <{EX}{name}> ?p ?o }}")


def test_a_public_bind_accepts_only_its_own_address(settings: Settings) -> None:
    from server.auth import allowed_origin, own_origins

    public = replace(settings, host="10.1.2.3", port=9000, cors_origins=())
    assert own_origins(public) == {"http://10.1.2.3:9000"}
    assert allowed_origin("http://10.1.2.3:9000", public)
    assert not allowed_origin("http://127.0.0.1:9000", public)
    assert not allowed_origin("http://10.1.2.3:8000", public)


################################################################ real servers


def _raw(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is and read the whole answer: (status, headers, body)."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        # The server may answer and end before it has read it all.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    environment = {
        "EHELSEKG_WORKERS": "2",
        "EHELSEKG_FAST_WORKERS": "1",
        "EHELSEKG_QUERY_TIMEOUT": "8",
    }
    with running_server(environment=environment) as base_url:
        yield base_url


def _error(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict[str, Any]:
    assert status == expected, body[:300]
    assert headers["content-type"].startswith("application/json"), headers
    error: dict[str, Any] = json.loads(body)["error"]
    assert error["status"] == expected and error["code"] and error["message"], error
    return error


def test_a_very_long_url_or_header_block_gets_the_json_error_shape(live: str) -> None:
    query = b"x" * 2_000_000
    long_url = b"GET /sparql?query=" + query + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    error = _error(*_raw(live, long_url), 414)
    assert "POST" in error["message"], error
    big_header = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"y" * 2_000_000
    _error(*_raw(live, big_header + b"\r\n\r\n"), 431)
    garbage = b"NOT HTTP AT ALL\r\n\r\n"
    _error(*_raw(live, garbage), 400)
    # A URL of some length is still read as usual.
    answer = httpx.get(f"{live}/sparql", params={"query": "ASK {}" + " " * 20_000}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert httpx.get(f"{live}/health", timeout=5).status_code == 200


def test_two_runaways_keep_neither_a_quick_query_nor_a_named_query_waiting(live: str) -> None:
    outcomes: list[tuple[float, httpx.Response]] = []

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.get(f"{live}/sparql", params={"query": RUNAWAY}, timeout=60)
        outcomes.append((time.monotonic() - started, response))

    threads = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    with httpx.Client(base_url=live, timeout=10) as client:
        for _ in range(3):
            started = time.monotonic()
            ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            asked = time.monotonic() - started
            assert ask.status_code == 200 and ask.json()["boolean"] is True, ask.text
            assert asked < 1.0, asked
            started = time.monotonic()
            named = client.get("/queries/goals", headers={"Accept": "application/json"})
            answered = time.monotonic() - started
            assert named.status_code == 200, named.text
            assert answered < 1.0, answered
        assert all(thread.is_alive() for thread in threads), "the runaways should still run"
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    for seconds, response in outcomes:
        assert assert_error_shape(response, 503)["code"] == "timeout"
        assert 7 <= seconds < 15, seconds


def test_a_client_flooding_slow_queries_does_not_get_named_queries_refused(live: str) -> None:
    stop = threading.Event()
    flooded: list[int] = []

    def flood() -> None:
        with httpx.Client(base_url=live, timeout=60) as client:
            while not stop.is_set():
                flooded.append(client.get("/sparql", params={"query": RUNAWAY}).status_code)

    threads = [threading.Thread(target=flood) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    statuses = []
    slowest = 0.0
    try:
        with httpx.Client(base_url=live, timeout=10) as client:
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                started = time.monotonic()
                response = client.get(
                    "/queries/measures-by-goal",
                    params={"goal": "4"},
                    headers={"Accept": "application/json"},
                )
                slowest = max(slowest, time.monotonic() - started)
                statuses.append(response.status_code)
                time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert statuses and set(statuses) == {200}, statuses
    assert slowest < 1.0, slowest
    assert set(flooded) <= {503}, flooded


################################################################ the policy in a browser

#: Pages whose scripts and styles must work under the policy, and when each is ready.
BROWSER_PAGES = {
    "/": "document.readyState === 'complete'",
    "/query": "document.readyState === 'complete' && !!document.querySelector('.yasqe')",
    "/docs": "document.readyState === 'complete' && !!document.querySelector('.swagger-ui .info')",
    "/resource/measure/181": "document.readyState === 'complete'",
    "/views/goal?goal=4": "document.readyState === 'complete' && !!window.ehelsekgNetwork",
    "/report/2022-09/": "document.readyState === 'complete'",
    "/rounds": "document.readyState === 'complete'",
}

#: Collects every Content-Security-Policy violation of a page, from before its first script.
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def test_pages_work_under_the_content_security_policy(live: str) -> None:
    from tests.chromium import Browser, available

    if not available():
        pytest.skip("no Chromium: run scripts/install-chromium.sh")
    browser = Browser()
    try:
        browser.call(
            "Page.addScriptToEvaluateOnNewDocument", session=True, source=RECORD_VIOLATIONS
        )
        for path, ready in BROWSER_PAGES.items():
            browser.events.clear()
            browser.call("Page.navigate", session=True, url=live + path)
            deadline = time.monotonic() + 30
            while not browser.evaluate(f"Boolean({ready})"):
                assert time.monotonic() < deadline, f"{path}: {ready} never became true"
                time.sleep(0.1)
            time.sleep(0.3)
            assert browser.evaluate("window.__violations") == [], path
    finally:
        browser.close()
