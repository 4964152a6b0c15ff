"""RDF sent by a user (ehelsekg/store/rdf_input.py): parsed safely, written back as an update.

Nothing a client sends may make the server fetch, expand entities or shape the update's text:
the cases below are the ways a body could try.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ehelsekg.errors import DataLoadError
from ehelsekg.store.rdf_input import RDF_INPUT_TYPES, insert_data, parse_triples

BASE = "http://example.org/base/"
RDF_XML = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/s">'
    '<rdf:type rdf:resource="http://example.org/T"/></rdf:Description></rdf:RDF>'
)


def _parse(data: bytes | str, media_type: str) -> list[ox.Triple]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_triples(raw, media_type, base_iri=BASE)


def _refusal(data: bytes | str, media_type: str) -> DataLoadError:
    with pytest.raises(DataLoadError) as raised:
        _parse(data, media_type)
    return raised.value


# The same one triple in each format a graph may be sent in.
ONE_TRIPLE = {
    "text/turtle": "<s> <http://example.org/p> 'v'@nb .",
    "application/n-triples": f'<{BASE}s> <http://example.org/p> "v"@nb .\n',
    "application/ld+json": (
        f'{{"@id": "{BASE}s", "http://example.org/p": {{"@value": "v", "@language": "nb"}}}}'
    ),
    "application/rdf+xml": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://example.org/"><rdf:Description rdf:about="s">'
        '<ex:p xml:lang="nb">v</ex:p></rdf:Description></rdf:RDF>'
    ),
}


@pytest.mark.parametrize("media_type", sorted(RDF_INPUT_TYPES))
def test_each_format_gives_the_same_triple(media_type: str) -> None:
    """Relative IRIs resolve against the base; every offered format is read."""
    assert [str(t) for t in _parse(ONE_TRIPLE[media_type], media_type)] == [
        f'<{BASE}s> <http://example.org/p> "v"@nb'
    ]


def test_an_unknown_media_type_names_the_ones_offered() -> None:
    error = _refusal("<a> <b> <c> .", "text/n3")
    assert "cannot read text/n3" in str(error)
    for media_type in RDF_INPUT_TYPES:
        assert media_type in str(error)


def test_a_body_that_is_not_utf8_is_refused_with_the_byte() -> None:
    error = _refusal("<s> <p> 'blåbær' .".encode("latin-1"), "text/turtle")
    assert "not UTF-8 (byte 11)" in str(error)  # the å


def test_a_syntax_error_names_its_line() -> None:
    error = _refusal("<a> <b> <c> .\n<d> <e> .\n", "text/turtle")
    assert error.line == 2
    assert "syntax error" in str(error)


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>',
        '<!doctype rdf:RDF SYSTEM "file:///etc/passwd">',
        '<! ENTITY lol "lol">',
    ],
)
def test_rdf_xml_with_a_document_type_or_entity_is_refused(declaration: str) -> None:
    """No entity expansion (billion laughs) and no external entity (a local file)."""
    body = RDF_XML.format(encoding="UTF-8").replace("?>\n", f"?>\n{declaration}\n")
    error = _refusal(body, "application/rdf+xml")
    assert "DOCTYPE" in str(error) and "refused" in str(error)


@pytest.mark.parametrize("encoding", ["UTF-8", "utf-8", "utf8"])
def test_rdf_xml_declared_utf8_is_read(encoding: str) -> None:
    (triple,) = _parse(RDF_XML.format(encoding=encoding), "application/rdf+xml")
    assert triple.object == ox.NamedNode("http://example.org/T")


def test_rdf_xml_declaring_another_encoding_is_refused() -> None:
    error = _refusal(RDF_XML.format(encoding="ISO-8859-1"), "application/rdf+xml")
    assert "encoding other than UTF-8" in str(error)


@pytest.mark.parametrize(
    "document",
    [
        '{"@context": "https://schema.org/", "@id": "http://s", "name": "x"}',
        '{"@context": ["https://schema.org/", {"ex": "http://example.org/"}], "@id": "http://s"}',
        # A remote context nested in a node, not at the top.
        '{"@id": "http://s", "http://p": {"@context": "https://evil.example/ctx", "@id": "x"}}',
    ],
)
def test_json_ld_naming_a_remote_context_is_refused(document: str) -> None:
    error = _refusal(document, "application/ld+json")
    assert "is not inline" in str(error)


def test_json_ld_import_is_refused() -> None:
    document = '{"@context": {"@import": "https://evil.example/ctx"}, "@id": "http://s"}'
    assert "@import" in str(_refusal(document, "application/ld+json"))


def test_json_ld_with_inline_or_null_contexts_is_read() -> None:
    document = '{"@context": [null, {"ex": "http://example.org/"}], "@id": "ex:s", "ex:p": "v"}'
    assert [str(t) for t in _parse(document, "application/ld+json")] == [
        '<http://example.org/s> <http://example.org/p> "v"'
    ]


def test_json_that_is_not_json_names_its_line() -> None:
    error = _refusal('{\n "@id": "http://s",\n "http://p": \n}', "application/ld+json")
    assert "not JSON" in str(error) and error.line == 4


def test_a_named_graph_in_the_body_is_refused() -> None:
    """A Graph Store body is one graph; JSON-LD can name another, which is not taken."""
    document = '{"@id": "http://g", "@graph": [{"@id": "http://s", "http://p": "o"}]}'
    assert "holds a named graph" in str(_refusal(document, "application/ld+json"))


def test_insert_data_of_nothing_is_empty() -> None:
    assert insert_data([], "http://example.org/g") == ""
    assert insert_data([], None) == ""


def test_insert_data_relabels_blank_nodes_consistently() -> None:
    """The input's blank node labels never reach the update; one node keeps one label."""
    triples = _parse(
        "_:attacker <http://p> _:other . _:other <http://p> _:attacker .", "text/turtle"
    )
    update = insert_data(triples, None)
    assert "attacker" not in update and "other" not in update
    assert update == "INSERT DATA {\n_:b0 <http://p> _:b1 .\n_:b1 <http://p> _:b0 .\n}"


def test_insert_data_round_trips_awkward_literals_through_a_store() -> None:
    """Applying the update stores what adding the parsed triples directly stores: quotes,
    newlines, braces, languages and datatypes, and a literal that looks like SPARQL stays a
    literal. (Oxigraph keeps numbers in canonical form either way: '1.50' is stored as 1.5.)"""
    body = (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<s> <p> 'say \"hi\"\\n} ; DROP ALL ; INSERT DATA {', 'hei'@nb-NO, '1.50'^^xsd:decimal ,"
        " '''two\nlines''' , <o> .\n"
    )
    triples = _parse(body, "text/turtle")
    graph = ox.NamedNode("http://example.org/g")
    through_update = ox.Store()
    through_update.update(insert_data(triples, graph.value))
    directly = ox.Store()
    directly.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    assert set(through_update) == set(directly)
    assert len(through_update) == len(triples) == 5


def test_insert_data_into_the_default_graph() -> None:
    triples = _parse("<s> <p> <o> .", "text/turtle")
    store = ox.Store()
    store.update(insert_data(triples, None))
    assert [q.graph_name for q in store] == [ox.DefaultGraph()]


def test_a_triple_term_cannot_be_stored() -> None:
    inner = ox.Triple(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o"))
    quoted = ox.Triple(ox.NamedNode("http://s"), ox.NamedNode("http://says"), inner)
    with pytest.raises(DataLoadError, match="RDF-star"):
        insert_data([quoted], None)
