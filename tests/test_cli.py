"""The command line, run in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ehelsekg.cli.main import main

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


def test_both_engines_report_the_same(tmp_path: Path) -> None:
    """The shapes compiled to SPARQL (the default) and pyshacl find the same results."""
    extra = tmp_path / "duplicate.ttl"
    extra.write_text(DUPLICATE_ID, encoding="utf-8")
    documents = []
    for engine in ("sparql", "pyshacl"):
        result = run("validate", "--data", str(extra), "--format", "json", "--engine", engine)
        assert result.exit_code == 1, result.output
        documents.append(json.loads(result.output))
    compiled, reference = documents
    assert compiled["counts"] == reference["counts"]
    assert compiled["results"] == reference["results"]
    assert compiled["counts"]["Violation"] >= 1


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


def test_queries_lists_every_named_query_with_parameters() -> None:
    result = run("queries", "--format", "json")
    assert result.exit_code == 0, result.output
    listing = {q["name"]: q for q in json.loads(result.output)}
    assert {"goals", "measures-by-goal", "red-dependencies-blocking-goal", "search"} <= set(listing)
    (goal,) = listing["measures-by-goal"]["parameters"]
    assert goal["name"] == "goal" and goal["required"] is True and goal["options"]["max"] == "5"


def test_query_as_sparql_json() -> None:
    result = run("query", "goals", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["head"]["vars"][:3] == ["goal", "number", "title"]
    numbers = [b["number"]["value"] for b in document["results"]["bindings"]]
    assert numbers == ["1", "2", "3", "4", "5"]


def test_query_table_shows_labels_not_iris() -> None:
    result = run("query", "measures-by-goal", "--param", "goal=4")
    assert result.exit_code == 0, result.output
    assert "Program pasientens legemiddelliste" in result.output
    assert "https://w3id.org" not in result.output


def test_query_csv_follows_sparql_csv() -> None:
    result = run("query", "goals", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.decode("utf-8").split("\r\n")
    assert lines[0] == "goal,number,title,strategy"
    assert lines[1].startswith("https://w3id.org/ehelsekg/id/goal/1,1,Enklere arbeidshverdag")


def test_errors_a_person_can_act_on_have_distinct_exit_codes(tmp_path: Path) -> None:
    unknown = CliRunner().invoke(main, ["query", "measures-by-gaol"])
    assert unknown.exit_code == 4
    assert "Did you mean: measures-by-goal" in unknown.output
    missing = CliRunner().invoke(main, ["query", "measures-by-goal"])
    assert missing.exit_code == 5 and "needs parameter 'goal'" in missing.output
    ill_typed = CliRunner().invoke(main, ["query", "dependencies", "-p", "status=purple"])
    assert ill_typed.exit_code == 5 and "Allowed values" in ill_typed.output
    malformed = CliRunner().invoke(main, ["query", "goals", "-p", "oops"])
    assert malformed.exit_code == 5 and "key=value" in malformed.output
    syntax = CliRunner().invoke(main, ["sparql", "SELECT * WHERE {\n  ?s ?p\n}"])
    assert syntax.exit_code == 6 and "error at 3:2" in syntax.output
    broken = tmp_path / "broken.ttl"
    broken.write_text(BROKEN_TURTLE, encoding="utf-8")
    unreadable = CliRunner().invoke(main, ["query", "goals", "--data", str(broken)])
    assert unreadable.exit_code == 2 and f"{broken}:5" in unreadable.output


def test_sparql_select_ask_and_construct(tmp_path: Path) -> None:
    select = run(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/ehelsekg/ontology#Measure> }",
        "--format",
        "csv",
    )
    assert select.exit_code == 0 and int(select.stdout_bytes.decode().split("\r\n")[1]) > 70
    ask = run(
        "sparql",
        "ASK { ?g a <https://w3id.org/ehelsekg/ontology#StrategicGoal> }",
        "--format",
        "json",
    )
    assert json.loads(ask.output) == {"head": {}, "boolean": True}
    query_file = tmp_path / "goals.rq"
    query_file.write_text(
        "CONSTRUCT { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE "
        "{ ?g a <https://w3id.org/ehelsekg/ontology#StrategicGoal> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
        encoding="utf-8",
    )
    construct = run("sparql", f"@{query_file}")
    assert construct.exit_code == 0
    assert construct.output.count("Enklere arbeidshverdag") == 1
    as_json_ld = run("sparql", f"@{query_file}", "--format", "json-ld")
    assert len(json.loads(as_json_ld.output)) == 5


def test_asserted_only_leaves_out_inferences() -> None:
    query = "ASK { ?m <https://w3id.org/ehelsekg/ontology#contributesToGoal> ?g }"
    assert json.loads(run("sparql", query, "--format", "json").output)["boolean"] is True
    asserted = run("sparql", query, "--format", "json", "--asserted-only")
    assert json.loads(asserted.output)["boolean"] is False


def test_readme_lists_every_setting_with_its_default() -> None:
    from ehelsekg.settings import describe_settings

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for variable, default, _help in describe_settings():
        if variable in ("EHELSEKG_HOME", "EHELSEKG_CACHE_DIR"):
            assert f"`{variable}`" in readme
            continue
        assert f"| `{variable}` | `{default}` |" in readme, variable


# Every command that takes --store, with arguments that would succeed on the bundled data.
STORE_COMMANDS = {
    "query": ["query", "goals"],
    "sparql": ["sparql", "ASK {}"],
    "critical-path": ["critical-path", "rmservice:pll"],
    "impact": ["impact", "rmservice:pll", "--slip", "1"],
    "hotspots": ["hotspots"],
    "view": ["view", "roadmap", "-o", "{tmp}/roadmap.html"],
    "report": ["report", "-o", "{tmp}/pack"],
    "dump": ["dump", "{tmp}/all.nq"],
    "serve": ["serve", "--port", "1"],
}


def test_every_store_option_is_the_one_shared_option() -> None:
    """One --store, defined once (cli/options.py), on every command that opens a store."""
    from ehelsekg.cli.options import store_option

    shared = store_option()(lambda: None).__click_params__[0]  # type: ignore[attr-defined]
    for name, command in main.commands.items():
        stores = [p for p in command.params if p.name == "store"]
        if name == "load":
            assert stores[0].required, "load always names the store it writes"
        elif stores:
            assert stores[0].callback is shared.callback, name
            assert stores[0].default is None, name
    assert {n for n, c in main.commands.items() if any(p.name == "store" for p in c.params)} == {
        *STORE_COMMANDS,
        "load",
    }


@pytest.mark.parametrize("name", sorted(STORE_COMMANDS))
def test_store_defaults_to_the_setting(name: str, tmp_path: Path) -> None:
    """EHELSEKG_STORE is the default of every command's --store: a store form that does not
    exist makes each of them fail the same way, before any work (exit 2); --store given on the
    command line wins over the setting."""
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in STORE_COMMANDS[name]]
    result = CliRunner().invoke(main, args, env={"EHELSEKG_STORE": "nowhere:at-all"})
    assert result.exit_code == 2, result.output
    assert "nowhere:at-all: unknown store" in result.output
    if name in ("query", "sparql", "hotspots"):
        explicit = CliRunner().invoke(
            main, [*args, "--store", "memory"], env={"EHELSEKG_STORE": "nowhere:at-all"}
        )
        assert explicit.exit_code == 0, explicit.output


def test_store_setting_names_an_on_disk_store(tmp_path: Path) -> None:
    """With EHELSEKG_STORE=oxigraph:PATH, `query` fills that store and `dump` reads it back."""
    env = {"EHELSEKG_STORE": f"oxigraph:{tmp_path / 'kg'}"}
    query = CliRunner().invoke(main, ["query", "goals", "--format", "csv"], env=env)
    assert query.exit_code == 0, query.output
    assert (tmp_path / "kg").is_dir()
    dumped = CliRunner().invoke(main, ["dump", str(tmp_path / "all.nq")], env=env)
    assert dumped.exit_code == 0, dumped.output
    assert "Enklere arbeidshverdag" in (tmp_path / "all.nq").read_text(encoding="utf-8")


def _small_home(tmp_path: Path) -> Path:
    """A home with the project's ontology, data and shapes, and one named query."""
    from ehelsekg.settings import Settings

    project = Settings()
    home = tmp_path / "home"
    (home / "queries").mkdir(parents=True)
    for folder in ("ontology", "data", "shapes"):
        (home / folder).symlink_to(project.home / folder)
    (home / "queries" / "lookups").symlink_to(project.queries_dir / "lookups")
    (home / "queries" / "goals.rq").write_text(
        (project.queries_dir / "goals.rq").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return home


def test_home_replaces_only_the_home(tmp_path: Path) -> None:
    """--home changes where the files are and keeps every other setting of the environment."""
    home = _small_home(tmp_path)
    listing = run("--home", str(home), "queries", "--format", "json")
    assert [q["name"] for q in json.loads(listing.output)] == ["goals"]
    # EHELSEKG_HOME is overridden; EHELSEKG_STORE is kept.
    env = {"EHELSEKG_HOME": str(tmp_path / "nowhere"), "EHELSEKG_STORE": "nowhere:at-all"}
    kept = CliRunner().invoke(main, ["--home", str(home), "query", "goals"], env=env)
    assert kept.exit_code == 2 and "nowhere:at-all: unknown store" in kept.output
    works = CliRunner().invoke(
        main,
        ["--home", str(home), "query", "goals", "--format", "csv"],
        env=env | {"EHELSEKG_STORE": "memory"},
    )
    assert works.exit_code == 0, works.output
    assert "Enklere arbeidshverdag" in works.output


def test_home_from_the_environment(tmp_path: Path) -> None:
    home = _small_home(tmp_path)
    listing = CliRunner().invoke(
        main, ["queries", "--format", "json"], env={"EHELSEKG_HOME": str(home)}
    )
    assert listing.exit_code == 0, listing.output
    assert [q["name"] for q in json.loads(listing.output)] == ["goals"]


def test_an_ill_formed_setting_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["queries"], env={"EHELSEKG_WORKERS": "two"})
    assert result.exit_code == 2
    assert "EHELSEKG_WORKERS='two'" in result.output
