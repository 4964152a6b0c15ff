"""The knowledge graph as a service: guarded, time-limited queries, and validated updates.

Everything a server (or any other front end) needs, without knowing HTTP: queries run in
worker processes (see ``workers``) and come back serialised in the requested media type with a
row cap; an update is first applied to a copy in a worker and validated against the shapes, and
only if the result has no Violation is it applied to the store, as one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ehelsekg.catalogue import results
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.errors import RejectedQueryError
from ehelsekg.knowledge import KnowledgeGraph
from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH
from ehelsekg.service import guard
from ehelsekg.service.workers import WorkerPool
from ehelsekg.settings import Settings
from ehelsekg.store.loading import load_shapes
from ehelsekg.store.terms import QueryResult
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import ValidationReport, validation_document

#: Media types for query results, by result kind; the first is the default.
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@dataclass(frozen=True)
class Answer:
    """A serialised answer: body, media type, and whether rows were cut at the cap."""

    body: bytes
    media_type: str
    truncated: bool = False
    rows: int = 0


@dataclass(frozen=True)
class UpdateOutcome:
    """What an update did: applied, or refused with the validation report."""

    applied: bool
    report: dict[str, object] = field(default_factory=dict)


def _capped(result: QueryResult, cap: int) -> tuple[QueryResult, bool]:
    if result.kind != "select" or len(result.rows) <= cap:
        return result, False
    return replace(result, rows=result.rows[:cap]), True


def serialise(result: QueryResult, media_type: str) -> bytes:
    """``result`` in ``media_type`` (one of SELECT_TYPES or GRAPH_TYPES)."""
    if result.kind == "graph":
        return results.graph_text(result, GRAPH_TYPES[media_type]).encode("utf-8")
    fmt = SELECT_TYPES[media_type]
    text = {
        "json": results.to_json,
        "xml": results.to_xml,
        "csv": results.to_csv,
        "tsv": results.to_tsv,
    }[fmt](result)
    return text.encode("utf-8")


def query_kind(text: str) -> str:
    """select, ask, graph (CONSTRUCT/DESCRIBE) or update, from the first keyword of the text."""
    code = guard.code_only(text).upper()
    positions = {
        kind: code.find(word)
        for word, kind in (
            ("SELECT", "select"),
            ("ASK", "ask"),
            ("CONSTRUCT", "graph"),
            ("DESCRIBE", "graph"),
        )
        if code.find(word) != -1
    }
    return min(positions, key=lambda k: positions[k]) if positions else "select"


class KnowledgeService:
    """Guarded queries and validated updates over one knowledge graph."""

    def __init__(self, knowledge: KnowledgeGraph, settings: Settings) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.catalogue = Catalogue(settings.queries_dir)
        self.shapes = load_shapes(settings)
        # The baseline of the scoped update gate; computed before the workers fork, so that
        # they inherit it.
        self.validator = Validator.for_shapes(self.shapes)
        self.validator.validate(knowledge.store, remember=True)
        self.limits = guard.Limits(
            max_bytes=settings.max_body_bytes,
            max_depth=settings.max_query_depth,
            allow_outbound=settings.allow_outbound,
        )
        self._write_lock = threading.Lock()
        self.pool = WorkerPool(self._job, size=settings.workers)

    # Runs in a worker process, on its copy-on-write copy of the store.
    def _job(self, payload: tuple[str, dict[str, object]]) -> object:
        kind, args = payload
        store = self.knowledge.store
        if kind == "sparql":
            result = store.query(
                str(args["text"]),
                include_inferred=bool(args["include_inferred"]),
                dataset=args.get("dataset"),  # type: ignore[arg-type]
                base_iri=_optional_text(args.get("base_iri")),
                max_rows=int(str(args["cap"])),
            )
            capped, truncated = result, result.truncated
            media_type = str(args["media_type"]) or _default_type(capped)
            if capped.kind != "graph" and media_type not in SELECT_TYPES:
                raise RejectedQueryError(f"{media_type} cannot carry {capped.kind} results")
            if capped.kind == "graph" and media_type not in GRAPH_TYPES:
                raise RejectedQueryError(f"{media_type} cannot carry an RDF graph")
            return Answer(serialise(capped, media_type), media_type, truncated, len(capped.rows))
        if kind == "named":
            result = self.catalogue.run(
                str(args["name"]),
                args["params"],  # type: ignore[arg-type]
                store,
                include_inferred=bool(args["include_inferred"]),
            )
            return _capped(result, int(str(args["cap"])))
        if kind == "check-update":
            # On a copy: this worker's store may be the on-disk store itself, and it goes on
            # answering queries, so a refused update must not stay in it.
            report, raw = self.validator.check(
                store, str(args["text"]), base_iri=_optional_text(args.get("base_iri"))
            )
            return report.conforms, _report_summary(report), raw
        if kind == "validation":
            return _report_summary(self.validator.validate(store))
        raise RejectedQueryError(f"unknown job {kind}")

    def known_graphs(self) -> list[str]:
        return [str(g) for g in self.knowledge.store.graph_names()]

    def sparql(
        self,
        text: str,
        *,
        media_type: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        include_inferred: bool = True,
        base_iri: str | None = None,
    ) -> Answer:
        """Run a SPARQL query in a worker; ``media_type`` '' picks the kind's default;
        ``base_iri`` resolves relative IRIs (the protocol lets it be the endpoint's URL)."""
        guard.check(
            text,
            self.limits,
            known_graphs=self.known_graphs(),
            extra_graphs=[*default_graphs, *named_graphs],
        )
        dataset = (
            (list(default_graphs), list(named_graphs)) if default_graphs or named_graphs else None
        )
        answer = self.pool.run(
            (
                "sparql",
                {
                    "text": text,
                    "include_inferred": include_inferred,
                    "dataset": dataset,
                    "cap": self.settings.max_rows,
                    "media_type": media_type,
                    "base_iri": base_iri,
                },
            ),
            self.settings.query_timeout,
        )
        assert isinstance(answer, Answer)
        return answer

    def named(
        self, name: str, params: Mapping[str, str], *, include_inferred: bool = True
    ) -> tuple[QueryResult, bool]:
        """Run a named query in a worker: (result, truncated)."""
        self.catalogue.get(name)
        outcome = self.pool.run(
            (
                "named",
                {
                    "name": name,
                    "params": dict(params),
                    "include_inferred": include_inferred,
                    "cap": self.settings.named_query_max_rows,
                },
            ),
            self.settings.named_query_timeout,
        )
        result, truncated = outcome
        assert isinstance(result, QueryResult)
        return result, bool(truncated)

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[str] = (),
        using_named: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> UpdateOutcome:
        """Validate an update on a copy, then apply it, atomically; never half of it.

        DROP/CLEAR ALL and NAMED reach only the graphs updates may write (the default graph and
        named graphs that did not come from a file); ``base_iri`` resolves relative IRIs.
        """
        guard.check(
            text,
            self.limits,
            known_graphs=self.known_graphs(),
            extra_graphs=[*using_graphs, *using_named],
        )
        # The per-file graphs (project files and files given with --data) and the inferred
        # graph change only when the files change.
        protected = [str(GRAPH), str(INFERRED_GRAPH), "file:"]
        guard.check_writes(text, protected=protected)
        if using_graphs or using_named:
            text = guard.with_using(text, using_graphs, using_named)
        with self._write_lock:
            writable = [
                graph for graph in self.known_graphs() if not graph.startswith(tuple(protected))
            ]
            text = guard.confine_to_writable(text, writable=writable)
            conforms, report, raw = self.pool.run(
                ("check-update", {"text": text, "base_iri": base_iri}),
                self.settings.update_timeout,
            )
            if not conforms:
                return UpdateOutcome(applied=False, report=report)
            self.knowledge.store.update(text, base_iri=base_iri)
            self.validator.accept(raw, self.knowledge.store)
            self.knowledge.update_inferences()
            flush = getattr(self.knowledge.store, "flush", None)
            if flush is not None:
                flush()
            self.pool.renew()
        return UpdateOutcome(applied=True, report=report)

    def validation(self) -> dict[str, object]:
        """The current SHACL report, computed in a worker."""
        report = self.pool.run(("validation", {}), self.settings.update_timeout)
        assert isinstance(report, dict)
        return report

    def close(self) -> None:
        self.pool.close()


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _default_type(result: QueryResult) -> str:
    return "text/turtle" if result.kind == "graph" else "application/sparql-results+json"


def _report_summary(report: ValidationReport) -> dict[str, object]:
    return validation_document(report)
