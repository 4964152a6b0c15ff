"""Session-wide fixtures: the project settings, the bundled graph and its validation report."""

from __future__ import annotations

import pytest
from rdflib import Graph

from ehelsekg.loading import load_graph, load_shapes
from ehelsekg.settings import Settings
from ehelsekg.validation import ValidationReport, validate


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
