"""The knowledge graph as a service: guarded, time-limited jobs, and validated updates.

Everything a server (or any other front end) needs, without knowing HTTP. Every request that
reads the store runs as a typed job (see ``jobs``) in a worker process (see ``workers``) with
the time limit of its kind, so work over its limit is stopped and the server goes on answering;
only reads that have proved cheap are answered in this process instead (see ``inline``).
An update is evaluated once, on a copy in a worker, and validated against the shapes; if the
result has no Violation, exactly the quads it changed are applied to the store, as one
transaction, and the inferences follow.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rdflib.term import Node

from ehelsekg.catalogue.entities import Entity
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.errors import EhelsekgError, RejectedQueryError, StoreNotReadyError, WorkerCrashed
from ehelsekg.knowledge import KnowledgeGraph
from ehelsekg.service import guard
from ehelsekg.service.answers import Answer
from ehelsekg.service.inline import INLINE_BYTES, InlineReads
from ehelsekg.service.jobs import (
    BindParameters,
    CheckUpdate,
    CriticalPath,
    DescribeEntity,
    Impact,
    Job,
    NamedAnswer,
    NamedQuery,
    ParseUpload,
    ReadGraph,
    SparqlQuery,
    Validate,
    View,
    WorkerState,
    dataset,
)
from ehelsekg.service.page_jobs import (
    EntitySummaryJob,
    MeetingPackJob,
    NamedTableJob,
    StartPageJob,
)
from ehelsekg.service.workers import WorkerPool
from ehelsekg.settings import Settings, worker_count
from ehelsekg.store.changes import QuadChange
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.graphs import writable_graphs
from ehelsekg.store.loading import load_shapes
from ehelsekg.store.reach import QueryReach, text_digest
from ehelsekg.store.sparql_text import one_pattern
from ehelsekg.store.terms import QueryResult
from ehelsekg.validation.gate import Validator
from ehelsekg.views.entity import EntitySummary
from ehelsekg.views.start import StartPage
from ehelsekg.views.table import Table

#: The INSERT DATA generated from an uploaded graph may be this many times the body limit:
#: N-Triples spells out every IRI that Turtle and JSON-LD abbreviate.
UPLOAD_EXPANSION = 16

#: Texts longer than this are checked by the guard in a thread, off the event loop.
_GUARD_IN_THREAD = 64 * 1024


def _cost_key(job: Job) -> Hashable | None:
    """What a job's cost is remembered by, for the fast lane: a query's text and dataset (a
    query that once outgrew the fast lane goes straight to the general workers)."""
    if isinstance(job, SparqlQuery):
        return ("sparql", text_digest(job.text), job.dataset, job.include_inferred)
    return None


def inline_key(job: Job) -> Hashable | None:
    """What a protocol read is known by, to be answered in this process once it has proved
    cheap (see ``inline``); None for every other job."""
    if isinstance(job, SparqlQuery):
        text = text_digest(job.text)
        return ("sparql", text, job.media_type, job.include_inferred, job.dataset, job.base_iri)
    if isinstance(job, NamedAnswer):
        params = tuple(sorted(job.params.items()))
        return ("named", job.name, params, job.include_inferred, job.media_type)
    return None


def _priority(job: Job) -> int:
    """Named queries (bounded, with their own short limit) go first among a client's jobs."""
    return 0 if isinstance(job, (NamedQuery, NamedAnswer)) else 1


@dataclass(frozen=True)
class UpdateOutcome:
    """What an update did: applied (and what it changed), or refused with the report."""

    applied: bool
    report: dict[str, object] = field(default_factory=dict)
    change: QuadChange = field(default_factory=QuadChange)


