"""Running queries in worker processes that can be stopped.

Neither pyoxigraph nor rdflib can cancel a running query from Python. So queries run in
pre-forked worker processes, each holding a copy-on-write copy of the loaded store; a query that
overruns its time limit has its worker killed and replaced, while the other workers and the
server go on answering. After a write the workers are replaced, so that they see it.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ehelsekg.errors import EhelsekgError, QueryTimeout, WorkerCrashed

Job = Callable[[Any], Any]


def _serve(connection: Connection, job: Job) -> None:
    while True:
        try:
            payload = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", job(payload)))
        except EhelsekgError as err:
            connection.send(("error", err))
        except Exception as err:
            connection.send(("crash", f"{type(err).__name__}: {err}"))


@dataclass
class _Worker:
    process: Any
    connection: Connection
    generation: int


class WorkerPool:
    """A few forked workers that run ``job(payload)`` with a wall-clock limit."""

    def __init__(self, job: Job, *, size: int = 2) -> None:
        self._job = job
        self._size = max(1, size)
        self._context = multiprocessing.get_context("fork")
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._available = threading.Semaphore(self._size)
        self._generation = 0
        for _ in range(self._size):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self._job), daemon=True)
        process.start()
        child.close()
        return _Worker(process=process, connection=parent, generation=self._generation)

    def renew(self) -> None:
        """Replace every worker (after a write), lazily: busy workers when they come back."""
        with self._lock:
            self._generation += 1
            old, self._idle = self._idle, []
        for worker in old:
            self._stop(worker)

    def _stop(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()

    def run(self, payload: Any, timeout: float) -> Any:
        """Run one job; raise QueryTimeout if it takes longer than ``timeout`` seconds."""
        if not self._available.acquire(timeout=timeout):
            raise QueryTimeout(f"no worker was free within {timeout:g} s; try again shortly")
        worker: _Worker | None = None
        try:
            with self._lock:
                while self._idle and self._idle[-1].generation != self._generation:
                    self._stop(self._idle.pop())
                worker = self._idle.pop() if self._idle else None
            if worker is None or not worker.process.is_alive():
                worker = self._spawn()
            started = time.monotonic()
            worker.connection.send(payload)
            if not worker.connection.poll(timeout):
                self._stop(worker)
                worker = None
                raise QueryTimeout(
                    f"stopped after {time.monotonic() - started:.1f} s, the limit is {timeout:g} s"
                )
            try:
                status, value = worker.connection.recv()
            except (EOFError, OSError) as err:
                self._stop(worker)
                worker = None
                raise WorkerCrashed("the worker stopped while running the query") from err
            if status == "error":
                raise value
            if status == "crash":
                raise WorkerCrashed(str(value))
            return value
        finally:
            if worker is not None:
                with self._lock:
                    if worker.generation == self._generation and worker.process.is_alive():
                        self._idle.append(worker)
                    else:
                        self._stop(worker)
            self._available.release()

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            self._stop(worker)
