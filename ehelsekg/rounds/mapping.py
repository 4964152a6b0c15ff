"""The round mapping: which sheet and column becomes which property, read from CSVW metadata.

The mapping file is W3C CSVW metadata (a table group, one table per sheet). The standard parts
say what a column is called (``titles``), whether it is required, its datatype, the property
it fills (``propertyUrl``) and, for IRIs, how the value becomes one (``valueUrl``); the row's
subject is the table's ``aboutUrl``. A few common properties under ``ehk:`` add what CSVW has
no word for: the concept scheme of a coded column (``ehk:codeList``), the lookup that turns a
name into an entity (``ehk:lookup``), the key columns of a row (``ehk:keyColumns``, whose slug
is the template variable ``{_key}``) and the Norwegian messages. ``{_report}`` in a template is
the report key of the round.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csvw import TableGroup
from rdflib import URIRef
from rdflib.namespace import RDF

from ehelsekg.rounds.problems import RoundReadError

#: The mapping the project ships (relative to the project folder).
DEFAULT_MAPPING = Path("mappings") / "portfolio-round.csv-metadata.json"


@dataclass(frozen=True)
class Otherwise:
    """What a lookup column creates when a name is not known: a new node of ``type``."""

    about: str
    type: URIRef
    label_property: URIRef


@dataclass(frozen=True)
class ColumnMap:
    """One column of a sheet and the property it fills."""

    name: str
    title: str
    property: URIRef
    help: str = ""
    required: bool = False
    value_url: str | None = None
    datatype: Any = None
    lang: str | None = None
    separator: str | None = None
    code_list: URIRef | None = None
    lookup: str | None = None
    what: str = ""
    otherwise: Otherwise | None = None
    dropdown: bool = True

    def expand(self, variables: dict[str, str]) -> str:
        assert self.value_url is not None
        return expand(self.value_url, variables)

    def value_pattern(self) -> re.Pattern[str] | None:
        """A regex reading this column's value back out of an IRI made by ``valueUrl``."""
        if self.value_url is None or "{" + self.name + "}" not in self.value_url:
            return None
        head, _, tail = self.value_url.partition("{" + self.name + "}")
        return re.compile(re.escape(head) + "(.+)" + re.escape(tail) + "$")


@dataclass(frozen=True)
class Fixed:
    """A virtual column: a property every row's subject gets, with a templated IRI value."""

    property: URIRef
    value_url: str


@dataclass(frozen=True)
class TableMap:
    """One sheet: its columns, the subject of a row, and the class its rows become."""

    sheet: str
    description: str
    about: str
    columns: tuple[ColumnMap, ...]
    fixed: tuple[Fixed, ...]
    key: tuple[str, ...]
    required: bool = False
    prefill: bool = True
    owner_column: str | None = None

    @property
    def rdf_type(self) -> URIRef:
        for item in self.fixed:
            if item.property == RDF.type:
                return URIRef(item.value_url)
        raise ValueError(f"table {self.sheet} has no rdf:type column")

    def column(self, name: str) -> ColumnMap:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def titles(self) -> list[str]:
        return [column.title for column in self.columns]


@dataclass(frozen=True)
class RoundMapping:
    """The whole mapping: the sheets, the report node, the guide sheet and the messages."""

    path: Path
    title: str
    tables: tuple[TableMap, ...]
    guide_sheet: str
    report_about: str
    report_title: str
    data_file: str
    messages: dict[str, str] = field(default_factory=dict)
    preview: dict[str, str] = field(default_factory=dict)
    guide: dict[str, str] = field(default_factory=dict)

    def table(self, sheet: str) -> TableMap:
        for table in self.tables:
            if table.sheet == sheet:
                return table
        raise KeyError(sheet)

    def message(self, kind: str, **values: object) -> str:
        return self.messages[kind].format(**values)


