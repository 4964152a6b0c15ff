"""The bundled data: every file parses, it conforms, and it reproduces what the sources state."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from ehelsekg.cli import text as render
from ehelsekg.namespaces import EHK, REPORT
from ehelsekg.settings import Settings
from ehelsekg.store.loading import parse_file, rdf_files
from ehelsekg.validation.report import Severity, ValidationReport

SETTINGS = Settings()
RDF_FILES = rdf_files([SETTINGS.ontology_dir, SETTINGS.data_dir])
CHECKS = sorted(SETTINGS.queries_dir.glob("checks/*.rq"))
#: The source documents, beside the checkout (not part of the repository).
SEEDS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds").resolve()


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: str(p.relative_to(SETTINGS.home)))
def test_file_parses(path: Path) -> None:
    assert len(parse_file(path)) > 0


def test_every_source_document_has_its_data_file(graph: Graph) -> None:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the source documents are not beside this checkout (no {SEEDS}); they live in"
            " ../shared/seeds/ next to the repository"
        )
    source_files = {str(f) for f in graph.objects(None, EHK.sourceFile)}
    assert source_files == {p.name for p in SEEDS.glob("0*.txt")}
    for report in graph.subjects(RDF.type, EHK.Report):
        assert (None, EHK.reportedIn, report) in graph, f"no fact comes from {report}"


def test_bundled_data_has_no_violation(bundled_report: ValidationReport) -> None:
    assert bundled_report.counts[Severity.VIOLATION] == 0, render.validation_text(bundled_report)


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_quality_check_finds_nothing(graph: Graph, check: Path) -> None:
    rows = list(graph.query(check.read_text(encoding="utf-8")))
    assert rows == [], f"{check.name} found {len(rows)} rows, e.g. {rows[:5]}"


SUMMARY_2022_09 = """
PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>
SELECT
  (COUNT(DISTINCT ?a) AS ?active)
  (COUNT(DISTINCT ?samstyre) AS ?inSamstyre)
  (COUNT(DISTINCT ?yellow) AS ?yellowStatus)
  (COUNT(DISTINCT ?red) AS ?redStatus)
  (COUNT(DISTINCT ?redRisk) AS ?redRisks)
WHERE {
  ?a ehk:reportedIn ?report ; ehk:lifecycleState ehk:StateActive .
  OPTIONAL { ?a ehk:segment ehk:SegmentSamstyre . BIND(?a AS ?samstyre) }
  OPTIONAL { ?a ehk:status ehk:Yellow . BIND(?a AS ?yellow) }
  OPTIONAL { ?a ehk:status ehk:Red . BIND(?a AS ?red) }
  OPTIONAL { ?a ehk:risk ehk:Red . BIND(?a AS ?redRisk) }
}
"""


def test_september_2022_reproduces_the_reports_own_summary(graph: Graph) -> None:
    """Figures from seed 000, chapter 1 and 2: "Den nasjonale e-helseporteføljen består av 42
    aktive tiltak, hvorav ingen har rød status. 24 har gul status … Ett tiltak (Statistisk
    logganalyse) melder rød risiko"; "42 aktive tiltak, hvorav 13 tilhører segmentet Samstyring".
    Computed over the assessments, not read from the stated figures."""
    (row,) = graph.query(SUMMARY_2022_09, initBindings={"report": REPORT["2022-09"]})
    active, samstyre, yellow, red, red_risk = (int(value) for value in row)  # type: ignore[union-attr]
    assert (active, samstyre, yellow, red, red_risk) == (42, 13, 24, 0, 1)


def test_the_red_risk_is_statistisk_logganalyse(graph: Graph) -> None:
    query = """
        PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?id WHERE {
          ?a ehk:reportedIn ?report ; ehk:risk ehk:Red ; ehk:assessedMeasure ?m .
          ?m dcterms:identifier ?id .
        }"""
    ids = [str(row[0]) for row in graph.query(query, initBindings={"report": REPORT["2022-09"]})]  # type: ignore[index]
    assert ids == ["201"]  # "Statistisk logganalyse melder forsinkelser grunnet ROS arbeid"


def test_2019_portfolio_lists_the_52_projects_its_summary_states(graph: Graph) -> None:
    """Seed 002: "Nasjonal portefølje for april 2019 består av: Antall prosjekter/programmer 52"."""
    assessments = set(graph.subjects(EHK.reportedIn, REPORT["2019-10"])) & set(
        graph.subjects(RDF.type, EHK.StatusAssessment)
    )
    assert len(assessments) == 52


def test_cost_increase_2022_09_matches_the_reports_totals(graph: Graph) -> None:
    """Seed 000, chapter 5: Totalsum 33, 53, 97, 40, 20 MNOK for 2022–2026 (rounded)."""
    query = """
        PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>
        SELECT ?year (SUM(?amount) AS ?total) WHERE {
          ?c a ehk:CostObservation ; ehk:reportedIn ?report ; ehk:costKind ehk:CostIncrease ;
             ehk:year ?year ; ehk:amount ?amount .
        } GROUP BY ?year ORDER BY ?year"""
    totals = {
        int(row[0]): float(row[1])  # type: ignore[index]
        for row in graph.query(query, initBindings={"report": REPORT["2022-09"]})
    }
    stated = {2022: 33, 2023: 53, 2024: 97, 2025: 40, 2026: 20}
    assert totals.keys() == stated.keys()
    for year, value in stated.items():
        assert abs(totals[year] - value) <= 0.5, (year, totals[year], value)


def test_merger_of_the_directorates_is_an_org_change_event(graph: Graph) -> None:
    """Seed 003, case 9/25: "sammenslåingen av Helsedirektoratet og Direktoratet for e-helse fra
    1. januar 2024"."""
    query = """
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX actor: <https://w3id.org/ehelsekg/id/actor/>
        SELECT ?date WHERE {
          ?event a org:ChangeEvent ;
                 org:originalOrganization actor:direktoratet-for-e-helse ;
                 org:resultingOrganization actor:helsedirektoratet ;
                 dcterms:date ?date .
        }"""
    dates = [str(row[0]) for row in graph.query(query)]  # type: ignore[index]
    assert dates == ["2024-01-01"]
