"""Query results in the standard formats and as a table (ehelsekg/catalogue/results.py).

Each writer is checked by reading its output back with a reader of the standard (json, csv,
ElementTree, rdflib), on the awkward cases: unbound variables, blank nodes, languages and
datatypes, and text with commas, quotes, tabs, line breaks and markup.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from ehelsekg.catalogue.results import (
    GRAPH_FORMATS,
    graph_text,
    term_json,
    to_csv,
    to_json,
    to_table,
    to_tsv,
    to_xml,
)
from ehelsekg.store.terms import QueryResult

EHK = "https://w3id.org/ehelsekg/ontology#"
MEASURE = URIRef("https://w3id.org/ehelsekg/id/measure/181")
AWKWARD = 'Kjernejournal, "dokumentdeling"\tfase 2\n<b>&</b>'
RESULTS = "{http://www.w3.org/2005/sparql-results#}"

SELECT = QueryResult(
    kind="select",
    variables=("measure", "name", "cost", "note"),
    rows=(
        (
            MEASURE,
            Literal("Pasientens legemiddelliste", lang="nb"),
            Literal("1.5", datatype=XSD.decimal),
            None,
        ),
        (BNode("n1"), Literal(AWKWARD), None, Literal("x")),
    ),
)
YES = QueryResult(kind="ask", boolean=True)
NO = QueryResult(kind="ask", boolean=False)


def test_term_json_follows_sparql_json() -> None:
    assert term_json(MEASURE) == {"type": "uri", "value": str(MEASURE)}
    assert term_json(BNode("b0")) == {"type": "bnode", "value": "b0"}
    assert term_json(Literal("hei", lang="nb")) == {
        "type": "literal",
        "value": "hei",
        "xml:lang": "nb",
    }
    assert term_json(Literal("5", datatype=XSD.integer)) == {
        "type": "literal",
        "value": "5",
        "datatype": str(XSD.integer),
    }
    # A plain string and an explicit xsd:string are the same term in RDF 1.1: no datatype.
    assert term_json(Literal("s")) == term_json(Literal("s", datatype=XSD.string))
    assert term_json(Literal("s")) == {"type": "literal", "value": "s"}


def test_json_leaves_unbound_variables_out_of_their_row() -> None:
    document = json.loads(to_json(SELECT))
    assert document["head"]["vars"] == ["measure", "name", "cost", "note"]
    first, second = document["results"]["bindings"]
    assert set(first) == {"measure", "name", "cost"}
    assert set(second) == {"measure", "name", "note"}
    assert second["name"]["value"] == AWKWARD
    assert second["measure"] == {"type": "bnode", "value": "n1"}


def test_json_of_ask() -> None:
    assert json.loads(to_json(YES)) == {"head": {}, "boolean": True}
    assert json.loads(to_json(NO)) == {"head": {}, "boolean": False}


def test_json_of_no_rows() -> None:
    empty = QueryResult(kind="select", variables=("x",))
    assert json.loads(to_json(empty)) == {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def test_xml_escapes_text_and_keeps_languages_and_datatypes() -> None:
    root = ET.fromstring(to_xml(SELECT))
    assert [v.get("name") for v in root.iter(f"{RESULTS}variable")] == [
        "measure",
        "name",
        "cost",
        "note",
    ]
    first, second = root.iter(f"{RESULTS}result")
    bindings = {b.get("name"): b[0] for b in first}
    assert set(bindings) == {"measure", "name", "cost"}
    assert bindings["measure"].tag == f"{RESULTS}uri" and bindings["measure"].text == str(MEASURE)
    assert bindings["name"].get("{http://www.w3.org/XML/1998/namespace}lang") == "nb"
    assert bindings["cost"].get("datatype") == str(XSD.decimal)
    awkward = {b.get("name"): b[0] for b in second}
    assert awkward["name"].text == AWKWARD
    assert awkward["measure"].tag == f"{RESULTS}bnode"


def test_xml_of_ask() -> None:
    for result, text in ((YES, "true"), (NO, "false")):
        root = ET.fromstring(to_xml(result))
        assert root.find(f"{RESULTS}boolean").text == text  # type: ignore[union-attr]


def test_csv_has_lexical_values_quoted_as_rfc_4180_and_crlf_lines() -> None:
    text = to_csv(SELECT)
    assert text.startswith("measure,name,cost,note\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        ["measure", "name", "cost", "note"],
        [str(MEASURE), "Pasientens legemiddelliste", "1.5", ""],
        ["_:n1", AWKWARD, "", "x"],
    ]


def test_csv_of_ask() -> None:
    assert to_csv(YES) == "boolean\r\ntrue\r\n"
    assert to_csv(NO) == "boolean\r\nfalse\r\n"


def test_tsv_has_terms_in_their_sparql_form_one_row_a_line() -> None:
    lines = to_tsv(SELECT).split("\n")
    assert lines[0] == "?measure\t?name\t?cost\t?note"
    first = lines[1].split("\t")
    assert first == [
        f"<{MEASURE}>",
        '"Pasientens legemiddelliste"@nb',
        f'"1.5"^^<{XSD.decimal}>',
        "",
    ]
    # The string's tab and line break are escaped, so the row stays one line of four cells.
    second = lines[2].split("\t")
    assert len(second) == 4 and second[0] == "_:n1" and second[3] == '"x"'
    assert "\\t" in second[1] and "\\n" in second[1]
    assert lines[3:] == [""]


def test_tsv_of_ask() -> None:
    assert to_tsv(YES) == "?boolean\ntrue\n"


def test_table_shows_labels_prefixed_names_and_one_line_per_row() -> None:
    other = URIRef(f"{EHK}Measure")
    result = QueryResult(
        kind="select",
        variables=("what", "text"),
        rows=((MEASURE, Literal("a\n  b")), (other, None)),
    )
    table = to_table(result, {MEASURE: "Pasientens legemiddelliste"}).split("\n")
    assert table[0].split() == ["what", "text"]
    assert set(table[1].replace(" ", "")) == {"-"}
    assert table[2].split("  ")[0] == "Pasientens legemiddelliste"
    assert table[2].endswith("a b")  # white space runs become one space
    assert table[3].strip() == "ehk:Measure"
    assert table[4] == "(2 rows)"


def test_table_clips_long_values_and_counts_one_row() -> None:
    result = QueryResult(kind="select", variables=("x",), rows=((Literal("y" * 100),),))
    header, rule, row, count = to_table(result).split("\n")
    assert header == "x"
    assert row == "y" * 59 + "…"
    assert rule == "-" * 60
    assert count == "(1 row)"


def test_table_of_ask_and_of_nothing() -> None:
    assert to_table(YES) == "yes" and to_table(NO) == "no"
    assert to_table(QueryResult(kind="select", variables=("x",))).endswith("(0 rows)")


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_graph_text_reads_back_as_the_same_graph(fmt: str) -> None:
    graph = Graph()
    graph.add((MEASURE, RDFS.label, Literal(AWKWARD, lang="nb")))
    graph.add((MEASURE, URIRef(f"{EHK}cost"), Literal("1.5", datatype=XSD.decimal)))
    graph.add((MEASURE, URIRef(f"{EHK}note"), BNode()))
    text = graph_text(QueryResult(kind="graph", graph=graph), fmt)
    parsed = Graph().parse(data=text, format=fmt)
    assert isomorphic(parsed, graph)
