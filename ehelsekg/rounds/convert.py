"""Rows to RDF, keeping for every triple the cell it came from.

Each row becomes one subject (the table's ``aboutUrl``) with the fixed properties of its table
and one triple per filled cell. A cell that cannot be read as what its column holds (a colour
that is none, a date in another form, an unknown owner) still becomes a triple, with the text
as a plain literal: the shapes then report it, and the location says which cell it was.
Only what the shapes cannot see is checked here: a required cell left empty, and two rows
with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from ehelsekg.rounds.mapping import ColumnMap, RoundMapping, TableMap, expand, slug
from ehelsekg.rounds.problems import CellProblem
from ehelsekg.rounds.reading import Cell, Row, Sheet
from ehelsekg.rounds.vocab import Vocabulary, fold


@dataclass(frozen=True)
class Place:
    """Where a subject's row is: file, sheet and line."""

    file: str
    sheet: str
    line: int


@dataclass
class Converted:
    """The round as RDF, and where each subject and each of its triples came from."""

    graph: Graph
    report: URIRef
    rows: dict[Node, Place] = field(default_factory=dict)
    cells: dict[tuple[Node, URIRef], tuple[ColumnMap, Cell]] = field(default_factory=dict)
    tables: dict[Node, TableMap] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)


def convert(
    sheets: list[Sheet], mapping: RoundMapping, vocabulary: Vocabulary, *, report: str
) -> Converted:
    """The rows of ``sheets`` as the triples of the round ``report`` (its key, e.g. 2023-03)."""
    report_iri = URIRef(expand(mapping.report_about, {"_report": report}))
    out = Converted(graph=Graph(), report=report_iri)
    seen: dict[tuple[str, Node], Place] = {}
    for sheet in sheets:
        for row in sheet.rows:
            _convert_row(out, sheet, row, mapping, vocabulary, report, seen)
    return out


def _convert_row(
    out: Converted,
    sheet: Sheet,
    row: Row,
    mapping: RoundMapping,
    vocabulary: Vocabulary,
    report: str,
    seen: dict[tuple[str, Node], Place],
) -> None:
    table = sheet.table
    place = Place(sheet.file, table.sheet, row.line)
    texts = {name: cell.text for name, cell in row.cells.items()}
    problems = [
        _problem(mapping, place, column, row.cells.get(column.name), "required")
        for column in table.columns
        if column.required and not texts.get(column.name)
    ]
    if problems:
        out.problems += problems
        return
    key = "-".join(slug(texts.get(name, "")) or "x" for name in table.key)
    variables = {**texts, "_report": report, "_key": key, "_row": str(row.line)}
    subject = URIRef(expand(table.about, variables))
    first = seen.get((table.sheet, subject))
    if first is not None:
        key_column = table.column(table.key[0])
        out.problems.append(
            CellProblem(
                file=place.file,
                sheet=place.sheet,
                row=place.line,
                column=key_column.title,
                cell=row.cells[key_column.name].coordinate,
                value=", ".join(texts.get(name, "") for name in table.key),
                message=mapping.message(
                    "duplicate",
                    what=key_column.what or key_column.title.lower(),
                    value=" / ".join(texts.get(n, "") for n in table.key if texts.get(n)),
                    first=mapping.message("rowAt", line=first.line)
                    if first.file == place.file
                    else mapping.message("rowAtFile", file=first.file, line=first.line),
                ),
                hint=mapping.message("duplicateHint"),
            )
        )
        return
    seen[(table.sheet, subject)] = place
    out.rows[subject] = place
    out.tables[subject] = table
    graph = out.graph
    for fixed in table.fixed:
        graph.add((subject, fixed.property, URIRef(expand(fixed.value_url, variables))))
    for column in table.columns:
        cell = row.cells.get(column.name)
        if cell is None or not cell.text:
            continue
        parts = [cell.text]
        if column.separator:
            parts = [p.strip() for p in cell.text.split(column.separator) if p.strip()]
        for part in parts:
            value = _value(
                column, part, {**variables, column.name: part}, vocabulary, graph, out.report
            )
            graph.add((subject, column.property, value))
            out.cells[(subject, column.property)] = (column, cell)


def _value(
    column: ColumnMap,
    text: str,
    variables: dict[str, str],
    vocabulary: Vocabulary,
    graph: Graph,
    report: URIRef,
) -> Node:
    if column.code_list is not None:
        concept = vocabulary.codes(column.code_list).names.get(fold(text))
        return concept if concept is not None else Literal(text)
    if column.lookup is not None:
        entity = vocabulary.lookup(column.lookup).names.get(fold(text))
        if entity is not None:
            return entity
        if column.otherwise is not None:
            created = URIRef(expand(column.otherwise.about, variables))
            graph.add((created, RDF.type, column.otherwise.type))
            graph.add((created, column.otherwise.label_property, Literal(text, lang="nb")))
            graph.add((created, PROV.wasDerivedFrom, report))
            return created
        return Literal(text)
    if column.value_url is not None:
        return URIRef(column.expand(variables))
    return _literal(column, text)


def _literal(column: ColumnMap, text: str) -> Literal:
    """The cell as its column's datatype, or the plain text when it is not one (for the
    shapes to report)."""
    if column.datatype is None:
        return Literal(text, lang=column.lang)
    base = column.datatype.base
    if base == "number" and text.lstrip("-").isdigit():
        # A count: the shapes want whole numbers as xsd:integer (42, not 42.0).
        return Literal(int(text), datatype=XSD.integer)
    if base in ("decimal", "number", "double"):
        try:
            return Literal(Decimal(text.replace(",", ".").replace(" ", "")), datatype=XSD.decimal)
        except InvalidOperation:
            return Literal(text)
    if base == "integer":
        return Literal(int(text), datatype=XSD.integer) if text.isdigit() else Literal(text)
    try:
        column.datatype.read(text)
    except ValueError:
        return Literal(text)
    return Literal(text, datatype=XSD[base])


def _problem(
    mapping: RoundMapping, place: Place, column: ColumnMap, cell: Cell | None, kind: str
) -> CellProblem:
    return CellProblem(
        file=place.file,
        sheet=place.sheet,
        row=place.line,
        column=column.title,
        cell=cell.coordinate if cell else None,
        value=cell.text if cell else "",
        message=mapping.message(kind, column=column.title),
        hint=mapping.message(kind + "Hint", column=column.title),
    )
