"""The round's workbook: one sheet per table of the mapping, pre-filled from the last report.

Headers are frozen, coded columns get dropdowns of the concept schemes' Norwegian labels and
owner columns of the actors' names (lists kept on the visible, protected guide sheet, since a
hidden sheet would be refused on import). The report key and date ride in the workbook's
document properties, so a returned workbook says which round it answers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from rdflib import Literal, URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.rounds.mapping import ColumnMap, RoundMapping, TableMap
from ehelsekg.rounds.problems import RoundReadError
from ehelsekg.rounds.vocab import Vocabulary, fold
from ehelsekg.store.base import Store

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_LIST_COLUMN = 8  # guide sheet: the dropdown lists start in column H


def build_template(
    store: Store,
    catalogue: Catalogue,
    mapping: RoundMapping,
    *,
    report: str,
    date: str,
    previous: tuple[URIRef, str] | None,
    actor: str | None = None,
) -> Workbook:
    """The workbook for round ``report``, pre-filled from ``previous`` (IRI, key)."""
    vocabulary = Vocabulary(store, catalogue, mapping.path.parent / "lookups")
    book = Workbook()
    book.remove(book.active)
    rows = {
        table.sheet: (_rows(vocabulary, table, previous[0]) if previous and table.prefill else [])
        for table in mapping.tables
    }
    if actor is not None:
        rows = _for_actor(rows, mapping, vocabulary, actor)
    sheets = {table.sheet: book.create_sheet(table.sheet) for table in mapping.tables}
    guide = book.create_sheet(mapping.guide_sheet)
    lists = _write_guide(guide, mapping, vocabulary, report, date, previous, actor)
    for table in mapping.tables:
        _write_table(sheets[table.sheet], table, rows[table.sheet], lists, mapping)
    book.custom_doc_props.append(StringProperty(name="ehelsekg-report", value=report))
    book.custom_doc_props.append(StringProperty(name="ehelsekg-date", value=date))
    book.properties.title = f"{mapping.title} {report}"
    return book


def _write_table(
    sheet: Worksheet,
    table: TableMap,
    rows: list[list[str]],
    lists: dict[str, str],
    mapping: RoundMapping,
) -> None:
    sheet.append(table.titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    last = max(len(rows) + 200, 500)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        width = max([len(column.title), *(len(r[index - 1]) for r in rows)])
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        source = lists.get(f"{table.sheet}\t{column.name}")
        if source is None:
            continue
        check = DataValidation(type="list", formula1=source, allow_blank=True)
        check.error = mapping.guide["dropdownError"].format(
            column=column.title, guide=mapping.guide_sheet
        )
        check.errorTitle = column.title
        check.showErrorMessage = column.otherwise is None
        check.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(check)


def _write_guide(
    guide: Worksheet,
    mapping: RoundMapping,
    vocabulary: Vocabulary,
    report: str,
    date: str,
    previous: tuple[URIRef, str] | None,
    actor: str | None,
) -> dict[str, str]:
    """The guide sheet: the round, every column explained, and the dropdown lists."""
    guide.append([mapping.title])
    guide["A1"].font = Font(bold=True, size=14)
    words = mapping.guide
    guide.append([words["report"], report])
    guide.append([words["date"], date])
    guide.append([words["previous"], previous[1] if previous else "–"])
    if actor:
        guide.append([words["actor"], actor])
    guide.append([])
    guide.append([words[k] for k in ("sheet", "column", "required", "help", "allowed")])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    lists: dict[str, str] = {}
    list_column = _LIST_COLUMN
    for table in mapping.tables:
        guide.append([table.sheet, "", "", table.description])
        for column in table.columns:
            allowed = _allowed(vocabulary, column)
            shown = ", ".join(allowed) if column.code_list is not None else ""
            required = words["yes"] if column.required else ""
            guide.append(["", column.title, required, column.help, shown])
            if not allowed or not column.dropdown:
                continue
            letter = get_column_letter(list_column)
            guide.cell(row=1, column=list_column, value=f"{table.sheet}: {column.title}")
            for offset, value in enumerate(allowed, start=2):
                guide.cell(row=offset, column=list_column, value=value)
            sheet = quote_sheetname(mapping.guide_sheet)
            lists[f"{table.sheet}\t{column.name}"] = (
                f"{sheet}!${letter}$2:${letter}${len(allowed) + 1}"
            )
            list_column += 1
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 18
    guide.column_dimensions["D"].width = 80
    for row in guide.iter_rows(min_row=7, max_col=5):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    guide.protection.sheet = True
    return lists


def _allowed(vocabulary: Vocabulary, column: ColumnMap) -> list[str]:
    if column.code_list is not None:
        return vocabulary.codes(column.code_list).allowed
    if column.lookup is not None:
        return sorted(set(vocabulary.lookup(column.lookup).labels.values()), key=fold)
    return []


def _rows(vocabulary: Vocabulary, table: TableMap, previous: URIRef) -> list[list[str]]:
    """The previous report's facts of the table's class, as rows of cell texts."""
    facts: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in vocabulary.rows("facts", {"class": table.rdf_type, "report": previous}):
        assert row["s"] is not None and row["p"] is not None and row["o"] is not None
        facts[row["s"]][row["p"]].append(row["o"])
    rows = [
        [_cell(vocabulary, column, values.get(column.property, [])) for column in table.columns]
        for values in facts.values()
    ]
    key_positions = [[c.name for c in table.columns].index(k) for k in table.key]
    return sorted(rows, key=lambda r: [_natural(r[i]) for i in key_positions])


def _cell(vocabulary: Vocabulary, column: ColumnMap, values: list[Node]) -> str:
    texts = sorted(_text(vocabulary, column, value) for value in values)
    return (column.separator or "").join(texts) if column.separator else (texts[0] if texts else "")


def _text(vocabulary: Vocabulary, column: ColumnMap, value: Node) -> str:
    if column.code_list is not None and isinstance(value, URIRef):
        return vocabulary.codes(column.code_list).labels.get(value, str(value))
    if column.lookup is not None and isinstance(value, URIRef):
        names = vocabulary.lookup(column.lookup).labels
        return names.get(value) or vocabulary.lookup("labels").labels.get(value, str(value))
    pattern = column.value_pattern()
    if pattern is not None:
        match = pattern.match(str(value))
        return match.group(1) if match else str(value)
    if isinstance(value, Literal) and isinstance(value.toPython(), Decimal):
        return format(value.toPython(), "f")
    return str(value)


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text.casefold())


def _for_actor(
    rows: dict[str, list[list[str]]], mapping: RoundMapping, vocabulary: Vocabulary, actor: str
) -> dict[str, list[list[str]]]:
    """Only the rows of ``actor``'s measures (by the owner column), and the other sheets'
    rows that name the actor or one of those measures."""
    owners = [t for t in mapping.tables if t.owner_column]
    lookups = {t.column(str(t.owner_column)).lookup for t in owners} - {None}
    actors = vocabulary.lookup(str(next(iter(lookups), "")))
    entity = actors.names.get(fold(actor))
    for candidate in actors.labels:
        if entity is None and str(candidate).rsplit("/", 1)[-1] == actor:
            entity = candidate
    if entity is None:
        raise RoundReadError(f"--actor {actor}: ukjent aktør; bruk navnet fra aktørlisten")
    name = actors.labels[entity]
    kept: dict[str, list[list[str]]] = {}
    numbers: set[str] = set()
    measure_urls: set[str] = set()
    for table in owners:
        owner = [c.name for c in table.columns].index(str(table.owner_column))
        kept[table.sheet] = [r for r in rows[table.sheet] if fold(r[owner]) == fold(name)]
        key = table.column(table.key[0])
        position = [c.name for c in table.columns].index(key.name)
        numbers |= {r[position] for r in kept[table.sheet]}
        if key.value_url:
            measure_urls.add(re.sub(r"\{[^}]+\}", "", key.value_url))
    for table in mapping.tables:
        if table.sheet in kept:
            continue
        keep_positions = [
            i
            for i, c in enumerate(table.columns)
            if c.value_url and re.sub(r"\{[^}]+\}", "", c.value_url) in measure_urls
        ]
        kept[table.sheet] = [
            r
            for r in rows[table.sheet]
            if fold(name) in {fold(v) for v in r} or any(r[i] in numbers for i in keep_positions)
        ]
    return kept
