"""Reads the workers answered quickly are answered in the server's own process next time.

- A repeated cheap SPARQL query or named query is answered here, with the same bytes.
- A write sends reads back to the workers, and the next answer shows the write.
- A slow query stays with the workers, where a time limit can stop it.
- A read during which a write is applied is thrown away (the seqlock).
- A query of one triple pattern is answered here the first time if its answer is small; a
  large one goes to a worker and is answered whole.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.service.answers import Answer
from ehelsekg.service.inline import InlineReads
from ehelsekg.service.jobs import SparqlQuery
from ehelsekg.service.service import KnowledgeService, inline_key
from ehelsekg.settings import Settings

JSON = "application/sparql-results+json"
EX = "urn:ehelsekg:test:inline:"
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/ehelsekg/id/measure/181> ?p ?o }"


@pytest.fixture
def service(settings: Settings) -> Iterator[KnowledgeService]:
    # A generous limit, so that a cold worker's first run cannot make these tests flaky.
    chosen = replace(settings, workers=1, inline_seconds=1.0)
    running = KnowledgeService(open_knowledge_graph(chosen), chosen)
    yield running
    running.close()


def _ask(service: KnowledgeService, text: str) -> bytes:
    return asyncio.run(service.sparql_async(text, media_type=JSON)).body


def test_a_repeated_cheap_query_is_answered_here_alike(service: KnowledgeService) -> None:
    # Two patterns: not answered here before a worker has shown it is cheap.
    text = POINT.replace("?o }", "?o . ?p a ?kind }")
    first = _ask(service, text)
    assert service.inline.answered == 0
    second = _ask(service, text)
    assert service.inline.answered == 1
    assert second == first
    assert json.loads(first)["results"]["bindings"]


def test_a_one_pattern_query_with_a_small_answer_is_answered_here_at_once(
    service: KnowledgeService,
) -> None:
    here = _ask(service, POINT)
    assert service.inline.answered == 1
    chosen = replace(service.settings, inline_seconds=0.0)
    off = KnowledgeService(open_knowledge_graph(chosen), chosen)
    try:
        assert _ask(off, POINT) == here, "as a worker answers it"
    finally:
        off.close()


def test_a_one_pattern_query_with_a_large_answer_goes_to_a_worker_and_is_whole(
    service: KnowledgeService,
) -> None:
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = json.loads(_ask(service, every))["results"]["bindings"]
    assert service.inline.answered == 0
    total = json.loads(_ask(service, count))["results"]["bindings"][0]["n"]["value"]
    assert len(rows) == min(int(total), service.settings.max_rows) > 1000
    key = inline_key(SparqlQuery(every, media_type=JSON))
    assert service.inline.large(key), "not tried here again"


def test_a_repeated_named_query_is_answered_here_alike(service: KnowledgeService) -> None:
    def goals() -> Answer:
        return asyncio.run(service.named_answer_async("goals", {}))

    first = goals()
    second = goals()
    assert service.inline.answered == 1
    assert (second.body, second.media_type) == (first.body, first.media_type)
    assert len(json.loads(first.body)["rows"]) == 5


def test_a_write_sends_reads_to_the_workers_and_the_next_answer_shows_it(
    service: KnowledgeService,
) -> None:
    text = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o OPTIONAL {{ ?o a ?kind }} }}"
    _ask(service, text)
    assert json.loads(_ask(service, text))["results"]["bindings"] == []
    assert service.inline.answered == 1
    assert service.update(f'INSERT DATA {{ <{EX}s> <{EX}p> "etter" }}').applied
    after = json.loads(_ask(service, text))["results"]["bindings"]
    assert service.inline.answered == 1, "the first read after a write goes to a worker"
    assert [row["o"]["value"] for row in after] == ["etter"]
    assert json.loads(_ask(service, text))["results"]["bindings"] == after
    assert service.inline.answered == 2


def test_a_slow_query_stays_with_the_workers(settings: Settings) -> None:
    # A cross product of every typed resource with every label: far over the 2 ms default.
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE"
        " { ?a a ?t . ?b <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    default = KnowledgeService(open_knowledge_graph(settings), replace(settings, workers=1))
    try:
        for _ in range(3):
            _ask(default, slow)
        assert default.inline.answered == 0
    finally:
        default.close()


def test_inline_answers_can_be_turned_off(settings: Settings) -> None:
    off = KnowledgeService(
        open_knowledge_graph(settings), replace(settings, workers=1, inline_seconds=0.0)
    )
    try:
        for _ in range(3):
            _ask(off, POINT)
        assert off.inline.answered == 0
    finally:
        off.close()


def test_a_read_during_which_a_write_is_applied_is_thrown_away() -> None:
    reads = InlineReads(limit=0.002)

    def read_while_writing() -> str:
        reads.begin_write()
        reads.end_write()
        return "half"

    assert reads.run(read_while_writing) == (False, None)
    assert reads.answered == 0
    reads.note("q", seconds=0.001, sequence=0)
    assert not reads.cheap("q"), "noted at a sequence before the write: not cheap now"


@pytest.mark.parametrize("media_type", [JSON, "text/csv"])
def test_a_one_pattern_answer_over_the_row_cap_is_cut_as_a_worker_cuts_it(
    settings: Settings, media_type: str
) -> None:
    chosen = replace(settings, workers=1, max_rows=10)
    capped = KnowledgeService(open_knowledge_graph(chosen), chosen)
    try:
        text = "SELECT ?s WHERE { ?s a ?kind } LIMIT 100"
        answer = asyncio.run(capped.sparql_async(text, media_type=media_type))
        assert answer.truncated
        if media_type == JSON:
            assert len(json.loads(answer.body)["results"]["bindings"]) == 10
        else:
            assert len(answer.body.decode().splitlines()) == 1 + 10
        assert capped.inline.answered == 0, "counting rows is a worker's job"
    finally:
        capped.close()
