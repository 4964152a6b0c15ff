"""What a view shows, independent of how it is drawn: nodes, edges, legend and the graph facts
(colours, labels, source documents, assessments) the views take from the data.

Colours of statuses and risks come from the ontology (``ehk:colour`` on each concept of
``ontology/schemes.ttl``); the only colours here are neutral ones for entities that have no
status. Layouts are computed here, so the same data always gives the same picture.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple
from urllib.parse import quote

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.catalogue.results import best_labels
from ehelsekg.errors import BadParameterError
from ehelsekg.store.base import Store
from ehelsekg.views.norsk import long_date

ID_BASE = "https://w3id.org/ehelsekg/id/"

#: How each kind of entity is drawn: a shape of its own (vis-network's, or "pill": a box with
#: round ends) and the Norwegian name in the legend. No two kinds share a shape, so a kind is
#: told apart without colour.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "StrategicGoal": ("star", "Strategisk mål"),
    "Measure": ("box", "Tiltak"),
    "Actor": ("ellipse", "Aktør"),
    "Prerequisite": ("triangle", "Forutsetning"),
    "PlannedActivity": ("pill", "Aktivitet"),
    "Milestone": ("diamond", "Milepæl"),
    "RoadmapService": ("hexagon", "Veikarttjeneste"),
    "PlanStep": ("square", "Plansteg"),
    "NationalSolution": ("circle", "Nasjonal løsning"),
    "CollaborationService": ("dot", "Samhandlingstjeneste"),
    "Change": ("triangleDown", "Endringstype"),
    "Group": ("group", "Gruppe (klikk for å åpne)"),
}
#: An assessment's facts as a page or tooltip names them, by the assessment row's key.
ASSESSMENT_FACTS = (
    ("Status", "status"),
    ("Risiko", "risk"),
    ("Fase", "phase"),
    ("Livsløp", "state"),
    ("Segment", "segment"),
)
#: Longest name shown on a node (the whole name is in the tooltip and the table).
MAX_LABEL = 64
#: Entities without a status: a neutral fill, so that status colours stand out.
NEUTRAL = "#eceff1"
NO_STATUS = "#b0bec5"
OUTLINE = "#37474f"
HIGHLIGHT = "#6a1b9a"


@dataclass
class ViewNode:
    """One entity on the picture, with the facts its tooltip lists."""

    id: str
    label: str
    kind: str
    colour: str = NEUTRAL
    border: str = OUTLINE
    border_width: int = 1
    status: str | None = None
    risk: str | None = None
    risk_colour: str | None = None
    muted: bool = False
    owner: str | None = None
    group: str | None = None
    opens: str | None = None
    full_label: str = ""
    #: Legend text for a highlighted border (e.g. "Kritisk steg").
    mark: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    href: str | None = None
    emphasis: bool = False
    x: float = 0.0
    y: float = 0.0
    width: float | None = None


@dataclass
class ViewEdge:
    """A link between two nodes; ``facts`` show in its tooltip."""

    source: str
    target: str
    relation: str
    colour: str = NO_STATUS
    width: int = 1
    #: False for a solid line, True or a dash pattern (pixels on, off, …) for a broken one.
    dashes: bool | list[int] = False
    label: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: Legend text when the edge means more than its relation (e.g. "Kritisk kjede").
    legend: str = ""


@dataclass(frozen=True)
class LegendEntry:
    label: str
    shape: str
    colour: str
    border: str = OUTLINE
    edge: bool = False
    width: int = 1
    #: SVG stroke-dasharray of the line or border ("" for solid).
    dashes: str = ""


@dataclass
class View:
    """A rendered-to-be view: title, the reports it shows, nodes, edges and legend."""

    name: str
    title: str
    description: str
    reports: list[str]
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    legend: list[LegendEntry]
    banner: list[str] = field(default_factory=list)
    axis: list[tuple[float, str]] = field(default_factory=list)
    status_note: str = ""
    pages: list[Page] = field(default_factory=list)
    timeline: object | None = None


@dataclass
class Page:
    """What one screen of a view shows: all of it, an overview of groups, or one group."""

    key: str
    title: str
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    legend: list[LegendEntry]


def resource_href(iri: str, base_url: str) -> str | None:
    """The entity's page on the endpoint, or None for IRIs outside the ehelsekg id space.

    >>> resource_href("https://w3id.org/ehelsekg/id/measure/181", "")
    '/resource/measure/181'
    >>> resource_href("https://w3id.org/ehelsekg/id/focus-area/1.1", "http://nuit.example/")
    'http://nuit.example/resource/focus-area/1.1'
    """
    if not iri.startswith(ID_BASE):
        return None
    kind, _, key = iri.removeprefix(ID_BASE).partition("/")
    if not kind or not key:
        return None
    return f"{base_url.rstrip('/')}/resource/{quote(kind, safe='')}/{quote(key, safe='.-_~')}"


def check_base_url(base_url: str) -> str:
    """Accept '' (links relative to the server), '/path' or an http(s) URL."""
    if base_url == "" or re.fullmatch(r"(https?://[^\s\"'<>]+|/[^\s\"'<>]*)", base_url):
        return base_url
    raise BadParameterError(
        f"base URL {base_url!r}: give nothing, a path such as /ehelsekg, or an http(s) URL"
    )


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


#: A CSS hex colour, as the shapes require of ``ehk:colour``: no other text reaches a page's
#: style attribute.
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class Cell(NamedTuple):
    """A value as a page shows it: its text, the page it links to, and the data's colour when
    it is a status or risk (a swatch beside the text, which still says it)."""

    text: str
    href: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class Concept:
    iri: str
    label: str
    notation: str | None
    colour: str | None
    rank: int


class GraphFacts:
    """What views look up about any entity: labels, concepts with colours, source documents,
    reports and status assessments; each read once, by the lookup queries in queries/lookups."""

    def __init__(self, store: Store, catalogue: Catalogue, *, base_url: str = "") -> None:
        self.store = store
        self.catalogue = catalogue
        self.base_url = check_base_url(base_url)

    def _lookup(self, name: str) -> list[dict[str, Node | None]]:
        return self.store.query(self.catalogue.lookup(name)).records()

    @cached_property
    def labels(self) -> dict[Node, str]:
        return best_labels(self._lookup("labels"))

    def label(self, iri: Node | str | None) -> str:
        if iri is None:
            return ""
        found = self.labels.get(URIRef(str(iri)))
        return found if found is not None else str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @cached_property
    def concepts(self) -> dict[str, Concept]:
        found: dict[str, Concept] = {}
        for row in self._lookup("view-concepts"):
            iri = str(row["concept"])
            rank = row.get("rank")
            found[iri] = Concept(
                iri=iri,
                label=_text(row.get("label")) or iri.rsplit("#", 1)[-1],
                notation=_text(row.get("notation")),
                colour=_text(row.get("colour")),
                rank=int(str(rank)) if isinstance(rank, Literal) else 99,
            )
        return found

    def colour(self, concept: str | None) -> str:
        """The data's colour for a status or risk concept (neutral grey when unknown)."""
        known = self.concepts.get(concept or "")
        return known.colour if known and known.colour else NO_STATUS

    def swatch(self, concept: str | None) -> str | None:
        """The data's colour for a status or risk concept, or None (no swatch) for a concept
        without one."""
        known = self.concepts.get(concept or "")
        if known is None or known.colour is None or not _HEX_COLOUR.fullmatch(known.colour):
            return None
        return known.colour

    def concept_cell(self, concept: str | None, *, missing: str = "") -> Cell:
        """A concept by its label, with its swatch; ``missing`` when there is none."""
        if not concept:
            return Cell(missing)
        return Cell(self.concept_label(concept), colour=self.swatch(concept))

    def concept_label(self, concept: str | None) -> str:
        known = self.concepts.get(concept or "")
        return known.label if known else ("" if concept is None else self.label(concept))

    def status_scale(self) -> list[Concept]:
        """The coloured concepts (statuses and risks), lowest rank first."""
        coloured = [c for c in self.concepts.values() if c.colour]
        return sorted(coloured, key=lambda c: (c.rank, c.iri))

    def concept_named(self, notation: str) -> str | None:
        return next((c.iri for c in self.status_scale() if c.notation == notation), None)

    @cached_property
    def reports(self) -> dict[str, dict[str, str]]:
        rows = self.store.query(self.catalogue.get("reports").text).records()
        return {
            str(r["report"]): {
                "title": str(r["title"]),
                "date": str(r["date"]),
                "asOf": _text(r.get("reportingDate")) or str(r["date"]),
            }
            for r in rows
        }

    def report_text(self, report: str) -> str:
        found = self.reports.get(report)
        if found is None:
            return self.label(report)
        # The titles name their date already ("… september 2022"); the date the statuses
        # are as of is added where it differs.
        as_of = f" (per {long_date(found['asOf'])})" if found["asOf"] != found["date"] else ""
        return f"{found['title']}{as_of}"

    @cached_property
    def portfolio_report(self) -> str | None:
        """The latest report that lists the whole portfolio: a view's statuses are as of it."""
        rows = self._lookup("reports")
        listing = [r for r in rows if str(r["listsAll"]) == "true"]
        best = max(listing, key=lambda r: str(r["sortDate"]), default=None)
        return None if best is None else str(best["report"])

    def as_of(self, report: str | None) -> str:
        found = self.reports.get(report or "")
        return "" if found is None else found["asOf"]

    @cached_property
    def sources(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for row in self._lookup("view-sources"):
            found.setdefault(str(row["entity"]), []).append(str(row["report"]))
        return found

    @cached_property
    def assessments(self) -> list[dict[str, str | None]]:
        return [
            {key: _text(value) for key, value in row.items()}
            for row in self._lookup("view-assessments")
        ]

    def assessment(self, measure: str, report: str | None = None) -> dict[str, str | None] | None:
        """The measure's assessment in ``report``, or its latest one."""
        rows = [a for a in self.assessments if a["measure"] == measure]
        if report is not None:
            rows = [a for a in rows if a["report"] == report]
        return max(rows, key=lambda a: (a["asOf"] or "", a["report"] or ""), default=None)

    def resolve_report(self, raw: str) -> str:
        """A report parameter (YYYY-MM, 'latest' or IRI) as the report's IRI."""
        query = self.catalogue.get("status-summary")
        return str(self.catalogue.bind(query, {"report": raw}, self.store)["report"])

    def entity_node(self, iri: str, kind: str, *, report: str | None = None) -> ViewNode:
        """A node for any entity; a measure shows its status (fill) and risk (border)."""
        node = ViewNode(id=iri, label=shorten(self.label(iri)), kind=kind)
        node.full_label = self.label(iri)
        node.href = resource_href(iri, self.base_url)
        node.sources = [self.report_text(r) for r in self.sources.get(iri, [])]
        if kind == "Measure":
            self.describe_measure(node, report=report)
        elif self.performers.get(iri):
            # Activities of the same name (one per region) differ only by who performs them.
            node.owner = ", ".join(self.performers[iri])
            node.label += "\n" + shorten(node.owner, 40)
            node.facts.append(("Utføres av", node.owner))
        return node

    @cached_property
    def performers(self) -> dict[str, list[str]]:
        """Who performs each roadmap activity, by name."""
        found: dict[str, set[str]] = {}
        for row in self._lookup("view-activities"):
            if row.get("performer") is not None:
                found.setdefault(str(row["item"]), set()).add(self.label(row["performer"]))
        return {item: sorted(names) for item, names in found.items()}

    def describe_measure(self, node: ViewNode, *, report: str | None = None) -> None:
        """Label a measure "181 Name" over a line saying its status and risk in words, so
        status is never told by colour alone; a finished, paused or outdated status is greyed
        (and dashed, see html.py) with the reason on the node."""
        found = self.assessment(node.id, report)
        identifier = node.id.rsplit("/", 1)[-1]
        name = node.full_label or node.label
        if not name.startswith(identifier):
            node.full_label = f"{identifier} {name}"
        node.label = shorten(node.full_label)
        if found is None:
            node.facts.append(("Status", "ikke vurdert i rapporten"))
            node.label += "\nikke vurdert"
            node.colour, node.muted = NO_STATUS, True
            return
        source = self.report_text(found["report"] or "")
        node.sources = [source]
        node.status = self.concept_label(found["status"]) or None
        node.colour = self.colour(found["status"])
        if found["risk"]:
            node.risk = self.concept_label(found["risk"])
            node.risk_colour = self.colour(found["risk"])
            node.border = node.risk_colour
            node.border_width = 4
        node.owner = self.label(found["owner"]) if found["owner"] else None
        node.group = node.owner
        for name, key in ASSESSMENT_FACTS:
            if found[key]:
                node.facts.append((name, self.concept_label(found[key])))
        if node.owner:
            node.facts.append(("Eier", node.owner))
        node.facts.append(("Per", long_date(found["asOf"] or "")))
        state = found["state"] or ""
        words = [f"status {node.status.lower()}" if node.status else "uten status"]
        if node.risk:
            words.append(f"risiko {node.risk.lower()}")
        line = " · ".join(words)
        view_as_of = self.as_of(self.portfolio_report)
        if state.endswith(("#StateFinished", "#StatePaused")):
            line = self.concept_label(state)
            node.muted = True
        elif view_as_of and (found["asOf"] or "") < view_as_of:
            line = f"status fra {long_date(found['asOf'] or '')}"
            node.muted = True
        if node.muted:
            node.colour, node.border, node.border_width = NO_STATUS, OUTLINE, 2
        node.label += "\n" + line


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """A name cut at a word to at most ``limit`` characters, with an ellipsis.

    >>> shorten("Tilrettelegging og innføring av API for kritisk informasjon", 30)
    'Tilrettelegging og innføring…'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–-")
    return cut + "…"


def number_key(label: str) -> tuple[object, ...]:
    """Sort key that orders numbers by value: "47 …" before "100 …".

    >>> sorted(["100 a", "47 b", "5 c"], key=number_key)
    ['5 c', '47 b', '100 a']
    """
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", label)
        if part
    )


def layered_positions(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    key: Callable[[str], tuple[object, ...]],
    layer_of: Mapping[str, int] | None = None,
    dx: float = 290.0,
    dy: float = 110.0,
    per_column: int = 6,
) -> dict[str, tuple[float, float]]:
    """Columns by longest path from the sources (or ``layer_of``), rows ordered by a few
    barycentre sweeps with ``key`` breaking ties: deterministic, and readable for hundreds of
    nodes because a tall column wraps into sub-columns of ``per_column``."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((u, v) for u, v in edges if u in graph and v in graph and u != v)
    if layer_of is None:
        condensed = nx.condensation(graph)
        depth: dict[int, int] = {}
        for component in nx.topological_sort(condensed):
            before = [depth[p] + 1 for p in condensed.predecessors(component)]
            depth[component] = max(before, default=0)
        mapping = condensed.graph["mapping"]
        layer_of = {n: depth[mapping[n]] for n in nodes}
    layers: dict[int, list[str]] = {}
    for node in sorted(nodes, key=key):
        layers.setdefault(layer_of[node], []).append(node)
    order = sorted(layers)
    index = {n: i for layer in layers.values() for i, n in enumerate(layer)}

    def sweep(columns: list[int], neighbours: Callable[[str], Iterable[str]]) -> None:
        for column in columns:

            def centre(n: str) -> tuple[float, tuple[object, ...]]:
                near = [index[m] for m in neighbours(n) if m in index]
                return (sum(near) / len(near) if near else float(index[n]), key(n))

            layers[column].sort(key=centre)
            index.update({n: i for i, n in enumerate(layers[column])})

    for _ in range(3):
        sweep(order[1:], graph.predecessors)
        sweep(list(reversed(order[:-1])), graph.successors)
    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    for column in order:
        members = layers[column]
        wraps = max(1, math.ceil(len(members) / per_column))
        rows = math.ceil(len(members) / wraps)
        for i, node in enumerate(members):
            sub, row = divmod(i, rows)
            positions[node] = (x + sub * dx * 0.8, (row - (rows - 1) / 2) * dy)
        x += dx * (1 + 0.8 * (wraps - 1))
    return positions


def apply_positions(
    view_nodes: Iterable[ViewNode], positions: Mapping[str, tuple[float, float]]
) -> None:
    for node in view_nodes:
        node.x, node.y = positions.get(node.id, (0.0, 0.0))
