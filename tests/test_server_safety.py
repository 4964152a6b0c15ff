"""The endpoint is safe by default, shown with the bad input for every promise.

- read-only without a token; writes need the token, come from this site, and are applied whole
  and only if the graph still conforms to the shapes (also across a kill -9 mid-write);
- a query that would run forever is stopped at its limit with a 503, while the server goes on
  answering; result rows, request bodies, bracket nesting and operator chains are capped;
- nothing is fetched and no local file is read (a listener on 127.0.0.1 counts every attempt);
- CORS is closed unless configured; every error has one JSON shape and no stack trace;
- a named-query parameter cannot inject SPARQL.

Real uvicorn processes on 127.0.0.1 where the process matters (timeouts, crashes, kill -9, the
listener); FastAPI's TestClient in-process elsewhere. Limits are short to spare a 2-core machine.

Warning policy (tested by ``test_update_adding_only_warnings_is_applied_and_reported``): an
update is refused only for a Violation. Warnings and Infos do not block it (the bundled data
itself carries Warnings, so blocking on them would make every update fail); they are counted
in the response's ``validation`` member so that the writer sees what the update added.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from ehelsekg.errors import DataLoadError
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import rdf_files
from server import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "s3cret-token"
ALLOWED_ORIGIN = "https://allowed.example"
EVIL_ORIGIN = "https://evil.example"
EHK = "https://w3id.org/ehelsekg/ontology#"
PREFIXES = (
    f"PREFIX ehk: <{EHK}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX ex: <http://example.org/>\n"
)
#: Runs for minutes on the bundled data (~15k quads cubed) and returns one row at the end.
FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Returns rows at once, far more of them than any cap.
MANY_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
SMALL = "SELECT ?s WHERE { ?s a ehk:StrategicGoal }"
UPDATE = {"Content-Type": "application/sparql-update"}
WRITER = {**UPDATE, "Authorization": f"Bearer {TOKEN}"}


def ask(client: TestClient | httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": PREFIXES + query})
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


def assert_error_shape(response: httpx.Response, status: int) -> dict[str, Any]:
    """The one error shape: {"error": {"status": <HTTP status>, "code", "message", …}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["status"] == status, body
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text
    return error


################################################################ in-process apps


@pytest.fixture(scope="module")
def safety_settings() -> Settings:
    return Settings(
        update_token=TOKEN,
        query_timeout=2.0,
        named_query_timeout=1.0,
        update_timeout=60.0,
        max_rows=100,
        named_query_max_rows=5,
        cors_origins=(ALLOWED_ORIGIN,),
        workers=2,
    )


@pytest.fixture(scope="module")
def client(safety_settings: Settings) -> Iterator[TestClient]:
    """A writable app over its own copy of the bundled data (updates must not leak into the
    session's shared graph)."""
    knowledge = open_knowledge_graph(safety_settings)
    app = create_app(safety_settings, knowledge=knowledge)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def read_only(safety_settings: Settings) -> Iterator[TestClient]:
    """The app as it starts by default: no token, no CORS origins."""
    settings = replace(safety_settings, update_token=None, cors_origins=())
    app = create_app(settings, knowledge=open_knowledge_graph(settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_safe_defaults_and_their_environment_variables() -> None:
    defaults = Settings()
    assert defaults.update_token is None
    assert (defaults.query_timeout, defaults.named_query_timeout) == (10.0, 1.0)
    assert (defaults.max_rows, defaults.named_query_max_rows) == (10_000, 1_000)
    assert defaults.max_body_bytes == 1024 * 1024
    assert defaults.allow_outbound is False
    assert defaults.cors_origins == ()
    assert defaults.host == "127.0.0.1"
    configured = Settings.from_environment(
        {
            "EHELSEKG_QUERY_TIMEOUT": "2.5",
            "EHELSEKG_NAMED_QUERY_TIMEOUT": "0.5",
            "EHELSEKG_CORS_ORIGINS": f"{ALLOWED_ORIGIN}, https://b.example",
            "EHELSEKG_ALLOW_OUTBOUND": "false",
            "EHELSEKG_MAX_ROWS": "7",
        }
    )
    assert (configured.query_timeout, configured.named_query_timeout) == (2.5, 0.5)
    assert configured.cors_origins == (ALLOWED_ORIGIN, "https://b.example")
    assert configured.allow_outbound is False
    assert configured.max_rows == 7


# --- writes ------------------------------------------------------------------------------


def test_update_without_a_configured_token_is_refused(read_only: TestClient) -> None:
    update = PREFIXES + "INSERT DATA { ex:ro ex:p 1 }"
    for headers in (UPDATE, WRITER):
        assert_error_shape(read_only.post("/sparql", content=update, headers=headers), 403)
    form = read_only.post(
        "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert form.status_code == 403
    assert read_only.get("/health").json()["writable"] is False
    assert not ask(read_only, "ASK { ex:ro ?p ?o }")


def test_update_needs_the_right_bearer_token(client: TestClient) -> None:
    update = PREFIXES + "INSERT DATA { ex:no-token ex:p 1 }"
    for headers in (
        UPDATE,
        {**UPDATE, "Authorization": "Bearer wrong"},
        {**UPDATE, "Authorization": TOKEN},
        {**UPDATE, "Authorization": f"Basic {TOKEN}"},
    ):
        error = assert_error_shape(client.post("/sparql", content=update, headers=headers), 401)
        assert error["code"] == "unauthorised"
    assert not ask(client, "ASK { ex:no-token ?p ?o }")


def test_cross_site_writes_are_refused_even_with_the_token(client: TestClient) -> None:
    update = PREFIXES + "INSERT DATA { ex:csrf ex:p 1 }"
    attempts = [
        # A form on another site posting to us: the browser sends its Origin.
        {"data": {"update": update}, "headers": {"Origin": EVIL_ORIGIN}},
        {"content": update, "headers": {**WRITER, "Origin": EVIL_ORIGIN}},
        {"content": update, "headers": {**WRITER, "Origin": "null"}},
        {"content": update, "headers": {**WRITER, "Sec-Fetch-Site": "cross-site"}},
        {
            "data": {"update": update},
            "headers": {"Authorization": f"Bearer {TOKEN}", "Sec-Fetch-Site": "cross-site"},
        },
    ]
    for attempt in attempts:
        response = client.post("/sparql", **attempt)  # type: ignore[arg-type]
        assert assert_error_shape(response, 403)["code"] == "cross-site"
    assert not ask(client, "ASK { ex:csrf ?p ?o }")


def test_update_breaking_a_shape_half_way_changes_nothing(client: TestClient) -> None:
    # The first operation is fine; the second makes a measure without its required facts.
    update = PREFIXES + (
        "INSERT DATA { ex:first-half ex:p 1 } ;\nINSERT DATA { ex:bad-measure a ehk:Measure }"
    )
    response = client.post("/sparql", content=update, headers=WRITER)
    error = assert_error_shape(response, 422)
    assert error["code"] == "shapes-violated"
    report = error["details"]
    assert report["conforms"] is False and report["counts"]["Violation"] >= 1, report
    assert any(r["focusNode"] == "<http://example.org/bad-measure>" for r in report["results"])
    # Several times, so that every worker is asked: none kept the refused update.
    for _ in range(4):
        assert not ask(client, "ASK { ex:first-half ?p ?o }")
        assert not ask(client, "ASK { ex:bad-measure ?p ?o }")


def test_update_failing_at_run_time_changes_nothing(client: TestClient) -> None:
    update = PREFIXES + (
        "INSERT DATA { ex:before-error ex:p 1 } ;\nDROP GRAPH <http://example.org/no-such-graph>"
    )
    response = client.post("/sparql", content=update, headers=WRITER)
    assert assert_error_shape(response, 400)["code"] == "rejected-query"
    for _ in range(3):
        assert not ask(client, "ASK { ex:before-error ?p ?o }")


def test_update_adding_only_warnings_is_applied_and_reported(client: TestClient) -> None:
    before = client.get("/validation").json()["counts"]
    # A council without a label breaks ehs:labelPresent, whose severity is Warning.
    update = PREFIXES + "INSERT DATA { ex:unnamed-council a ehk:Council }"
    response = client.post("/sparql", content=update, headers=WRITER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] is True
    assert body["validation"]["Violation"] == 0
    assert body["validation"]["Warning"] == before["Warning"] + 1, (before, body)
    assert ask(client, "ASK { ex:unnamed-council a ehk:Council }")


graph_store_exists = (ROOT / "server" / "routers" / "graph_store.py").exists()


@pytest.mark.skipif(not graph_store_exists, reason="no Graph Store endpoint")
def test_graph_store_writes_need_the_token_and_conforming_data(
    client: TestClient, read_only: TestClient
) -> None:
    turtle = "<http://example.org/gs-bad> a <https://w3id.org/ehelsekg/ontology#Measure> ."
    target = {"graph": "http://example.org/graph/mine"}
    headers = {"Content-Type": "text/turtle"}
    assert_error_shape(read_only.put("/graph-store", params=target, content=turtle), 403)
    assert_error_shape(
        client.put("/graph-store", params=target, content=turtle, headers=headers), 401
    )
    cross = {**headers, "Authorization": f"Bearer {TOKEN}", "Origin": EVIL_ORIGIN}
    assert_error_shape(
        client.put("/graph-store", params=target, content=turtle, headers=cross), 403
    )
    writer = {**headers, "Authorization": f"Bearer {TOKEN}"}
    response = client.put("/graph-store", params=target, content=turtle, headers=writer)
    assert assert_error_shape(response, 422)["code"] == "shapes-violated"
    assert not ask(client, "ASK { GRAPH ?g { ex:gs-bad ?p ?o } }")
    assert not ask(client, "ASK { ex:gs-bad ?p ?o }")


# --- limits ------------------------------------------------------------------------------


def test_rows_past_the_cap_are_cut_and_flagged(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": MANY_ROWS})
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    body = response.json()
    assert body["truncated"] is True
    assert len(body["results"]["bindings"]) == 100
    csv_rows = client.get("/sparql", params={"query": MANY_ROWS}, headers={"Accept": "text/csv"})
    assert csv_rows.headers["x-result-truncated"] == "true"
    assert len(csv_rows.text.strip().splitlines()) == 1 + 100
    graph = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.headers["x-result-truncated"] == "true"
    assert len(graph.text.strip().splitlines()) <= 100
    whole = client.get("/sparql", params={"query": PREFIXES + SMALL})
    assert whole.headers["x-result-truncated"] == "false"
    assert "truncated" not in whole.json()


def test_named_query_rows_past_the_cap_are_cut_and_flagged(client: TestClient) -> None:
    response = client.get("/queries/search", params={"text": "e"})
    assert response.status_code == 200, response.text
    assert response.headers["x-result-truncated"] == "true"
    assert response.json()["truncated"] is True
    assert len(response.json()["rows"]) == 5


def test_a_body_over_the_limit_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1024 * 1024)
    # The size is checked before the media type: nothing that large is read at all.
    response = client.post("/sparql", content=query, headers={"Content-Type": "text/plain"})
    assert_error_shape(response, 413)
    response = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert assert_error_shape(response, 413)["code"] == "too-large"
    form = client.post("/sparql", data={"query": query})
    assert_error_shape(form, 413)


def test_operator_chains_that_crash_the_engine_are_refused(client: TestClient) -> None:
    unions = "SELECT * WHERE { " + " UNION ".join(["{}"] * 20_000) + " }"
    path = "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 1_000) + " ?o }"
    for query in (unions, path):
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
        assert "operators" in assert_error_shape(response, 400)["message"]
    # Arithmetic chains, pattern lists and repeated clauses on which pyoxigraph segfaults are
    # refused too, before any engine sees them (a worker that crashes anyway answers 503:
    # tests/test_workers.py).
    bombs = [
        "SELECT * WHERE { BIND(" + "+".join(["1"] * 50_000) + " AS ?x) }",
        "SELECT * WHERE { ?s " + " ; ".join(f"<http://e/p{i}> ?o" for i in range(10_000)) + " }",
        "SELECT * WHERE { ?s ?p ?o " + "FILTER(?o) " * 60_000 + "}",
    ]
    for query in bombs:
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
        assert response.status_code in (400, 413), response.text
        assert_error_shape(response, response.status_code)
    assert client.get("/sparql", params={"query": PREFIXES + SMALL}).status_code == 200


# --- CORS, errors ------------------------------------------------------------------------


def test_cors_is_closed_by_default_and_open_to_configured_origins(
    client: TestClient, read_only: TestClient
) -> None:
    query = {"query": PREFIXES + SMALL}
    for origin in (ALLOWED_ORIGIN, EVIL_ORIGIN):
        plain = read_only.get("/sparql", params=query, headers={"Origin": origin})
        assert "access-control-allow-origin" not in plain.headers
    unknown = client.get("/sparql", params=query, headers={"Origin": EVIL_ORIGIN})
    assert "access-control-allow-origin" not in unknown.headers
    preflight = client.options(
        "/sparql",
        headers={"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    known = client.get("/sparql", params=query, headers={"Origin": ALLOWED_ORIGIN})
    assert known.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_every_error_has_the_one_json_shape(client: TestClient) -> None:
    select = {"query": PREFIXES + SMALL}
    sparql_query = {"Content-Type": "application/sparql-query"}
    cases: list[tuple[int, str, str, dict[str, Any]]] = [
        (404, "GET", "/no/such/path", {}),
        (404, "GET", "/queries/no-such-query", {}),
        (405, "DELETE", "/sparql", {}),
        (405, "PUT", "/health", {}),
        (400, "GET", "/sparql", {"params": {"query": "SELEKT * WHERE { ?s ?p ?o }"}}),
        (400, "GET", "/sparql", {"params": {"query": "SELECT * WHERE { " + "(" * 5000}}),
        (406, "GET", "/sparql", {"params": select, "headers": {"Accept": "image/png"}}),
        (
            413,
            "POST",
            "/sparql",
            {"content": "#" * (1024 * 1024 + 1), "headers": sparql_query},
        ),
        (415, "POST", "/sparql", {"content": SMALL, "headers": {"Content-Type": "text/plain"}}),
        (401, "POST", "/sparql", {"content": "CLEAR DEFAULT", "headers": UPDATE}),
        (
            403,
            "POST",
            "/sparql",
            {"content": "CLEAR DEFAULT", "headers": {**WRITER, "Origin": EVIL_ORIGIN}},
        ),
        (422, "GET", "/queries/measures-by-actor", {"params": {"actor": "no such actor"}}),
        (422, "GET", "/queries/measures-by-actor", {"params": {}}),
        (422, "GET", "/queries/search", {"params": {"text": "x", "undeclared": "1"}}),
        (422, "GET", "/impact/measure:181", {"params": {"slip": "-3"}}),
        (503, "GET", "/sparql", {"params": {"query": FOREVER}}),
    ]
    for status, method, path, options in cases:
        response = client.request(method, path, **options)
        assert_error_shape(response, status)
    timed_out = client.get("/sparql", params={"query": FOREVER})
    assert assert_error_shape(timed_out, 503)["code"] == "timeout"


def test_an_internal_error_is_a_500_without_a_stack_trace(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]

    def broken() -> dict[str, object]:
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(service, "validation", broken)
    response = client.get("/validation")
    error = assert_error_shape(response, 500)
    assert error["code"] == "internal"
    assert "secret detail" not in response.text and "RuntimeError" not in response.text


# --- named-query parameters --------------------------------------------------------------


def test_named_query_parameters_cannot_inject_sparql(client: TestClient) -> None:
    def rows(name: str, **params: str) -> httpx.Response:
        response: httpx.Response = client.get(f"/queries/{name}", params=params)
        return response

    nothing = rows("search", text="zz-matches-nothing-zz")
    assert nothing.status_code == 200 and nothing.json()["rows"] == []
    for text in (
        'zz") || true || ("',
        "zz')) } UNION { ?entity ?p ?found } #",
        'zz" } } UNION { ?entity ?p ?found } #',
        "zz\\u0022 } UNION { ?entity ?p ?found } #",
    ):
        response = rows("search", text=text)
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            assert response.json()["rows"] == [], text
        else:
            assert_error_shape(response, 422)
    assert_error_shape(rows("search", text="x" * 101), 422)
    honest = rows("measures-by-actor", actor="Helse Sør-Øst")
    assert honest.status_code == 200 and honest.json()["rows"]
    for actor in (
        "Helse Sør-Øst> } UNION { ?latest ?p ?o } #",
        "<https://w3id.org/ehelsekg/id/actor/helse-sor-ost> . ?latest ?p ?o",
        "Helse Sør-Øst' || true",
    ):
        response = rows("measures-by-actor", actor=actor)
        assert 400 <= response.status_code < 500, response.text
        assert_error_shape(response, response.status_code)


# --- no outbound requests, no local files ------------------------------------------------


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def _record(self) -> None:
        _Listener.hits.append(f"{self.command} {self.path}")
        body = b'{"@context": {"name": "http://example.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def listener() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that records every request it gets; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_data_files_with_remote_contexts_or_doctypes_are_not_loaded(
    listener: str, tmp_path: Path
) -> None:
    before = list(_Listener.hits)
    json_ld = tmp_path / "remote-context.jsonld"
    json_ld.write_text(json.dumps({"@context": f"{listener}/ctx", "@id": "http://e/x"}))
    rdf_xml = tmp_path / "bomb.rdf"
    rdf_xml.write_text(_entity_bomb(listener))
    for path in (json_ld, rdf_xml):
        with pytest.raises(DataLoadError, match="not an RDF file"):
            rdf_files([path])
        with pytest.raises(DataLoadError):
            open_knowledge_graph(Settings(), only=[path], reason=False)
    assert _Listener.hits == before


def _entity_bomb(listener: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY remote SYSTEM "{listener}/entity">
  <!ENTITY local SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/bomb">
    <ex:p>&c;&remote;&local;</ex:p>
  </rdf:Description>
</rdf:RDF>
"""


################################################################ real server processes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """``ehelsekg serve`` in its own process group, so that kill -9 takes its workers too."""

    def __init__(self, environment: dict[str, str], *, store: str | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-c", "from ehelsekg.cli.main import main; main()", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        if store is not None:
            command += ["--store", store]
        env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSEKG_")}
        env.update(environment)
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                raise RuntimeError(f"the server exited: {err.decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not start within 90 s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9 the server and its workers."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.kill()


@pytest.fixture(scope="module")
def live() -> Iterator[Server]:
    server = Server(
        {
            "EHELSEKG_UPDATE_TOKEN": TOKEN,
            "EHELSEKG_QUERY_TIMEOUT": "2",
            "EHELSEKG_NAMED_QUERY_TIMEOUT": "1",
            "EHELSEKG_WORKERS": "2",
        }
    )
    try:
        yield server
    finally:
        server.stop()


def test_a_query_that_runs_forever_is_stopped_while_others_are_answered(live: Server) -> None:
    outcome: dict[str, Any] = {}

    def run_forever() -> None:
        started = time.monotonic()
        outcome["response"] = httpx.get(f"{live.url}/sparql", params={"query": FOREVER}, timeout=30)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_forever)
    thread.start()
    time.sleep(0.3)
    with httpx.Client(base_url=live.url, timeout=5) as client:
        for _ in range(3):
            started = time.monotonic()
            assert client.get("/health").status_code == 200
            small = client.get("/sparql", params={"query": PREFIXES + SMALL})
            assert small.status_code == 200 and small.json()["results"]["bindings"]
            assert time.monotonic() - started < 1.0
        assert thread.is_alive(), "the long query should still be running"
    thread.join(timeout=30)
    response: httpx.Response = outcome["response"]
    error = assert_error_shape(response, 503)
    assert error["code"] == "timeout"
    assert 1.9 <= outcome["seconds"] < 6, outcome["seconds"]
    # The stopped worker was replaced: the next query is answered.
    again = httpx.get(f"{live.url}/sparql", params={"query": PREFIXES + SMALL}, timeout=10)
    assert again.status_code == 200


def test_deep_nesting_gets_a_400_and_the_server_lives_on(live: Server) -> None:
    query = "SELECT * WHERE { " + "(" * 5000 + ")" * 5000 + " }"
    assert 10_000 <= len(query) < 11_000
    response = httpx.post(
        f"{live.url}/sparql",
        content=query,
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert "deep" in assert_error_shape(response, 400)["message"]
    update = "INSERT DATA { <http://e/s> <http://e/p> " + "(" * 5000 + ")" * 5000 + " }"
    response = httpx.post(
        f"{live.url}/sparql",
        content=update,
        headers={**WRITER},
        timeout=10,
    )
    assert_error_shape(response, 400)
    assert live.alive()
    assert httpx.get(f"{live.url}/health", timeout=5).status_code == 200


def test_nothing_is_fetched_and_no_file_is_read(live: Server, listener: str) -> None:
    # The listener does record what reaches it.
    assert httpx.get(f"{listener}/control", timeout=5).status_code == 200
    assert _Listener.hits[-1] == "GET /control"
    before = list(_Listener.hits)
    remote = f"{listener}/g"
    sparql = f"{live.url}/sparql"
    writer = {"Authorization": f"Bearer {TOKEN}"}
    queries = [
        f"SELECT * WHERE {{ SERVICE <{listener}/> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{listener}/> {{ ?s ?p ?o }} }}",
        f"PREFIX l: <{listener}/> SELECT * WHERE {{ SERVICE l: {{ ?s ?p ?o }} }}",
        # Spellings that hide the keyword from a naive lexer, all real SPARQL to pyoxigraph.
        f"SELECT * WHERE {{ ?x ?y ?z FILTER(?z<1)SERVICE<{listener}/>{{ ?s ?p ?o }} }}",
        f"PREFIX e: <http://e/> SELECT * WHERE {{ ?s ?p e:a\\# . SERVICE <{listener}/> {{}} }}",
        f"SELECT * WHERE {{ ?s ?p ?o #\n SERVICE <{listener}/> {{}} }}",
        f"SELECT * WHERE {{ sErViCe <{listener}/> {{}} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ]
    # A dataset graph the store does not hold is an empty graph (the protocol's reading):
    # answered, and never fetched.
    empty = [
        f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM<{remote}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    with httpx.Client(timeout=10) as client:
        for query in queries:
            for response in (
                client.get(sparql, params={"query": query}),
                client.post(sparql, data={"query": query}),
            ):
                assert_error_shape(response, 400)
        for query in empty:
            response = client.get(sparql, params={"query": query})
            assert response.status_code == 200, response.text
            assert response.json()["results"]["bindings"] == []
        for parameter, pattern in (
            ("default-graph-uri", "?s ?p ?o"),
            ("named-graph-uri", "GRAPH ?g { ?s ?p ?o }"),
        ):
            response = client.get(
                sparql,
                params={"query": f"SELECT * WHERE {{ {pattern} }} LIMIT 1", parameter: remote},
            )
            assert response.status_code == 200 and not response.json()["results"]["bindings"]
            response = client.get(
                sparql,
                params={"query": "ASK { ?s ?p ?o }", parameter: "file:///etc/passwd"},
            )
            assert_error_shape(response, 400)
        updates = [
            f"LOAD <{listener}/x>",
            f"LOAD SILENT <{listener}/x> INTO GRAPH <http://example.org/loaded>",
            "LOAD <file:///etc/passwd>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener}/> {{ ?s ?p ?o }} }}",
        ]
        for update in updates:
            response = client.post(sparql, content=update, headers={**WRITER})
            assert_error_shape(response, 400)
        # USING a graph the store does not hold reads an empty graph: nothing is inserted.
        for using in (
            client.post(
                sparql,
                content=f"INSERT {{ ?s ?p ?o }} USING <{remote}> WHERE {{ ?s ?p ?o }}",
                headers={**WRITER},
            ),
            client.post(
                sparql,
                params={"using-graph-uri": remote},
                content="INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                headers={**WRITER},
            ),
        ):
            assert using.status_code == 200, using.text
            assert using.json()["inserted"] == 0
        if graph_store_exists:
            store = f"{live.url}/graph-store"
            documents = [
                ("application/ld+json", json.dumps({"@context": f"{listener}/ctx", "name": "x"})),
                (
                    "application/ld+json",
                    json.dumps({"@context": [{"@import": f"{listener}/ctx"}], "name": "x"}),
                ),
                ("application/rdf+xml", _entity_bomb(listener)),
            ]
            for media_type, document in documents:
                for method in ("PUT", "POST"):
                    response = client.request(
                        method,
                        store,
                        params={"graph": "http://example.org/graph/upload"},
                        content=document,
                        headers={**writer, "Content-Type": media_type},
                    )
                    assert 400 <= response.status_code < 500, response.text
                    assert_error_shape(response, response.status_code)
            assert_error_shape(client.get(store, params={"graph": remote}), 404)
    assert live.alive()
    assert _Listener.hits == before, _Listener.hits


def test_a_write_killed_half_way_leaves_all_or_nothing(tmp_path: Path) -> None:
    """kill -9 the server during a large update, restart it on the same on-disk store, and
    find the update either entirely there or entirely absent. The first round is not killed,
    to show that the update does apply; the others are killed as the store's write-ahead log
    starts to grow (the write itself), 50 ms later (the inferred graph being rewritten), or
    1 s after the request (the validation in a worker)."""
    path = tmp_path / "store"
    environment = {"EHELSEKG_UPDATE_TOKEN": TOKEN, "EHELSEKG_WORKERS": "1"}
    triples = 8000

    def update(round_: int) -> str:
        lines = [
            f'<http://example.org/bulk/{round_}/{i}> <http://example.org/bulk/value> "{i}" .'
            for i in range(triples)
        ]
        return "INSERT DATA {\n" + "\n".join(lines) + "\n}"

    def count(server: Server, round_: int) -> int:
        query = (
            "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/bulk/value> ?o "
            f'FILTER(STRSTARTS(STR(?s), "http://example.org/bulk/{round_}/")) }}'
        )
        response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    def journal_size() -> int:
        # RocksDB's write-ahead log (*.log; not its info log, LOG) grows when a write commits.
        return sum(f.stat().st_size for f in path.glob("*.log"))

    server = Server(environment, store=f"oxigraph:{path}")
    outcomes = []
    try:
        rounds = ("no kill", "as the journal grows", "just after it grew", "after 1 s")
        for round_, how in enumerate(rounds):
            body = update(round_)
            assert len(body.encode()) < 1024 * 1024
            baseline = journal_size()
            thread = threading.Thread(
                target=_post_quietly, args=(f"{server.url}/sparql", body), daemon=True
            )
            started = time.monotonic()
            killed = 0.0
            thread.start()
            if how in ("as the journal grows", "just after it grew"):
                while journal_size() == baseline and time.monotonic() - started < 60:
                    time.sleep(0.002)
                if how == "just after it grew":
                    time.sleep(0.05)  # the commit is done; the inferences are being rewritten
                killed = time.monotonic() - started
                server.kill()
            elif how == "after 1 s":
                time.sleep(1.0)
                server.kill()
            thread.join(timeout=90)
            server.stop()
            server = Server(environment, store=f"oxigraph:{path}")
            found = count(server, round_)
            outcomes.append((how, found, round(killed, 2)))
            assert found in (0, triples), outcomes
            if how == "no kill":
                assert found == triples, outcomes
        # Earlier rounds are unchanged by later ones.
        assert count(server, 0) == triples
    finally:
        server.stop()


def _post_quietly(url: str, update: str) -> None:
    # The server may be killed under it.
    with contextlib.suppress(httpx.TransportError):
        httpx.post(url, content=update, headers=WRITER, timeout=90)


def test_graphs_of_data_files_given_on_the_command_line_are_read_only(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from ehelsekg.knowledge import open_knowledge_graph
    from ehelsekg.settings import Settings
    from server import create_app

    extra = tmp_path / "extra.ttl"
    extra.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    settings = Settings(update_token="t")
    knowledge = open_knowledge_graph(settings, extra=[extra])
    with TestClient(create_app(settings, knowledge=knowledge)) as client:
        response = client.post(
            "/sparql",
            content=f"DROP GRAPH <{extra.resolve().as_uri()}>",
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t"},
        )
        assert response.status_code in (400, 403), response.text
        assert response.json()["error"]["message"]
        assert knowledge.store.query(
            "ASK { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
        ).boolean


def test_a_refused_cors_preflight_uses_the_error_shape() -> None:
    from fastapi.testclient import TestClient

    from ehelsekg.settings import Settings
    from server import create_app

    with TestClient(create_app(Settings(cors_origins=("https://allowed.example",)))) as client:
        response = client.options(
            "/sparql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "cors-refused"
        assert "access-control-allow-origin" not in response.headers
        allowed = client.options(
            "/sparql",
            headers={"Origin": "https://allowed.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
