"""The meeting pack: the portfolio status report a portfolio office brings to NUIT, generated
from the graph by the named queries (every figure is computed, never copied from a report).

``write_meeting_pack`` writes ``index.html`` (one file, charts embedded, prints on A4),
the charts as PNG files, and the goal and dependency views beside it in ``views/``.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.pack.charts import CostTable, cost_chart, status_chart
from ehelsekg.store.base import Store
from ehelsekg.views.build import build_view
from ehelsekg.views.html import asset, render_html
from ehelsekg.views.model import GraphFacts

Row = dict[str, str | None]
CHART_FILES = {"status": "status-distribution.png", "cost": "cost-growth.png"}


def rounded(value: Decimal) -> int:
    """Whole MNOK as a report prints them (half up).

    >>> rounded(Decimal("32.8")), rounded(Decimal("40.4")), rounded(Decimal("2.5"))
    (33, 40, 3)
    """
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class MeetingPack:
    """Everything the status report shows, as computed from the graph."""

    report: str
    report_text: str
    previous: str | None
    previous_text: str | None
    segments: list[tuple[str, dict[str, int], dict[str, int]]]
    totals: dict[str, int]
    previous_totals: dict[str, int] | None
    changes: Counter[str]
    flagged: list[Row]
    red_dependencies: list[Row]
    costs: list[CostTable]
    awaiting_funding: list[Row]
    goals: list[tuple[str, str]]
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


def _costs(rows: list[Row]) -> list[CostTable]:
    tables: dict[str, CostTable] = {}
    for row in rows:
        dataset = str(row["dataset"])
        table = tables.setdefault(dataset, CostTable(dataset, [], [], {}, {}, {}))
        year, solution = int(str(row["year"])), str(row["solution"])
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
        table.solutions.sort()
    return list(tables.values())


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
    previous_totals, changes = None, Counter[str]()
    if previous is not None:
        before = _rows(catalogue, store, "status-summary", {"report": previous})
        previous_totals = _summary(before, facts)[1]
        changed = _rows(catalogue, store, "status-changes", {"from": previous, "to": chosen})
        changes = Counter(str(r["change"]) for r in changed)
    flagged_values = {facts.concept_named("yellow"), facts.concept_named("red")}
    active = next((c.iri for c in facts.concepts.values() if c.iri.endswith("#StateActive")), None)
    flagged = [
        a
        for a in facts.assessments
        if a["report"] == chosen and a["state"] == active and a["status"] in flagged_values
    ]
    flagged.sort(key=lambda a: (-facts.concepts[str(a["status"])].rank, int(str(a["id"]))))
    red = facts.concept_named("red") or ""
    red_dependencies = [
        r for r in _rows(catalogue, store, "dependencies", {"status": red}) if r["report"] == chosen
    ]
    costs = _costs(_rows(catalogue, store, "operating-cost-growth", {"report": chosen}))
    awaiting = _rows(catalogue, store, "services-awaiting-funding", {"report": chosen})
    goals = [(str(g["number"]), str(g["title"])) for g in _rows(catalogue, store, "goals", {})]
    return MeetingPack(
        report=chosen,
        report_text=facts.report_text(chosen),
        previous=previous,
        previous_text=facts.report_text(previous) if previous else None,
        segments=segments,
        totals=totals,
        previous_totals=previous_totals,
        changes=changes,
        flagged=[{**a, **_names(a, facts)} for a in flagged],
        red_dependencies=[{**r, **_names(r, facts)} for r in red_dependencies],
        costs=costs,
        awaiting_funding=[{**r, **_names(r, facts)} for r in awaiting],
        goals=goals,
        scale=[(c.notation or c.iri, c.label, c.colour or "") for c in facts.status_scale()],
    )


def _names(row: Row, facts: GraphFacts) -> Row:
    """Labels for the IRIs and concepts of a row, as ``<key>Name``."""
    return {
        f"{key}Name": facts.concept_label(value) if value in facts.concepts else facts.label(value)
        for key, value in row.items()
        if value is not None and value.startswith("http")
    }


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], *, cls: str = "") -> str:
    out = [f'<table class="{_e(cls)}"><thead><tr>']
    out += [f"<th>{_e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(name: str, value: int, previous: int | None) -> str:
    delta = "" if previous is None else f" ({value - previous:+d})"
    return f'<td data-figure="{_e(name)}">{value}</td><td class="delta">{_e(delta)}</td>'


def render_pack_html(pack: MeetingPack, charts: Mapping[str, bytes]) -> str:
    """The status report as one HTML file; charts are embedded as data: URIs."""
    before = pack.previous_totals
    out = [
        "<!DOCTYPE html>",
        '<html lang="nb"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>Porteføljestatus – {_e(pack.report_text)}</title>",
        f"<style>{asset('report.css')}</style></head><body>",
        "<h1>Nasjonal e-helseportefølje – status</h1>",
    ]
    since = f"; endring fra {pack.previous_text}" if pack.previous_text else ""
    made = f". Laget {date.today().isoformat()} fra kunnskapsgrafen."
    out.append(f"<p class='lead'>{_e(pack.report_text + since + made)}</p>")
    out.append("<h2>Sammendrag</h2><table class='figures'><tbody>")
    rows = [("active", "Aktive tiltak")]
    rows += [(f"status-{n}", f"Status {label.lower()}") for n, label, _ in pack.scale]
    rows += [(f"risk-{n}", f"Risiko {label.lower()}") for n, label, _ in pack.scale]
    for key, text in rows:
        value = pack.totals.get(key, 0)
        old = before.get(key, 0) if before is not None else None
        out.append(f"<tr><th>{_e(text)}</th>{_figure(key, value, old)}</tr>")
    out.append("</tbody></table>")
    if "status" in charts:
        out.append(_img(charts["status"], "Aktive tiltak per segment etter status og risiko"))
    head = ["Segment"] + [f"Status {label.lower()}" for _, label, _ in pack.scale]
    head += [f"Risiko {label.lower()}" for _, label, _ in pack.scale]
    out.append(
        _table(
            head,
            [
                [
                    name,
                    *(s.get(n, 0) for n, _, _ in pack.scale),
                    *(r.get(n, 0) for n, _, _ in pack.scale),
                ]
                for name, s, r in pack.segments
            ],
        )
    )
    if pack.changes:
        out.append("<h3>Endringer siden forrige rapport</h3>")
        out.append(_table(["Endring", "Tiltak"], sorted(pack.changes.items())))
    out.append("<h2>Gule og røde tiltak</h2>")
    out.append(
        _table(
            ["Nr.", "Tiltak", "Status", "Risiko", "Eier", "Segment"],
            [
                [
                    a["id"],
                    a["label"],
                    a.get("statusName"),
                    a.get("riskName", ""),
                    a.get("ownerName", ""),
                    a.get("segmentName", ""),
                ]
                for a in pack.flagged
            ],
            cls="flagged",
        )
    )
    out.append("<h2>Røde avhengigheter</h2>")
    out.append(
        _table(
            ["Tiltak", "Avhenger av", "Kritikalitet", "Frist", "Beskrivelse"],
            [
                [
                    d.get("dependentName"),
                    d.get("dependeeName"),
                    d.get("dependencyCriticalityName", ""),
                    d.get("deadline") or "",
                    d.get("description") or "",
                ]
                for d in pack.red_dependencies
            ],
        )
        if pack.red_dependencies
        else "<p>Ingen røde avhengigheter.</p>"
    )
    for table in pack.costs:
        out.append("<h2>Vekst i drifts- og forvaltningskostnader (MNOK)</h2>")
        if "cost" in charts:
            out.append(_img(charts["cost"], "Kostnadsvekst per løsning og år, med løpende sum"))
        head = ["Løsning", *(str(y) for y in table.years)]
        body = [
            [sol, *(_amount(table.amounts[sol].get(y)) for y in table.years)]
            for sol in table.solutions
        ]
        out.append(
            _table(head, body, cls="costs").replace(
                "</tbody>",
                "".join(
                    [
                        "<tr class='total'><th>Totalsum</th>",
                        *(
                            f'<td data-year-total="{y}">{rounded(table.year_totals[y])}</td>'
                            for y in table.years
                        ),
                        "</tr><tr class='total'><th>Løpende sum</th>",
                        *(
                            f'<td data-running-total="{y}">{rounded(table.running_totals[y])}</td>'
                            for y in table.years
                        ),
                        "</tr></tbody>",
                    ]
                ),
            )
        )
    out.append("<h2>Veikarttjenester som venter på finansiering</h2>")
    out.append(
        _table(
            ["Tjeneste", "Målår", "Finansiering", "Oppgitt i", "Bekreftet senere i"],
            [
                [
                    f.get("label"),
                    f.get("targetYear") or "",
                    f.get("fundingLabel"),
                    f.get("statedInName"),
                    f.get("confirmedInName", ""),
                ]
                for f in pack.awaiting_funding
            ],
        )
        if pack.awaiting_funding
        else "<p>Ingen.</p>"
    )
    out.append("<h2>Visninger for målene</h2><ul class='views'>")
    for number, title in pack.goals:
        out.append(
            f'<li><a href="views/goal-{_e(number)}.html">Mål {_e(number)}: {_e(title)}</a></li>'
        )
    out.append('<li><a href="views/dependencies.html">Avhengigheter</a></li></ul>')
    out.append("</body></html>")
    return "\n".join(out)


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def write_meeting_pack(
    store: Store,
    catalogue: Catalogue,
    out_dir: Path,
    *,
    report: str = "latest",
    base_url: str = "",
) -> list[Path]:
    """Write the meeting pack into ``out_dir``; return the files written."""
    pack = build_meeting_pack(store, catalogue, report=report, base_url=base_url)
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
    index = out_dir / "index.html"
    index.write_text(render_pack_html(pack, charts), encoding="utf-8")
    written.append(index)
    views = [(f"goal-{n}", "goal", {"goal": n}) for n, _ in pack.goals]
    views.append(("dependencies", "dependencies", {}))
    for filename, name, params in views:
        view = build_view(name, params, store, catalogue, base_url=base_url)
        path = out_dir / "views" / f"{filename}.html"
        path.write_text(render_html(view), encoding="utf-8")
        written.append(path)
    return written
