"""Refusing queries and updates before they reach the engine (ehelsekg/service/guard.py).

The guard reads the text lexically, so the cases that matter are the ones where a keyword, a
bracket or an IRI stands where it does not count (a string, a comment, an IRI, a variable) or
hides where it does (a prefixed name, lower case, no space).
"""

from __future__ import annotations

import time

import pytest

from ehelsekg.errors import RejectedQueryError
from ehelsekg.service.guard import (
    Limits,
    check,
    code_only,
    confine_to_writable,
    dataset_iris,
    keywords,
    nesting_depth,
    with_using,
)

LIMITS = Limits()
KNOWN = ["http://example.org/g1", "http://example.org/g2"]


def _refused(text: str, limits: Limits = LIMITS, **graphs: list[str]) -> str:
    with pytest.raises(RejectedQueryError) as raised:
        check(text, limits, **graphs)
    return str(raised.value)


def test_an_ordinary_query_passes() -> None:
    check(
        "PREFIX ex: <http://example.org/> SELECT ?s FROM ex:g1 WHERE { ?s ?p ?o } LIMIT 5",
        LIMITS,
    )


def test_size_is_counted_in_utf8_bytes() -> None:
    limits = Limits(max_bytes=20)
    check("ASK { ?s ?p 'ø' }", limits)  # 18 bytes
    message = _refused("ASK { ?s ?p 'øøøø' }", limits)  # 24 bytes
    assert "24 bytes" in message and "limit is 20" in message


def test_depth_counts_only_brackets_of_code() -> None:
    assert nesting_depth("SELECT * WHERE { ?s ?p '((((' } # ((((") == 1
    assert nesting_depth("ASK { ?s ?p <http://e/((((> }") == 1
    assert nesting_depth("ASK { { [ ?p ( 1 ) ] } }") == 4
    check("ASK { " + "{ " * 10 + "}" * 10 + " }", Limits(max_depth=11))
    assert "nests brackets 12 deep" in _refused(
        "ASK { " + "{ " * 11 + "}" * 11 + " }", Limits(max_depth=11)
    )


def test_a_very_deep_query_is_refused_at_once() -> None:
    """pyoxigraph's parser crashes on thousands of nested brackets: the guard measures first."""
    started = time.perf_counter()
    message = _refused("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    assert "5000 deep" in message
    assert time.perf_counter() - started < 1


def test_chained_operators_are_limited_outside_iris_and_strings() -> None:
    limits = Limits(max_operators=3)
    union = "SELECT * WHERE " + " UNION ".join(["{ ?s ?p ?o }"] * 5)
    assert "chains 4 operators" in _refused(union, limits)
    assert "chains 4 operators" in _refused("ASK { ?s <a>/<b>/<c>|<d>/<e> ?o }", limits)
    check("ASK { ?s <http://e/a/b/c/d/e> 'x/y/z || w && v' }", limits)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://remote/sparql> { ?s ?p ?o } }",
        "select * where { service <http://remote/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT<http://remote/sparql>{ ?s ?p ?o } }",
        "LOAD <http://remote/data.ttl>",
        "load silent <http://remote/data.ttl> INTO GRAPH <http://g>",
    ],
)
def test_outbound_requests_are_refused(text: str) -> None:
    assert "no outbound requests" in _refused(text)
    check(text, Limits(allow_outbound=True))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service ?p ?o }",  # a variable named service
        "SELECT * WHERE { ?s ?p 'SERVICE <http://remote/>' }",  # in a string
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://remote/> and LOAD",  # in a comment
        "SELECT * WHERE { ?s <http://e/service/load> ?o }",  # in an IRI
    ],
)
def test_the_words_service_and_load_where_they_are_no_keyword(text: str) -> None:
    check(text, LIMITS)


def test_keywords_include_letters_a_prefixed_name_or_number_hides() -> None:
    """Refusing a rare prefixed name (ex:my-service) is the price of never missing a keyword."""
    assert "SERVICE" in keywords(code_only("SELECT * { ?s ex:my-service ?o }"))
    assert "SERVICE" in keywords(code_only("SELECT * { ?s ?p 20SERVICE <http://remote/> }"))
    assert "SERVICE" not in keywords(code_only("SELECT ?service { ?service ?p 'service' }"))


def test_code_only_keeps_positions() -> None:
    text = "ASK { ?s ?p 'x' } # c\n"
    blanked = code_only(text)
    assert len(blanked) == len(text)
    assert blanked.index("}") == text.index("}")
    assert "'x'" not in blanked and "# c" not in blanked


