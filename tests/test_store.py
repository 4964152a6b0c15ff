"""The store: named graphs per file, a duplicate-free default graph, safe parameter binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from ehelsekg.errors import DataLoadError, RejectedQueryError
from ehelsekg.knowledge import graph_name_for, open_knowledge_graph
from ehelsekg.namespaces import GRAPH
from ehelsekg.settings import Settings
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.opening import open_store
from ehelsekg.store.sparql_text import bind_values, outer_where_brace

EX = "http://example.org/"
TRIPLE = f"<{EX}a> <{EX}p> <{EX}b> .\n"


def test_a_triple_stated_in_two_files_is_one_triple(tmp_path: Path) -> None:
    store = OxigraphStore()
    for name in ("one", "two"):
        path = tmp_path / f"{name}.nt"
        path.write_text(TRIPLE, encoding="utf-8")
        store.load_file(path, GRAPH[name])
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o }").rows
    assert len(rows) == 1
    assert len(store.graph_names()) == 2


def test_replacing_one_file_keeps_triples_another_file_states(tmp_path: Path) -> None:
    store = OxigraphStore()
    one, two = tmp_path / "one.nt", tmp_path / "two.nt"
    one.write_text(TRIPLE + f"<{EX}a> <{EX}p> <{EX}c> .\n", encoding="utf-8")
    two.write_text(TRIPLE, encoding="utf-8")
    store.load_file(one, GRAPH["one"])
    store.load_file(two, GRAPH["two"])
    store.replace_graph(GRAPH["one"], [])
    objects = {str(row[0]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }").rows}
    assert objects == {f"{EX}b"}


def test_syntax_error_in_a_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n', encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        OxigraphStore().load_file(bad, GRAPH["bad"])
    assert caught.value.path == bad
    assert caught.value.line == 2


def test_sparql_syntax_error_says_where() -> None:
    with pytest.raises(RejectedQueryError, match=r"1:\d+"):
        OxigraphStore().query("SELECT * WHERE { ?s ?p }")


def test_values_are_bound_as_terms_never_as_text() -> None:
    query = 'SELECT ?n WHERE { ?s ?p ?n FILTER(?n != "}") }'
    hostile = Literal('x" } UNION { ?s ?p ?o } #')
    bound = bind_values(query, {"n": hostile})
    assert bound.count("UNION") == 1 and '\\"' in bound
    store = OxigraphStore()
    assert store.query(query, bindings={"n": hostile}).rows == ()


def test_the_outer_where_group_is_found_past_comments_strings_and_templates() -> None:
    query = '# WHERE { in a comment\nCONSTRUCT { ?s <http://x/p> "WHERE {" } WHERE { ?s ?p ?o }'
    assert query[outer_where_brace(query) :] == "{ ?s ?p ?o }"
    with pytest.raises(RejectedQueryError):
        outer_where_brace("SELECT * { ?s ?p ?o }")


def test_graph_names_are_readable_for_project_files(settings: Settings) -> None:
    path = settings.data_dir / "2022-09-portfolio-report.ttl"
    assert graph_name_for(path, settings) == GRAPH["data/2022-09-portfolio-report"]


def test_on_disk_store_survives_reopening(tmp_path: Path, settings: Settings) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    first = open_knowledge_graph(settings, store=spec)
    count = first.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    assert isinstance(first.store, OxigraphStore)
    first.store.flush()
    del first
    again = open_store(spec)
    assert again.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0] == count
    assert URIRef(GRAPH["data/2022-09-portfolio-report"]) in again.graph_names()


def test_unknown_store_kind_is_a_clear_error() -> None:
    with pytest.raises(DataLoadError, match="oxigraph:PATH"):
        open_store("postgres://nope")
