"""The command line, run in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ehelsekg.cli import main

BROKEN_TURTLE = """@prefix ehk: <https://w3id.org/ehelsekg/ontology#> .
@prefix measure: <https://w3id.org/ehelsekg/id/measure/> .

measure:9001 a ehk:Measure ;
    ehk:label "unterminated .
"""

# A measure whose identifier is already used by another measure: a Violation.
DUPLICATE_ID = """@prefix ehk: <https://w3id.org/ehelsekg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/ehelsekg/id/measure/181-copy> a ehk:Measure ;
    dcterms:identifier "181" ;
    rdfs:label "Kopi av tiltak 181"@nb .
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def validate_json() -> dict[str, object]:
    result = run("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert isinstance(document, dict)
    return document


def test_validate_passes_on_the_bundled_data(validate_json: dict[str, object]) -> None:
    assert validate_json["conforms"] is True
    counts = validate_json["counts"]
    assert isinstance(counts, dict) and counts["Violation"] == 0
    assert isinstance(validate_json["triples"], int) and validate_json["triples"] > 5000


def test_validate_reports_a_violation_with_exit_1(tmp_path: Path) -> None:
    extra = tmp_path / "duplicate.ttl"
    extra.write_text(DUPLICATE_ID, encoding="utf-8")
    result = run("validate", "--data", str(extra))
    assert result.exit_code == 1, result.output
    assert "does NOT conform" in result.output
    assert "Violation: Kopi av tiltak 181" in result.output
    assert "measure:181-copy" in result.output


def test_syntax_error_names_file_and_line_with_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(BROKEN_TURTLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(broken)])
    assert result.exit_code == 2
    assert f"error: {broken}:5: syntax error" in result.output


def test_missing_data_path_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--data", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_only_replaces_the_bundled_data(tmp_path: Path) -> None:
    extra = tmp_path / "one.ttl"
    extra.write_text(DUPLICATE_ID, encoding="utf-8")
    result = run("stats", "--only", str(extra), "--format", "json")
    assert result.exit_code == 0, result.output
    counts = {row["label"]: row["count"] for row in json.loads(result.output)["classes"]}
    assert counts.get("Measure") == 1
    assert "Status assessment" not in counts


def test_stats_counts_classes_and_reports() -> None:
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    reports = {row["report"] for row in document["reports"]}
    assert len(reports) == 5
    classes = {row["label"]: row["count"] for row in document["classes"]}
    assert classes["Strategic goal"] == 5


def test_validate_turtle_is_a_shacl_report() -> None:
    result = run("validate", "--format", "turtle")
    assert result.exit_code == 0, result.output
    assert "sh:ValidationReport" in result.output
