"""The SHACL shapes graph read into plain objects, each constraint ready to become SPARQL.

Only what our shapes use is read (core constraint components, SHACL-SPARQL constraints and
SHACL-AF SPARQL targets); a shape using anything else raises :class:`UnsupportedShape`, so the
compiled validator never silently checks less than pyshacl would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ehelsekg.validation.report import Severity

#: Constraint parameters this module understands (sh:property and sh:path are structure).
_KNOWN = {
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.languageIn,
    SH.uniqueLang,
    SH.pattern,
    SH.flags,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.lessThanOrEquals,
    SH.node,
    SH["or"],
    SH.sparql,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.defaultValue,
}
_IGNORED_NAMESPACES = (str(RDF), "http://www.w3.org/2000/01/rdf-schema#")


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature the compiled validator does not implement."""


@dataclass(frozen=True)
class SparqlCheck:
    """A SHACL-SPARQL constraint: its SELECT text (prefixes resolved) and messages."""

    select: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """How a shape selects focus nodes: a group pattern over ``?VAR``, or a SPARQL target's
    SELECT of ``?this`` with the PREFIX lines it needs (a subquery cannot declare its own)."""

    text: str
    prefixes: str = ""
    is_select: bool = False
    #: For ``sh:targetClass``: the class, whose subclasses a run may list instead of the path.
    cls: Node | None = None

    def group(self, var: str) -> str:
        """A group pattern binding ``?var`` to every focus node of this target."""
        if not self.is_select:
            return self.text.replace("?VAR", f"?{var}")
        if var == "this":
            return f"{{ {self.text} }}"
        return f"{{ SELECT ?{var} WHERE {{ {{ {self.text} }} BIND(?this AS ?{var}) }} }}"


