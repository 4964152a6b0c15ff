"""SHACL validation compiled to SPARQL and run inside the store.

pyshacl walks the data in Python, focus node by focus node: 4–5 s for the bundled data and
minutes at a hundred times that. Here every constraint of every shape becomes one SPARQL query
over all its focus nodes at once, answered by Oxigraph (or any store behind :class:`Store`):
targets become group patterns, value nodes a property path, and each constraint a FILTER or a
GROUP BY. ``sh:node`` and ``sh:or`` are answered by validating the nested shape on the value
nodes (again one query per constraint) and keeping those that do not conform.

The results are those of pyshacl on the same graph (tested on the bundled data, on every shape
fixture and on synthetic portfolios); pyshacl stays the reference (``validation.validate``).
A run can be limited to some top-level shapes, which the update gate uses to re-check only
the shapes that a change can affect (see :func:`affected_shapes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from ehelsekg.store.base import Store
from ehelsekg.validation.report import RawResult, ValidationReport, compiled_report, count_shapes
from ehelsekg.validation.running import Run, shape_members
from ehelsekg.validation.shapes import Shape, ShapeReader, sparql_path

_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")


@dataclass
class CompiledShapes:
    """The shapes graph read once, for any number of validation runs."""

    graph: Graph
    top: list[Shape]
    shape_count: int
    #: IRIs (predicates and classes) each top-level shape's queries mention, for scoping.
    vocabulary: dict[Node, frozenset[str]] = field(default_factory=dict)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Read ``shapes`` for :func:`validate_store` (raises ``UnsupportedShape`` if it cannot)."""
    top = ShapeReader(shapes).top_shapes()
    compiled = CompiledShapes(graph=shapes, top=top, shape_count=count_shapes(shapes))
    for shape in top:
        compiled.vocabulary[shape.node] = frozenset(_vocabulary(shape, set()))
    return compiled


def _vocabulary(shape: Shape, seen: set[int]) -> Iterator[str]:
    """Every predicate and class a shape's queries can depend on, ``*`` for any triple.

    A triple ``?x rdf:type C`` matters through its class: ``rdf:type`` itself is listed only
    where a query has a class variable, so a new assessment does not re-run the actor shapes.
    """
    if id(shape) in seen:
        return
    seen.add(id(shape))
    texts = [t.text for t in shape.targets] + [c.select for c in shape.sparql]
    if shape.path:
        texts.append(shape.path)
    for name, argument in shape.constraints:
        if name == "class":
            yield str(argument)
            yield "http://www.w3.org/2000/01/rdf-schema#subClassOf"
        if name == "lessThanOrEquals":
            yield str(argument)
        for member in shape_members(name, argument):
            yield from _vocabulary(member, seen)
    for text in texts:
        if _VARIABLE_PREDICATE.search(_NOT_PATTERNS.sub(" ", text)):
            yield "*"
        if _VARIABLE_CLASS.search(text):
            yield str(RDF.type)
        yield from _iris(text)
    for child in shape.properties:
        yield from _vocabulary(child, seen)


def _iris(text: str) -> Iterator[str]:
    """IRIs written in a query, prefixed names expanded with its PREFIX lines."""
    prefixes = dict(re.findall(r"PREFIX\s+(\S*):\s*<([^>]*)>", text, re.IGNORECASE))
    yield from _IRI.findall(text)
    for prefix, local in re.findall(r"(?<![\w?$<])([A-Za-z][\w-]*)?:([\w.-]*\w)", text):
        if prefix in prefixes:
            yield prefixes[prefix] + local


#: A triple pattern whose predicate is a variable (``?s ?p ?o``).
_VARIABLE_PREDICATE = re.compile(r"[?$]\w+\s+[?$]\w+\s+[?$<\w\"\[]")
#: Clauses that list variables without being triple patterns.
_NOT_PATTERNS = re.compile(
    r"SELECT[^{]*\{|(?:GROUP|ORDER)\s+BY[^{}]*|VALUES\s*\([^)]*\)", re.IGNORECASE
)
#: A class variable: ``?x a ?class``, ``rdf:type ?class``.
_VARIABLE_CLASS = re.compile(r"(?:(?<![\w?$:])a|rdf:type|22-rdf-syntax-ns#type>)\s+[?$]")


def validate_store(
    store: Store,
    compiled: CompiledShapes,
    *,
    shapes: Iterable[Node] | None = None,
    previous: Sequence[RawResult] = (),
) -> tuple[ValidationReport, list[RawResult]]:
    """Validate the asserted graphs of ``store`` (the ontology and data, without inferences).

    With ``shapes``, only those top-level shapes run and the other shapes' results are taken
    from ``previous`` (the raw results of an earlier run on the same store before a change that
    cannot affect them). Returns the report and the raw results for the next such run.
    """
    wanted = None if shapes is None else set(shapes)
    run = Run(store, compiled.graph)
    raw = [r for r in previous if wanted is not None and r.top_shape not in wanted]
    for shape in compiled.top:
        if wanted is None or shape.node in wanted:
            focus = run.listed_focus(run.targets_focus(shape.targets))
            if focus is not None:
                raw.extend(run.validate(shape, focus, shape.node))
    return compiled_report(store, compiled.graph, compiled.shape_count, raw), raw


def affected_shapes(compiled: CompiledShapes, changed_iris: set[str]) -> set[Node]:
    """Top-level shapes whose queries mention a predicate or class of the change."""
    return {
        shape
        for shape, vocabulary in compiled.vocabulary.items()
        if "*" in vocabulary or vocabulary & changed_iris
    }


__all__ = [
    "CompiledShapes",
    "RawResult",
    "affected_shapes",
    "compile_shapes",
    "sparql_path",
    "validate_store",
]
