"""The roadmap view as a timeline: one lane per roadmap service, its activities as bars on a
year axis with the performing actors named on the bar, the service's target year marked and a
line at the date of the report the roadmap comes from.

Drawn as our own SVG at fixed pixel sizes (text 13–15 px, never scaled down): the year axis
fits a 1366 px window, lanes follow one another down the page under a sticky axis. Labels sit
inside a bar when they fit, else beside it; rows are packed so that no two labels or bars
overlap (text width is estimated generously for DejaVu Sans).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ehelsekg.views.model import View, ViewEdge, ViewNode, number_key, shorten
from ehelsekg.views.norsk import long_date

if TYPE_CHECKING:
    from ehelsekg.views.context import ViewContext

LEFT, YEAR_WIDTH, ROW, CHAR = 12.0, 104.0, 26.0, 8.2
HEADER = 30.0


@dataclass
class Bar:
    """One activity: where its bar and its label go."""

    name: str
    text: str
    actors: str
    years: str
    x: float
    width: float
    row: int = 0
    text_x: float = 0.0
    anchor: str = "start"
    inside: bool = False
    undated: bool = False


@dataclass
class Lane:
    title: str
    conditions: str
    target: int | None
    notes: list[str]
    target_x: float | None
    bars: list[Bar] = field(default_factory=list)
    rows: int = 0
    y: float = 0.0


@dataclass
class Timeline:
    years: list[tuple[str, float]]
    width: float
    lanes: list[Lane]
    report_x: float | None
    report_text: str
    undated_x: float
    height: float = 0.0


def _year(value: object) -> int | None:
    text = None if value is None else str(value)
    return int(text[:4]) if text and text[:4].isdigit() else None


def _place(bar: Bar, rows_end: list[float], right_edge: float) -> None:
    """Label inside the bar if it fits, else right of it (left of it near the edge); then the
    first row where bar and label are clear of everything placed before."""
    text_width = len(bar.text) * CHAR
    if text_width + 12 <= bar.width:
        bar.inside, bar.text_x, bar.anchor = True, bar.x + 6, "start"
        left, right = bar.x, bar.x + bar.width
    elif bar.x + bar.width + 6 + text_width <= right_edge:
        bar.text_x, bar.anchor = bar.x + bar.width + 6, "start"
        left, right = bar.x, bar.text_x + text_width
    else:
        bar.text_x, bar.anchor = bar.x - 6, "end"
        left, right = bar.text_x - text_width, bar.x + bar.width
    bar.row = next((i for i, end in enumerate(rows_end) if end <= left), len(rows_end))
    if bar.row == len(rows_end):
        rows_end.append(0.0)
    rows_end[bar.row] = right + 14


def roadmap_view(ctx: ViewContext, params: Mapping[str, str]) -> View:
    """Roadmap services and activities on a year axis."""
    facts = ctx.facts
    services = ctx.rows("roadmap-services", {})
    notes: dict[str, list[str]] = {}
    for row in ctx.store.query(ctx.catalogue.lookup("view-roadmap-changes")).records():
        version = f"Endret i veikartversjon {row['version']}" if row.get("version") else "Endret"
        notes.setdefault(str(row["service"]), []).append(
            f"{version}: {row.get('description') or ''}".rstrip(": ")
        )
    changes = {
        str(r["change"])
        for r in ctx.store.query(ctx.catalogue.lookup("view-roadmap-changes")).records()
    }
    items: dict[str, dict[str, object]] = {}
    for row in ctx.store.query(ctx.catalogue.lookup("view-activities")).records():
        if str(row["item"]) in changes:
            continue  # written under the lane, not drawn as work
        item = items.setdefault(
            str(row["item"]), {"service": str(row["service"]), "performers": set(), "row": row}
        )
        if row.get("performer") is not None:
            performers = item["performers"]
            assert isinstance(performers, set)
            performers.add(facts.label(row["performer"]))

    def span(row: Mapping[str, object]) -> tuple[int | None, int | None]:
        start, end, dated = _year(row.get("start")), _year(row.get("end")), _year(row.get("dated"))
        if start is None and end is None:
            return dated, dated
        return (start if start is not None else end), (end if end is not None else start)

    spans = {iri: span(it["row"]) for iri, it in items.items()}  # type: ignore[arg-type]
    years = [y for pair in spans.values() for y in pair if y is not None]
    years += [int(str(s["targetYear"])) for s in services if s.get("targetYear")]
    first, last = (min(years), max(years)) if years else (2020, 2030)

    def x_of(year: float) -> float:
        return LEFT + (year - first) * YEAR_WIDTH

    undated_x = x_of(last + 1)
    width = undated_x + YEAR_WIDTH + LEFT
    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    lanes: list[Lane] = []
    reports: set[str] = set()
    for service in services:
        service_iri = str(service["service"])
        node = ctx.node(nodes, service_iri, "RoadmapService")
        target = int(str(service["targetYear"])) if service.get("targetYear") else None
        lane = Lane(
            title=node.full_label + (f" — målår {target}" if target else " — målår ikke oppgitt"),
            conditions=str(service.get("conditions") or ""),
            target=target,
            notes=notes.get(service_iri, []),
            target_x=x_of(target + 0.5) if target else None,
        )
        rows_end: list[float] = []
        members = sorted(
            (iri for iri, it in items.items() if it["service"] == service_iri),
            key=lambda iri: (spans[iri][0] or 9999, number_key(facts.label(iri)), iri),
        )
        for iri in members:
            start, end = spans[iri]
            activity = ctx.node(nodes, iri)
            reports.update(activity.sources)
            actors = ", ".join(sorted(items[iri]["performers"]))  # type: ignore[call-overload]
            text = shorten(facts.label(iri), 44) + (f" – {shorten(actors, 34)}" if actors else "")
            if start is None:
                bar = Bar(facts.label(iri), text, actors, "uten år", undated_x + 6, YEAR_WIDTH - 12)
                bar.undated = True
            else:
                shown = f"{start}–{end}" if end != start else str(start)
                left = x_of(start) + 3
                bar = Bar(
                    facts.label(iri), text, actors, shown, left, x_of((end or start) + 1) - 3 - left
                )
            _place(bar, rows_end, width - LEFT)
            lane.bars.append(bar)
            edges.append(ViewEdge(iri, service_iri, "part of", dashes=True))
        lane.rows = len(rows_end)
        lanes.append(lane)
    y = 0.0
    for lane in lanes:
        lane.y = y
        y += HEADER + (16 if lane.conditions else 0) + max(lane.rows, 1) * ROW + 14
        y += 18 * len(lane.notes)
    report = max(reports, default="")
    as_of = next((facts.as_of(r) for r in facts.reports if facts.report_text(r) == report), "")
    report_x = None
    if as_of and _year(as_of):
        month = int(as_of[5:7]) if as_of[5:7].isdigit() else 1
        report_x = x_of(int(as_of[:4]) + (month - 1) / 12)
    timeline = Timeline(
        years=[(str(year), x_of(year)) for year in range(first, last + 1)]
        + [("uten år", undated_x)],
        width=width,
        lanes=lanes,
        report_x=report_x,
        report_text=f"Rapportdato {long_date(as_of)}" if as_of else "",
        undated_x=undated_x,
        height=y,
    )
    return View(
        name="roadmap",
        title="Veikart for nasjonale e-helseløsninger",
        description="Veikarttjenestene med målår og aktivitetene som fører fram til dem, som "
        "stolper fra startår til sluttår; den som utfører aktiviteten står på stolpen.",
        reports=sorted(reports),
        nodes=sorted(nodes.values(), key=lambda n: n.id),
        edges=edges,
        legend=[],
        timeline=timeline,
    )


def render_timeline(view: View, *, made: str) -> str:
    """The roadmap as one HTML page with an inline SVG timeline."""
    from ehelsekg.views.html import CONTENT_SECURITY_POLICY, asset, templates

    return (
        templates()
        .get_template("timeline.html.j2")
        .render(
            view=view,
            timeline=view.timeline,
            csp=CONTENT_SECURITY_POLICY,
            css=asset("timeline.css"),
            made=made,
            row=ROW,
            header=HEADER,
        )
    )
