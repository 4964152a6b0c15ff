"""SHACL validation with pyshacl, read back from pyshacl's report graph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node


class Severity(Enum):
    """SHACL severities, most serious first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @classmethod
    def from_node(cls, node: Node | None) -> Severity:
        for severity in cls:
            if node == SH[severity.value]:
                return severity
        return cls.VIOLATION


@dataclass(frozen=True)
class ValidationResult:
    """One result of the report: what is wrong, where, and how serious."""

    severity: Severity
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    source_shape: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph. ``conforms`` means: no Violation."""

    triples: int
    shapes: int
    results: tuple[ValidationResult, ...]
    report_graph: Graph

    @property
    def counts(self) -> dict[Severity, int]:
        counted = Counter(result.severity for result in self.results)
        return {severity: counted.get(severity, 0) for severity in Severity}

    @property
    def conforms(self) -> bool:
        return self.counts[Severity.VIOLATION] == 0


def count_shapes(shapes: Graph) -> int:
    """Number of node and property shapes in a shapes graph."""
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    property_shapes.update(shapes.objects(None, SH.property))
    return len(node_shapes | property_shapes)


def validate(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate ``data`` (ontology and data merged) against ``shapes``.

    No OWL reasoning runs first: the shapes are written for asserted data, and the
    ontology's subclass axioms are in ``data`` for ``sh:class`` to follow.
    """
    # pyshacl (with rdflib's SPARQL engine) takes a quarter of a second to import and is the
    # reference engine only: the server and CLI validate with shacl_sparql.
    import pyshacl

    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report_graph, Graph)
    results = tuple(
        sorted(
            (
                _read_result(report_graph, node, data)
                for node in report_graph.objects(None, SH.result)
            ),
            key=lambda r: (list(Severity).index(r.severity), r.focus_node, r.path or "", r.message),
        )
    )
    return ValidationReport(
        triples=len(data), shapes=count_shapes(shapes), results=results, report_graph=report_graph
    )


def _read_result(report: Graph, node: Node, data: Graph) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    messages = [str(m) for m in report.objects(node, SH.resultMessage)]
    shape = report.value(node, SH.sourceShape)
    return ValidationResult(
        severity=Severity.from_node(report.value(node, SH.resultSeverity)),
        focus_node=_show(data, focus),
        focus_label=label_of(data, focus),
        path=show_path(report, path, data) if path is not None else None,
        value=_show(data, value) if value is not None else None,
        message=" ".join(messages) or "(no message)",
        source_shape=_show(data, shape) if isinstance(shape, URIRef) else None,
    )


def label_of(graph: Graph, node: Node | None) -> str | None:
    """The best human label of ``node``: Norwegian first, then any language."""
    if node is None:
        return None
    labels = [
        label
        for predicate in (RDFS.label, SKOS.prefLabel)
        for label in graph.objects(node, predicate)
        if isinstance(label, Literal)
    ]
    # The first in sorted order, so that a node with two labels always shows the same one.
    for wanted in ("nb", "en", None):
        matching = sorted(str(label) for label in labels if label.language == wanted)
        if matching:
            return matching[0]
    return min(str(label) for label in labels) if labels else None


_PATH_FORMS = (
    (SH.inversePath, "^{}"),
    (SH.zeroOrMorePath, "{}*"),
    (SH.oneOrMorePath, "{}+"),
    (SH.zeroOrOnePath, "{}?"),
)


def show_path(paths: Graph, node: Node, names: Graph) -> str:
    """A SHACL property path described in ``paths`` in SPARQL syntax, with the prefixes of
    ``names``: ``ehk:status``, ``(ehk:dependent|ehk:dependee)``, ``rdf:type/rdfs:subClassOf*``.
    """
    if isinstance(node, URIRef):
        return node.n3(names.namespace_manager)
    if (node, RDF.first, None) in paths:
        return "/".join(show_path(paths, n, names) for n in Collection(paths, node))
    for predicate, template in _PATH_FORMS:
        inner = paths.value(node, predicate)
        if inner is not None:
            shown = show_path(paths, inner, names)
            return template.format(f"({shown})" if not isinstance(inner, URIRef) else shown)
    alternatives = paths.value(node, SH.alternativePath)
    if alternatives is not None:
        members = Collection(paths, alternatives)
        return "(" + "|".join(show_path(paths, n, names) for n in members) + ")"
    return "(a complex path)"


def _show(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return node.n3(graph.namespace_manager)
    if isinstance(node, BNode):
        return "(a complex path)" if (node, None, None) in graph else "_:" + str(node)
    return str(node)


def validation_document(report: ValidationReport) -> dict[str, Any]:
    """The report as plain data: summary counts and every result."""
    return {
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
