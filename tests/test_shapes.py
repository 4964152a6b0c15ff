"""The SHACL shapes: every shape has a valid and an invalid fixture (Brick's test_shapes.py).

Fixtures live in ``tests/fixtures/shapes/`` and are named after the shape they exercise:
``<Shape>-valid[-case].ttl`` and ``<Shape>-invalid[-case].ttl``, where ``<Shape>`` is the
local name of a node shape in the ``ehs:`` namespace. Each is validated together with
``ontology/*.ttl`` and ``data/reference/*.ttl`` exactly as the bundled data is (one merged
graph, no reasoning), and only results whose focus node the fixture itself describes count, so
that the fixtures do not depend on the state of the reference data.

- A valid fixture must give no Violation, and no result at all from the shape it is named
  after (so a valid fixture of a Warning or Info check shows that the check stays quiet).
- An invalid fixture declares what must be found in header lines
  ``# expect: <Severity> <shape> [<path>]``, e.g. ``# expect: Violation
  ehs:StatusAssessmentShape ehk:status``. A result matches when its severity is the one
  expected and its source shape is the shape named or one of that shape's property shapes;
  and, if a path is given, its result path is that path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ehelsekg.cli.text import validation_text
from ehelsekg.namespaces import bind_all
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.validation.compiled import compile_shapes, validate_store
from ehelsekg.validation.report import ValidationReport
from ehelsekg.validation.report import validate as project_validate

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "shapes"
SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
FIXTURES = sorted(FIXTURES_DIR.glob("*.ttl"))
VALID = [f for f in FIXTURES if "-valid" in f.stem]
INVALID = [f for f in FIXTURES if "-invalid" in f.stem]

EHK = Namespace("https://w3id.org/ehelsekg/ontology#")
EHS = Namespace("https://w3id.org/ehelsekg/shapes#")
CURIE_PREFIXES = {
    "ehk": EHK,
    "ehs": EHS,
    "dcterms": DCTERMS,
    "org": ORG,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
}
EXPECT = re.compile(r"^#\s*expect:\s*(Violation|Warning|Info)\s+(\S+)(?:\s+(\S+))?\s*$")


def _fixture_id(path: Path) -> str:
    return path.stem


def _shape_id(node: Node) -> str:
    return node.removeprefix(str(EHS)) if isinstance(node, URIRef) else "nested-shape"


def _expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix not in CURIE_PREFIXES:
        raise ValueError(f"unknown prefix in {curie!r}; use one of {sorted(CURIE_PREFIXES)}")
    return CURIE_PREFIXES[prefix][local]


@dataclass(frozen=True)
class Result:
    """One sh:result of a validation report, read from the report graph."""

    severity: URIRef
    source_shape: Node | None
    focus_node: Node | None
    path: Node | None
    message: str


@dataclass(frozen=True)
class Expectation:
    """A ``# expect:`` line of an invalid fixture."""

    severity: URIRef
    shape: URIRef
    path: URIRef | None

    def __str__(self) -> str:
        path = f" {self.path}" if self.path is not None else ""
        return f"{self.severity.removeprefix(str(SH))} {self.shape}{path}"


def read_expectations(path: Path) -> list[Expectation]:
    """The ``# expect:`` lines of a fixture's header."""
    expectations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := EXPECT.match(line.strip()):
            severity, shape, result_path = match.groups()
            expectations.append(
                Expectation(
                    severity=SH[severity],
                    shape=_expand(shape),
                    path=_expand(result_path) if result_path else None,
                )
            )
    return expectations


def validate(data: Graph, shapes: Graph) -> tuple[list[Result], str]:
    """Validate with the project's own call and read the results from pyshacl's report graph;
    check that the shapes compiled to SPARQL find the same."""
    outcome = project_validate(bind_all(data), shapes)
    assert_compiled_agrees(data, shapes, outcome)
    report = outcome.report_graph
    results = [
        Result(
            severity=URIRef(str(report.value(node, SH.resultSeverity))),
            source_shape=report.value(node, SH.sourceShape),
            focus_node=report.value(node, SH.focusNode),
            path=report.value(node, SH.resultPath),
            message=" ".join(str(m) for m in report.objects(node, SH.resultMessage)),
        )
        for node in report.objects(None, SH.result)
    ]
    return results, validation_text(outcome)


def assert_compiled_agrees(data: Graph, shapes: Graph, reference: ValidationReport) -> None:
    """The shapes compiled to SPARQL and run in Oxigraph find exactly what pyshacl finds."""
    store = OxigraphStore()
    store.replace_graph(URIRef("urn:ehelsekg:test:fixture"), data)
    compiled, _raw = validate_store(store, compile_shapes(shapes))
    only_compiled = set(compiled.results) - set(reference.results)
    only_pyshacl = set(reference.results) - set(compiled.results)
    assert (only_compiled, only_pyshacl) == (set(), set())


def owns(shapes: Graph, shape: URIRef, source: Node | None) -> bool:
    """Whether a result with this source shape comes from ``shape``."""
    return source == shape or (shape, SH.property, source) in shapes


def describe(results: list[Result]) -> str:
    return (
        "\n".join(
            f"  {r.severity.removeprefix(str(SH))} {r.source_shape} focus={r.focus_node} "
            f"path={r.path}: {r.message}"
            for r in results
        )
        or "  (no results)"
    )


