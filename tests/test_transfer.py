"""``ehelsekg dump`` / ``ehelsekg load``: the whole graph, every named graph, in and out of any
store without losing a quad."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from ehelsekg.cli.main import main
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.settings import Settings
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.opening import open_store
from ehelsekg.store.terms import Quad
from ehelsekg.store.transfer import dump, dump_quads, load, read_dump
from tests.oxigraph_server import running_oxigraph

EX = "http://example.org/"
# What updates write beside the files: a triple of the default graph that no file states, a
# graph of its own, and a blank node that both share.
UPDATE = (
    f'INSERT DATA {{ <{EX}note> <{EX}says> "only in the default graph" .'
    f" _:shared <{EX}p> 1 ."
    f" GRAPH <{EX}written> {{ <{EX}w> <{EX}p> 2 . _:shared <{EX}q> 3 }} }}"
)


@pytest.fixture(scope="module")
def source(settings: Settings) -> KnowledgeGraph:
    """The bundled data with inferences, and what an update wrote."""
    knowledge = open_knowledge_graph(settings)
    knowledge.store.update(UPDATE)
    return knowledge


@pytest.fixture(scope="module")
def query_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db") as url:
        yield url


def as_graph(quads: list[Quad]) -> Graph:
    """Quads as one rdflib graph, each graph name folded into the predicate, so that rdflib's
    isomorphism compares datasets (a blank node in two graphs stays one node)."""
    graph = Graph()
    for s, p, o, g in quads:
        graph.add((s, URIRef(f"urn:quad:{quote(str(g or ''), safe='')}:{quote(p, safe='')}"), o))
    return graph


def same_dataset(one: list[Quad], other: list[Quad]) -> bool:
    return len(one) == len(other) and isomorphic(as_graph(one), as_graph(other))


def test_a_dump_holds_every_graph_and_only_the_default_graphs_own_triples(
    source: KnowledgeGraph, tmp_path: Path
) -> None:
    path = tmp_path / "all.nq"
    moved = dump(source.store, path)
    parsed = read_dump(path)
    graphs, default = parsed.graphs, parsed.default
    assert set(graphs) == set(source.store.graph_names())
    assert INFERRED_GRAPH in graphs and URIRef(EX + "written") in graphs
    # The files' triples come back from their graphs; the default graph keeps its own only.
    assert {str(s) for s, _, _ in default if isinstance(s, URIRef)} == {EX + "note"}
    assert len(default) == 2
    assert moved.quads == sum(len(t) for t in graphs.values()) + len(default)


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_dump_then_load_into_an_on_disk_store_gives_the_same_quads(
    source: KnowledgeGraph, tmp_path: Path, suffix: str
) -> None:
    first = tmp_path / f"first{suffix}"
    dump(source.store, first)
    target = OxigraphStore(tmp_path / "store")
    load(target, first)
    assert same_dataset(list(target.dataset_quads()), list(source.store.dataset_quads()))
    second = tmp_path / f"second{suffix}"
    dump(target, second)
    assert same_dataset(dump_quads(target), dump_quads(source.store))
    assert first.read_bytes().count(b"\n") == second.read_bytes().count(b"\n")


def test_dump_then_load_through_the_oxigraph_server_gives_the_same_quads(
    source: KnowledgeGraph, tmp_path: Path, query_url: str
) -> None:
    first = tmp_path / "first.trig"
    dump(source.store, first)
    remote = open_store(f"sparql:{query_url}")
    load(remote, first)
    assert same_dataset(dump_quads(remote), dump_quads(source.store))
    assert same_dataset(list(remote.dataset_quads()), list(source.store.dataset_quads()))
    # Loading again replaces the graphs and the default graph's own triples: nothing doubles.
    load(remote, first)
    assert len(remote) == len(source.store)
    assert same_dataset(list(remote.dataset_quads()), list(source.store.dataset_quads()))
    # The loaded store answers as the source does.
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for include_inferred in (True, False):
        assert (
            remote.query(query, include_inferred=include_inferred).rows
            == source.store.query(query, include_inferred=include_inferred).rows
        )


def test_cli_dump_and_load_round_trip(tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    spec = f"oxigraph:{tmp_path / 'store'}"
    dumped = runner.invoke(main, ["dump", str(first)])
    assert dumped.exit_code == 0, dumped.output
    loaded = runner.invoke(main, ["load", str(first), "--store", spec])
    assert loaded.exit_code == 0, loaded.output
    assert "named graphs into" in loaded.output
    again = runner.invoke(main, ["dump", str(second), "--store", spec])
    assert again.exit_code == 0, again.output
    assert same_dataset(_quads(first), _quads(second))
    standard_output = runner.invoke(main, ["dump", "-", "--format", "trig", "--store", spec])
    assert standard_output.exit_code == 0
    assert "graph/inferred> {" in standard_output.output


def _quads(path: Path) -> list[Quad]:
    parsed = read_dump(path)
    graphs, default = parsed.graphs, parsed.default
    quads: list[Quad] = [(s, p, o, None) for s, p, o in default]
    quads += [(s, p, o, g) for g, triples in graphs.items() for s, p, o in triples]
    return quads


def test_a_broken_dump_names_file_and_line_and_changes_nothing(tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    good = tmp_path / "good.nq"
    good.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n", encoding="utf-8")
    bad = tmp_path / "bad.nq"
    bad.write_text(
        f"<{EX}c> <{EX}p> <{EX}d> <{EX}g> .\n<{EX}e> <{EX}p> <{EX}f> <{EX}h> .\n"
        f'<{EX}e> <{EX}p> "not closed <{EX}g> .\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(good), "--store", spec]).exit_code == 0
    result = runner.invoke(main, ["load", str(bad), "--store", spec])
    assert result.exit_code == 2
    assert f"{bad}:3" in result.output
    dumped = tmp_path / "after.nq"
    assert runner.invoke(main, ["dump", str(dumped), "--store", spec]).exit_code == 0
    assert dumped.read_text(encoding="utf-8") == good.read_text(encoding="utf-8")


def test_the_format_comes_from_the_suffix_or_the_option(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["dump", str(tmp_path / "all.ttl")])
    assert result.exit_code == 5 and "--format" in result.output
    named = tmp_path / "all.dump"
    assert runner.invoke(main, ["dump", str(named), "--format", "trig"]).exit_code == 0
    assert read_dump(named, fmt="trig").graphs