def test_dataset_iris_are_found_through_comments_and_prefixes() -> None:
    text = (
        "PREFIX ex: <http://example.org/>\nSELECT * FROM ex:g1 FROM NAMED # why\n<http://h>"
        " FROM<http://i> WHERE { ?s ?p 'FROM <http://not-a-graph>' }"
    )
    assert dataset_iris(text) == ["http://example.org/g1", "http://h", "http://i"]
    assert dataset_iris("DELETE { ?s ?p ?o } USING NAMED <http://u> WHERE { ?s ?p ?o }") == [
        "http://u"
    ]


def test_a_dataset_graph_the_store_lacks_is_allowed() -> None:
    """The protocol treats it as an empty graph; nothing is fetched (the engine never does
    for FROM or the graph parameters; SERVICE and LOAD are refused above)."""
    check("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", LIMITS)
    check("SELECT * WHERE { ?s ?p ?o }", LIMITS, extra_graphs=["http://remote/data.rdf"])


def test_a_local_file_is_never_a_dataset() -> None:
    """Reading files by name is refused, in the text and in the protocol's parameters."""
    iri = "file:///etc/passwd"
    assert "local file" in _refused(f"SELECT * FROM <{iri}> {{ }}")
    assert "local file" in _refused("ASK {}", extra_graphs=["FILE:/x"])


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("SELECT (" + "+".join(["1"] * 7000) + " AS ?x) {}", "+"),
        ("SELECT (" + "*".join(["2"] * 7000) + " AS ?x) {}", "*"),
        ("SELECT (" + "-".join(["3"] * 7000) + " AS ?x) {}", "-"),
        ("SELECT * { ?s " + " ; ".join(f"<http://p{i}> ?o" for i in range(10_000)) + " }", ";"),
        ("SELECT * { ?s ?p ?o " + " FILTER(?o)" * 60_000 + " }", "FILTER"),
        ("SELECT * { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o }" * 10_000 + " }", "OPTIONAL"),
    ],
)
def test_parser_bombs_are_refused_before_the_engine(text: str, what: str) -> None:
    """Each of these crashes pyoxigraph 0.5.13 with a segfault (seen here; see the module)."""
    assert "pattern elements" in _refused(text, Limits(max_bytes=10_000_000)), what


def test_data_blocks_are_not_counted() -> None:
    """A large write as INSERT DATA is read flat by the parser: it is not a bomb."""
    triples = " ; ".join(f"<http://p{i}> {i}" for i in range(20_000))
    check(f"INSERT DATA {{ <http://s> {triples} }}", Limits(max_bytes=10_000_000))


def test_clear_and_drop_all_reach_only_writable_graphs() -> None:
    writable = ["http://w1", "http://w2"]
    assert confine_to_writable("drop all", writable=writable) == (
        "DROP DEFAULT ; DROP SILENT GRAPH <http://w1> ; DROP SILENT GRAPH <http://w2>"
    )
    assert confine_to_writable("CLEAR NAMED ; CLEAR SILENT ALL", writable=["http://w"]) == (
        "CLEAR SILENT GRAPH <http://w> ; CLEAR DEFAULT ; CLEAR SILENT GRAPH <http://w>"
    )


def test_clear_all_in_a_comment_or_string_is_left_alone() -> None:
    text = "# DROP ALL\nINSERT DATA { <http://a> <http://b> 'CLEAR NAMED' }"
    assert confine_to_writable(text, writable=["http://w"]) == text


def test_with_using_adds_the_dataset_before_each_operations_where() -> None:
    text = (
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ;\n"
        "INSERT { ?s <http://p> 1 } WHERE { { SELECT ?s WHERE { ?s ?q ?r } } }"
    )
    rewritten = with_using(text, ["http://d"], ["http://n"])
    clause = "USING <http://d> USING NAMED <http://n> WHERE"
    assert rewritten.count(clause) == 2
    # The sub-select's WHERE, inside braces, gets none.
    assert rewritten.count("WHERE") == 3
    assert rewritten.endswith("{ { SELECT ?s WHERE { ?s ?q ?r } } }")


@pytest.mark.parametrize(
    "text",
    [
        "DELETE { ?s ?p ?o } USING <http://x> WHERE { ?s ?p ?o }",
        "WITH <http://x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_a_dataset_both_in_the_update_and_the_request_is_refused(text: str) -> None:
    with pytest.raises(RejectedQueryError, match="names its dataset"):
        with_using(text, ["http://d"], [])