def load_shapes(*, strict: bool = True) -> Graph:
    """All shape files merged; with ``strict=False`` a file that does not parse is skipped
    (test_shape_file_parses reports it) so that collection still works."""
    shapes = Graph()
    for path in SHAPE_FILES:
        try:
            shapes.parse(path, format="turtle")
        except SyntaxError:
            if strict:
                raise
    return shapes


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def base_graph() -> Graph:
    """The ontology and the reference data, as every fixture is validated with them."""
    base = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        base.parse(path, format="turtle")
    for path in sorted((ROOT / "data" / "reference").glob("*.ttl")):
        base.parse(path, format="turtle")
    return base


def validate_fixture(path: Path, base: Graph, shapes: Graph) -> tuple[list[Result], str]:
    """Validate a fixture with the base graph; keep the results about the fixture's nodes."""
    fixture = Graph().parse(path, format="turtle")
    data = Graph()
    data += base
    data += fixture
    results, text = validate(data, shapes)
    own_nodes = set(fixture.subjects())
    return [r for r in results if r.focus_node in own_nodes], text


def shape_of_fixture(path: Path) -> URIRef:
    return EHS[re.split(r"-(?:valid|invalid)", path.stem, maxsplit=1)[0]]


def targeted_shapes(shapes: Graph) -> list[URIRef]:
    """The named node shapes that select focus nodes themselves."""
    targets = (
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.target,
    )
    return sorted(
        {
            shape
            for shape in shapes.subjects(RDF.type, SH.NodeShape)
            if isinstance(shape, URIRef) and any((shape, t, None) in shapes for t in targets)
        }
    )


def constraint_holders(shapes: Graph) -> list[Node]:
    """Every shape that has property shapes or SPARQL constraints."""
    return sorted(
        set(shapes.subjects(SH.property, None)) | set(shapes.subjects(SH.sparql, None)),
        key=str,
    )


# --- The shape files ----------------------------------------------------------------------


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shape_file_parses(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0


def test_shapes_use_their_own_namespace(shapes_graph: Graph) -> None:
    shapes = set(shapes_graph.subjects(RDF.type, SH.NodeShape)) | set(
        shapes_graph.subjects(RDF.type, SH.PropertyShape)
    )
    foreign = [s for s in shapes if isinstance(s, URIRef) and not s.startswith(str(EHS))]
    assert foreign == []


@pytest.mark.parametrize("holder", constraint_holders(load_shapes(strict=False)), ids=_shape_id)
def test_every_constraint_has_a_message(shapes_graph: Graph, holder: Node) -> None:
    """Every property shape and SPARQL constraint says what is wrong and what to do."""
    constraints = list(shapes_graph.objects(holder, SH.property)) + list(
        shapes_graph.objects(holder, SH.sparql)
    )
    missing = [c for c in constraints if shapes_graph.value(c, SH.message) is None]
    assert missing == [], f"{holder}: constraints without sh:message: {missing}"


def test_every_named_node_shape_has_a_label(shapes_graph: Graph) -> None:
    unlabelled = [
        shape
        for shape in shapes_graph.subjects(RDF.type, SH.NodeShape)
        if isinstance(shape, URIRef) and shapes_graph.value(shape, RDFS.label) is None
    ]
    assert unlabelled == []


def test_every_targeted_shape_has_valid_and_invalid_fixtures(shapes_graph: Graph) -> None:
    covered_valid = {shape_of_fixture(f) for f in VALID}
    covered_invalid = {shape_of_fixture(f) for f in INVALID}
    shapes = targeted_shapes(shapes_graph)
    assert [s for s in shapes if s not in covered_valid] == []
    assert [s for s in shapes if s not in covered_invalid] == []


@pytest.mark.parametrize("path", FIXTURES, ids=_fixture_id)
def test_fixture_names_a_shape(shapes_graph: Graph, path: Path) -> None:
    assert (shape_of_fixture(path), RDF.type, SH.NodeShape) in shapes_graph, path.name
    assert path.read_text(encoding="utf-8").startswith("#"), "start with a header comment"


# --- Valid and invalid fixtures -----------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=_fixture_id)
def test_valid_fixture_conforms(path: Path, base_graph: Graph, shapes_graph: Graph) -> None:
    results, text = validate_fixture(path, base_graph, shapes_graph)
    violations = [r for r in results if r.severity == SH.Violation]
    assert violations == [], text
    shape = shape_of_fixture(path)
    from_shape = [r for r in results if owns(shapes_graph, shape, r.source_shape)]
    assert from_shape == [], f"{shape} reports on its valid fixture:\n{describe(from_shape)}"


@pytest.mark.parametrize("path", INVALID, ids=_fixture_id)
def test_invalid_fixture_is_caught(path: Path, base_graph: Graph, shapes_graph: Graph) -> None:
    expectations = read_expectations(path)
    assert expectations, f"{path.name} declares no '# expect:' line"
    results, _text = validate_fixture(path, base_graph, shapes_graph)
    for expected in expectations:
        found = [
            r
            for r in results
            if r.severity == expected.severity
            and owns(shapes_graph, expected.shape, r.source_shape)
            and (expected.path is None or r.path == expected.path)
        ]
        assert found, f"expected {expected}, got:\n{describe(results)}"
        assert all(r.message for r in found), f"{expected}: result without a message"
