"""The load goal of issue 14, measured: 32 readers and 1 writer against a real server.

    python -m bench.load                    # 60 s, 32 readers (about 1.5 minutes)
    python -m bench.load --seconds 20 --readers 8

Starts ``ehelsekg serve`` on 127.0.0.1 with the bundled data and an update token, then for
``--seconds`` runs ``--readers`` threads, each asking in turn the named queries below and small
SPARQL queries, and one writer adding a triple to a graph of its own about once a second.
Reports requests, 5xx answers and latency percentiles per kind, and whether the goal is met:
no 5xx on named queries and a p99 under 1 s. The table goes to stdout and bench/out/load.md.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import click
import httpx

from bench.http import HOST, _process, _wait, free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-load-token"
#: What readers ask, in turn: (kind, name, path, parameters).
READS: list[tuple[str, str, str, dict[str, str]]] = [
    ("named", "goals", "/queries/goals", {}),
    ("named", "measures-by-goal", "/queries/measures-by-goal", {"goal": "4"}),
    ("named", "status-summary", "/queries/status-summary", {"report": "2022-09"}),
    ("named", "search", "/queries/search", {"text": "kjernejournal"}),
    (
        "sparql",
        "labels of 20 measures",
        "/sparql",
        {
            "query": "SELECT ?s ?label WHERE { ?s a <https://w3id.org/ehelsekg/ontology#Measure> ;"
            " <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20"
        },
    ),
    ("sparql", "ASK", "/sparql", {"query": "ASK { ?s ?p ?o }"}),
]
GRAPH = "http://example.org/bench/load"
GOAL_SECONDS = 1.0


@dataclass(frozen=True)
class Sample:
    kind: str
    name: str
    status: int
    seconds: float


def _reader(base: str, stop: threading.Event, out: list[Sample], offset: int) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, label, path, params in itertools.islice(itertools.cycle(READS), offset, None):
            if stop.is_set():
                return
            accept = "application/json" if kind == "named" else "application/sparql-results+json"
            out.append(
                _timed(
                    kind,
                    label,
                    partial(client.get, path, params=params, headers={"Accept": accept}),
                )
            )


def _writer(base: str, stop: threading.Event, out: list[Sample]) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=120) as client:
        for number in itertools.count():
            if stop.wait(1.0):
                return
            update = (
                f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}/{number}>"
                f' <http://www.w3.org/2000/01/rdf-schema#label> "write {number}" }} }}'
            )
            out.append(
                _timed(
                    "write",
                    "INSERT DATA",
                    partial(client.post, "/sparql", content=update, headers=headers),
                )
            )


def _timed(kind: str, name: str, call: Callable[[], httpx.Response]) -> Sample:
    started = time.perf_counter()
    try:
        status = call().status_code
    except httpx.TransportError:
        status = 599  # no answer at all counts as a server error
    return Sample(kind, name, status, time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0–1) percentile of ``values`` by the nearest rank.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([1.0, 2.0, 3.0, 4.0], 0.99)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def table(samples: list[Sample], seconds: float, readers: int) -> str:
    """The Markdown report of a run."""
    rows = [
        f"Load: {readers} readers and 1 writer for {seconds:g} s against `ehelsekg serve`"
        f" on {HOST} (bundled data; {os.cpu_count()} cores).",
        "",
        "| kind | requests | 4xx | 5xx | 5xx by status | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    groups: dict[str, list[Sample]] = {"all": samples}
    for sample in samples:
        groups.setdefault(sample.kind, []).append(sample)
        groups.setdefault(f"{sample.kind}: {sample.name}", []).append(sample)
    for name, group in sorted(groups.items(), key=lambda item: (item[0] != "all", item[0])):
        times = [s.seconds for s in group]
        errors = [s.status for s in group if s.status >= 500]
        refused = sum(1 for s in group if 400 <= s.status < 500)
        by_status = ", ".join(f"{c}×{n}" for n, c in sorted(_count(errors).items())) or "–"
        rows.append(
            f"| {name} | {len(group)} | {refused} | {len(errors)} | {by_status} |"
            f" {percentile(times, 0.5) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} |"
            f" {percentile(times, 0.99) * 1000:.0f} | {max(times) * 1000:.0f} |"
        )
    named_errors = sum(1 for s in samples if s.kind == "named" and s.status >= 500)
    p99 = percentile([s.seconds for s in samples], 0.99)
    met = named_errors == 0 and p99 < GOAL_SECONDS
    rows += [
        "",
        f"Goal (0 5xx on named queries, p99 < {GOAL_SECONDS:g} s over all requests):"
        f" {'met' if met else 'missed'} ({named_errors} named-query 5xx, p99 {p99 * 1000:.0f} ms).",
    ]
    return "\n".join(rows) + "\n"


def _count(values: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def run(*, seconds: float, readers: int) -> str:
    """Start a server, load it, stop it; the Markdown report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSEKG_")}
    env["EHELSEKG_UPDATE_TOKEN"] = TOKEN
    port = free_port()
    base = f"http://{HOST}:{port}"
    command = [sys.executable, "-c", "from ehelsekg.cli.main import main; main()", "serve"]
    command += ["--host", HOST, "--port", str(port)]
    with tempfile.TemporaryDirectory(prefix="ehelsekg-load-") as folder:
        log = Path(folder) / "server.log"
        with _process(command, log, env) as process:
            _wait(f"{base}/health", process, log)
            samples: list[Sample] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=_reader, args=(base, stop, samples, n))
                for n in range(readers)
            ]
            threads.append(threading.Thread(target=_writer, args=(base, stop, samples)))
            for thread in threads:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
    return table(samples, seconds, readers)


@click.command()
@click.option("--seconds", type=float, default=60.0, show_default=True)
@click.option("--readers", type=click.IntRange(1, 256), default=32, show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=ROOT / "bench" / "out" / "load.md",
    show_default=True,
)
def main(seconds: float, readers: int, output: Path) -> None:
    """32 readers and 1 writer against a real server: 5xx and latency percentiles."""
    text = run(seconds=seconds, readers=readers)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"written to {output}", err=True)


if __name__ == "__main__":
    main()
