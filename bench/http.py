"""The named queries over HTTP: our server (``ehelsekg serve``) beside the Oxigraph server,
both real processes on 127.0.0.1, holding the same data."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pyoxigraph as ox

from bench.timing import Timing
from ehelsekg.namespaces import INFERRED_GRAPH

if TYPE_CHECKING:
    from bench.measure import Operation
    from ehelsekg.knowledge import KnowledgeGraph

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent

_PREFIXES = (
    "PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
#: The SPARQL protocol's own queries, the same text to both servers (issue 14's shapes):
#: a point lookup, a GROUP BY, a 1000-row page, a label search and status per report.
PROTOCOL_QUERIES = {
    "point": "SELECT ?p ?o WHERE { <{measure}> ?p ?o }",
    "group-by": "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "1000-rows": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000",
    "label-search": _PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label"
    ' FILTER(CONTAINS(LCASE(STR(?label)), "kjern")) }',
    "status-per-report": _PREFIXES + "SELECT ?report ?status (COUNT(*) AS ?n)"
    " WHERE { ?a ehk:reportedIn ?report ; ehk:status ?status } GROUP BY ?report ?status",
}


#: The point query as a text neither server has seen: a comment numbers each request, so
#: nothing learnt from an earlier request (a parse, a plan, a cost) can help it.
UNSEEN = "point, a new text each time"


def protocol_texts(knowledge: KnowledgeGraph) -> dict[str, str]:
    """PROTOCOL_QUERIES with the point query on the first measure of this data, and the
    point query again as UNSEEN (see :func:`sender`)."""
    rows = knowledge.store.query(
        _PREFIXES + "SELECT ?m WHERE { ?m a ehk:Measure } ORDER BY ?m LIMIT 1"
    ).rows
    measure = str(rows[0][0]) if rows else "urn:none"
    texts = {
        f"/sparql {name}": text.replace("{measure}", measure)
        for name, text in PROTOCOL_QUERIES.items()
    }
    texts[f"/sparql {UNSEEN}"] = texts["/sparql point"]
    return texts


def sender(name: str, text: str) -> Callable[[], str]:
    """The text to send for each request of the protocol query ``name``: ``text``, or for
    UNSEEN ``text`` with a numbered comment, the same numbers for both servers."""
    if not name.endswith(UNSEEN):
        return lambda: text
    numbers = itertools.count()
    return lambda: f"{text}\n# request {next(numbers)}"


@dataclass
class Served:
    operations: list[Operation] = field(default_factory=list)
    ours: dict[str, Timing] = field(default_factory=dict)
    anchor: dict[str, Timing] = field(default_factory=dict)
    #: The protocol queries: name → text (timed under ``ours`` and ``anchor`` too).
    protocol: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def _process(
    command: Sequence[str], log: Path, env: Mapping[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=dict(env)
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def peak_memory_mb(pid: int) -> float | None:
    """A process's peak resident memory (VmHWM) in MB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def dump_for_oxigraph(knowledge: KnowledgeGraph, path: Path) -> None:
    """Every graph of our store as N-Quads, the inferred triples also in the default graph:
    the Oxigraph server's default graph then holds what our queries see by default."""
    raw = knowledge.store._store  # type: ignore[attr-defined]
    copy = ox.Store()
    copy.bulk_extend(raw)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    copy.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in raw.quads_for_pattern(None, None, None, inferred)
    )
    copy.dump(str(path), format=ox.RdfFormat.N_QUADS)


def measure_http(
    *,
    only: list[Path] | None,
    knowledge: KnowledgeGraph,
    parameters: Mapping[str, Mapping[str, str]],
    texts: Mapping[str, str],
    names: Sequence[str],
    folder: Path,
    anchors: bool,
    timed: Callable[..., Timing],
) -> Served:
    from bench.measure import Operation

    served = Served()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSEKG_")}
    # Time the queries, not the server's named-query limit (1 s by default).
    env["EHELSEKG_NAMED_QUERY_TIMEOUT"] = "600"
    port = free_port()
    base = f"http://{HOST}:{port}"
    command = [sys.executable, "-c", "from ehelsekg.cli.main import main; main()", "serve"]
    command += ["--host", HOST, "--port", str(port)]
    for path in only or []:
        command += ["--only", str(path)]
    with _process(command, folder / "server.log", env) as process:
        started = _wait(f"{base}/health", process, folder / "server.log")
        served.operations.append(
            Operation(
                "server start-up to first /health answer (ehelsekg serve)", Timing(started, 1)
            )
        )
        with httpx.Client(timeout=900) as client:
            for name in names:

                def call(n: str = name) -> None:
                    response = client.get(
                        f"{base}/queries/{n}",
                        params=dict(parameters.get(n, {})),
                        headers={"Accept": "application/json"},
                    )
                    response.raise_for_status()

                served.ours[name] = _safe(timed, call)
            served.protocol = protocol_texts(knowledge)
            for name, text in served.protocol.items():
                next_text = sender(name, text)

                def sparql(q: Callable[[], str] = next_text) -> None:
                    response = client.get(
                        f"{base}/sparql",
                        params={"query": q()},
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    response.raise_for_status()

                served.ours[name] = _safe(timed, sparql)
        memory = peak_memory_mb(process.pid)
        served.operations.append(
            Operation(
                "memory peak of the server's main process (VmHWM, MB)",
                Timing(memory, 1) if memory is not None else Timing(None, 0, "no /proc"),
                note="after the HTTP queries",
            )
        )
    if not anchors:
        return served
    dump = folder / "data.nq"
    dump_for_oxigraph(knowledge, dump)
    location = folder / "oxigraph"
    binary = str(Path(sys.executable).parent / "oxigraph")
    started_load = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    loaded = time.perf_counter() - started_load
    port = free_port()
    base = f"http://{HOST}:{port}"
    serve = [binary, "serve", "--location", str(location), "--bind", f"{HOST}:{port}"]
    with _process(serve, folder / "oxigraph.log", os.environ) as process:
        up = _wait(f"{base}/query?query=ASK%7B%7D", process, folder / "oxigraph.log")
        served.operations.append(
            Operation(
                "Oxigraph server: load N-Quads + start-up (anchor only)",
                Timing(loaded + up, 1),
            )
        )
        with httpx.Client(timeout=900) as client:
            for name in names:

                def ask(n: str = name) -> None:
                    response = client.get(
                        f"{base}/query",
                        params={"query": texts[n]},
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    response.raise_for_status()

                served.anchor[name] = _safe(timed, ask)
            for name, text in served.protocol.items():
                next_text = sender(name, text)

                def same(q: Callable[[], str] = next_text) -> None:
                    response = client.get(
                        f"{base}/query",
                        params={"query": q()},
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    response.raise_for_status()

                served.anchor[name] = _safe(timed, same)
    return served


#: A request takes about a millisecond, and five of them give a median that moves by a
#: third from run to run: each is repeated this often, within HTTP_BUDGET seconds.
HTTP_REPEAT = 200
HTTP_BUDGET = 1.0


def _safe(timed: Callable[..., Timing], call: Callable[[], None]) -> Timing:
    try:
        result: Any = timed(call, warm_up=True, repeat=HTTP_REPEAT, budget=HTTP_BUDGET)
    except httpx.HTTPError as err:
        return Timing(None, 0, f"failed: {err}"[:80])
    assert isinstance(result, Timing)
    return result
