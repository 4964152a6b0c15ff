"""Restart of an on-disk store that already holds the data: ``open_knowledge_graph`` plus the
``KnowledgeService`` start (rules, inferences, the gate's validation baseline, workers).

The store is filled once (the first start, timed too), in ``bench/out/store-SIZE-sSEED`` with
its cache in ``bench/out/cache-SIZE-sSEED`` (git-ignored); every restart then runs in a fresh
process, as a server start does.

    python -m bench.restart --sizes bundled,1m --repeat 3   # table also in bench/out/restart.md
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from bench.generate import DEFAULT_OUT, cached
from ehelsekg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _folders(size: str, seed: int) -> tuple[list[Path] | None, Path, Path]:
    only = None
    if size != "bundled":
        data = DEFAULT_OUT / f"data-{size}-s{seed}"
        cached(data, size=size, seed=seed)
        only = [data]
    return only, DEFAULT_OUT / f"store-{size}-s{seed}", DEFAULT_OUT / f"cache-{size}-s{seed}"


def start(store: Path, cache: Path, only: list[Path] | None) -> dict[str, float | bool]:
    """One start, timed in parts (seconds)."""
    from ehelsekg.knowledge import open_knowledge_graph
    from ehelsekg.service.service import KnowledgeService

    settings = replace(Settings(), cache_dir=cache, workers=2)
    began = time.perf_counter()
    knowledge = open_knowledge_graph(settings, store=f"oxigraph:{store}", only=only)
    opened = time.perf_counter()
    service = KnowledgeService(knowledge, settings)
    done = time.perf_counter()
    service.close()
    return {
        "total": done - began,
        "open": opened - began,
        "service": done - opened,
        **{k: v for k, v in knowledge.timings.items()},
        "reused_inferences": knowledge.reused_inferences,
        "quads": float(len(knowledge.store)),
    }


def _in_child(size: str, seed: int) -> dict[str, float | bool]:
    command = [sys.executable, "-m", "bench.restart", "--child", "--sizes", size]
    command += ["--seed", str(seed)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, float | bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@click.command()
@click.option("--sizes", default="bundled", show_default=True, help="bundled, 10k, 100k, 1m.")
@click.option("--repeat", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--fresh", is_flag=True, help="Delete the store and fill it again first.")
@click.option("--child", is_flag=True, hidden=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_OUT / "restart.md",
    show_default=True,
)
def main(sizes: str, repeat: int, seed: int, fresh: bool, child: bool, output: Path) -> None:
    """Time the first start and restarts of an on-disk store; print a Markdown table."""
    names = [s.strip() for s in sizes.split(",") if s.strip()]
    if child:
        only, store, cache = _folders(names[0], seed)
        click.echo(json.dumps(start(store, cache, only)))
        return
    lines = [
        "| size | quads | first start (s) | restart median (s) | open / service (s) | n |",
        "|---|---|---|---|---|---|",
    ]
    for size in names:
        _only, store, cache = _folders(size, seed)
        first = "(filled before)"
        if fresh or not store.exists():
            shutil.rmtree(store, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            first = f"{_in_child(size, seed)['total']:.1f}"
        runs = [_in_child(size, seed) for _ in range(repeat)]
        assert all(run["reused_inferences"] for run in runs), runs
        total = statistics.median(float(r["total"]) for r in runs)
        opened = statistics.median(float(r["open"]) for r in runs)
        service = statistics.median(float(r["service"]) for r in runs)
        lines.append(
            f"| {size} | {int(runs[0]['quads']):,} | {first} | {total:.2f} |"
            f" {opened:.2f} / {service:.2f} | {len(runs)} |"
        )
    text = "\n".join(lines)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(text)


if __name__ == "__main__":
    main()
