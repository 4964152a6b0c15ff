"""The roadmap view: services and their activities at fixed places on a time axis.

Each service has a lane; its activities are bars from their start year to the end of their end
year, packed into rows so that none overlap; the service itself sits at its target year. What
the data gives no year is put in a column after the last year, marked "uten år".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ehelsekg.views.model import NO_STATUS, LegendEntry, View, ViewEdge, ViewNode, kind_legend

if TYPE_CHECKING:
    from ehelsekg.views.context import ViewContext

YEAR_WIDTH = 220.0
ROW_HEIGHT = 56.0


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def roadmap_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """Roadmap services and activities laid out by year."""
    facts = ctx.facts
    services = ctx.rows("roadmap-services", {})
    items: dict[str, dict[str, object]] = {}
    for row in ctx.store.query(ctx.catalogue.lookup("view-activities")).records():
        item = items.setdefault(
            str(row["item"]),
            {"service": str(row["service"]), "performers": [], "row": row},
        )
        performer = row.get("performer")
        if performer is not None:
            performers = item["performers"]
            assert isinstance(performers, list)
            performers.append(facts.label(performer))

    def span(row: Mapping[str, object]) -> tuple[int | None, int | None]:
        start = _year(None if row.get("start") is None else str(row["start"]))
        end = _year(None if row.get("end") is None else str(row["end"]))
        dated = _year(None if row.get("dated") is None else str(row["dated"]))
        if start is None and end is None and dated is not None:
            return dated, dated
        return (start if start is not None else end), (end if end is not None else start)

    years = [y for it in items.values() for y in span(it["row"]) if y is not None]  # type: ignore[arg-type]
    years += [int(str(s["targetYear"])) for s in services if s.get("targetYear")]
    first, last = (min(years), max(years)) if years else (2020, 2030)

    def x_of(year: float) -> float:
        return (year - first) * YEAR_WIDTH

    undated_x = x_of(last + 1.6)
    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    lane_top = 0.0
    for service in services:
        service_iri = str(service["service"])
        node = ctx.node(nodes, service_iri, "RoadmapService")
        target = int(str(service["targetYear"])) if service.get("targetYear") else None
        node.facts += [("Målår", str(target) if target else "ikke oppgitt")]
        if service.get("target"):
            node.facts.append(("Mål", str(service["target"])))
        if service.get("conditions"):
            node.facts.append(("Betinget av", str(service["conditions"])))
        node.x = x_of(target + 0.5) if target else undated_x
        node.y = lane_top
        rows_end: list[float] = []
        members = sorted(
            (iri for iri, it in items.items() if it["service"] == service_iri),
            key=lambda iri: (span(items[iri]["row"])[0] or 9999, facts.label(iri), iri),  # type: ignore[arg-type]
        )
        for iri in members:
            item = items[iri]
            start, end = span(item["row"])  # type: ignore[arg-type]
            activity = ctx.node(nodes, iri)
            performers = sorted(set(item["performers"]))  # type: ignore[call-overload]
            activity.owner = ", ".join(performers) or None
            if activity.owner:
                activity.facts.append(("Utføres av", activity.owner))
            if start is None:
                left, right = undated_x - YEAR_WIDTH / 2, undated_x + YEAR_WIDTH / 2
                activity.facts.append(("År", "uten år i dataene"))
            else:
                left, right = x_of(start) + 6, x_of((end or start) + 1) - 6
                activity.facts.append(("År", f"{start}–{end}" if end != start else str(start)))
            row_index = next((i for i, e in enumerate(rows_end) if e <= left), len(rows_end))
            if row_index == len(rows_end):
                rows_end.append(right)
            rows_end[row_index] = right + 12
            activity.x = (left + right) / 2
            activity.y = lane_top + (row_index + 1) * ROW_HEIGHT
            activity.width = right - left
            edges.append(ViewEdge(iri, service_iri, "part of", dashes=True))
        for condition in (
            sorted(
                p
                for p in ctx.network.predecessors(service_iri)
                if ctx.network.edges[p, service_iri].get("relation") == "conditional on"
            )
            if service_iri in ctx.network
            else []
        ):
            prerequisite = ctx.node(nodes, condition)
            prerequisite.x, prerequisite.y = node.x - YEAR_WIDTH * 0.6, lane_top - ROW_HEIGHT * 0.6
            edges.append(ctx.network_edge(condition, service_iri))
        lane_top += (len(rows_end) + 2) * ROW_HEIGHT
    axis = [(x_of(year), str(year)) for year in range(first, last + 1)]
    axis.append((undated_x - YEAR_WIDTH / 2, "uten år"))
    reports = sorted({s for n in nodes.values() for s in n.sources})
    legend = [
        *kind_legend(n.kind for n in nodes.values()),
        LegendEntry("Del av tjenesten", "line", NO_STATUS, edge=True, dashes=True),
    ]
    return View(
        name="roadmap",
        title="Veikart for nasjonale e-helseløsninger",
        description="Veikarttjenestene ved målåret sitt og aktivitetene som fører fram til dem, "
        "som stolper fra startår til sluttår.",
        reports=reports,
        nodes=sorted(nodes.values(), key=lambda n: n.id),
        edges=edges,
        legend=legend,
        axis=axis,
    )
