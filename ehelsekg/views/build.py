"""The views shown in NUIT and NUFA meetings: what each one shows and from which queries.

Each view is a function from parameters to a :class:`~ehelsekg.view_model.View`; the named
queries (``queries/*.rq``) and lookups (``queries/lookups/view-*.rq``) give the facts, the
dependency network (:mod:`ehelsekg.network`) and the analysis give critical paths and the
impact of a slip. :mod:`ehelsekg.view_html` draws a view as one self-contained HTML file.

>>> sorted(VIEWS)[:3]
['actor', 'changes', 'critical-path']
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ehelsekg.analysis import cpm as analysis
from ehelsekg.analysis.network import show_finish
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.errors import BadParameterError, UnknownQueryError
from ehelsekg.store.base import Store
from ehelsekg.views.context import ViewContext
from ehelsekg.views.model import (
    HIGHLIGHT,
    NO_STATUS,
    View,
    ViewEdge,
    ViewNode,
    number_key,
)
from ehelsekg.views.norsk import long_date, note
from ehelsekg.views.pages import paginate
from ehelsekg.views.roadmap import roadmap_view


@dataclass(frozen=True)
class ViewSpec:
    """A view's name, what it shows and the parameters it takes (name, required, help)."""

    name: str
    title: str
    parameters: tuple[tuple[str, bool, str], ...]
    build: Callable[[ViewContext, Mapping[str, str]], View]


def _finish(
    ctx: ViewContext,
    name: str,
    title: str,
    description: str,
    nodes: dict[str, ViewNode],
    edges: list[ViewEdge],
    *,
    reports: list[str] | None = None,
    banner: list[str] | None = None,
    layer_of: Mapping[str, int] | None = None,
) -> View:
    """Split the view into readable screens and collect the reports it comes from."""
    edges = [e for e in edges if e.source in nodes and e.target in nodes]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for edge in edges:
        if (edge.source, edge.target, edge.relation) not in seen:
            seen.add((edge.source, edge.target, edge.relation))
            unique.append(edge)
    if reports is None:
        found = {source for node in nodes.values() for source in node.sources}
        reports = sorted(found)
    pages = paginate(title, list(nodes.values()), unique, layer_of=layer_of)
    return View(
        name=name,
        title=title,
        description=description,
        reports=reports,
        nodes=sorted(nodes.values(), key=lambda n: number_key(n.label)),
        edges=unique,
        legend=pages[0].legend,
        banner=banner or [],
        status_note=ctx.status_note() if any(n.kind == "Measure" for n in nodes.values()) else "",
        pages=pages,
    )


def goal_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """The goal, its measures by latest status and risk, their owners and what holds them up."""
    number = params.get("goal", "")
    measures = ctx.rows("measures-by-goal", {"goal": number})
    goal = next((g for g in ctx.rows("goals", {}) if g["number"] == number), None)
    if goal is None:
        raise BadParameterError(f"parameter 'goal': there is no strategic goal {number}")
    nodes: dict[str, ViewNode] = {}
    goal_node = ctx.node(nodes, str(goal["goal"]), "StrategicGoal")
    goal_node.label = f"Mål {number}: {goal['title']}"
    goal_node.facts.append(("Mål", str(goal["title"])))
    edges: list[ViewEdge] = []
    for row in measures:
        measure = ctx.node(nodes, str(row["measure"]), "Measure")
        edges.append(ViewEdge(measure.id, goal_node.id, "contributes to", dashes=True))
        if row.get("owner"):
            owner = ctx.node(nodes, str(row["owner"]), "Actor")
            owner.group = owner.full_label
            edges.append(ViewEdge(str(row["owner"]), measure.id, "owner", dashes=True))
    edges += _upstream_dependencies(ctx, nodes, {str(r["measure"]) for r in measures})
    return _finish(
        ctx,
        "goal",
        f"Mål {number}: {goal['title']}",
        "Tiltakene knyttet til målet (fyll = siste status, ramme = risiko), eierne deres og "
        "avhengighetene som holder dem igjen.",
        nodes,
        edges,
        banner=ctx.red_banner(edges),
    )


