"""A named query's answer as a table people read: IRIs by their names (linked to the entity's
page), concepts by their labels, numbers with decimal commas, dates and yes/no in Norwegian,
under the Norwegian headings the query's header declares (``# column@nb``); like the CLI's
table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.store.base import Store
from ehelsekg.views.model import Cell, GraphFacts, resource_href
from ehelsekg.views.norsk import long_date, number


@dataclass
class Table:
    #: The Norwegian heading of each column.
    columns: list[str]
    #: The query's variable behind each column.
    variables: list[str] = field(default_factory=list)
    #: Each cell: the text shown, the link it leads to and a status's colour.
    rows: list[list[Cell]] = field(default_factory=list)
    truncated: bool = False


def _cell(value: object, facts: GraphFacts, base_url: str) -> Cell:
    if value is None:
        return Cell("")
    if isinstance(value, URIRef):
        iri = str(value)
        if iri in facts.concepts:
            return facts.concept_cell(iri)
        if iri in facts.reports:
            return Cell(facts.reports[iri]["title"], resource_href(iri, base_url))
        return Cell(facts.label(iri), resource_href(iri, base_url))
    if isinstance(value, Literal):
        datatype = str(value.datatype or "")
        if datatype.endswith(("#decimal", "#double", "#float")):
            try:
                return Cell(number(Decimal(str(value))))
            except InvalidOperation:
                return Cell(str(value))
        if datatype.endswith("#date"):
            return Cell(long_date(str(value)))
        if datatype.endswith("#boolean"):
            return Cell("ja" if value.toPython() is True else "nei")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            return Cell(long_date(str(value)))
    return Cell(" ".join(str(value).split()))


def named_table(
    store: Store,
    catalogue: Catalogue,
    name: str,
    params: Mapping[str, str],
    *,
    max_rows: int,
    base_url: str = "",
) -> Table:
    """Run the named query ``name`` and label its answer."""
    facts = GraphFacts(store, catalogue, base_url=base_url)
    result = catalogue.run(name, params, store)
    query = catalogue.get(name)
    table = Table(
        columns=[query.column_nb(v) for v in result.variables], variables=list(result.variables)
    )
    for row in result.rows[:max_rows]:
        table.rows.append([_cell(value, facts, base_url) for value in row])
    table.truncated = len(result.rows) > max_rows
    return _without_repeats(table)


def _without_repeats(table: Table) -> Table:
    """The table without columns that repeat, row by row, the text of a linked column before
    them (a measure's name beside the measure shown by its name)."""
    keep: list[int] = []
    for i in range(len(table.columns)):
        repeats = table.rows and any(
            all(
                row[j].href and row[i].text == row[j].text and not row[i].href for row in table.rows
            )
            for j in keep
        )
        if not repeats:
            keep.append(i)
    return Table(
        columns=[table.columns[i] for i in keep],
        variables=[table.variables[i] for i in keep],
        rows=[[row[i] for i in keep] for row in table.rows],
        truncated=table.truncated,
    )
