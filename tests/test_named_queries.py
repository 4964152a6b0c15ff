"""The named-query catalogue: headers, declared parameters, and binding that means the same on
Oxigraph as rdflib's initBindings on rdflib's own engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue, read_named_query
from ehelsekg.errors import BadParameterError, UnknownQueryError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.sparql_text import outer_where_brace
from ehelsekg.store.terms import QueryResult

SETTINGS = Settings()
QUERY_FILES = sorted(SETTINGS.queries_dir.glob("*.rq"))

# A value for every required parameter, and some optional ones, as a user would type them.
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "measures-by-goal": [{"goal": "4"}, {"goal": "1"}],
    "measures-by-actor": [{"actor": "Helse Sør-Øst"}, {"actor": "Helsedirektoratet"}],
    "status-summary": [{}, {"report": "2019-10"}],
    "status-changes": [{"from": "2019-10", "to": "2022-09"}],
    "measure-history": [{"measure": "102"}],
    "dependencies": [{}, {"status": "red"}, {"criticality": "høy"}],
    "red-dependencies-blocking-goal": [{"goal": "4"}],
    "services-awaiting-funding": [{}, {"report": "2022-09"}],
    "operating-cost-growth": [{}, {"report": "2025-02", "from-year": "2026"}],
    "operating-cost-level": [{"year": "2026"}],
    "council-cases": [{"meeting": "2021-05-20"}],
    "search": [{"text": "Kjernejournal"}],
}
EXAMPLES["provenance"] = [{"subject": "181"}]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header_declares_title_description_and_only_used_parameters(path: Path) -> None:
    query = read_named_query(path)
    assert query.title and query.description
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    for parameter in query.parameters:
        assert re.search(rf"\?{parameter.variable}\b", body), (
            f"{path.name} declares '{parameter.name}' but never uses ?{parameter.variable}"
        )


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_queries_about_measures_return_measure_id_and_label(path: Path) -> None:
    query = read_named_query(path)
    projection = query.text.split("WHERE", 1)[0]
    if "?measure " in projection and query.name != "operating-cost-growth":
        assert all(f"?{v}" in projection for v in ("measure", "id", "label")), query.name


def test_every_query_with_parameters_has_an_example_here(catalogue: Catalogue) -> None:
    needing = {n for n in catalogue.names() if any(p.required for p in catalogue.get(n).parameters)}
    assert needing <= set(EXAMPLES)


def test_unknown_query_names_the_closest(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownQueryError, match="measures-by-goal"):
        catalogue.get("measures-by-gaol")


def test_parameters_are_checked_before_the_query_runs(
    catalogue: Catalogue, knowledge: KnowledgeGraph
) -> None:
    with pytest.raises(BadParameterError, match="goal"):
        catalogue.run("measures-by-goal", {"goal": "six"}, knowledge.store)
    with pytest.raises(BadParameterError, match="from 1 to 5"):
        catalogue.run("measures-by-goal", {"goal": "9"}, knowledge.store)
    with pytest.raises(BadParameterError, match="no parameter 'colour'"):
        catalogue.run("goals", {"colour": "red"}, knowledge.store)
    with pytest.raises(BadParameterError, match="needs parameter 'goal'"):
        catalogue.run("measures-by-goal", {}, knowledge.store)
    with pytest.raises(BadParameterError, match="Allowed values"):
        catalogue.run("dependencies", {"status": "purple"}, knowledge.store)


def _normalised(value: Node | None) -> str:
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float):
        return repr(round(float(value.toPython()), 6))
    return "" if value is None else str(value)


def substituted(text: str, bindings: dict[str, Node]) -> str:
    """The query with each bound variable replaced by its term: SEP-0007's definition of
    pre-binding, written out. The outer projection keeps the variable as ``(term AS ?var)``;
    subqueries drop it from their projection and grouping, since their body now holds the
    constant. Only for this test's reference: the library never edits query text this way."""
    brace = outer_where_brace(text)
    head, body = text[:brace], text[brace:]
    projection = re.compile(r"SELECT[^{]*?(?=WHERE|\{)", re.S)
    for name, value in bindings.items():
        term = value.n3()
        variable = re.compile(rf"\?{name}\b")
        head = projection.sub(
            lambda m, t=term, v=variable, n=name: v.sub(f"({t} AS ?{n})", m[0]), head
        )
        body = projection.sub(lambda m, v=variable: v.sub("", m[0]), body)
        body = re.sub(r"^\s*GROUP BY.*$", lambda m, v=variable: v.sub("", m[0]), body, flags=re.M)
        body = re.sub(
            r"^\s*ORDER BY.*$",
            lambda m, v=variable, t=term: v.sub(f"({t})", m[0]),
            body,
            flags=re.M,
        )
        body = re.sub(r"^\s*GROUP BY\s*$", "", body, flags=re.M)
        body = re.sub(rf"BOUND\(\s*\?{name}\s*\)", "true", body)
        body = variable.sub(term, body)
    return head + body