def _upstream_dependencies(
    ctx: ViewContext, nodes: dict[str, ViewNode], start: set[str], report: str | None = None
) -> list[ViewEdge]:
    """The reported dependencies ``start`` waits for, followed upstream."""
    rows = ctx.rows("dependencies", {})
    if report is not None:
        rows = [r for r in rows if r["report"] == report]
    edges: list[ViewEdge] = []
    frontier, seen = set(start), set(start)
    while frontier:
        found = [r for r in rows if r["dependent"] in frontier]
        frontier = set()
        for row in found:
            ctx.node(nodes, str(row["dependee"]))
            ctx.node(nodes, str(row["dependent"]))
            edges.append(ctx.dependency_edge(row))
            if row["dependee"] not in seen:
                seen.add(str(row["dependee"]))
                frontier.add(str(row["dependee"]))
    return edges


def dependencies_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """The portfolio's dependency network: reported dependencies by status, plus the data's
    "krever" and "betinget av" links when no status or criticality filter is given."""
    filters = {k: params[k] for k in ("status", "criticality") if params.get(k)}
    report = ctx.facts.resolve_report(params["report"]) if params.get("report") else None
    rows = ctx.rows("dependencies", filters)
    if report is not None:
        rows = [r for r in rows if r["report"] == report]
    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    for row in rows:
        ctx.node(nodes, str(row["dependee"]), report=report or "")
        ctx.node(nodes, str(row["dependent"]), report=report or "")
        edges.append(ctx.dependency_edge(row))
    if not filters:
        for source, target, data in sorted(ctx.network.edges(data=True)):
            if data.get("relation") not in {"requires", "conditional on"}:
                continue
            if report is not None and report not in ctx.facts.sources.get(str(data["source"]), []):
                continue
            ctx.node(nodes, source)
            ctx.node(nodes, target)
            edges.append(ctx.network_edge(source, target))
    shown = ctx.facts.report_text(report) if report else "alle rapporter"
    chosen = ", ".join(f"{k} = {v}" for k, v in filters.items())
    title = "Avhengigheter" + (f" ({chosen})" if chosen else "")
    return _finish(
        ctx,
        "dependencies",
        title,
        f"Porteføljens avhengighetsnettverk, {shown}: piler går fra det noe venter på til den "
        "som venter.",
        nodes,
        edges,
        banner=ctx.red_banner(edges),
    )


def critical_path_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """What leads to a target, the critical chain highlighted, float and dates per step."""
    target = analysis.resolve_node(ctx.network, params.get("target", ""))
    result = analysis.critical_path(ctx.network, target)
    nodes: dict[str, ViewNode] = {}
    for step in result.steps:
        node = ctx.node(nodes, step.node, step.kind)
        times = step.to_json()
        for name, key in (
            ("Tidligst start", "earliestStart"),
            ("Tidligst ferdig", "earliestFinish"),
            ("Senest start", "latestStart"),
            ("Senest ferdig", "latestFinish"),
        ):
            node.facts.append((name, str(times[key] or "ukjent")))
        node.facts.append(("Slakk (måneder)", str(step.total_float)))
        if step.duration is not None:
            node.facts.append(("Varighet (måneder)", str(step.duration)))
        if step.note:
            node.facts.append(("Merknad", note(step.note)))
        if step.critical:
            node.border, node.border_width, node.emphasis = HIGHLIGHT, 6, True
            node.mark = "Kritisk steg (tykk lilla ramme)"
    chain_links = {(a, b) for chain in result.chains for a, b in itertools.pairwise(chain)}
    edges = []
    for source, target_node in sorted(ctx.network.subgraph(nodes).edges):
        edge = ctx.network_edge(source, target_node)
        if (source, target_node) in chain_links:
            edge.colour, edge.width, edge.dashes = HIGHLIGHT, 6, False
            edge.relation, edge.legend = "critical", "Kritisk kjede"
            edge.facts.append(("Kritisk kjede", "ja"))
        edges.append(edge)
    summary = result.to_json()
    reachable = {True: "ja", False: "nei", None: "ingen frist i dataene"}[result.deadline_reachable]
    banner = [
        f"Tidligst ferdig {long_date(str(summary['earliestFinish']))}; frist "
        f"{long_date(str(summary['deadline'])) if summary['deadline'] else '—'}; nås: {reachable}",
    ]
    if result.undated:
        banner.append(f"{len(result.undated)} steg uten datoer i dataene (regnet som 0 måneder)")
    return _finish(
        ctx,
        "critical-path",
        f"Kritisk linje: {result.target_label}",
        "Alt målet avhenger av; den kritiske kjeden er uthevet, og hvert stegs datoer og slakk "
        "står i verktøytipset.",
        nodes,
        edges,
        banner=banner,
    )


