"""The benchmark runner: the bundled data and synthetic portfolios of the chosen sizes, each
measured in a fresh process, then a Markdown table of medians and ratios to stdout and a file.

    python -m bench.run                      # bundled, 10k, 100k (about 15 minutes)
    python -m bench.run --sizes 1m --repeat 1
    python -m bench.run --sizes bundled,10k --skip-http --skip-anchors
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from bench import http
from bench.generate import DEFAULT_OUT, cached
from bench.measure import Options
from bench.report import markdown

ROOT = Path(__file__).resolve().parent.parent

#: Typical parameters on the bundled data, from the facts the tests check by hand.
BUNDLED_PARAMETERS: dict[str, dict[str, str]] = {
    "council-cases": {"meeting": "2021-05-20"},
    "dependencies": {"status": "red"},
    "judgements": {"report": "2022-09"},
    "measure-history": {"measure": "181"},
    "measures-by-actor": {"actor": "Helse Sør-Øst"},
    "measures-by-goal": {"goal": "4"},
    "operating-cost-growth": {"report": "2022-09"},
    "operating-cost-level": {"year": "2025"},
    "provenance": {"subject": "181"},
    "red-dependencies-blocking-goal": {"goal": "4"},
    "search": {"text": "kjernejournal"},
    "services-awaiting-funding": {"report": "2022-09"},
    "status-changes": {"from": "2019-10", "to": "2022-09"},
    "status-summary": {"report": "2022-09"},
}
BUNDLED_ANALYSIS = {
    "critical_path": "rmservice:pll",
    "impact": "activity:2022-09-pll-13",
    "slip": "6",
    "goal": "4",
}


def _versions() -> str:
    names = [
        "rdflib",
        "pyoxigraph",
        "oxigraph",
        "owlrl",
        "pyshacl",
        "reasonable",
        "networkx",
        "fastapi",
        "uvicorn",
    ]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def header(options: Options) -> list[str]:
    return [
        f"Machine: {os.cpu_count()} cores (nproc), {platform.machine()}, {platform.system()}"
        f" {platform.release()}; Python {platform.python_version()}; ehelsekg at {_commit()}.",
        "",
        f"Versions: {_versions()}.",
        "",
        f"Medians of up to {options.repeat} runs, fewer once {options.budget:g} s are spent on one"
        " measurement (n = runs); requests over HTTP up to"
        f" {http.HTTP_REPEAT} times within {http.HTTP_BUDGET:g} s; named queries after one"
        " warm-up run. Ratios are ours ÷ anchor"
        " (below 1: we are faster). rdflib's engine is stopped after"
        f" {options.rdflib_limit:g} s per query and not run above"
        f" {options.rdflib_max_triples:,} triples; owlrl not above"
        f" {options.owlrl_max_triples:,}; slow runs (validation, pyshacl, owlrl, update gate)"
        f" are stopped after {options.slow_limit:g} s. Every measurement of a size runs in a"
        " fresh process; each memory peak in one of its own.",
    ]


def _data(size: str, seed: int) -> tuple[list[Path] | None, dict[str, Any], dict[str, str]]:
    if size == "bundled":
        return None, BUNDLED_PARAMETERS, BUNDLED_ANALYSIS
    folder = DEFAULT_OUT / f"data-{size}-s{seed}"
    manifest = cached(folder, size=size, seed=seed)
    return [folder], dict(manifest["parameters"]), dict(manifest["analysis"])  # type: ignore[call-overload]


def _memory(
    what: str, only: list[Path] | None, parameters: dict[str, Any], limit: float
) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.memory", "--what", what]
    command += ["--parameters", json.dumps(parameters)]
    for path in only or []:
        command += ["--only", str(path)]
    label = {
        "stack": "memory peak: store + reasoning + every named query + network (MB)",
        "validation": "memory peak: full validation (MB)",
    }[what]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=limit
        )
        peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"]
        ours = {"median": peak, "runs": 1, "note": ""}
    except subprocess.TimeoutExpired:
        ours = {"median": None, "runs": 0, "note": f"not measured (>{limit:g} s)"}
    except (subprocess.CalledProcessError, ValueError, KeyError) as err:
        ours = {"median": None, "runs": 0, "note": f"failed: {err}"[:80]}
    return {"what": label, "ours": ours, "anchors": [], "note": "child process, ru_maxrss"}


def measure_size(size: str, options: Options, seed: int) -> dict[str, Any]:
    """Measure one size in child processes; return its results as JSON data."""
    only, parameters, targets = _data(size, seed)
    with tempfile.TemporaryDirectory(prefix="ehelsekg-bench-") as folder:
        spec = Path(folder) / "spec.json"
        output = Path(folder) / "result.json"
        spec.write_text(
            json.dumps({"options": asdict(options), "parameters": parameters, "analysis": targets}),
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "bench.measure", "--label", size]
        command += ["--spec", str(spec), "--output", str(output)]
        for path in only or []:
            command += ["--only", str(path)]
        subprocess.run(command, cwd=ROOT, check=True)
        result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    result["operations"].append(_memory("stack", only, parameters, options.slow_limit))
    validation = next(op for op in result["operations"] if op["what"].startswith("full valid"))
    if validation["ours"]["median"] is None:
        # It did not finish in the measuring process; it would not in the memory probe either.
        skipped = {"median": None, "runs": 0, "note": validation["ours"]["note"]}
        result["operations"].append(
            {
                "what": "memory peak: full validation (MB)",
                "ours": skipped,
                "anchors": [],
                "note": "not run: validation did not finish",
            }
        )
    else:
        result["operations"].append(_memory("validation", only, parameters, options.slow_limit))
    return result


@click.command()
@click.option(
    "--sizes",
    default="bundled,10k,100k",
    show_default=True,
    help="Comma-separated: bundled, 10k, 100k, 1m or a number of measures.",
)
@click.option("--repeat", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option(
    "--budget",
    type=float,
    default=8.0,
    show_default=True,
    help="Seconds one measurement may spend on repetitions (it always runs once).",
)
@click.option("--skip-http", is_flag=True, help="Leave out the HTTP measurements.")
@click.option("--skip-anchors", is_flag=True, help="Measure only our own stack.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--rdflib-limit", type=float, default=5.0, show_default=True, help="Seconds per rdflib query."
)
@click.option(
    "--slow-limit",
    type=float,
    default=90.0,
    show_default=True,
    help="Seconds one slow run (validation, pyshacl, owlrl, update gate) may take.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_OUT / "results.md",
    show_default=True,
)
def main(
    sizes: str,
    repeat: int,
    budget: float,
    skip_http: bool,
    skip_anchors: bool,
    seed: int,
    rdflib_limit: float,
    slow_limit: float,
    output: Path,
) -> None:
    """Measure the bundled data and synthetic portfolios; write a Markdown table."""
    options = Options(
        repeat=repeat,
        budget=budget,
        skip_http=skip_http,
        skip_anchors=skip_anchors,
        rdflib_limit=rdflib_limit,
        slow_limit=slow_limit,
    )
    results = []
    for size in [s.strip() for s in sizes.split(",") if s.strip()]:
        click.echo(f"measuring {size} …", err=True)
        results.append(measure_size(size, options, seed))
    text = markdown(results, header(options))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    (output.with_suffix(".json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    click.echo(text)
    click.echo(f"written to {output}", err=True)


if __name__ == "__main__":
    main()
