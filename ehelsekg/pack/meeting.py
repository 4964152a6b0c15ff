"""The meeting pack: the portfolio status report a portfolio office brings to NUIT, generated
from the graph by the named queries (every figure is computed, never copied from a report;
the report's own stated totals come from its ``ehk:StatedFigure`` nodes and are shown beside).

``write_meeting_pack`` writes ``index.html`` (one file, charts and goal views embedded, prints
on A4), the charts as PNG files and the goal and dependency views beside it in ``views/``.
Everything a reader sees is a name, never an IRI or key, with Norwegian numbers and dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.pack.charts import CostTable, cost_chart, status_chart
from ehelsekg.store.base import Store
from ehelsekg.views.build import build_view
from ehelsekg.views.html import render_html
from ehelsekg.views.model import GraphFacts, View, number_key
from ehelsekg.views.norsk import long_date
from ehelsekg.views.static import static_svg

Row = dict[str, str | None]
CHART_FILES = {"status": "status-distribution.png", "cost": "cost-growth.png"}


def rounded(value: Decimal) -> int:
    """Whole MNOK as a report prints them (half up).

    >>> rounded(Decimal("32.8")), rounded(Decimal("40.4")), rounded(Decimal("2.5"))
    (33, 40, 3)
    """
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class DependencyFigure:
    """The report's stated number of dependencies beside what the graph holds of them."""

    stated: int | None
    stated_text: str
    held: int
    covers: str


@dataclass
class MeetingPack:
    """Everything the status report shows, as computed from the graph."""

    report: str
    report_text: str
    report_name: str
    report_date: str
    previous: str | None
    previous_text: str | None
    previous_name: str | None
    segments: list[tuple[str, dict[str, int], dict[str, int]]]
    totals: dict[str, int]
    previous_totals: dict[str, int] | None
    #: What the baseline assessed at all ("status", "risk"): a figure it never reported has
    #: no change to show.
    previous_reported: set[str]
    changes: dict[str, list[Row]]
    flagged: list[Row]
    red_risk: list[Row]
    red_dependencies: list[Row]
    dependencies: DependencyFigure
    costs: list[CostTable]
    awaiting_funding: list[Row]
    goals: list[tuple[str, str]]
    summary: list[str] = field(default_factory=list)
    scale: list[tuple[str, str, str]] = field(default_factory=list)


def _rows(catalogue: Catalogue, store: Store, name: str, params: Mapping[str, str]) -> list[Row]:
    result = catalogue.run(name, params, store)
    return [{k: None if v is None else str(v) for k, v in r.items()} for r in result.records()]