@dataclass
class Shape:
    """A node shape (``path`` None) or property shape, with its targets and constraints."""

    node: Node
    path: str | None = None
    path_node: Node | None = None
    severity: Severity = Severity.VIOLATION
    messages: tuple[str, ...] = ()
    targets: list[Target] = field(default_factory=list)
    #: (component name, argument); arguments of ``node``/``or`` are shapes.
    constraints: list[tuple[str, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlCheck] = field(default_factory=list)


def term(node: Node) -> str:
    """An rdflib term in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        from ehelsekg.store.terms import to_ox

        return str(to_ox(node))
    raise UnsupportedShape(f"a blank node {node} cannot be written into a query")


def sparql_path(shapes: Graph, node: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return term(node)
    if (node, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, n) for n in Collection(shapes, node)) + ")"
    for predicate, template in (
        (SH.inversePath, "(^{})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(node, predicate)
        if inner is not None:
            return template.format(sparql_path(shapes, inner))
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None:
        members = Collection(shapes, alternatives)
        return "(" + "|".join(sparql_path(shapes, n) for n in members) + ")"
    raise UnsupportedShape(f"unknown property path {node}")


def prefix_block(shapes: Graph, prefixes_of: Node | None) -> str:
    """PREFIX declarations of the sh:declare entries on ``prefixes_of``."""
    if prefixes_of is None:
        return ""
    lines = []
    for declaration in shapes.objects(prefixes_of, SH.declare):
        prefix = shapes.value(declaration, SH.prefix)
        namespace = shapes.value(declaration, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(lines)) + "\n"


class ShapeReader:
    """Reads every shape of a shapes graph once (shapes shared by reference stay shared)."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self._read: dict[Node, Shape] = {}

    def top_shapes(self) -> list[Shape]:
        """Shapes with targets: what a validation run starts from, in a stable order."""
        g = self.graph
        candidates: set[Node] = set()
        for predicate in (
            SH.targetClass,
            SH.targetNode,
            SH.targetSubjectsOf,
            SH.targetObjectsOf,
            SH.target,
        ):
            candidates.update(g.subjects(predicate, None))
        shapes = [self.read(node) for node in candidates]
        return sorted((s for s in shapes if s.targets), key=lambda s: str(s.node))

    def read(self, node: Node) -> Shape:
        if node in self._read:
            return self._read[node]
        g = self.graph
        shape = Shape(node=node)
        self._read[node] = shape
        for predicate in set(g.predicates(node, None)):
            if predicate not in _KNOWN and not str(predicate).startswith(_IGNORED_NAMESPACES):
                raise UnsupportedShape(f"{node}: {predicate} is not implemented")
        if g.value(node, SH.deactivated) == Literal(True):
            return shape
        path = g.value(node, SH.path)
        if path is not None:
            shape.path = sparql_path(g, path)
            shape.path_node = path
        shape.severity = Severity.from_node(g.value(node, SH.severity))
        shape.messages = tuple(sorted(str(m) for m in g.objects(node, SH.message)))
        self._read_targets(shape)
        self._read_constraints(shape)
        for child in sorted(g.objects(node, SH.property), key=str):
            shape.properties.append(self.read(child))
        return shape

    def _read_targets(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        for cls in sorted(g.objects(node, SH.targetClass), key=str):
            # SHACL instances: rdf:type, then rdfs:subClassOf* in the data graph.
            shape.targets.append(Target(f"?VAR a/{_SUB}* {term(cls)} .", cls=cls))
        for target in sorted(g.objects(node, SH.targetNode), key=str):
            shape.targets.append(Target(f"BIND({term(target)} AS ?VAR)"))
        for predicate in sorted(g.objects(node, SH.targetSubjectsOf), key=str):
            shape.targets.append(Target(f"?VAR {term(predicate)} [] ."))
        for predicate in sorted(g.objects(node, SH.targetObjectsOf), key=str):
            shape.targets.append(Target(f"[] {term(predicate)} ?VAR ."))
        for target in g.objects(node, SH.target):
            select = g.value(target, SH.select)
            if select is None:
                raise UnsupportedShape(f"{shape.node}: only SPARQL targets (sh:select) are read")
            body = _PREFIX_LINE.sub("", str(select))
            prefixes = prefix_block(g, g.value(target, SH.prefixes))
            shape.targets.append(Target(body, prefixes, is_select=True))

    def _read_constraints(self, shape: Shape) -> None:
        g, node = self.graph, shape.node

        def one(predicate: URIRef) -> Node | None:
            return g.value(node, predicate)

        for name, predicate in (
            ("minCount", SH.minCount),
            ("maxCount", SH.maxCount),
            ("class", SH["class"]),
            ("datatype", SH.datatype),
            ("nodeKind", SH.nodeKind),
            ("hasValue", SH.hasValue),
            ("minInclusive", SH.minInclusive),
            ("maxInclusive", SH.maxInclusive),
            ("minExclusive", SH.minExclusive),
            ("maxExclusive", SH.maxExclusive),
            ("lessThanOrEquals", SH.lessThanOrEquals),
        ):
            for value in sorted(g.objects(node, predicate), key=str):
                shape.constraints.append((name, value))
        listed = one(SH["in"])
        if listed is not None:
            shape.constraints.append(("in", list(Collection(g, listed))))
        languages = one(SH.languageIn)
        if languages is not None:
            shape.constraints.append(("languageIn", [str(x) for x in Collection(g, languages)]))
        if one(SH.uniqueLang) == Literal(True):
            shape.constraints.append(("uniqueLang", True))
        pattern = one(SH.pattern)
        if pattern is not None:
            flags = one(SH.flags)
            shape.constraints.append(("pattern", (str(pattern), str(flags or ""))))
        for target in sorted(g.objects(node, SH.node), key=str):
            shape.constraints.append(("node", self.read(target)))
        for alternatives in g.objects(node, SH["or"]):
            members = [self.read(member) for member in Collection(g, alternatives)]
            shape.constraints.append(("or", members))
        for check in g.objects(node, SH.sparql):
            if g.value(check, SH.deactivated) == Literal(True):
                continue
            select = g.value(check, SH.select)
            if select is None:
                raise UnsupportedShape(f"{node}: a SPARQL constraint without sh:select")
            prefixes = prefix_block(g, g.value(check, SH.prefixes))
            messages = tuple(sorted(str(m) for m in g.objects(check, SH.message)))
            shape.sparql.append(SparqlCheck(select=prefixes + str(select), messages=messages))


_SUB = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_PREFIX_LINE = re.compile(r"^\s*PREFIX\s+\S*:\s*<[^>]*>\s*$", re.IGNORECASE | re.MULTILINE)
