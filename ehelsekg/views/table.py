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
from ehelsekg.views.model import GraphFacts, resource_href
from ehelsekg.views.norsk import long_date, number


@dataclass
class Table:
    #: The Norwegian heading of each column.
    columns: list[str]
    #: The query's variable behind each column.
    variables: list[str] = field(default_factory=list)
    #: Each cell: the text shown and the link it leads to (or None).
    rows: list[list[tuple[str, str | None]]] = field(default_factory=list)
    truncated: bool = False


def _cell(value: object, facts: GraphFacts, base_url: str) -> tuple[str, str | None]:
    if value is None:
        return "", None
    if isinstance(value, URIRef):
        iri = str(value)
        if iri in facts.concepts:
            return facts.concept_label(iri), None
        if iri in facts.reports:
            return facts.reports[iri]["title"], resource_href(iri, base_url)
        return facts.label(iri), resource_href(iri, base_url)
    if isinstance(value, Literal):
        datatype = str(value.datatype or "")
        if datatype.endswith(("#decimal", "#double", "#float")):
            try:
                return number(Decimal(str(value))), None
            except InvalidOperation:
                return str(value), None
        if datatype.endswith("#date"):
            return long_date(str(value)), None
        if datatype.endswith("#boolean"):
            return ("ja" if value.toPython() is True else "nei"), None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            return long_date(str(value)), None
    return " ".join(str(value).split()), None


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
            all(row[j][1] and row[i][0] == row[j][0] and not row[i][1] for row in table.rows)
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
