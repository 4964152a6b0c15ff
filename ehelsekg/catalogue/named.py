"""Named queries: one ``.rq`` file per question, its header the single source of its interface.

A file in ``queries/`` starts with comment lines::

    # title: Measures linked to a goal
    # description: The measures linked to a strategic goal, with owner and latest status.
    # param goal: integer, required, min=1, max=5 -- Strategic goal number (1–5)

and the query follows. The CLI, the HTTP API and the docs read the same header. The council's
pages read Norwegian (bokmål) beside it, from lines marked ``@nb``::

    # title@nb: Tiltak knyttet til et mål
    # description@nb: Tiltakene i porteføljen som er knyttet til et strategisk mål, …
    # param@nb goal: Mål -- Nummeret på det strategiske målet (1–5)
    # column@nb label: Tiltak

``param@nb`` gives a declared parameter its Norwegian name and help text, ``column@nb`` a
result column its Norwegian heading. Every query is
syntax-checked when the catalogue loads, so a broken query fails at start-up, not in a meeting.
Sub-folders hold the quality checks (``checks/``) and the lookups parameters are resolved with
(``lookups/``); they are not named queries.
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from ehelsekg.catalogue.parameters import (
    Parameter,
    convert,
    expand_iri,
    no_match,
    parse_declaration,
    parse_norwegian,
)
from ehelsekg.errors import BadParameterError, RejectedQueryError, UnknownQueryError
from ehelsekg.labels import best_labels
from ehelsekg.store.base import Store
from ehelsekg.store.sparql_text import bind_column, bind_values, query_kind
from ehelsekg.store.terms import QueryResult

#: Most query answers a catalogue keeps per store revision (lookups, path labels).
_MAX_CACHED_QUERIES = 256

_HEADER = re.compile(r"^#\s*(title|description)(@nb)?\s*:\s*(.*)$")
_COLUMN = re.compile(r"^#\s*column@nb\s+(?P<column>\w+)\s*:\s*(?P<label>\S.*?)\s*$")
_PATH = re.compile(
    r"^#\s*path\s+(?P<column>\w+)\s*:\s*from=(?P<start>\w+)\s+to=(?P<end>\w+)\s+via=(?P<via>\S+)\s*$"
)


@dataclass(frozen=True)
class PathColumn:
    """A result column filled with the shortest path between two other columns' nodes.

    Declared as ``# path chain: from=measure to=dependent via=ehk:dependsOn``; SPARQL cannot
    return the path of a property-path match, so the catalogue computes it after the query.
    """

    column: str
    start: str
    end: str
    via: URIRef


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its declared title, description and parameters."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path
    path_columns: tuple[PathColumn, ...] = ()
    #: Norwegian (bokmål) title, description and column headings, for the council's pages.
    title_nb: str = ""
    description_nb: str = ""
    columns_nb: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """select, ask or graph (see ``sparql_text.query_kind``)."""
        return query_kind(self.text)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def column_nb(self, variable: str) -> str:
        """The Norwegian heading of a result column (the variable itself if none is declared)."""
        return self.columns_nb.get(variable, variable)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "kind": self.kind,
            "parameters": [p.to_json() for p in self.parameters],
            "nb": {
                "title": self.title_nb,
                "description": self.description_nb,
                "columns": dict(self.columns_nb),
            },
        }


def read_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; raise ValueError naming the file if it is unfit."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    norwegian: dict[str, tuple[int, str, str]] = {}
    columns: dict[str, str] = {}
    path_columns: list[PathColumn] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if match := _HEADER.match(line):
            header[match.group(1) + (match.group(2) or "")] = match.group(3).strip()
            continue
        if match := _COLUMN.match(line):
            columns[match["column"]] = match["label"]
            continue
        if match := _PATH.match(line):
            via = expand_iri(match["via"])
            if via is None:
                raise ValueError(f"{path}:{number}: {match['via']!r} is not a known IRI")
            path_columns.append(PathColumn(match["column"], match["start"], match["end"], via))
            continue
        try:
            declared = parse_declaration(line)
            translated = parse_norwegian(line)
        except ValueError as err:
            raise ValueError(f"{path}:{number}: {err}") from err
        if declared is not None:
            parameters.append(declared)
        if translated is not None:
            name, label, help_nb = translated
            norwegian[name] = (number, label, help_nb)
    for key in ("title", "description"):
        if key not in header:
            raise ValueError(f"{path}: the header has no '# {key}:' line")
    declared_names = {p.name for p in parameters}
    for name, (number, _, _) in norwegian.items():
        if name not in declared_names:
            raise ValueError(f"{path}:{number}: '# param@nb {name}' names no declared parameter")
    parameters = [
        replace(p, label_nb=norwegian[p.name][1], help_nb=norwegian[p.name][2])
        if p.name in norwegian
        else p
        for p in parameters
    ]
    return NamedQuery(
        name=path.stem,
        title=header["title"],
        description=header["description"],
        parameters=tuple(parameters),
        text=text,
        path=path,
        path_columns=tuple(path_columns),
        title_nb=header.get("title@nb", ""),
        description_nb=header.get("description@nb", ""),
        columns_nb=columns,
    )


def check_syntax(query: NamedQuery) -> None:
    """Parse the query with Oxigraph (on an empty store); raise ValueError on a syntax error."""
    try:
        ox.Store().query(query.text)
    except SyntaxError as err:
        raise ValueError(f"{query.path}: SPARQL syntax {err}") from err


class Catalogue:
    """The named queries of a project, resolved against a store when they run."""

    def __init__(self, queries_dir: Path) -> None:
        self.queries_dir = queries_dir
        self.queries: dict[str, NamedQuery] = {}
        self._lookups: dict[str, str] = {}
        self._lookup_rows: weakref.WeakKeyDictionary[
            Store, tuple[int, dict[str, list[dict[str, Node | None]]]]
        ] = weakref.WeakKeyDictionary()
        #: Lookup rows by one column, with the rows they were built from (see lookup_index).
        self._lookup_indexes: dict[
            tuple[str, str, str], tuple[list[dict[str, Node | None]], dict[str, Node | None]]
        ] = {}
        for path in sorted(queries_dir.glob("*.rq")):
            try:
                query = read_named_query(path)
                check_syntax(query)
            except ValueError as err:
                raise RejectedQueryError(str(err)) from err
            self.queries[query.name] = query

    def names(self) -> list[str]:
        return sorted(self.queries)

    def get(self, name: str) -> NamedQuery:
        if name in self.queries:
            return self.queries[name]
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownQueryError(
            f"no named query '{name}'.{hint} Known queries: {', '.join(self.names())}"
        )

    def lookup(self, name: str) -> str:
        """The text of a lookup query (read once)."""
        if name not in self._lookups:
            path = self.queries_dir / "lookups" / f"{name}.rq"
            self._lookups[name] = path.read_text(encoding="utf-8")
        return self._lookups[name]

    def lookup_rows(
        self, name: str, store: Store, bindings: Mapping[str, Node] | None = None
    ) -> list[dict[str, Node | None]]:
        """The rows of a lookup query, kept until the store is written (per store revision):
        resolving a parameter then costs no query at all."""
        return self.cached_rows(bind_values(self.lookup(name), bindings or {}), store)

    def lookup_index(self, name: str, store: Store, key: str, value: str) -> dict[str, Node | None]:
        """A lookup's rows as {text of ``key``: ``value``}, kept as long as its rows are: at 1M
        triples the measures lookup has 8,000 rows, and indexing them took longer than the
        named query that needed one of them."""
        rows = self.lookup_rows(name, store)
        found = self._lookup_indexes.get((name, key, value))
        if found is None or found[0] is not rows:
            found = (rows, {str(row[key]): row[value] for row in rows})
            self._lookup_indexes[(name, key, value)] = found
        return found[1]

    def cached_rows(self, text: str, store: Store) -> list[dict[str, Node | None]]:
        """The rows of a query over asserted and inferred triples, kept until the store is
        written (never on a store without a revision, such as a remote endpoint)."""
        revision = store.revision
        if revision is None:
            return store.query(text).records()
        cached = self._lookup_rows.get(store)
        if cached is None or cached[0] != revision:
            cached = (revision, {})
            self._lookup_rows[store] = cached
        rows = cached[1].get(text)
        if rows is None:
            if len(cached[1]) >= _MAX_CACHED_QUERIES:
                cached[1].clear()
            rows = cached[1][text] = store.query(text).records()
        return rows

    def bind(self, query: NamedQuery, raw: Mapping[str, str], store: Store) -> dict[str, Node]:
        """Check ``raw`` against the declared parameters and return the bindings to run with."""
        undeclared = sorted(set(raw) - {p.name for p in query.parameters})
        if undeclared:
            declared = ", ".join(p.name for p in query.parameters) or "none"
            raise BadParameterError(
                f"query '{query.name}' has no parameter {', '.join(repr(u) for u in undeclared)}"
                f" (its parameters: {declared})"
            )
        resolver = _Resolver(self, store)
        bindings: dict[str, Node] = {}
        for parameter in query.parameters:
            value = raw.get(parameter.name, parameter.default)
            if value is None or value == "":
                if parameter.required:
                    raise BadParameterError(
                        f"query '{query.name}' needs parameter '{parameter.name}'"
                        f" ({parameter.describe()}): {parameter.help}"
                    )
                continue
            bindings[parameter.variable] = convert(parameter, value, resolver)
        return bindings

    def run(
        self,
        name: str,
        raw: Mapping[str, str],
        store: Store,
        *,
        include_inferred: bool = True,
    ) -> QueryResult:
        """Run the named query with raw (string) parameter values."""
        query = self.get(name)
        bindings = self.bind(query, raw, store)
        result = store.query(query.text, bindings=bindings, include_inferred=include_inferred)
        for column in query.path_columns:
            result = self._fill_path(result, column, store, include_inferred=include_inferred)
        return result

    def _fill_path(
        self, result: QueryResult, column: PathColumn, store: Store, *, include_inferred: bool
    ) -> QueryResult:
        if column.column not in result.variables:
            return result
        if include_inferred:
            edges = self.lookup_rows("edges", store, {"via": column.via})
        else:
            edges = store.query(
                self.lookup("edges"), bindings={"via": column.via}, include_inferred=False
            ).records()
        network = nx.DiGraph()
        network.add_edges_from((row["from"], row["to"]) for row in edges)
        at = {name: i for i, name in enumerate(result.variables)}
        paths: list[list[Node]] = []
        for row in result.rows:
            start, end = row[at[column.start]], row[at[column.end]]
            nodes: list[Node] = []
            if start is not None and end is not None:
                try:
                    nodes = [start] if start == end else nx.shortest_path(network, start, end)
                except (nx.NetworkXNoPath, nx.NodeNotFound):
                    nodes = []
            paths.append(nodes)
        # Labels of the nodes on the paths only: fetching every label costs more than the query.
        on_paths = {node for nodes in paths for node in nodes if isinstance(node, URIRef)}
        labels: dict[Node, str] = {}
        if on_paths:
            text = bind_column(self.lookup("labels"), "entity", sorted(on_paths))
            labels = best_labels(self.cached_rows(text, store))
        rows = []
        for row, nodes in zip(result.rows, paths, strict=True):
            values = list(row)
            if nodes:
                values[at[column.column]] = Literal(
                    " → ".join(labels.get(n, str(n)) for n in nodes)
                )
            rows.append(tuple(values))
        return QueryResult(kind=result.kind, variables=result.variables, rows=tuple(rows))


class _Resolver:
    """Turns values that name entities (reports, measures, actors, concepts) into IRIs."""

    def __init__(self, catalogue: Catalogue, store: Store) -> None:
        self.catalogue = catalogue
        self.store = store

    def _rows(self, lookup: str) -> list[dict[str, Node | None]]:
        return self.catalogue.lookup_rows(lookup, self.store)

    def __call__(self, parameter: Parameter, raw: str) -> Node:
        handler = getattr(self, f"_{parameter.type}", None)
        if handler is None:
            raise RejectedQueryError(f"parameter type {parameter.type!r} has no resolver")
        result: Node = handler(parameter, raw)
        return result

    def _known_iri(self, parameter: Parameter, raw: str, known: set[Node | None]) -> URIRef | None:
        iri = expand_iri(raw)
        if iri is None:
            return None
        if iri not in known:
            raise BadParameterError(f"parameter '{parameter.name}': {raw} is not in the graph")
        return iri

    def _report(self, parameter: Parameter, raw: str) -> Node:
        rows = self._rows("reports")
        known = {row["report"] for row in rows}
        if iri := self._known_iri(parameter, raw, known):
            return iri
        with_assessments = [row for row in rows if int(str(row["assessments"])) > 0]
        if raw.lower() == "latest":
            # The latest report that lists the whole portfolio; else any with assessments.
            complete = [row for row in with_assessments if str(row["listsAll"]) == "true"]
            candidates = complete or with_assessments
            if not candidates:
                raise BadParameterError(f"parameter '{parameter.name}': no report lists measures")
            latest = max(candidates, key=lambda row: str(row["sortDate"]))
            return latest["report"]  # type: ignore[return-value]
        if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", raw):
            raise BadParameterError(
                f"parameter '{parameter.name}': {raw!r} is not a report;"
                " give YYYY-MM, 'latest' or a report IRI"
            )
        matches = [row for row in rows if str(row["sortDate"]).startswith(raw)]
        if len(matches) > 1:
            matches = [row for row in matches if row in with_assessments] or matches
        if len(matches) == 1:
            return matches[0]["report"]  # type: ignore[return-value]
        allowed = sorted({str(row["sortDate"])[:7] for row in rows})
        if not matches:
            raise no_match(parameter, raw, allowed)
        raise BadParameterError(
            f"parameter '{parameter.name}': {raw!r} matches several reports;"
            f" give its IRI: {', '.join(str(row['report']) for row in matches)}"
        )

    def _measure(self, parameter: Parameter, raw: str) -> Node:
        by_id = self.catalogue.lookup_index("measures", self.store, "id", "measure")
        if raw in by_id:
            return by_id[raw]  # type: ignore[return-value]
        known = self.catalogue.lookup_index("measures", self.store, "measure", "measure")
        if iri := self._known_iri(parameter, raw, set(known.values())):
            return iri
        raise no_match(parameter, raw, sorted(by_id, key=lambda i: (len(i), i)))

    def _subject(self, parameter: Parameter, raw: str) -> Node:
        if raw.isdigit():
            return self._measure(parameter, raw)
        iri = expand_iri(raw)
        if iri is None:
            raise BadParameterError(
                f"parameter '{parameter.name}': {raw!r} is neither a portfolio number nor an IRI"
            )
        return iri

    def _actor(self, parameter: Parameter, raw: str) -> Node:
        rows = self._rows("actors")
        if iri := self._known_iri(parameter, raw, {row["actor"] for row in rows}):
            return iri
        names: dict[Node, set[str]] = {}
        for row in rows:
            actor = row["actor"]
            if actor is None:
                continue
            names.setdefault(actor, {str(actor).rsplit("/", 1)[-1]}).add(str(row["label"]))
        wanted = _fold(raw)
        exact = {actor for actor, labels in names.items() if wanted in {_fold(n) for n in labels}}
        partial = {
            actor for actor, labels in names.items() if any(wanted in _fold(n) for n in labels)
        }
        found = exact or partial
        if len(found) == 1:
            return found.pop()
        if found:
            listed = sorted({str(r["label"]) for r in rows if r["actor"] in found})
            raise BadParameterError(
                f"parameter '{parameter.name}': {raw!r} matches several actors: {', '.join(listed)}"
            )
        raise no_match(parameter, raw, sorted({str(row["label"]) for row in rows}))

    def _meeting(self, parameter: Parameter, raw: str) -> Node:
        rows = self._rows("meetings")
        if iri := self._known_iri(parameter, raw, {row["meeting"] for row in rows}):
            return iri
        matches = [row["meeting"] for row in rows if str(row["date"]) == raw]
        if len(matches) == 1 and matches[0] is not None:
            return matches[0]
        if matches:
            raise BadParameterError(
                f"parameter '{parameter.name}': several councils met on {raw};"
                " give the meeting IRI:"
                f" {', '.join(str(m) for m in matches)}"
            )
        raise no_match(parameter, raw, [f"{row['date']} ({row['label']})" for row in rows])

    def _concept(self, parameter: Parameter, raw: str) -> Node:
        scheme = parameter.options.get("scheme")
        scheme_iri = expand_iri(scheme) if scheme else None
        rows = [
            r for r in self._rows("concepts") if scheme_iri is None or r["scheme"] == scheme_iri
        ]
        if iri := self._known_iri(parameter, raw, {row["concept"] for row in rows}):
            return iri
        wanted = raw.casefold()
        for row in rows:
            if str(row["name"]).casefold() == wanted:
                return row["concept"]  # type: ignore[return-value]
        raise no_match(parameter, raw, sorted({str(r["name"]) for r in rows}))


_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def _fold(text: str) -> str:
    """Case, punctuation and æ/ø/å folded away: 'helse-sor-ost' finds 'Helse Sør-Øst'.

    >>> _fold("Helse Sør-Øst RHF") == _fold("helse-sor-ost-rhf")
    True
    """
    return "".join(c for c in text.casefold().translate(_TRANSLITERATION) if c.isalnum())
