"""SHACL validation with pyshacl, read back from pyshacl's report graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from ehelsekg.labels import choose, choose_per_node
from ehelsekg.namespaces import bind_all
from ehelsekg.store.base import Store


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
    return choose(labels)


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


@dataclass(frozen=True)
class RawResult:
    """One failed constraint before it is shown: which top-level shape it came from, too."""

    top_shape: Node
    shape: Node
    severity: Severity
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    component: URIRef


_LABELS = (
    "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
)


def compiled_report(
    store: Store, shapes: Graph, shape_count: int, raw: Sequence[RawResult]
) -> ValidationReport:
    unique = list(dict.fromkeys(raw))
    names = bind_all(Graph())
    show = names.namespace_manager
    labels = _labels(store, {r.focus for r in unique})
    report = bind_all(Graph())
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    results = []
    for item in unique:
        results.append(
            ValidationResult(
                severity=item.severity,
                focus_node=_display(item.focus, show),
                focus_label=labels.get(item.focus),
                path=None if item.path is None else show_path(shapes, item.path, names),
                value=None if item.value is None else _display(item.value, show),
                message=item.message or "(no message)",
                source_shape=(item.shape.n3(show) if isinstance(item.shape, URIRef) else None),
            )
        )
        _add_result(report, report_node, item, shapes)
    conforms = not any(r.severity is Severity.VIOLATION for r in results)
    report.add((report_node, SH.conforms, Literal(conforms)))
    ordered = sorted(
        set(results),
        key=lambda r: (list(Severity).index(r.severity), r.focus_node, r.path or "", r.message),
    )
    return ValidationReport(
        triples=_asserted_size(store),
        shapes=shape_count,
        results=tuple(ordered),
        report_graph=report,
    )


def _display(node: Node, names: object) -> str:
    if isinstance(node, URIRef):
        return node.n3(names)  # type: ignore[arg-type]
    if isinstance(node, BNode):
        # As validation._show: a blank node described in the data.
        return "(a complex path)"
    return shown_term(node, Graph())


def _labels(store: Store, nodes: set[Node]) -> dict[Node, str]:
    named = [n for n in nodes if isinstance(n, URIRef)]
    found: dict[Node, list[Literal]] = {}
    for start in range(0, len(named), 500):
        chunk = " ".join(f"<{n}>" for n in named[start : start + 500])
        rows = store.query(
            f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {chunk} }} ?n {_LABELS} ?l }}",
            include_inferred=False,
        ).rows
        for node, label in rows:
            if isinstance(label, Literal) and node is not None:
                found.setdefault(node, []).append(label)
    return choose_per_node(found)


def _asserted_size(store: Store) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", include_inferred=False).rows
    return int(str(rows[0][0]))


def _add_result(report: Graph, report_node: Node, item: RawResult, shapes: Graph) -> None:
    node = BNode()
    report.add((report_node, SH.result, node))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.focusNode, item.focus))
    report.add((node, SH.resultSeverity, SH[item.severity.value]))
    report.add((node, SH.sourceShape, item.shape))
    report.add((node, SH.sourceConstraintComponent, item.component))
    if item.message:
        report.add((node, SH.resultMessage, Literal(item.message)))
    if item.value is not None:
        report.add((node, SH.value, item.value))
    if item.path is not None:
        report.add((node, SH.resultPath, item.path))
        if isinstance(item.path, BNode):
            _copy_description(shapes, item.path, report)


def _copy_description(source: Graph, node: Node, into: Graph) -> None:
    for s, p, o in source.triples((node, None, None)):
        into.add((s, p, o))
        if isinstance(o, BNode):
            _copy_description(source, o, into)


def shown_term(node: Node, graph: Graph) -> str:
    # As pyshacl: the plain string of the term, full IRIs included. Oxigraph keeps numbers in
    # canonical form ("40" for 40.0), rdflib as written; decimals are shown as XSD writes them.
    if isinstance(node, Literal) and node.datatype == XSD.decimal and "." not in str(node):
        return f"{node}.0"
    return str(node)