class KnowledgeService:
    """Guarded, time-limited reads and validated updates over one knowledge graph."""

    def __init__(self, knowledge: KnowledgeGraph, settings: Settings) -> None:
        self._knowledge = knowledge
        self.settings = settings
        self.catalogue = Catalogue(settings.queries_dir)
        self.shapes = load_shapes(settings)
        # The baseline of the scoped update gate; computed before the workers fork, so that
        # they inherit it.
        self.validator = Validator.for_shapes(self.shapes)
        # Kept by store revision: a restart of an unchanged on-disk store reads it back.
        self.validator.start(knowledge.store, cache_dir=settings.cache_dir)
        self.limits = guard.Limits(
            max_bytes=settings.max_body_bytes,
            max_depth=settings.max_query_depth,
            allow_outbound=settings.allow_outbound,
        )
        self._state = WorkerState(knowledge.store, self.catalogue, self.validator, settings)
        self._write_lock = threading.Lock()
        # Reads answered here must not wait on a remote store in the event loop.
        embedded = isinstance(knowledge.store, OxigraphStore)
        self.inline = InlineReads(settings.inline_seconds if embedded else 0.0)
        self.pool = WorkerPool(
            self._run_in_worker,
            size=worker_count(settings),
            fast=settings.fast_workers,
            fast_limit=settings.fast_lane_seconds,
            after=self._after_answer,
        )

    # Runs in a worker process, on its copy-on-write copy of the store: the answer, the
    # seconds it took, and what the worker has learnt of queries' reach since its last answer.
    def _run_in_worker(self, job: object) -> tuple[object, float, list[tuple[bytes, QueryReach]]]:
        if not isinstance(job, Job):
            raise RejectedQueryError(f"not a job: {type(job).__name__}")
        store = self._knowledge.store
        reaches = store.reaches if isinstance(store, OxigraphStore) else None
        if reaches is not None:
            reaches.queue_asked(slow=False)
        started = time.perf_counter()
        answer = job.run(self._state)
        seconds = time.perf_counter() - started
        if reaches is None:
            return answer, seconds, []
        narrow = self.settings.narrow_seconds
        reaches.queue_asked(slow=narrow > 0 and seconds >= narrow)
        return answer, seconds, reaches.take_learnt()

    # Runs in a worker process once an answer is sent: the slow queries' texts are parsed
    # there (tens of milliseconds), not while a client waits.
    def _after_answer(self) -> None:
        store = self._knowledge.store
        if isinstance(store, OxigraphStore):
            store.reaches.examine_queued()

    def _learn(self, learnt: list[tuple[bytes, QueryReach]]) -> None:
        """Keep what a worker learnt, for this process and the workers forked after a write."""
        store = self._knowledge.store
        if learnt and isinstance(store, OxigraphStore):
            store.reaches.remember(learnt)

    def _run_here(self, job: Job | Callable[[], object]) -> object:
        """``job`` in this process, its failures as a worker reports them."""
        try:
            return job.run(self._state) if isinstance(job, Job) else job()
        except EhelsekgError:
            raise
        except Exception as err:
            raise WorkerCrashed(f"{type(err).__name__}: {err}") from err

    def _one_pattern(self, job: Job, key: Hashable | None) -> bool:
        """A SPARQL query of one triple pattern over the store's own dataset, on an embedded
        store: answered here if its answer is small (see ``inline``)."""
        return (
            isinstance(job, SparqlQuery)
            and self.inline.limit > 0
            and job.dataset is None
            and not self.inline.large(key)
            and one_pattern(job.text)
        )

    def _run_small(self, job: SparqlQuery) -> Answer | None:
        store = self._knowledge.store
        assert isinstance(store, OxigraphStore)
        cap = self.settings.max_rows
        answer = self._run_here(lambda: job.run_within(store, cap, budget=INLINE_BYTES))
        assert answer is None or isinstance(answer, Answer)
        return answer

    def run(self, job: Job, *, client: str = "") -> object:
        """Run ``job`` in a worker within the time limit of its kind; ``client`` (who asks)
        gets a fair share of the workers."""
        limit = float(getattr(self.settings, job.limit))
        answer, _seconds, learnt = self.pool.run(
            job,
            limit,
            client=client,
            lane=job.lane,
            cost_key=_cost_key(job),
            priority=_priority(job),
        )
        self._learn(learnt)
        return answer

    async def run_async(self, job: Job, *, client: str = "") -> object:
        """As :meth:`run`, awaited in the event loop (no thread). A SPARQL query or named
        query that a worker answered quickly since the last write is answered here instead
        (see ``inline``)."""
        key = inline_key(job)
        if key is not None and self.inline.cheap(key):
            done, answer = self.inline.run(lambda: self._run_here(job))
            if done:
                return answer
        elif self._one_pattern(job, key):
            assert isinstance(job, SparqlQuery)
            done, answer = self.inline.run(lambda: self._run_small(job))
            if done and answer is not None:
                return answer
            if done:
                self.inline.note_large(key)
        sequence = self.inline.sequence
        limit = float(getattr(self.settings, job.limit))
        answer, seconds, learnt = await self.pool.run_async(
            job,
            limit,
            client=client,
            lane=job.lane,
            cost_key=_cost_key(job),
            priority=_priority(job),
        )
        self._learn(learnt)
        if key is not None:
            self.inline.note(key, seconds=seconds, sequence=sequence)
        return answer

    # ---------------------------------------------------------------- what the store holds

    def known_graphs(self) -> list[str]:
        return [str(g) for g in self._knowledge.store.graph_names()]

    def health(self) -> dict[str, object]:
        """A quick look at the store, answered in this process (no worker needed); a store
        that is incomplete or empty is StoreNotReadyError (503), never ``ok``."""
        problem = self._knowledge.incompleteness()
        if problem is not None:
            raise StoreNotReadyError(problem)
        store = self._knowledge.store
        return {
            "status": "ok",
            "quads": len(store),
            "graphs": len(store.graph_names()),
            "writable": self.settings.update_token is not None,
        }

    # ---------------------------------------------------------------- reads

    def _sparql_job(
        self,
        text: str,
        media_type: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        include_inferred: bool,
        base_iri: str | None,
    ) -> SparqlQuery:
        guard.check(text, self.limits, extra_graphs=[*default_graphs, *named_graphs])
        return SparqlQuery(
            text,
            media_type=media_type,
            include_inferred=include_inferred,
            dataset=dataset(default_graphs, named_graphs),
            base_iri=base_iri,
        )

    def sparql(
        self,
        text: str,
        *,
        media_type: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        include_inferred: bool = True,
        base_iri: str | None = None,
        client: str = "",
    ) -> Answer:
        """Run a SPARQL query in a worker; ``media_type`` '' picks the kind's default;
        ``base_iri`` resolves relative IRIs (the protocol lets it be the endpoint's URL)."""
        job = self._sparql_job(
            text, media_type, default_graphs, named_graphs, include_inferred, base_iri
        )
        answer = self.run(job, client=client)
        assert isinstance(answer, Answer)
        return answer

    async def sparql_async(
        self,
        text: str,
        *,
        media_type: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        include_inferred: bool = True,
        base_iri: str | None = None,
        client: str = "",
    ) -> Answer:
        """As :meth:`sparql`, awaited; a large text is checked by the guard in a thread, so
        the event loop goes on answering meanwhile."""
        arguments = (text, media_type, default_graphs, named_graphs, include_inferred, base_iri)
        if len(text) > _GUARD_IN_THREAD:
            job = await asyncio.to_thread(self._sparql_job, *arguments)
        else:
            job = self._sparql_job(*arguments)
        answer = await self.run_async(job, client=client)
        assert isinstance(answer, Answer)
        return answer

    def named(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        include_inferred: bool = True,
        client: str = "",
    ) -> tuple[QueryResult, bool]:
        """Run a named query in a worker: (result, truncated)."""
        self.catalogue.get(name)
        outcome = self.run(NamedQuery(name, dict(params), include_inferred), client=client)
        assert isinstance(outcome, tuple)
        result, truncated = outcome
        assert isinstance(result, QueryResult)
        return result, bool(truncated)

    async def named_answer_async(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        media_type: str = "application/json",
        include_inferred: bool = True,
        client: str = "",
    ) -> Answer:
        """A named query's answer as bytes in ``media_type`` (see ``answers.NAMED_TYPES``),
        written in the worker."""
        self.catalogue.get(name)
        job = NamedAnswer(name, dict(params), include_inferred, media_type)
        answer = await self.run_async(job, client=client)
        assert isinstance(answer, Answer)
        return answer

    def bind_parameters(self, name: str, params: Mapping[str, str]) -> dict[str, Node]:
        """The RDF terms a named query's parameters bind to."""
        bound = self.run(BindParameters(name, dict(params)))
        assert isinstance(bound, dict)
        return bound

    def critical_path(self, target: str, *, strict: bool = False) -> dict[str, object]:
        """CPM to ``target``; ``strict`` uses only the links the sources state."""
        result = self.run(CriticalPath(target, strict))
        assert isinstance(result, dict)
        return result

    def impact(self, node: str, slip: int) -> dict[str, object]:
        result = self.run(Impact(node, slip))
        assert isinstance(result, dict)
        return result

    def view(self, name: str, params: Mapping[str, str], *, base_url: str = "") -> str:
        html = self.run(View(name, dict(params), base_url))
        assert isinstance(html, str)
        return html

    def entity(self, iri: str) -> Entity | None:
        found = self.run(DescribeEntity(iri))
        assert found is None or isinstance(found, Entity)
        return found

    # ---------------------------------------------------------------- the council's pages

    def start_page_data(self) -> StartPage:
        """The goals' status counts and every picker's choices (for the start page)."""
        page = self.run(StartPageJob())
        assert isinstance(page, StartPage)
        return page

    def meeting_pack(self, report: str, *, base_url: str = "") -> dict[str, bytes]:
        """Every file of a report's meeting pack, by its path inside the pack."""
        files = self.run(MeetingPackJob(report, base_url=base_url))
        assert isinstance(files, dict)
        return files

    def entity_page(self, iri: str, *, base_url: str = "") -> EntitySummary:
        """What an entity's page tells a council member, in Norwegian."""
        summary = self.run(EntitySummaryJob(iri, base_url=base_url))
        assert isinstance(summary, EntitySummary)
        return summary

    def named_table(
        self, name: str, params: Mapping[str, str], *, base_url: str = "", client: str = ""
    ) -> Table:
        """A named query's answer as a labelled table with Norwegian headings."""
        self.catalogue.get(name)
        job = NamedTableJob(name, tuple(sorted(params.items())), base_url=base_url)
        table = self.run(job, client=client)
        assert isinstance(table, Table)
        return table

    def graph(self, name: str | None, media_type: str) -> bytes | None:
        """A graph (None: the asserted default graph) in ``media_type``; None if absent."""
        body = self.run(ReadGraph(name, media_type))
        assert body is None or isinstance(body, bytes)
        return body

    def insert_for_upload(
        self, body: bytes, media_type: str, *, base_iri: str, target: str | None
    ) -> str:
        """An uploaded graph, parsed in a worker, as the INSERT DATA that adds it."""
        text = self.run(ParseUpload(body, media_type, base_iri, target))
        assert isinstance(text, str)
        return text

    def validation(self) -> dict[str, object]:
        """The current SHACL report, computed in a worker; an incomplete or empty store is
        StoreNotReadyError (it would conform for want of data)."""
        problem = self._knowledge.incompleteness()
        if problem is not None:
            raise StoreNotReadyError(problem)
        report = self.run(Validate())
        assert isinstance(report, dict)
        return report

    # ---------------------------------------------------------------- writes

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[str] = (),
        using_named: Sequence[str] = (),
        base_iri: str | None = None,
        upload: bool = False,
    ) -> UpdateOutcome:
        """Validate an update on a copy, then apply exactly what it changed; never half.

        DROP/CLEAR ALL and NAMED reach only the graphs updates may write; a change to a file's
        graph or the inferred graph is refused (ReadOnlyGraphError), however the update named
        it; a source file's facts stay in the default graph. ``base_iri`` resolves relative
        IRIs. ``upload``: the text was generated from an uploaded graph (Graph Store
        Protocol), and has the allowance for uploads rather than the limit on query text.
        """
        limits = self.limits
        if upload:
            allowance = UPLOAD_EXPANSION * self.settings.max_body_bytes
            size = len(text.encode("utf-8"))
            if size > allowance:
                raise RejectedQueryError(
                    f"the graph you sent is {size} bytes as N-Triples; the limit is {allowance}"
                    f" ({UPLOAD_EXPANSION} x EHELSEKG_MAX_BODY_BYTES); send it in parts"
                )
            limits = replace(limits, max_bytes=allowance)
        guard.check(
            text,
            limits,
            extra_graphs=[*using_graphs, *using_named],
        )
        if using_graphs or using_named:
            text = guard.with_using(text, using_graphs, using_named)
        store = self._knowledge.store
        with self._write_lock:
            text = guard.confine_to_writable(text, writable=writable_graphs(self.known_graphs()))
            checked = self.run(CheckUpdate(text, base_iri))
            assert isinstance(checked, tuple)
            conforms, report, raw, change = checked
            if not conforms:
                return UpdateOutcome(applied=False, report=report)
            if change:
                # Before the change lands: the rules' state is that of the store as it was.
                self._knowledge.prepare_inferences()
                self.inline.begin_write()
                try:
                    store.apply_change(change)
                    self.validator.accept(raw, store)
                    self._knowledge.update_inferences(change)
                    flush = getattr(store, "flush", None)
                    if flush is not None:
                        flush()
                    self.pool.renew()
                finally:
                    self.inline.end_write()
        return UpdateOutcome(applied=True, report=report, change=change)

    def close(self) -> None:
        self.pool.close()