def impact_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """What moves, and by how much, when a node finishes ``slip`` months late."""
    try:
        slip = int(params.get("slip", ""))
    except ValueError as err:
        raise BadParameterError("parameter 'slip': give a whole number of months") from err
    node_iri = analysis.resolve_node(ctx.network, params.get("node", ""))
    result = analysis.impact(ctx.network, node_iri, slip)
    nodes: dict[str, ViewNode] = {}
    origin = ctx.node(nodes, node_iri)
    origin.border, origin.border_width, origin.emphasis = HIGHLIGHT, 6, True
    origin.mark = "Forsinket eller flyttes (lilla ramme)"
    origin.facts.append(("Forsinkelse (måneder)", str(slip)))
    on_paths: set[str] = set()
    for moved in result.moved:
        node = ctx.node(nodes, moved.node, moved.kind)
        node.label = f"{node.label}\n+{moved.months} mnd"
        node.border, node.border_width = HIGHLIGHT, 4
        node.mark = "Forsinket eller flyttes (lilla ramme)"
        node.facts += [
            ("Flyttes (måneder)", str(moved.months)),
            ("Ny tidligst ferdig", show_finish(moved.new_finish)),
        ]
        on_paths.update(moved.path)
    for other in result.unaffected:
        ctx.node(nodes, other).facts.append(("Flyttes", "nei (slakk tar forsinkelsen)"))
    for path_node in on_paths:
        ctx.node(nodes, path_node)
    edges = [ctx.network_edge(s, t) for s, t in sorted(ctx.network.subgraph(nodes).edges)]
    biggest = max((m.months for m in result.moved), default=0)
    return _finish(
        ctx,
        "impact",
        f"Konsekvens: {result.label} {slip} måneder forsinket",
        "Det som flyttes nedstrøms (og hvor mye), og det som tar forsinkelsen i slakk.",
        nodes,
        edges,
        banner=[
            f"{len(result.moved)} steg flyttes, mest {biggest} måneder; "
            f"{len(result.unaffected)} tar forsinkelsen i slakk"
        ],
    )


def actor_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """An organisation's measures, what they depend on and who depends on them."""
    query = ctx.catalogue.get("measures-by-actor")
    actor = str(ctx.catalogue.bind(query, {"actor": params.get("actor", "")}, ctx.store)["actor"])
    rows = ctx.rows("measures-by-actor", {"actor": actor})
    nodes: dict[str, ViewNode] = {}
    actor_node = ctx.node(nodes, actor, "Actor")
    edges: list[ViewEdge] = []
    measures = {str(r["measure"]) for r in rows}
    for measure in sorted(measures):
        ctx.node(nodes, measure, "Measure")
        edges.append(ViewEdge(actor, measure, "owner", dashes=True))
        if measure not in ctx.network:
            continue
        for other in sorted(
            set(ctx.network.predecessors(measure)) | set(ctx.network.successors(measure))
        ):
            ctx.node(nodes, other)
        edges += [ctx.network_edge(p, measure) for p in sorted(ctx.network.predecessors(measure))]
        edges += [ctx.network_edge(measure, s) for s in sorted(ctx.network.successors(measure))]
    return _finish(
        ctx,
        "actor",
        f"Aktør: {actor_node.label}",
        "Tiltakene aktøren eier (siste vurdering), det de avhenger av og det som avhenger av dem.",
        nodes,
        edges,
        banner=ctx.red_banner(edges),
    )