def expand(template: str, variables: dict[str, str]) -> str:
    """Fill ``{name}`` parts of a URI template (level 1 of RFC 6570, as CSVW uses it).

    >>> expand("https://x/measure/{nr}", {"nr": "181"})
    'https://x/measure/181'
    """
    return re.sub(r"\{([^}]+)\}", lambda m: variables.get(m.group(1), ""), template)


def slug(text: str) -> str:
    """A lower-case ASCII slug as the project's IRIs use (æ→ae, ø→o, å→a).

    >>> slug("Helse Sør-Øst / Kjernejournal 1.1")
    'helse-sor-ost-kjernejournal-1-1'
    """
    folded = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("nb") or next(iter(value.values()), ""))
    return str(value)


def load_mapping(path: Path) -> RoundMapping:
    """Read a CSVW mapping file (raises RoundReadError naming the file if it is not one)."""
    try:
        group = TableGroup.from_file(path)
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise RoundReadError(f"{path}: not a CSVW mapping: {err}") from err
    props = group.common_props
    report = props["ehk:report"]
    tables = tuple(_table(table) for table in group.tables)
    return RoundMapping(
        path=path,
        title=_text(props.get("dc:title")),
        tables=tables,
        guide_sheet=str(props["ehk:guideSheet"]),
        report_about=str(report["aboutUrl"]),
        report_title=str(report["title"]),
        data_file=str(report["dataFile"]),
        messages={str(k): str(v) for k, v in props["ehk:messages"].items()},
        preview={str(k): str(v) for k, v in props.get("ehk:preview", {}).items()},
        guide={str(k): str(v) for k, v in props.get("ehk:guide", {}).items()},
    )


def _table(table: Any) -> TableMap:
    props = table.common_props
    schema = table.tableSchema
    columns: list[ColumnMap] = []
    fixed: list[Fixed] = []
    for column in schema.columns:
        if column.virtual:
            fixed.append(Fixed(URIRef(_expanded_prefix(column.propertyUrl)), _uri(column.valueUrl)))
            continue
        extra = column.common_props
        otherwise = extra.get("ehk:otherwise")
        columns.append(
            ColumnMap(
                name=column.name,
                title=_text(column.titles.getfirst() if column.titles else column.name),
                property=URIRef(_uri(column.propertyUrl)),
                help=_text(extra.get("dc:description")),
                required=bool(column.required),
                value_url=_uri(column.valueUrl) if column.valueUrl else None,
                datatype=column.datatype,
                lang=column.lang if column.lang and column.lang != "und" else None,
                separator=column.separator,
                code_list=URIRef(extra["ehk:codeList"]) if "ehk:codeList" in extra else None,
                lookup=extra.get("ehk:lookup"),
                what=_text(extra.get("ehk:what")),
                dropdown=bool(extra.get("ehk:dropdown", True)),
                otherwise=Otherwise(
                    about=otherwise["aboutUrl"],
                    type=URIRef(otherwise["type"]),
                    label_property=URIRef(otherwise["labelProperty"]),
                )
                if otherwise
                else None,
            )
        )
    return TableMap(
        sheet=_uri(table.url),
        description=_text(props.get("dc:description")),
        about=_uri(schema.aboutUrl),
        columns=tuple(columns),
        fixed=tuple(fixed),
        key=tuple(props.get("ehk:keyColumns", [])),
        required=bool(props.get("ehk:required", False)),
        prefill=bool(props.get("ehk:prefill", True)),
        owner_column=props.get("ehk:ownerColumn"),
    )


def _uri(template: Any) -> str:
    return str(getattr(template, "uri", template))


_CSVW_PREFIXES = {"rdf:": str(RDF)}


def _expanded_prefix(template: Any) -> str:
    """CSVW expands the prefixes of its initial context in ``propertyUrl`` (``rdf:type``)."""
    text = _uri(template)
    for prefix, namespace in _CSVW_PREFIXES.items():
        if text.startswith(prefix):
            return namespace + text[len(prefix) :]
    return text