def _summary(
    rows: list[Row], facts: GraphFacts
) -> tuple[list[tuple[str, dict[str, int], dict[str, int]]], dict[str, int]]:
    """Per segment the active measures by status and by risk; totals from the scheme rows."""
    segments: dict[str, tuple[dict[str, int], dict[str, int]]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        value = facts.concepts[str(row["value"])].notation or str(row["value"])
        status, risk = int(str(row["withStatus"])), int(str(row["withRisk"]))
        if str(row["segment"]).endswith("#SegmentScheme"):
            totals[f"status-{value}"] = status
            totals[f"risk-{value}"] = risk
            totals["active"] = totals.get("active", 0) + status
            continue
        name = facts.concept_label(row["segment"])
        by_status, by_risk = segments.setdefault(name, ({}, {}))
        by_status[value], by_risk[value] = status, risk
    return [(name, s, r) for name, (s, r) in segments.items()], totals


def _previous(catalogue: Catalogue, store: Store, report: str) -> str | None:
    """The latest report before ``report`` that lists the whole portfolio."""
    rows = store.query(catalogue.lookup("reports")).records()
    dates = {str(r["report"]): str(r["sortDate"]) for r in rows}
    earlier = [
        r
        for r in rows
        if str(r["listsAll"]) == "true" and str(r["sortDate"]) < dates.get(report, "")
    ]
    return str(max(earlier, key=lambda r: str(r["sortDate"]))["report"]) if earlier else None


def _costs(rows: list[Row], facts: GraphFacts) -> list[CostTable]:
    tables: dict[str, CostTable] = {}
    for row in rows:
        dataset = str(row["dataset"])
        table = tables.setdefault(dataset, CostTable(dataset, [], [], {}, {}, {}))
        year, solution = int(str(row["year"])), facts.label(row["solution"])
        if year not in table.years:
            table.years.append(year)
        if solution not in table.solutions:
            table.solutions.append(solution)
        cell = table.amounts.setdefault(solution, {})
        cell[year] = cell.get(year, Decimal(0)) + Decimal(str(row["amount"]))
        table.year_totals[year] = Decimal(str(row["yearTotal"]))
        table.running_totals[year] = Decimal(str(row["runningTotal"]))
    for table in tables.values():
        table.years.sort()
        table.solutions.sort(key=number_key)
    return list(tables.values())


def _dependencies(
    catalogue: Catalogue, store: Store, facts: GraphFacts, report: str
) -> DependencyFigure:
    held = [r for r in _rows(catalogue, store, "dependencies", {}) if r["report"] == report]
    stated = [
        r
        for r in store.query(catalogue.lookup("pack-stated-figures")).records()
        if str(r["report"]) == report and str(r["kind"]).endswith("#FigDependenciesReported")
    ]
    kinds = sorted(
        {
            f"{facts.concept_label(r.get('dependencyStatus')).lower() or 'uten status'} status "
            f"og {facts.concept_label(r.get('dependencyCriticality')).lower() or 'ukjent'} "
            "kritikalitet"
            for r in held
        }
    )
    covers = (
        "Rapporten nevner enkeltvis bare avhengighetene med " + " eller ".join(kinds) + "."
        if held
        else "Rapporten nevner ingen avhengighet enkeltvis."
    )
    first = stated[0] if stated else None
    return DependencyFigure(
        stated=int(str(first["value"])) if first else None,
        stated_text=str(first.get("description") or "") if first else "",
        held=len(held),
        covers=covers,
    )


def build_meeting_pack(
    store: Store, catalogue: Catalogue, *, report: str = "latest", base_url: str = ""
) -> MeetingPack:
    """Compute the status report for ``report`` (YYYY-MM, 'latest' or IRI)."""
    facts = GraphFacts(store, catalogue, base_url=base_url)
    chosen = facts.resolve_report(report)
    segments, totals = _summary(
        _rows(catalogue, store, "status-summary", {"report": chosen}), facts
    )
    previous = _previous(catalogue, store, chosen)
    previous_totals, changes = None, dict[str, list[Row]]()
    reported: set[str] = set()
    if previous is not None:
        before = _rows(catalogue, store, "status-summary", {"report": previous})
        previous_totals = _summary(before, facts)[1]
        baseline = [a for a in facts.assessments if a["report"] == previous]
        reported = {key for key in ("status", "risk") if any(a[key] for a in baseline)}
        changed = _rows(catalogue, store, "status-changes", {"from": previous, "to": chosen})
        for row in sorted(changed, key=lambda r: number_key(str(r["id"]))):
            changes.setdefault(str(row["change"]), []).append({**row, **_names(row, facts)})
    flagged_values = {facts.concept_named("yellow"), facts.concept_named("red")}
    red = facts.concept_named("red") or ""
    mine = [a for a in facts.assessments if a["report"] == chosen]
    active = [a for a in mine if (a["state"] or "").endswith("#StateActive")]
    flagged = [a for a in active if a["status"] in flagged_values]
    flagged.sort(key=lambda a: (-facts.concepts[str(a["status"])].rank, number_key(str(a["id"]))))
    red_risk = sorted(
        (a for a in active if a["risk"] == red), key=lambda a: number_key(str(a["id"]))
    )
    red_dependencies = [
        r for r in _rows(catalogue, store, "dependencies", {"status": red}) if r["report"] == chosen
    ]
    costs = _costs(_rows(catalogue, store, "operating-cost-growth", {"report": chosen}), facts)
    awaiting = _rows(catalogue, store, "services-awaiting-funding", {"report": chosen})
    goals = [(str(g["number"]), str(g["title"])) for g in _rows(catalogue, store, "goals", {})]
    pack = MeetingPack(
        report=chosen,
        report_text=facts.report_text(chosen),
        report_name=facts.reports[chosen]["title"],
        report_date=facts.reports.get(chosen, {}).get("date", ""),
        previous=previous,
        previous_text=facts.report_text(previous) if previous else None,
        previous_name=(
            facts.reports.get(previous, {}).get("title", facts.label(previous))
            if previous
            else None
        ),
        segments=segments,
        totals=totals,
        previous_totals=previous_totals,
        previous_reported=reported,
        changes=changes,
        flagged=[{**a, **_names(a, facts)} for a in flagged],
        red_risk=[{**a, **_names(a, facts)} for a in red_risk],
        red_dependencies=[{**r, **_names(r, facts)} for r in red_dependencies],
        dependencies=_dependencies(catalogue, store, facts, chosen),
        costs=costs,
        awaiting_funding=[{**r, **_names(r, facts)} for r in awaiting],
        goals=goals,
        scale=[
            (c.notation or c.iri, c.label, facts.swatch(c.iri) or "") for c in facts.status_scale()
        ],
    )
    pack.summary = summary_lines(pack, facts)
    return pack


def _names(row: Row, facts: GraphFacts) -> Row:
    """Labels for the IRIs and concepts of a row, as ``<key>Name``, and a status's or risk's
    colour as ``<key>Colour``; reports by their title and date."""
    names: Row = {}
    for key, value in row.items():
        if value is None or not value.startswith("http"):
            continue
        if value in facts.concepts:
            names[f"{key}Name"] = facts.concept_label(value)
            names[f"{key}Colour"] = facts.swatch(value)
        elif value in facts.reports:
            names[f"{key}Name"] = facts.reports[value]["title"]
        else:
            names[f"{key}Name"] = facts.label(value)
    return names


def _measures(rows: list[Row]) -> str:
    return "; ".join(f"{r['id']} {r['label']}" for r in rows)


def summary_lines(pack: MeetingPack, facts: GraphFacts) -> list[str]:
    """A short summary in the report's own manner: red status, red risk, red dependencies,
    new and finished measures."""
    scale = {notation: label.lower() for notation, label, _ in pack.scale}
    active = pack.totals.get("active", 0)
    lines = [
        f"{active} aktive tiltak: "
        + ", ".join(
            f"{pack.totals.get(f'status-{n}', 0)} med status {scale[n]}"
            for n, _, _ in reversed(pack.scale)
        )
        + "."
    ]
    reds = [a for a in pack.flagged if a["status"] == facts.concept_named("red")]
    lines.append(f"Rød status: {_measures(reds)}." if reds else "Ingen tiltak har rød status.")
    lines.append(
        f"Rød risiko: {_measures(pack.red_risk)}."
        if pack.red_risk
        else "Ingen tiltak har rød risiko."
    )
    if pack.red_dependencies:
        lines.append(
            "Røde avhengigheter: "
            + "; ".join(
                f"{d.get('dependentName')} venter på {d.get('dependeeName')}"
                for d in pack.red_dependencies
            )
            + "."
        )
    else:
        lines.append("Ingen røde avhengigheter.")
    since = f" siden {pack.previous_name}" if pack.previous_name else ""
    new = pack.changes.get("ny i rapporten", [])
    if new:
        lines.append(f"{len(new)} nye tiltak{since}.")
    finished = [
        r
        for rows in pack.changes.values()
        for r in rows
        if (r.get("new") or "").endswith("#StateFinished")
    ]
    if finished:
        lines.append(f"Avsluttet{since}: {_measures(finished)}.")
    return lines


def write_meeting_pack(
    store: Store,
    catalogue: Catalogue,
    out_dir: Path,
    *,
    report: str = "latest",
    base_url: str = "",
    made: date | None = None,
) -> list[Path]:
    """Write the meeting pack into ``out_dir``; return the files written. ``made`` is the
    date the pack says it was made ("Laget"); by default the report's own date."""
    from ehelsekg.pack.render import render_pack_html

    pack = build_meeting_pack(store, catalogue, report=report, base_url=base_url)
    made_text = long_date(made.isoformat() if made else pack.report_date)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "views").mkdir(exist_ok=True)
    charts = {"status": status_chart(pack.segments, pack.scale)}
    if pack.costs:
        charts["cost"] = cost_chart(pack.costs[0])
    written = []
    for name, png in charts.items():
        path = out_dir / CHART_FILES[name]
        path.write_bytes(png)
        written.append(path)
    views: list[tuple[str, str, dict[str, str]]] = [
        (f"goal-{n}", "goal", {"goal": n}) for n, _ in pack.goals
    ]
    views.append(("dependencies", "dependencies", {"report": pack.report}))
    pictures: dict[str, str] = {}
    for filename, name, params in views:
        view = build_view(name, params, store, catalogue, base_url=base_url)
        if not base_url:
            _unlink(view)  # a server path would become file:///resource/… offline
        path = out_dir / "views" / f"{filename}.html"
        path.write_text(render_html(view, made=made_text), encoding="utf-8")
        written.append(path)
        if name == "goal":
            pictures[params["goal"]] = static_svg(view)
    index = out_dir / "index.html"
    index.write_text(render_pack_html(pack, charts, pictures, made=made_text), encoding="utf-8")
    written.append(index)
    return written


def _unlink(view: View) -> None:
    for node in view.nodes:
        node.href = None
    for page in view.pages:
        for node in page.nodes:
            node.href = None