def changes_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """What changed between two reports: each measure linked to the kinds of change."""
    raw = {k: params[k] for k in ("from", "to") if params.get(k)}
    rows = ctx.rows("status-changes", raw)
    before = ctx.facts.resolve_report(raw.get("from", ""))
    after = ctx.facts.resolve_report(raw.get("to", "latest"))
    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    layer_of: dict[str, int] = {}
    for row in rows:
        measure = str(row["measure"])
        gone = row["change"] == "ikke med i rapporten"
        node = ctx.node(nodes, measure, "Measure", report=before if gone else after)
        layer_of[measure] = 0
        hub_id = f"change:{row['change']}"
        kind_of_change = str(row["change"]).capitalize()
        if hub_id not in nodes:
            nodes[hub_id] = ViewNode(
                id=hub_id, label=kind_of_change, kind="Change", group=kind_of_change
            )
            layer_of[hub_id] = 1
        if node.group is None or node.group == node.owner:
            node.group = kind_of_change
        old, new = row.get("old"), row.get("new")
        text = (
            f"{ctx.facts.concept_label(old)} → {ctx.facts.concept_label(new)}" if old or new else ""
        )
        colour = ctx.facts.colour(new) if new in ctx.facts.concepts else NO_STATUS
        edge = ViewEdge(measure, hub_id, "change", colour=colour, width=3)
        edge.facts += [
            ("Endring", str(row["change"])),
            ("Fra", ctx.facts.concept_label(old)),
            ("Til", ctx.facts.concept_label(new)),
        ]
        edges.append(edge)
        node.facts.append((str(row["change"]).capitalize(), text or str(row["change"])))
    reports = [ctx.facts.report_text(before), ctx.facts.report_text(after)]
    return _finish(
        ctx,
        "changes",
        "Endringer mellom to rapporter",
        f"Tiltak som endret status, risiko, fase, livsløp, segment eller eier fra "
        f"{reports[0]} til {reports[1]}, og tiltak som kom til eller falt ut.",
        nodes,
        edges,
        reports=reports,
        layer_of=layer_of,
    )


VIEWS: dict[str, ViewSpec] = {
    spec.name: spec
    for spec in (
        ViewSpec(
            "goal",
            "A strategic goal, its measures, owners and dependencies",
            (("goal", True, "Strategic goal number (1–5)"),),
            goal_view,
        ),
        ViewSpec(
            "dependencies",
            "The portfolio's dependency network",
            (
                ("report", False, "Only dependencies of this report (YYYY-MM, latest or IRI)"),
                ("status", False, "Only dependencies with this status (green, yellow, red)"),
                ("criticality", False, "Only this criticality (high, medium, low)"),
            ),
            dependencies_view,
        ),
        ViewSpec(
            "critical-path",
            "The network leading to a target, critical chain highlighted",
            (("target", True, "IRI, prefixed name or portfolio number"),),
            critical_path_view,
        ),
        ViewSpec(
            "impact",
            "What moves, and by how much, if a node slips",
            (
                ("node", True, "IRI, prefixed name or portfolio number"),
                ("slip", True, "Months the node finishes later"),
            ),
            impact_view,
        ),
        ViewSpec(
            "actor",
            "An organisation's measures and their dependencies",
            (("actor", True, "Organisation name or abbreviation, or its IRI"),),
            actor_view,
        ),
        ViewSpec("roadmap", "Roadmap services and activities by year", (), roadmap_view),
        ViewSpec(
            "changes",
            "What changed between two reports",
            (
                ("from", True, "The earlier report (YYYY-MM or IRI)"),
                ("to", False, "The later report (default: latest)"),
            ),
            changes_view,
        ),
    )
}


def build_view(
    name: str, params: Mapping[str, str], store: Store, catalogue: Catalogue, *, base_url: str = ""
) -> View:
    """Check the parameters against the view's declaration and build it."""
    spec = VIEWS.get(name)
    if spec is None:
        raise UnknownQueryError(f"no view '{name}'. Known views: {', '.join(sorted(VIEWS))}")
    declared = {p[0] for p in spec.parameters}
    undeclared = sorted(set(params) - declared)
    if undeclared:
        raise BadParameterError(
            f"view '{name}' has no parameter {', '.join(map(repr, undeclared))}"
            f" (its parameters: {', '.join(sorted(declared)) or 'none'})"
        )
    for parameter, required, help_text in spec.parameters:
        if required and not params.get(parameter):
            raise BadParameterError(f"view '{name}' needs parameter '{parameter}': {help_text}")
    return spec.build(ViewContext(store, catalogue, base_url=base_url), params)
