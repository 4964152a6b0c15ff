"""Running jobs in worker processes that can be stopped, fairly, with a lane kept for quick work.

Neither pyoxigraph nor rdflib can cancel a running query from Python. So jobs run in
pre-forked worker processes, each holding a copy-on-write copy of the loaded store; a job that
overruns its time limit has its worker killed and replaced, while the other workers and the
server go on answering. After a write the workers are replaced (at once, so they stay warm).

Two things keep runaway work from starving the rest:

- **A fast lane.** Besides the general workers the pool keeps ``fast`` workers that take a job
  only for ``fast_limit`` seconds, and only while every general worker is busy. A quick job
  (a named query, an ASK) is answered there while runaways hold the general workers; a job
  that turns out slow is stopped there and goes on waiting for a general worker with the time
  it has left.
- **Fair shares.** When a worker comes free it goes to the waiting client that holds the
  fewest workers, then has been served the fewest jobs, so one client's many requests cannot
  keep everyone else waiting. Among one client's waiting jobs named queries go first: always in
  the fast lane, for a general worker for ``PRIORITY_GRACE`` seconds only, so that a stream of
  them cannot starve the rest.

Jobs can be awaited (``run_async``): the answer is read when the worker's pipe becomes
readable, in the event loop, with no thread to hop through.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ehelsekg.errors import EhelsekgError, QueryTimeout, WorkerCrashed

Job = Callable[[Any], Any]
GENERAL, FAST = "general", "fast"


def _serve(connection: Connection, job: Job, after: Callable[[], None] | None) -> None:
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
        if after is not None:
            # Work no client waits for; a failure there must not stop the worker.
            with contextlib.suppress(Exception):
                after()


@dataclass
class _Worker:
    process: Any
    connection: Connection
    generation: int
    lane: str


@dataclass
class _Waiter:
    """A job waiting for a worker: granted by the thread that frees one."""

    client: str
    lanes: tuple[str, ...]
    order: int
    #: 0 goes before 1 among one client's waiters (named queries before other queries), for
    #: PRIORITY_GRACE seconds: after that a waiter goes by its turn, so none starves.
    priority: int = 1
    cost_key: Hashable | None = None
    since: float = field(default_factory=time.monotonic)
    granted: _Worker | None = None
    event: threading.Event | None = None
    future: asyncio.Future[None] | None = None
    loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    def grant(self, worker: _Worker) -> None:
        self.granted = worker
        if self.event is not None:
            self.event.set()
        elif self.future is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(_resolve, self.future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class WorkerPool:
    """Forked workers that run ``job(payload)`` with a wall-clock limit (see the module), and
    ``after()`` once each answer is sent: work that no client waits for."""

    def __init__(
        self,
        job: Job,
        *,
        size: int = 2,
        fast: int = 0,
        fast_limit: float = 1.0,
        after: Callable[[], None] | None = None,
    ) -> None:
        self._job = job
        self._after = after
        self._sizes = {GENERAL: max(1, size), FAST: max(0, fast)}
        self.fast_limit = fast_limit
        self._context = multiprocessing.get_context("fork")
        self._lock = threading.Lock()
        self._generation = 0
        self._idle: dict[str, list[_Worker]] = {GENERAL: [], FAST: []}
        self._free = dict(self._sizes)
        self._held: dict[str, int] = {}
        #: Jobs each client was given a worker for: the fairer share goes to the fewest.
        self._served: dict[str, int] = {}
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        #: Cost keys of jobs that outgrew the fast lane (the most recent _SLOW_KEYS).
        self._slow: OrderedDict[Hashable, None] = OrderedDict()
        for lane, count in self._sizes.items():
            self._idle[lane] = [self._spawn(lane) for _ in range(count)]

    # ---------------------------------------------------------------- workers

    def _spawn(self, lane: str) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self._job, self._after), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent, self._generation, lane)

    def _stop(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()

    def renew(self) -> None:
        """Replace every worker (after a write): idle ones now, with fresh ones forked at once
        so the next requests find warm workers; busy ones when they come back."""
        with self._lock:
            self._generation += 1
            old = [w for lane in self._idle.values() for w in lane]
            fresh = {
                lane: [self._spawn(lane) for _ in workers] for lane, workers in self._idle.items()
            }
            self._idle = fresh
        for worker in old:
            self._stop(worker)

    def close(self) -> None:
        with self._lock:
            workers = [w for lane in self._idle.values() for w in lane]
            self._idle = {GENERAL: [], FAST: []}
        for worker in workers:
            self._stop(worker)

    # ---------------------------------------------------------------- admission

    def _take(self, lane: str) -> _Worker:
        """A worker of ``lane`` whose slot the caller holds (under the lock)."""
        idle = self._idle[lane]
        while idle:
            worker = idle.pop()
            if worker.generation == self._generation and worker.process.is_alive():
                return worker
            self._stop(worker)
        return self._spawn(lane)

    def _try(self, client: str, lanes: tuple[str, ...]) -> _Worker | None:
        """A worker now, if a slot of ``lanes`` is free and nobody fairer waits (under the lock)."""
        for lane in lanes:
            fairer = any(lane in w.lanes and self._fairer(w, client) for w in self._waiting)
            if self._free[lane] > 0 and not fairer:
                self._free[lane] -= 1
                self._count(client)
                return self._take(lane)
        return None

    def _share(self, client: str) -> tuple[int, int]:
        """How much of the pool ``client`` has: workers held now, then jobs served."""
        return self._held.get(client, 0), self._served.get(client, 0)

    def _fairer(self, waiter: _Waiter, client: str) -> bool:
        return self._share(waiter.client) < self._share(client)

    def _count(self, client: str) -> None:
        self._held[client] = self._held.get(client, 0) + 1
        if len(self._served) > 10_000:
            self._served.clear()
        self._served[client] = self._served.get(client, 0) + 1

    def _release(self, worker: _Worker | None, lane: str, client: str) -> None:
        with self._lock:
            if worker is not None:
                if worker.generation == self._generation and worker.process.is_alive():
                    self._idle[lane].append(worker)
                else:
                    self._stop(worker)
            self._free[lane] += 1
            self._held[client] -= 1
            if not self._held[client]:
                del self._held[client]
            self._hand_over(lane)

    def _hand_over(self, lane: str) -> None:
        """Give a freed slot of ``lane`` to the fairest waiter that takes it (under the lock)."""
        takers = [w for w in self._waiting if lane in w.lanes]
        if not takers or self._free[lane] <= 0:
            return
        now = time.monotonic()

        def turn(w: _Waiter) -> tuple[tuple[int, int], int, int]:
            # The fast lane is kept for quick jobs: named queries always go first there.
            keeps = lane == FAST or now - w.since < PRIORITY_GRACE
            return self._share(w.client), w.priority if keeps else 0, w.order

        chosen = min(takers, key=turn)
        self._waiting.remove(chosen)
        self._free[lane] -= 1
        self._count(chosen.client)
        chosen.grant(self._take(lane))

    def _lanes(self, lane: str, cost_key: Hashable | None = None) -> tuple[str, ...]:
        if lane == GENERAL or not self._sizes[FAST] or cost_key in self._slow:
            return (GENERAL,)
        return (GENERAL, FAST)

    def _acquire(
        self, client: str, lanes: tuple[str, ...], timeout: float, ask: _Ask = (1, None)
    ) -> _Worker:
        with self._lock:
            worker = self._try(client, lanes)
            if worker is not None:
                return worker
            waiter = _Waiter(client, lanes, next(self._order), *ask, event=threading.Event())
            self._waiting.append(waiter)
        assert waiter.event is not None
        waiter.event.wait(timeout)
        return self._settle(waiter, timeout)

    async def _acquire_async(
        self, client: str, lanes: tuple[str, ...], timeout: float, ask: _Ask = (1, None)
    ) -> _Worker:
        loop = asyncio.get_running_loop()
        with self._lock:
            worker = self._try(client, lanes)
            if worker is not None:
                return worker
            waiter = _Waiter(client, lanes, next(self._order), *ask, future=loop.create_future())
            waiter.loop = loop
            self._waiting.append(waiter)
        assert waiter.future is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        return self._settle(waiter, timeout)

    def _settle(self, waiter: _Waiter, timeout: float) -> _Worker:
        with self._lock:
            if waiter.granted is not None:
                return waiter.granted
            self._waiting.remove(waiter)
        raise QueryTimeout(f"no worker was free within {timeout:g} s; try again shortly")

    # ---------------------------------------------------------------- running

    def run(
        self,
        payload: Any,
        timeout: float,
        *,
        client: str = "",
        lane: str = FAST,
        cost_key: Hashable | None = None,
        priority: int = 1,
    ) -> Any:
        """Run one job; raise QueryTimeout if it takes longer than ``timeout`` seconds.
        ``lane`` GENERAL keeps the job out of the fast lane (writes); a job whose ``cost_key``
        (say, its query text) outgrew the fast lane before goes straight to the general
        workers, so that repeating a slow query does not keep the fast lane busy; among one
        client's waiting jobs a ``priority`` of 0 goes before 1."""
        deadline = time.monotonic() + timeout
        lanes = self._lanes(lane, cost_key)
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            worker = self._acquire(client, lanes, remaining, (priority, cost_key))
            outcome = self._exchange(worker, payload, deadline, timeout, client, cost_key)
            if outcome is not _SLOW:
                return outcome
            lanes = (GENERAL,)

    async def run_async(
        self,
        payload: Any,
        timeout: float,
        *,
        client: str = "",
        lane: str = FAST,
        cost_key: Hashable | None = None,
        priority: int = 1,
    ) -> Any:
        """As :meth:`run`, awaited: the answer is read when the worker's pipe is readable."""
        deadline = time.monotonic() + timeout
        lanes = self._lanes(lane, cost_key)
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            worker = await self._acquire_async(client, lanes, remaining, (priority, cost_key))
            limit = self._limit(worker, deadline)
            try:
                worker.connection.send(payload)
                ready = await _readable(worker.connection, limit)
            except BaseException:
                self._lose(worker, client)
                raise
            outcome = self._finish(worker, ready, deadline, timeout, client, cost_key)
            if outcome is not _SLOW:
                return outcome
            lanes = (GENERAL,)

    def _remember_slow(self, cost_key: Hashable | None) -> None:
        """Note that the job of ``cost_key`` outgrew the fast lane."""
        if cost_key is not None:
            with self._lock:
                # Waiting jobs of the same key wait for a general worker only.
                for waiter in self._waiting:
                    if waiter.cost_key == cost_key:
                        waiter.lanes = (GENERAL,)
                self._slow[cost_key] = None
                self._slow.move_to_end(cost_key)
                while len(self._slow) > _SLOW_KEYS:
                    self._slow.popitem(last=False)

    def _limit(self, worker: _Worker, deadline: float) -> float:
        remaining = max(0.0, deadline - time.monotonic())
        return min(remaining, self.fast_limit) if worker.lane == FAST else remaining

    def _exchange(
        self,
        worker: _Worker,
        payload: Any,
        deadline: float,
        timeout: float,
        client: str,
        cost_key: Hashable | None,
    ) -> Any:
        try:
            worker.connection.send(payload)
            ready = worker.connection.poll(self._limit(worker, deadline))
        except BaseException:
            self._lose(worker, client)
            raise
        return self._finish(worker, ready, deadline, timeout, client, cost_key)

    def _finish(
        self,
        worker: _Worker,
        ready: bool,
        deadline: float,
        timeout: float,
        client: str,
        cost_key: Hashable | None,
    ) -> Any:
        """The job's answer, or _SLOW if the fast lane gave up on it; the worker goes back."""
        lane = worker.lane
        if not ready:
            outgrew = lane == FAST and time.monotonic() < deadline
            if outgrew:
                # Before the lane is handed over: the jobs of the same key waiting for it now
                # wait for a general worker, so a named query waiting too gets the lane.
                self._remember_slow(cost_key)
            self._lose(worker, client)
            if outgrew:
                return _SLOW
            raise QueryTimeout(
                f"stopped after {timeout - (deadline - time.monotonic()):.1f} s, the limit is"
                f" {timeout:g} s"
            )
        try:
            status, value = worker.connection.recv()
        except (EOFError, OSError) as err:
            self._lose(worker, client)
            raise WorkerCrashed("the worker stopped while running the job") from err
        self._release(worker, lane, client)
        if status == "error":
            raise value
        if status == "crash":
            raise WorkerCrashed(str(value))
        return value

    def _lose(self, worker: _Worker, client: str) -> None:
        """Stop a worker whose job is abandoned (over its limit, or the caller went away)."""
        self._stop(worker)
        self._release(None, worker.lane, client)


#: Seconds a job waits behind a client's named queries for a general worker at most: then it
#: goes by its turn. Under a steady stream of named queries a strict order would keep the
#: rest waiting until the stream stopped (the load bench saw 1.3 s). In the fast lane named
#: queries always go first.
PRIORITY_GRACE = 0.1
#: A fast-lane job that outgrew the lane: it goes on to a general worker.
_SLOW = object()
#: How a job asks for a worker: (priority, cost key).
_Ask = tuple[int, Hashable | None]
#: How many slow jobs' cost keys are remembered.
_SLOW_KEYS = 1024


async def _readable(connection: Connection, timeout: float) -> bool:
    """Whether ``connection`` has an answer within ``timeout`` seconds, waited for in the event
    loop (no thread)."""
    if connection.poll(0):
        return True
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = connection.fileno()
    loop.add_reader(fd, _resolve, ready)
    try:
        async with asyncio.timeout(timeout):
            await ready
        return True
    except TimeoutError:
        return connection.poll(0)
    finally:
        loop.remove_reader(fd)
        # The event loop (libuv under uvloop) made the descriptor non-blocking; the pipe's
        # recv and send expect a blocking one (a large answer arrives in pieces).
        os.set_blocking(fd, True)
