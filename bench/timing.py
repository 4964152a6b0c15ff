"""Medians of repeated runs, with a time budget and a time limit for slow anchors."""

from __future__ import annotations

import signal
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """The median of ``runs`` runs in seconds, or why there is none (``note``)."""

    median: float | None
    runs: int = 0
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timing:
        return cls(**data)


class TimeLimit(Exception):
    """A run took longer than its limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt pure-Python work (rdflib, owlrl, pyshacl) after ``seconds``; main thread only."""
    if not seconds:
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measure(
    run: Callable[[], object],
    *,
    repeat: int,
    budget: float,
    limit: float | None = None,
    warm_up: bool = False,
    setup: Callable[[], object] | None = None,
) -> Timing:
    """Run ``run`` up to ``repeat`` times, fewer once ``budget`` seconds are spent (at least
    once), and return the median. ``limit`` stops one run that takes longer; ``warm_up`` runs
    it once untimed first; ``setup`` runs untimed before every run."""
    times: list[float] = []
    spent = 0.0
    try:
        if warm_up:
            with time_limit(limit):
                started = time.perf_counter()
                run()
                spent += time.perf_counter() - started
        while len(times) < max(1, repeat):
            if setup is not None:
                setup()
            with time_limit(limit):
                started = time.perf_counter()
                run()
                elapsed = time.perf_counter() - started
            times.append(elapsed)
            spent += elapsed
            if spent >= budget:
                break
    except TimeLimit:
        if not times:
            return Timing(None, 0, f"not measured (>{limit:g} s)")
    except Exception as err:  # an engine that cannot run the query is a result too
        return Timing(None, 0, f"failed: {type(err).__name__}: {err}"[:90].replace("|", "/"))
    return Timing(statistics.median(times), len(times))
