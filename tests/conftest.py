"""Session-wide fixtures: the project settings, the bundled graph and its validation report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import load_graph, load_shapes
from ehelsekg.validation.report import ValidationReport, validate


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def graph(settings: Settings) -> Graph:
    """Ontology and bundled data, as the CLI loads them."""
    return load_graph(settings)


@pytest.fixture(scope="session")
def shapes(settings: Settings) -> Graph:
    return load_shapes(settings)


@pytest.fixture(scope="session")
def bundled_report(graph: Graph, shapes: Graph) -> ValidationReport:
    return validate(graph, shapes)


@pytest.fixture(scope="session")
def knowledge(settings: Settings) -> KnowledgeGraph:
    """The bundled data in the embedded Oxigraph store, with inferences."""
    return open_knowledge_graph(settings)


@pytest.fixture(scope="session")
def catalogue(settings: Settings) -> Catalogue:
    return Catalogue(settings.queries_dir)


@pytest.fixture
def small_graph(tmp_path: Path, settings: Settings) -> Callable[[str], KnowledgeGraph]:
    """Build a knowledge graph from the ontology plus a Turtle snippet (prefixes are added)."""

    def build(turtle: str) -> KnowledgeGraph:
        path = tmp_path / "snippet.ttl"
        prefixes = (settings.home / "docs" / "prefixes.ttl").read_text(encoding="utf-8")
        path.write_text(prefixes + "\n" + turtle, encoding="utf-8")
        return open_knowledge_graph(settings, only=[path])

    return build
