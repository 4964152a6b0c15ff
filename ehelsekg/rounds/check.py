"""Validating a round with the project's shapes, and pointing each result back to a cell.

The round is added to a scratch copy of the graph and every shape runs (the report-total checks
included), so a round is held to what every data file is held to. A result whose focus node is
a row's subject is placed at that row, and at the cell its path came from; a result about a
node the round did not make (an older fact) is left out unless it is a Violation, which blocks
the round wherever it is.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ehelsekg.rounds.convert import Converted
from ehelsekg.rounds.mapping import ColumnMap, RoundMapping
from ehelsekg.rounds.problems import CellProblem
from ehelsekg.rounds.reading import Cell
from ehelsekg.rounds.vocab import Vocabulary
from ehelsekg.store.base import Store
from ehelsekg.validation import compiled as shacl_sparql
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import Severity

Triples = list[tuple[Node, Node, Node]]


def insert_text(triples: Triples) -> str:
    """A SPARQL ``INSERT DATA`` of ``triples`` into the default graph."""
    lines = " .\n".join(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples)
    return "INSERT DATA {\n" + lines + " .\n}" if triples else "INSERT DATA {}"


def validate_scratch(scratch: Store, validator: Validator) -> list[shacl_sparql.RawResult]:
    """Every SHACL result of ``scratch`` (a copy of the graph with the round added)."""
    if validator.compiled is None:
        raise RuntimeError("the shapes need pyshacl; rounds need the compiled validator")
    _report, raw = shacl_sparql.validate_store(scratch, validator.compiled)
    return raw


def locate(
    raw: list[shacl_sparql.RawResult],
    converted: Converted,
    mapping: RoundMapping,
    vocabulary: Vocabulary,
) -> list[CellProblem]:
    """The results that concern the round, each at its file, sheet, row and cell."""
    problems: list[CellProblem] = []
    seen: set[tuple[object, ...]] = set()
    for result in raw:
        place = converted.rows.get(result.focus)
        if place is None:
            if result.severity is Severity.VIOLATION:
                problems.append(_unplaced(result, mapping))
            continue
        column, cell = _column_of(result, converted)
        # A row-level result's value is often the row's own node: name no IRI then.
        shown = str(result.value) if isinstance(result.value, Literal) else None
        value = cell.text if cell is not None else shown
        key = (place, column.title if column else None, result.message)
        if key in seen:
            continue
        seen.add(key)
        message, hint = _words(result, column, value, mapping, vocabulary)
        message, hint = _named(message, vocabulary), _named(hint, vocabulary)
        problems.append(
            CellProblem(
                file=place.file,
                sheet=place.sheet,
                row=place.line,
                column=column.title if column else None,
                cell=cell.coordinate if cell else None,
                value=value,
                message=message,
                hint=hint,
                severity=result.severity.value,
            )
        )
    return problems


def _column_of(
    result: shacl_sparql.RawResult, converted: Converted
) -> tuple[ColumnMap | None, Cell | None]:
    found: tuple[ColumnMap, Cell] | None = None
    if isinstance(result.path, URIRef):
        found = converted.cells.get((result.focus, result.path))
    if found is None and result.value is not None:
        # A constraint without a path (a SPARQL check): the cell holding the value, if any.
        for (subject, prop), located in converted.cells.items():
            if subject == result.focus and (result.focus, prop, result.value) in converted.graph:
                found = located
                break
    if found is None:
        return None, None
    return found


def _words(
    result: shacl_sparql.RawResult,
    column: ColumnMap | None,
    value: str | None,
    mapping: RoundMapping,
    vocabulary: Vocabulary,
) -> tuple[str, str]:
    """The Norwegian message and what to do, by the kind of constraint and of column."""
    component = result.component
    title = column.title if column else ""
    if column is None:
        if component == SH.SPARQLConstraintComponent:
            return (
                mapping.message("sparql", column="Raden"),
                mapping.message("sparqlHint", message=result.message),
            )
        return (
            mapping.message("row", message=result.message),
            mapping.message("rowHint"),
        )
    wrong_value = isinstance(result.value, Literal) or component in (SH.ClassConstraintComponent,)
    if column.code_list is not None and wrong_value:
        allowed = ", ".join(vocabulary.codes(column.code_list).allowed)
        return (
            mapping.message("codeList", value=value, allowed=allowed),
            mapping.message("codeListHint"),
        )
    if (column.lookup is not None or column.value_url is not None) and wrong_value:
        return (
            mapping.message("unknown", value=value, what=column.what or title.lower()),
            mapping.message("unknownHint"),
        )
    if component == SH.SPARQLConstraintComponent:
        return (
            mapping.message("sparql", column=title),
            mapping.message("sparqlHint", message=result.message),
        )
    if component == SH.DatatypeConstraintComponent:
        return (
            mapping.message("datatype", value=value),
            mapping.message("datatypeHint", help=column.help),
        )
    if component == SH.MaxCountConstraintComponent:
        return mapping.message("maxCount", column=title), mapping.message("maxCountHint")
    if component == SH.MinCountConstraintComponent:
        return mapping.message("required", column=title), mapping.message(
            "requiredHint", column=title
        )
    return (
        mapping.message("other", column=title, message=result.message),
        mapping.message("otherHint"),
    )


_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`,;]+[^\s<>\"{}|\\^`,;.)]")


def _named(text: str, vocabulary: Vocabulary) -> str:
    """The text with each IRI a shape's message names replaced by the entity's name."""
    names = vocabulary.names()
    return _IRI.sub(lambda m: names.get(URIRef(m.group(0)), m.group(0)), text)


def _unplaced(result: shacl_sparql.RawResult, mapping: RoundMapping) -> CellProblem:
    return CellProblem(
        file="",
        sheet="",
        row=None,
        column=None,
        cell=None,
        value=_shown(result.value),
        message=mapping.message("row", message=result.message),
        hint=mapping.message("rowHint"),
        severity=result.severity.value,
    )


def _shown(node: Node | None) -> str | None:
    return None if node is None else str(node)