@pytest.mark.parametrize(
    ("name", "params"),
    [(name, params) for name, cases in EXAMPLES.items() for params in cases],
    ids=lambda value: value if isinstance(value, str) else ",".join(value) or "defaults",
)
def test_values_binding_means_pre_binding(
    name: str,
    params: dict[str, str],
    catalogue: Catalogue,
    knowledge: KnowledgeGraph,
) -> None:
    """Parameters go to Oxigraph as a VALUES block at the top of the outer WHERE group. That
    must give the answer of true pre-binding (rdflib's initBindings, SEP-0007 substitution),
    which the reference computes by substituting the terms into the text. (rdflib's own engine
    is no reference here: on these queries it keeps non-latest assessments when a BIND meets a
    subquery, fails on GROUP_CONCAT over unbound values and took minutes.)"""
    query = catalogue.get(name)
    bindings = catalogue.bind(query, params, knowledge.store)
    ours = knowledge.store.query(query.text, bindings=bindings)
    reference = knowledge.store.query(substituted(query.text, bindings))
    assert ours.variables == reference.variables
    parameters = {i for i, v in enumerate(ours.variables) if v in bindings}

    def rows(result: QueryResult) -> list[tuple[str, ...]]:
        return sorted(
            tuple(_normalised(v) for i, v in enumerate(row) if i not in parameters)
            for row in result.rows
        )

    assert rows(ours) == rows(reference)
    assert ours.rows, f"{name} {params} found nothing, so the comparison shows little"


def test_the_query_docs_are_generated_from_the_current_headers(catalogue: Catalogue) -> None:
    from ehelsekg.cli.text import queries_markdown

    committed = (SETTINGS.home / "docs" / "QUERIES.md").read_text(encoding="utf-8")
    assert committed == queries_markdown(catalogue), (
        "docs/QUERIES.md is stale: run `ehelsekg queries --format markdown > docs/QUERIES.md`"
    )


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_speaks_norwegian_to_the_council(
    path: Path, catalogue: Catalogue, knowledge: KnowledgeGraph
) -> None:
    """The council's pages show a Norwegian title, description, name and help per parameter
    and a Norwegian heading per result column (``@nb`` header lines); the English stays for
    the CLI and docs/QUERIES.md."""
    query = read_named_query(path)
    assert query.title_nb and query.description_nb, f"{path.name}: add '# title@nb:' lines"
    assert query.title_nb != query.title and query.description_nb != query.description
    for parameter in query.parameters:
        assert parameter.label_nb and parameter.help_nb, (
            f"{path.name}: add '# param@nb {parameter.name}: Navn -- hjelpetekst'"
        )
    result = catalogue.run(query.name, EXAMPLES.get(query.name, [{}])[0], knowledge.store)
    missing = [v for v in result.variables if v not in query.columns_nb]
    assert missing == [], f"{path.name}: add '# column@nb VARIABLE: Overskrift' for {missing}"
    assert set(query.columns_nb) <= set(result.variables), "a heading for no column"


def test_norwegian_header_lines(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: Goals\n# title@nb: Mål\n# description: All goals.\n"
        "# description@nb: Alle mål.\n# param goal: integer -- Goal number\n"
        "# param@nb goal: Mål -- Målets nummer\n# column@nb title: Tittel\n"
        "SELECT ?title WHERE { ?goal ?p ?title }\n",
        encoding="utf-8",
    )
    query = read_named_query(path)
    assert (query.title, query.title_nb, query.description_nb) == ("Goals", "Mål", "Alle mål.")
    (goal,) = query.parameters
    assert (goal.help, goal.label_nb, goal.help_nb) == ("Goal number", "Mål", "Målets nummer")
    assert query.column_nb("title") == "Tittel" and query.column_nb("goal") == "goal"
    path.write_text(
        "# title: Goals\n# description: All goals.\n# param@nb nope: Ingen\nASK {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"q\.rq:3: '# param@nb nope' names no declared"):
        read_named_query(path)


def test_a_measure_parameter_is_resolved_from_an_index_kept_until_a_write(
    settings: Settings,
) -> None:
    knowledge = open_knowledge_graph(settings)
    catalogue = Catalogue(settings.queries_dir)
    index = catalogue.lookup_index("measures", knowledge.store, "id", "measure")
    assert str(index["181"]) == "https://w3id.org/ehelsekg/id/measure/181"
    assert catalogue.lookup_index("measures", knowledge.store, "id", "measure") is index
    knowledge.store.update(
        "INSERT DATA { <https://w3id.org/ehelsekg/id/measure/9999>"
        " a <https://w3id.org/ehelsekg/ontology#Measure> ;"
        ' <http://purl.org/dc/terms/identifier> "9999" }'
    )
    again = catalogue.lookup_index("measures", knowledge.store, "id", "measure")
    assert again is not index and "9999" in again
    result = catalogue.run("measure-history", {"measure": "9999"}, knowledge.store)
    assert result.rows == ()
    with pytest.raises(BadParameterError, match="9998"):
        catalogue.run("measure-history", {"measure": "9998"}, knowledge.store)
