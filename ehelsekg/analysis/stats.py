"""Counts per class and per report: what the graph holds and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.term import Node

from ehelsekg.settings import Settings


@dataclass(frozen=True)
class ClassCount:
    class_iri: str
    label: str
    count: int


@dataclass(frozen=True)
class ReportCount:
    report_iri: str
    title: str
    date: str
    class_label: str
    count: int


@dataclass(frozen=True)
class GraphStats:
    triples: int
    classes: tuple[ClassCount, ...]
    reports: tuple[ReportCount, ...]


def _query_text(settings: Settings, name: str) -> str:
    return (settings.queries_dir / f"{name}.rq").read_text(encoding="utf-8")


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def _rows(graph: Graph, query: str) -> list[dict[str, Node]]:
    return [
        {str(name): value for name, value in binding.items()}
        for binding in graph.query(query).bindings
    ]


def graph_stats(graph: Graph, settings: Settings) -> GraphStats:
    """Count the entities per class and the facts per report of ``graph``."""
    classes = tuple(
        ClassCount(
            class_iri=_text(row.get("class")),
            label=_text(row.get("label")) or _text(row.get("class")),
            count=int(_text(row.get("count")) or 0),
        )
        for row in _rows(graph, _query_text(settings, "class-counts"))
    )
    reports = tuple(
        ReportCount(
            report_iri=_text(row.get("report")),
            title=_text(row.get("title")),
            date=_text(row.get("date")),
            class_label=_text(row.get("label")) or _text(row.get("class")),
            count=int(_text(row.get("count")) or 0),
        )
        for row in _rows(graph, _query_text(settings, "report-counts"))
    )
    return GraphStats(triples=len(graph), classes=classes, reports=reports)
