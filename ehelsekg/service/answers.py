"""Answers in the media types the protocols ask for, written by pyoxigraph's serializers.

A SPARQL answer is serialised where it was computed (in a worker) and travels as bytes: a
SELECT's solutions go straight from the engine to pyoxigraph's writer, with no term converted
to Python, unless the row cap cuts them (then the first rows are written by ``results``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import islice
from typing import IO, cast

import pyoxigraph as ox
from rdflib import Graph

from ehelsekg.catalogue import results
from ehelsekg.errors import RejectedQueryError
from ehelsekg.namespaces import all_prefixes
from ehelsekg.store.formats import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    by_media_type,
    media_types,
)
from ehelsekg.store.terms import QueryResult, query_result, to_ox

#: Media types for SELECT/ASK answers and for graphs; the first of each is the default.
SELECT_TYPES = media_types(RESULT_FORMATS)
GRAPH_TYPES = media_types(GRAPH_FORMATS)

#: The fewest bytes one solution takes in each results format: an answer shorter than
#: cap × this cannot hold more than cap solutions, so it need not be counted.
_SMALLEST_ROW = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}
#: Bytes per row the budget of a native answer allows on average (cap × this in all).
_LARGEST_ROW = 400


@dataclass(frozen=True)
class Answer:
    """A serialised answer: body, media type, and whether rows were cut at the cap."""

    body: bytes
    media_type: str
    truncated: bool = False


def default_type(kind: str) -> str:
    """The media type an answer of ``kind`` (select, ask, graph) is written in by default."""
    return GRAPH_TYPES[0] if kind == "graph" else SELECT_TYPES[0]


def check_type(kind: str, media_type: str) -> None:
    """Refuse a media type that cannot carry an answer of ``kind``."""
    if kind == "graph" and media_type not in GRAPH_TYPES:
        raise RejectedQueryError(f"{media_type} cannot carry an RDF graph")
    if kind != "graph" and media_type not in SELECT_TYPES:
        raise RejectedQueryError(f"{media_type} cannot carry {kind} results")


def serialise_native(
    answer: object,
    media_type: str,
    cap: int,
    rerun: Callable[[], object],
    *,
    budget: int | None = None,
) -> Answer | None:
    """A pyoxigraph answer (solutions, boolean or triples) in ``media_type``, at most ``cap``
    rows or triples. ``rerun`` asks the same query again, for the rare answer too large to
    write whole. With ``budget``, None for solutions that take more than ``budget`` bytes
    (the engine stops as soon as the budget is spent) or may be more than ``cap``."""
    kind = _kind(answer)
    media_type = media_type or default_type(kind)
    check_type(kind, media_type)
    fmt = by_media_type(media_type)
    if isinstance(answer, ox.QueryTriples):
        assert fmt.rdf is not None
        triples = list(islice(answer, cap + 1))
        body = ox.serialize(triples[:cap], format=fmt.rdf) or b""
        return Answer(body, media_type, truncated=len(triples) > cap)
    assert fmt.results is not None
    if isinstance(answer, ox.QueryBoolean):
        if fmt.name in ("csv", "tsv"):
            # pyoxigraph writes a bare "true"; the answer keeps its header, as it always had.
            return Answer(serialise(query_result(answer, None), media_type), media_type)
        return Answer(answer.serialize(format=fmt.results) or b"", media_type)
    assert isinstance(answer, ox.QuerySolutions)
    # The engine evaluates lazily: a budget of bytes stops an endless answer early.
    sink = _Budget(cap * _LARGEST_ROW if budget is None else budget)
    try:
        answer.serialize(cast(IO[bytes], sink), format=fmt.results)
    except (_OverBudget, OSError):
        return _first_rows(rerun(), media_type, cap) if budget is None else None
    body = sink.body()
    if len(body) <= cap * _SMALLEST_ROW[fmt.name]:
        return Answer(body, media_type)
    if budget is not None:
        # Perhaps over the cap: counting (or asking again, for CSV) is a worker's job.
        return None
    if fmt.results == ox.QueryResultsFormat.CSV:
        # CSV cannot be read back (it is lossy): count by asking again.
        return _first_rows(rerun(), media_type, cap)
    # Possibly over the cap: count the written solutions (parsed in Rust).
    solutions = ox.parse_query_results(body, format=fmt.results)
    assert isinstance(solutions, ox.QuerySolutions)
    if sum(1 for _ in islice(solutions, cap + 1)) <= cap:
        return Answer(body, media_type)
    return _first_rows(ox.parse_query_results(body, format=fmt.results), media_type, cap)


def _first_rows(answer: object, media_type: str, cap: int) -> Answer:
    """The first ``cap`` solutions of ``answer``, written by ``results``, flagged as cut."""
    assert isinstance(answer, ox.QuerySolutions)
    result = query_result(answer, cap)
    return Answer(serialise(result, media_type), media_type, truncated=result.truncated)


class _OverBudget(Exception):
    pass


class _Budget:
    """A file-like sink for pyoxigraph's writer that stops it past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _OverBudget
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def body(self) -> bytes:
        return b"".join(self.parts)


#: The media types a named query's answer is written in; the first is the default.
NAMED_TYPES = ("application/json", "text/csv")


def named_answer(
    name: str,
    title: str,
    params: Mapping[str, str],
    result: QueryResult,
    truncated: bool,
    media_type: str,
) -> Answer:
    """A named query's answer in ``media_type`` (one of NAMED_TYPES): SPARQL 1.1 CSV, or a
    JSON document that names the query, its title and parameters beside the rows (each row's
    terms as in SPARQL 1.1 Query Results JSON)."""
    if media_type == "text/csv":
        return Answer(results.to_csv(result).encode("utf-8"), media_type, truncated)
    document = {
        "query": name,
        "title": title,
        "parameters": dict(params),
        "variables": list(result.variables),
        "rows": [
            {k: results.term_json(v) for k, v in row.items() if v is not None}
            for row in result.records()
        ],
        "truncated": truncated,
    }
    # Written as FastAPI's JSONResponse writes, so the fast path and the route answer alike.
    body = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Answer(body.encode("utf-8"), media_type, truncated)


def serialise(result: QueryResult, media_type: str) -> bytes:
    """``result`` in ``media_type`` (one of SELECT_TYPES or GRAPH_TYPES)."""
    check_type(result.kind, media_type)
    fmt = by_media_type(media_type)
    if result.kind == "graph":
        assert fmt.rdf is not None
        return graph_bytes(result.graph, fmt.rdf)
    writer = {
        "json": results.to_json,
        "xml": results.to_xml,
        "csv": results.to_csv,
        "tsv": results.to_tsv,
    }[fmt.name]
    return writer(result).encode("utf-8")


def graph_bytes(graph: Graph, fmt: ox.RdfFormat) -> bytes:
    """An rdflib graph written by pyoxigraph, with the project's prefixes where the syntax has
    them."""
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]
    prefixes = all_prefixes() if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""


def capped(result: QueryResult, cap: int) -> tuple[QueryResult, bool]:
    """``result`` with at most ``cap`` rows, and whether rows were cut."""
    if result.kind != "select" or len(result.rows) <= cap:
        return result, False
    return replace(result, rows=result.rows[:cap]), True


def _kind(answer: object) -> str:
    if isinstance(answer, ox.QueryTriples):
        return "graph"
    return "ask" if isinstance(answer, ox.QueryBoolean) else "select"
