"""Query results in the standard formats (SPARQL 1.1 JSON, CSV, TSV) and as a readable table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

# Re-exported: label choice lives in ehelsekg.labels.
from ehelsekg.labels import best_labels as best_labels
from ehelsekg.namespaces import bind_all
from ehelsekg.store.terms import QueryResult, to_ox

TABULAR_FORMATS = ("table", "json", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "json-ld", "nt", "xml")


def term_json(node: Node) -> dict[str, str]:
    """One RDF term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    term = {"type": "literal", "value": str(node)}
    if node.language:
        term["xml:lang"] = node.language
    elif node.datatype and node.datatype != XSD.string:
        term["datatype"] = str(node.datatype)
    return term


def to_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {
            name: term_json(value)
            for name, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1)


def to_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format."""
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out += [
            "<head/>",
            f"<boolean>{'true' if result.boolean else 'false'}</boolean>",
            "</sparql>",
        ]
        return "\n".join(out) + "\n"
    out.append("<head>")
    out += [f"<variable name={quoteattr(name)}/>" for name in result.variables]
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for name, value in zip(result.variables, row, strict=True):
            if value is None:
                continue
            if isinstance(value, URIRef):
                term = f"<uri>{escape(str(value))}</uri>"
            elif isinstance(value, BNode):
                term = f"<bnode>{escape(str(value))}</bnode>"
            else:
                assert isinstance(value, Literal)
                attribute = ""
                if value.language:
                    attribute = f" xml:lang={quoteattr(value.language)}"
                elif value.datatype and value.datatype != XSD.string:
                    attribute = f" datatype={quoteattr(str(value.datatype))}"
                term = f"<literal{attribute}>{escape(str(value))}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{term}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _csv_value(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: lexical values only, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: terms in their SPARQL/Turtle form."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        # N-Triples form: a string's tab or line break stays escaped, as TSV needs.
        lines.append("\t".join("" if value is None else str(to_ox(value)) for value in row))
    return "\n".join(lines) + "\n"


def to_table(result: QueryResult, labels: Mapping[Node, str] | None = None) -> str:
    """A table for a terminal: IRIs shown by their label (or prefixed name), numbers as written."""
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    namespaces = bind_all(result.graph).namespace_manager
    names = labels or {}

    def show(node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, URIRef):
            return names.get(node) or node.n3(namespaces)
        return " ".join(str(node).split())

    cells = [[show(value) for value in row] for row in result.rows]
    widths = [
        min(60, max([len(name)] + [len(row[i]) for row in cells]))
        for i, name in enumerate(result.variables)
    ]

    def line(values: list[str]) -> str:
        clipped = [
            v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(values, widths, strict=True)
        ]
        return "  ".join(v.ljust(w) for v, w in zip(clipped, widths, strict=True)).rstrip()

    out = [line(list(result.variables)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


def graph_text(result: QueryResult, fmt: str) -> str:
    """A CONSTRUCT/DESCRIBE result in an RDF format."""
    graph = bind_all(result.graph)
    rdflib_format = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt", "xml": "xml"}[fmt]
    return graph.serialize(format=rdflib_format)
