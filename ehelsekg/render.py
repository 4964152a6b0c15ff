"""Turning validation reports and statistics into text, JSON or Turtle for people and tools."""

from __future__ import annotations

import json
from typing import Any

from ehelsekg.namespaces import bind_all
from ehelsekg.stats import GraphStats
from ehelsekg.validation import Severity, ValidationReport


def validation_summary(report: ValidationReport) -> str:
    counts = report.counts
    verdict = "conforms" if report.conforms else "does NOT conform"
    tally = ", ".join(f"{counts[s]} {s.value}" for s in Severity)
    return (
        f"Validated {report.triples} triples against {report.shapes} shapes: {verdict} ({tally})."
    )


def validation_text(report: ValidationReport) -> str:
    lines = [validation_summary(report)]
    for result in report.results:
        who = (
            f"{result.focus_label} ({result.focus_node})"
            if result.focus_label
            else result.focus_node
        )
        lines.append("")
        lines.append(f"{result.severity.value}: {who}")
        where = []
        if result.path:
            where.append(f"path {result.path}")
        if result.value:
            where.append(f"value {result.value}")
        if result.source_shape:
            where.append(f"shape {result.source_shape}")
        if where:
            lines.append("  " + "; ".join(where))
        lines.append(f"  {result.message}")
    return "\n".join(lines)


def validation_json(report: ValidationReport) -> str:
    document: dict[str, Any] = {
        "conforms": report.conforms,
        "triples": report.triples,
        "shapes": report.shapes,
        "counts": {s.value: n for s, n in report.counts.items()},
        "results": [
            {
                "severity": r.severity.value,
                "focusNode": r.focus_node,
                "focusLabel": r.focus_label,
                "path": r.path,
                "value": r.value,
                "message": r.message,
                "sourceShape": r.source_shape,
            }
            for r in report.results
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def validation_turtle(report: ValidationReport) -> str:
    return bind_all(report.report_graph).serialize(format="turtle")


def stats_text(stats: GraphStats) -> str:
    lines = [f"{stats.triples} triples", "", "Entities per class:"]
    width = max((len(c.label) for c in stats.classes), default=0)
    lines += [f"  {c.label:<{width}}  {c.count:>5}" for c in stats.classes]
    lines += ["", "Facts per report:"]
    current = None
    for row in stats.reports:
        if row.report_iri != current:
            current = row.report_iri
            lines.append(f"  {row.title} ({row.date})")
        lines.append(f"    {row.class_label:<{width}}  {row.count:>5}")
    return "\n".join(lines)


def stats_json(stats: GraphStats) -> str:
    return json.dumps(
        {
            "triples": stats.triples,
            "classes": [
                {"class": c.class_iri, "label": c.label, "count": c.count} for c in stats.classes
            ],
            "reports": [
                {
                    "report": r.report_iri,
                    "title": r.title,
                    "date": r.date,
                    "class": r.class_label,
                    "count": r.count,
                }
                for r in stats.reports
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
