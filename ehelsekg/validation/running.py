"""Running compiled shapes: each constraint of a shape becomes one SPARQL query over all its
focus nodes at once (see ``compiled``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ehelsekg.store.base import Store
from ehelsekg.store.sparql_text import outer_where_brace
from ehelsekg.validation.report import (
    RawResult,
    shown_term,
)
from ehelsekg.validation.shapes import Shape, SparqlCheck, Target, term

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SUB = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
#: Most focus nodes written into a query as a VALUES list (see Run.listed_focus).
_MAX_LISTED = 2000
#: Constraints that test one value node by itself (see _value_filter).
_VALUE_CHECKS = {
    "datatype",
    "nodeKind",
    "in",
    "languageIn",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
}


class Run:
    """One validation run over a store: fresh variable names, queries, raw results."""

    def __init__(self, store: Store, graph: Graph) -> None:
        self.store = store
        self.shapes_graph = graph
        self._names = itertools.count()
        self._nonconforming: dict[tuple[int, str], set[Node]] = {}
        self._subclasses: dict[Node, list[Node]] = {}

    def fresh(self) -> str:
        return f"f{next(self._names)}"

    def select(self, text: str) -> list[dict[str, Node | None]]:
        return self.store.query(text, include_inferred=False).records()

    def subclasses(self, cls: Node) -> list[Node]:
        """``cls`` and every class below it in the data (``rdfs:subClassOf*``), once a run."""
        if cls not in self._subclasses:
            rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c {_SUB}* {term(cls)} }}")
            found = {row["c"] for row in rows if isinstance(row["c"], URIRef)}
            self._subclasses[cls] = sorted(found | {cls}, key=str)
        return self._subclasses[cls]

    def instances(self, var: str, cls: Node) -> str:
        """A group pattern binding ``?var`` to the SHACL instances of ``cls``: a type triple
        per known subclass is one index lookup each, where the path is evaluated per node."""
        classes = self.subclasses(cls)
        if len(classes) == 1:
            return f"?{var} {_TYPE} {term(classes[0])} ."
        listed = " ".join(term(c) for c in classes)
        return f"VALUES ?{var}_class {{ {listed} }} ?{var} {_TYPE} ?{var}_class ."

    def has_class(self, cls: Node) -> str:
        """An expression true when ``?value`` is a SHACL instance of ``cls``."""
        classes = self.subclasses(cls)
        if len(classes) == 1:
            return f"EXISTS {{ ?value {_TYPE} {term(classes[0])} }}"
        listed = " ".join(term(c) for c in classes)
        return f"EXISTS {{ VALUES ?valueClass {{ {listed} }} ?value {_TYPE} ?valueClass }}"

    def targets_focus(self, targets: Sequence[Target]) -> _Focus:
        prefixes = "".join(sorted({t.prefixes for t in targets}))

        def one(target: Target, var: str) -> str:
            if target.cls is not None:
                return self.instances(var, target.cls)
            return target.group(var)

        def group(var: str) -> str:
            union = " UNION ".join(f"{{ {one(t, var)} }}" for t in targets)
            return f"{{ SELECT DISTINCT ?{var} WHERE {{ {union} }} }}"

        return _Focus(prefixes, group)

    def listed_focus(self, focus: _Focus) -> _Focus | None:
        """The focus nodes found once and listed in a VALUES block, which drives every join
        of the constraint queries (as a subquery, the engine may evaluate the constraint over
        all the data first); None when there are none, so the shape has nothing to check.
        Large sets, and sets with blank nodes (VALUES cannot hold them), stay a subquery."""
        rows = self.select(f"{focus.prefixes}SELECT ?this WHERE {{ {focus.group('this')} }}")
        nodes = [row["this"] for row in rows if row["this"] is not None]
        if not nodes:
            return None
        if len(nodes) > _MAX_LISTED or any(isinstance(n, BNode) for n in nodes):
            return focus
        listed = " ".join(term(n) for n in nodes)
        return _Focus("", lambda var: f"VALUES ?{var} {{ {listed} }}")

    def inline_failure(self, shape: Shape) -> str | None:
        """An expression true when ``?value`` does not conform to ``shape``, if the shape is
        simple enough to be one (value checks, ``sh:hasValue`` on a path, nested ``sh:node`` and
        ``sh:or`` of such shapes); else None. A scheme or class check is then one FILTER of
        the query that finds the values, instead of one query per nested constraint."""
        if shape.sparql:
            return None
        failures: list[str] = []
        for name, argument in shape.constraints:
            if name == "class":
                assert isinstance(argument, Node)
                failures.append(f"!{self.has_class(argument)}")
            elif name == "hasValue" and isinstance(argument, Node):
                failures.append(f"!sameTerm(?value, {term(argument)})")
            elif name in ("node", "or"):
                members = [self.inline_failure(m) for m in shape_members(name, argument)]
                if any(m is None for m in members):
                    return None
                failures.append("(" + " && ".join(f"({m})" for m in members) + ")")
            elif name in _VALUE_CHECKS:
                failures.append(_value_filter(name, argument))
            else:
                return None
        for child in shape.properties:
            if child.sparql or child.properties or child.path is None:
                return None
            for name, argument in child.constraints:
                if name != "hasValue" or not isinstance(argument, Node):
                    return None
                failures.append(f"NOT EXISTS {{ ?value {child.path} {term(argument)} }}")
        return " || ".join(f"({f})" for f in failures) or "false"

    def values_focus(self, shape: Shape, focus: _Focus) -> _Focus:
        """The value nodes of ``shape`` for ``focus``, as a focus set of their own."""
        outer = self.fresh()
        if shape.path is None:
            return focus

        def group(var: str) -> str:
            return (
                f"{{ SELECT DISTINCT ?{var} WHERE {{ {focus.group(outer)} "
                f"?{outer} {shape.path} ?{var} . }} }}"
            )

        return _Focus(focus.prefixes, group)

    def validate(self, shape: Shape, focus: _Focus, top: Node) -> list[RawResult]:
        results: list[RawResult] = []
        for name, argument in shape.constraints:
            results.extend(self.constraint(shape, focus, top, name, argument))
        for check in shape.sparql:
            results.extend(self.sparql(shape, focus, top, check))
        for child in shape.properties:
            results.extend(self.validate(child, focus, top))
        return results

    def nonconforming(self, shape: Shape, focus: _Focus) -> set[Node]:
        """Focus nodes that do not conform to ``shape``."""
        key = (id(shape), focus.group("x"))
        if key not in self._nonconforming:
            self._nonconforming[key] = {r.focus for r in self.validate(shape, focus, shape.node)}
        return self._nonconforming[key]

    def result(
        self,
        shape: Shape,
        top: Node,
        component: str,
        focus: Node | None,
        value: Node | None,
        message: str | None = None,
        path: Node | None = None,
    ) -> RawResult:
        assert focus is not None
        return RawResult(
            top_shape=top,
            shape=shape.node,
            severity=shape.severity,
            focus=focus,
            path=path if path is not None else shape.path_node,
            value=value,
            message=message if message is not None else " ".join(shape.messages),
            component=URIRef(f"{SH}{component[0].upper()}{component[1:]}ConstraintComponent"),
        )

    def constraint(
        self, shape: Shape, focus: _Focus, top: Node, name: str, argument: object
    ) -> list[RawResult]:
        head = focus.prefixes
        this = focus.group("this")
        values = f"?this {shape.path} ?value ." if shape.path else "BIND(?this AS ?value)"
        if name in ("minCount", "maxCount"):
            limit = int(str(argument))
            if name == "minCount":
                pattern, test = f"OPTIONAL {{ {values} }}", f"< {limit}"
            else:
                pattern, test = values, f"> {limit}"
            rows = self.select(
                f"{head}SELECT ?this WHERE {{ {this} {pattern} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {test})"
            )
            return [self.result(shape, top, name, row["this"], None) for row in rows]
        if name == "hasValue":
            assert isinstance(argument, Node)
            found = (
                f"?this {shape.path} {term(argument)}"
                if shape.path
                else (f"FILTER (sameTerm(?this, {term(argument)}))")
            )
            rows = self.select(
                f"{head}SELECT ?this WHERE {{ {this} FILTER NOT EXISTS {{ {found} }} }}"
            )
            return [self.result(shape, top, name, row["this"], None) for row in rows]
        if name == "uniqueLang":
            rows = self.select(
                f"{head}SELECT DISTINCT ?this ?lang WHERE {{ {this} "
                f"?this {shape.path} ?value . ?this {shape.path} ?other . "
                "FILTER (isLiteral(?value) && lang(?value) != '' && "
                "lang(?value) = lang(?other) && !sameTerm(?value, ?other)) "
                "BIND (lang(?value) AS ?lang) }"
            )
            return [self.result(shape, top, name, row["this"], None) for row in rows]
        if name in ("node", "or"):
            inlined = [self.inline_failure(m) for m in shape_members(name, argument)]
            if inlined and all(m is not None for m in inlined):
                failure = " && ".join(f"({m})" for m in inlined)
                rows = self.select(
                    f"{head}SELECT DISTINCT ?this ?value WHERE {{ {this} {values} "
                    f"FILTER ({failure}) }}"
                )
                return [self.result(shape, top, name, row["this"], row["value"]) for row in rows]
            value_focus = self.values_focus(shape, focus)
            failing: set[Node] | None = None
            for member in shape_members(name, argument):
                nonconforming = self.nonconforming(member, value_focus)
                failing = nonconforming if failing is None else failing & nonconforming
            if not failing:
                return []
            rows = self.select(f"{head}SELECT DISTINCT ?this ?value WHERE {{ {this} {values} }}")
            return [
                self.result(shape, top, name, row["this"], row["value"])
                for row in rows
                if row["value"] in failing
            ]
        if name == "lessThanOrEquals":
            assert isinstance(argument, Node)
            rows = self.select(
                f"{head}SELECT DISTINCT ?this ?value WHERE {{ {this} {values} "
                f"?this {term(argument)} ?other . "
                "FILTER (!COALESCE(?value <= ?other, false)) }"
            )
            return [self.result(shape, top, name, row["this"], row["value"]) for row in rows]
        if name == "class":
            assert isinstance(argument, Node)
            bad = f"!{self.has_class(argument)}"
        else:
            bad = _value_filter(name, argument)
        rows = self.select(
            f"{head}SELECT DISTINCT ?this ?value WHERE {{ {this} {values} FILTER ({bad}) }}"
        )
        return [self.result(shape, top, name, row["this"], row["value"]) for row in rows]

    def sparql(self, shape: Shape, focus: _Focus, top: Node, check: SparqlCheck) -> list[RawResult]:
        text = re.sub(r"\$this\b", "?this", check.select)
        if shape.path is not None:
            text = text.replace("$PATH", shape.path)
        brace = outer_where_brace(text)
        text = text[: brace + 1] + f" {focus.group('this')} " + text[brace + 1 :]
        rows = self.select(_merge_prefixes(focus.prefixes, text))
        messages = check.messages or shape.messages
        results = []
        for row in rows:
            value = row.get("value")
            if value is None and shape.path is None:
                value = row.get("this")
            message = " ".join(_substitute(m, row, self.shapes_graph) for m in messages)
            path = row.get("path")
            results.append(self.result(shape, top, "SPARQL", row.get("this"), value, message, path))
        return results


@dataclass(frozen=True)
class _Focus:
    """A set of focus nodes: the PREFIX lines it needs, and a function from a variable name
    to a group pattern binding that variable to each node of the set."""

    prefixes: str
    build: Callable[[str], str]

    def group(self, var: str) -> str:
        return self.build(var)


def shape_members(name: str, argument: object) -> list[Shape]:
    """The nested shapes of an ``sh:node`` or ``sh:or`` constraint (none for the others)."""
    if name == "node" and isinstance(argument, Shape):
        return [argument]
    if name == "or" and isinstance(argument, list):
        return [member for member in argument if isinstance(member, Shape)]
    return []


def _value_filter(name: str, argument: object) -> str:
    """A FILTER expression that is true for a value node failing the constraint."""
    if name == "datatype":
        assert isinstance(argument, Node)
        return f"!(isLiteral(?value) && datatype(?value) = {term(argument)})"
    if name == "nodeKind":
        kinds = {
            SH.IRI: "isIRI(?value)",
            SH.BlankNode: "isBlank(?value)",
            SH.Literal: "isLiteral(?value)",
            SH.BlankNodeOrIRI: "!isLiteral(?value)",
            SH.BlankNodeOrLiteral: "!isIRI(?value)",
            SH.IRIOrLiteral: "!isBlank(?value)",
        }
        return f"!({kinds[argument]})"  # type: ignore[index]
    if name == "in":
        assert isinstance(argument, list)
        if not argument:
            return "true"
        return "!(" + " || ".join(f"sameTerm(?value, {term(x)})" for x in argument) + ")"
    if name == "languageIn":
        assert isinstance(argument, list)
        tests = " || ".join(f"langMatches(lang(?value), {_string(x)})" for x in argument)
        return f"!(isLiteral(?value) && ({tests or 'false'}))"
    if name == "pattern":
        assert isinstance(argument, tuple)
        pattern, flags = argument
        return f"isBlank(?value) || !regex(str(?value), {_string(pattern)}, {_string(flags)})"
    comparisons = {
        "minInclusive": ">=",
        "maxInclusive": "<=",
        "minExclusive": ">",
        "maxExclusive": "<",
    }
    if name in comparisons:
        assert isinstance(argument, Node)
        return f"!COALESCE(?value {comparisons[name]} {term(argument)}, false)"
    raise ValueError(f"constraint {name} is not compiled")


def _string(text: str) -> str:
    return term(Literal(text))


def _merge_prefixes(prefixes: str, text: str) -> str:
    """One PREFIX block: the focus set's lines, then the query's own, without repeats."""
    if not prefixes:
        return text
    own = set(re.findall(r"^\s*PREFIX[^\n]*$", text, re.IGNORECASE | re.MULTILINE))
    extra = [line for line in prefixes.splitlines() if line.strip() and line not in own]
    return "\n".join(extra) + "\n" + text


def _substitute(message: str, row: dict[str, Node | None], graph: Graph) -> str:
    """``{?name}`` and ``{$name}`` in a message, replaced with the row's values."""

    def value(match: re.Match[str]) -> str:
        node = row.get(match.group(1))
        return "" if node is None else shown_term(node, graph)

    return re.sub(r"\{[?$](\w+)\}", value, message)
