"""The benchmarks' own code, run once at a tiny size: the synthetic portfolio is deterministic,
parses, conforms to the shapes and answers every named query; the runner measures and writes
its table. Nothing here is timed or asserts anything about speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from bench.generate import generate
from bench.measure import Options, measure_data
from bench.report import markdown
from bench.run import header
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.text import validation_text
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import load_graph, load_shapes
from ehelsekg.validation.report import Severity, validate

#: Measures of the tiny portfolio: a few thousand triples.
TINY = "12"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, size=TINY, seed=1)
    return folder


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="module")
def tiny_knowledge(tiny: Path, settings: Settings) -> KnowledgeGraph:
    return open_knowledge_graph(settings, only=[tiny])


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_bytes(tiny: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, size=TINY, seed=1)
    generate(other, size=TINY, seed=2)
    assert _contents(again) == _contents(tiny)
    assert _contents(other) != _contents(tiny)


def test_it_parses_and_is_a_few_thousand_triples(tiny: Path) -> None:
    graph = Graph()
    for path in sorted(tiny.glob("*.ttl")):
        graph.parse(path, format="turtle")
    assert 1000 < len(graph) < 5000
    synthetic = "https://w3id.org/ehelsekg/synthetic/"
    subjects = {str(s) for s in graph.subjects()}
    assert all(s.startswith(synthetic) for s in subjects), "every subject is synthetic"


def test_ontology_and_synthetic_data_have_no_violation(tiny: Path, settings: Settings) -> None:
    report = validate(load_graph(settings, only=[tiny]), load_shapes(settings))
    assert report.counts[Severity.VIOLATION] == 0, validation_text(report)


def test_every_named_query_answers_with_typical_parameters(
    tiny: Path, tiny_knowledge: KnowledgeGraph, settings: Settings
) -> None:
    parameters = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    catalogue = Catalogue(settings.queries_dir)
    empty = [
        name
        for name in catalogue.names()
        if not catalogue.run(name, parameters.get(name, {}), tiny_knowledge.store).rows
    ]
    assert not empty, f"no rows from {empty}"


def test_the_runner_measures_everything_once_and_tabulates_it(tiny: Path) -> None:
    """The runner's measuring code at the tiny size, anchors included, HTTP left out (it is
    the same code path as the server tests); one run of each, slow anchors cut short."""
    parameters = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    options = Options(
        repeat=1, budget=0, skip_http=True, rdflib_limit=1.0, owlrl_max_triples=0, slow_limit=60
    )
    measured = measure_data(
        "tiny", [tiny], parameters["parameters"], parameters["analysis"], options
    ).to_json()
    table = markdown([measured], header(options))
    lines = table.splitlines()
    operations = [op["what"] for op in measured["operations"]]
    assert {
        "reasoning (refresh_inferences)",
        "full validation (shapes compiled to SPARQL, in the store)",
    } <= set(operations)
    assert any(op.startswith("update gate") for op in operations)
    for what in operations:
        assert any(line.startswith(f"| {what} |") for line in lines), what
    catalogue = Catalogue(Settings().queries_dir)
    for name in catalogue.names():
        assert any(line.startswith(f"| {name} |") for line in lines), name
    update = next(op for op in measured["operations"] if op["what"].startswith("whole update"))
    assert update["note"] == "1 applied, 0 refused"
    assert "## Goals" in table
