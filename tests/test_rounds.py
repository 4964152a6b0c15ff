"""Reporting rounds from the command line: template, import, cell-level errors, round trip.

Every test works on a copy of the project folder (``--home``), never on the repository's data.
The expected values come from data/2022-09-portfolio-report.ttl (Vedlegg 2: 46 measures;
measure 181 Kjernejournal dokumentdeling, Helse Sør-Øst, status Gul; no active measure with
status Rød, as figure:2022-09-status-red states).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import SKOS

from ehelsekg.cli.main import main
from ehelsekg.namespaces import EHK
from tests.fixtures.rounds.workbooks import append_row, copy_project, row_values, set_cell

ROUND_FILE = "2023-03-portfolio-round.ttl"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)


@pytest.fixture
def workbook(home: Path, tmp_path: Path) -> Path:
    path = tmp_path / "runde.xlsx"
    result = run(
        home, "round", "template", "--report", "2023-03", "--date", "2023-03-31", "-o", str(path)
    )
    assert result.exit_code == 0, result.output
    return path


def import_round(home: Path, *args: str) -> Result:
    return run(home, "round", "import", *args)


def written(home: Path) -> bool:
    return (home / "data" / ROUND_FILE).exists()


def test_template_has_the_sheets_of_the_mapping_prefilled_from_2022_09(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == [
        "Tiltak",
        "Avhengigheter",
        "Veikartaktiviteter",
        "Kostnader",
        "Nøkkeltall",
        "Veiledning",
    ]
    tiltak = book["Tiltak"]
    assert [c.value for c in tiltak[1]] == [
        "Nr",
        "Eier",
        "Tiltak",
        "Fase",
        "Livsløpsstatus",
        "Status",
        "Risiko",
        "Innsatsområde",
        "Segment",
        "Kommentar",
    ]
    assert tiltak.freeze_panes == "A2"
    assert tiltak.max_row - 1 == 46  # the 46 assessments of Vedlegg 2
    row = row_values(workbook, "Tiltak", "181")
    assert (row["Eier"], row["Status"], row["Fase"]) == ("Helse Sør-Øst RHF", "Gul", "Gjennomføre")
    status_column = "F"
    lists = {str(v.sqref): v.formula1 for v in tiltak.data_validations.dataValidation}
    source = next(f for ref, f in lists.items() if ref.startswith(status_column + "2"))
    sheet, _, cells = source.partition("!")
    listed = book[sheet.strip("'")][cells.replace("$", "")]
    assert [row[0].value for row in listed] == ["Grønn", "Gul", "Rød"]
    assert book["Veiledning"].protection.sheet
    assert len(book["Avhengigheter"]["A"]) - 1 == 2  # the two red dependencies of chapter 2.3


def test_actor_gets_only_their_own_rows(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "hso.xlsx"
    result = run(
        home, "round", "template", "--report", "2023-03", "--date", "2023-03-31",
        "--actor", "Helse Sør-Øst RHF", "-o", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    owners = {row[1] for row in book["Tiltak"].iter_rows(min_row=2, values_only=True)}
    assert owners == {"Helse Sør-Øst RHF"}
    dependents = {row[0] for row in book["Avhengigheter"].iter_rows(min_row=2, values_only=True)}
    assert dependents == {"181"}  # 111 (Helseplattformen) is Helse Midt-Norge's


def test_done_when_lilla_refused_then_red_written_and_queried(home: Path, workbook: Path) -> None:
    line = set_cell(workbook, "Tiltak", "181", "Status", "Lilla")
    result = import_round(home, str(workbook), "--dry-run")
    assert result.exit_code == 1, result.output
    assert (
        f"runde.xlsx, Tiltak, rad {line}, Status: «Lilla» er ikke en av Grønn, Gul, Rød"
        in result.output
    )
    assert not written(home)

    set_cell(workbook, "Tiltak", "181", "Status", "Rød")
    result = import_round(home, str(workbook))
    assert result.exit_code == 0, result.output
    assert "181 Kjernejournal dokumentdeling: status: Gul → Rød" in result.output
    assert written(home)

    changes = run(home, "query", "status-changes", "-p", "from=2022-09", "-p", "to=2023-03",
                  "--format", "csv")  # fmt: skip
    assert changes.exit_code == 0, changes.output
    rows = [line.split(",") for line in changes.output.strip().splitlines()[1:]]
    assert [(r[1], r[3]) for r in rows] == [("181", "status")]
    summary = run(home, "query", "status-summary", "-p", "report=2023-03", "--format", "json")
    assert summary.exit_code == 0, summary.output
    import json

    bindings = json.loads(summary.output)["results"]["bindings"]
    red_all = [
        b
        for b in bindings
        if b["segment"]["value"].endswith("#SegmentScheme") and b["value"]["value"].endswith("#Red")
    ]
    assert [int(b["withStatus"]["value"]) for b in red_all] == [1]
    validate = run(home, "validate")
    assert validate.exit_code == 0, validate.output


def test_round_trip_gives_the_assessments_of_the_source(home: Path, workbook: Path) -> None:
    result = import_round(home, str(workbook))
    assert result.exit_code == 0, result.output
    source = Graph().parse(home / "data" / "2022-09-portfolio-report.ttl")
    imported = Graph().parse(home / "data" / ROUND_FILE)
    old, new = "/2022-09", "/2023-03"
    expected = _assessments(source, "2022-09", rename=(old, new))
    got = _assessments(imported, "2023-03")
    both, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    assert isomorphic(expected, got), (
        f"only in the source: {sorted(only_expected)[:5]}\nonly imported: {sorted(only_got)[:5]}"
    )
    assert len(both) > 400


def _assessments(graph: Graph, key: str, rename: tuple[str, str] | None = None) -> Graph:
    """The assessments of a report, without what a workbook does not carry: the editorial
    notes (judgements about the printed source) and the 'new in the portfolio' flag."""
    out = Graph()
    report = URIRef(f"https://w3id.org/ehelsekg/id/report/{key}")
    for subject in graph.subjects(EHK.reportedIn, report):
        if (subject, None, EHK.StatusAssessment) not in graph:
            continue
        for _s, p, o in graph.triples((subject, None, None)):
            if p in (SKOS.editorialNote, EHK.newInPortfolio):
                continue
            s2, o2 = subject, o
            if rename:
                s2 = URIRef(str(subject).replace(*rename))
                o2 = URIRef(str(o).replace(*rename)) if isinstance(o, URIRef) else o
            out.add((s2, p, o2))
    return out


BAD_CELLS = [
    ("Tiltak", "181", "Status", "Lilla", 1, "Status: «Lilla» er ikke en av Grønn, Gul, Rød"),
    ("Tiltak", "181", "Eier", "Helse Atlantis", 1, "Eier: ukjent aktør: «Helse Atlantis»"),
    ("Tiltak", "181", "Nr", "999", 1, "Nr: ukjent tiltak: «999»"),
    ("Tiltak", "181", "Livsløpsstatus", None, 1, "Livsløpsstatus: Livsløpsstatus mangler"),
    ("Avhengigheter", "181", "Frist", "31.12.2023", 1, "Frist: «31.12.2023» har feil format"),
    ("Tiltak", "181", "Kommentar", "=1+1", 2, "inneholder formelen «=1+1»"),
]


@pytest.mark.parametrize(
    ("sheet", "key", "column", "value", "code", "message"),
    BAD_CELLS,
    ids=["colour", "actor", "measure", "empty-required", "date-format", "formula"],
)
def test_a_bad_cell_is_named_and_nothing_is_written(
    home: Path,
    workbook: Path,
    sheet: str,
    key: str,
    column: str,
    value: object,
    code: int,
    message: str,
) -> None:
    line = set_cell(workbook, sheet, key, column, value)
    result = import_round(home, str(workbook))
    assert result.exit_code == code, result.output
    where = f"runde.xlsx, {sheet}, rad {line}, " if code == 1 else "runde.xlsx, "
    assert where in result.output and message in result.output, result.output
    assert not written(home)


def test_two_rows_for_one_measure(home: Path, workbook: Path) -> None:
    values = row_values(workbook, "Tiltak", "181")
    line = append_row(workbook, "Tiltak", values)
    result = import_round(home, str(workbook))
    assert result.exit_code == 1
    assert f"Tiltak, rad {line}, Nr: to rader for samme tiltak (181)" in result.output
    assert not written(home)


def test_a_hidden_sheet_is_refused(home: Path, workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    book["Kostnader"].sheet_state = "hidden"
    book.save(workbook)
    result = import_round(home, str(workbook))
    assert result.exit_code == 2
    assert "runde.xlsx, ark Kostnader: arket er skjult" in result.output
    assert not written(home)


def test_a_renamed_column_is_refused(home: Path, workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    book["Tiltak"]["F1"] = "Statuss"
    book.save(workbook)
    result = import_round(home, str(workbook))
    assert result.exit_code == 2
    assert "runde.xlsx, Tiltak, celle F1: kolonnen «Statuss» er ikke en kolonne i malen" in (
        result.output
    )
    assert "(mangler: Status)" in result.output
    assert not written(home)


def test_a_file_that_is_not_a_workbook(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "runde.xlsx"
    path.write_text("Nr;Status\n181;Gul\n", encoding="utf-8")
    result = import_round(home, str(path))
    assert result.exit_code == 2
    assert "runde.xlsx: er ikke en Excel-arbeidsbok (.xlsx)" in result.output
    assert not written(home)


def test_a_10_mb_file_is_refused(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "stor.xlsx"
    path.write_bytes(b"PK" + b"\0" * (10 * 1024 * 1024))
    result = import_round(home, str(path))
    assert result.exit_code == 2
    assert "stor.xlsx: filen er 10.0 MB, over grensen på 5 MB" in result.output
    assert not written(home)


def test_totals_that_contradict_the_rows(home: Path, workbook: Path) -> None:
    # The round keeps 2022-09's statuses: no active measure is red, so "3 red" is wrong.
    line = append_row(
        workbook,
        "Nøkkeltall",
        {"Type tall": "Antall tiltak med status", "Status": "Rød", "Verdi": 3, "Enhet": "antall"},
    )
    result = import_round(home, str(workbook))
    assert result.exit_code == 1, result.output
    assert f"runde.xlsx, Nøkkeltall, rad {line}" in result.output
    assert (
        "Detalj: Report Nasjonal e-helseportefølje – rapporteringsrunde 2023-03 states 3 as the"
        " number of active measures with status Red, but it holds 0" in result.output
    )
    assert not written(home)
    # The same figure with the right count is accepted.
    book = openpyxl.load_workbook(workbook)
    book["Nøkkeltall"].cell(row=line, column=6).value = 0
    book.save(workbook)
    assert import_round(home, str(workbook), "--dry-run").exit_code == 0


def test_csv_with_the_same_columns(home: Path, workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    lines = [
        ";".join("" if v is None else str(v) for v in row)
        for row in book["Tiltak"].iter_rows(values_only=True)
    ]
    path = tmp_path / "tiltak.csv"
    path.write_text("\n".join(lines).replace(";Gul;", ";Lilla;", 1) + "\n", encoding="utf-8")
    result = import_round(home, str(path), "--report", "2023-03", "--date", "2023-03-31")
    assert result.exit_code == 1
    assert "tiltak.csv, Tiltak, rad " in result.output and "«Lilla»" in result.output
    assert not written(home)


def test_dry_run_previews_and_writes_nothing(home: Path, workbook: Path) -> None:
    set_cell(workbook, "Tiltak", "181", "Risiko", "Rød")
    result = import_round(home, str(workbook), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "181 Kjernejournal dokumentdeling: risiko: Gul → Rød" in result.output
    assert "Ingenting skrevet (--dry-run)." in result.output
    assert not written(home)


def test_written_file_holds_the_report_and_its_sources(home: Path, workbook: Path) -> None:
    assert import_round(home, str(workbook)).exit_code == 0
    graph = Graph().parse(home / "data" / ROUND_FILE)
    report = URIRef("https://w3id.org/ehelsekg/id/report/2023-03")
    assert (report, EHK.sourceFile, Literal("runde.xlsx")) in graph
    assert (report, EHK.listsAllMeasures, Literal(True)) in graph
    facts = set(graph.subjects(EHK.reportedIn, report))
    typed = {s for s in graph.subjects() if s != report and (s, EHK.reportedIn, None) in graph}
    assert facts == typed and len(facts) == 46 + 2 + 54 + 16
    text = (home / "data" / ROUND_FILE).read_text(encoding="utf-8")
    assert text.startswith((home / "docs" / "prefixes.ttl").read_text(encoding="utf-8").rstrip())


def test_preview_names_new_and_gone_measures_and_new_red_dependencies(
    home: Path, workbook: Path
) -> None:
    # 107 Helsedataprogrammet is in the 2019 portfolio, not in 2022-09's Vedlegg 2.
    append_row(
        workbook,
        "Tiltak",
        {"Nr": "107", "Eier": "Direktoratet for e-helse", "Tiltak": "Helsedataprogrammet",
         "Livsløpsstatus": "Aktiv", "Status": "Grønn", "Risiko": "Grønn",
         "Innsatsområde": "3.2", "Segment": "Samstyre"},
    )  # fmt: skip
    book = openpyxl.load_workbook(workbook)
    sheet = book["Tiltak"]
    gone = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value) == "5")
    sheet.delete_rows(gone[0].row)
    book.save(workbook)
    append_row(
        workbook,
        "Avhengigheter",
        {"Tiltak": "182", "Avhengighet": "Kjernejournal", "Kategori": "Nasjonal løsning",
         "Kritikalitet": "Høy", "Status": "Rød", "Frist": "2023-06-30"},
    )  # fmt: skip
    result = import_round(home, str(workbook), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "107 Helsedataprogrammet: ny i rapporten" in result.output
    assert "5 Nasjonalt program for velferdsteknologi: ikke med i rapporten" in result.output
    assert "Nye røde avhengigheter:\n  Klinisk legemiddelsamhandling → Kjernejournal" in (
        result.output
    )


def test_the_round_flows_into_the_meeting_pack(home: Path, workbook: Path, tmp_path: Path) -> None:
    set_cell(workbook, "Tiltak", "181", "Status", "Rød")
    assert import_round(home, str(workbook)).exit_code == 0
    pack = run(home, "report", "--report", "2023-03", "-o", str(tmp_path / "pack"))
    assert pack.exit_code == 0, pack.output
    index = (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    assert "Kjernejournal dokumentdeling" in index
    view = tmp_path / "changes.html"
    changes = run(home, "view", "changes", "-p", "from=2022-09", "-p", "to=2023-03",
                  "-o", str(view))  # fmt: skip
    assert changes.exit_code == 0, changes.output
    assert "Kjernejournal dokumentdeling" in view.read_text(encoding="utf-8")


def test_into_a_store_through_the_update_gate(home: Path, workbook: Path, tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    set_cell(workbook, "Tiltak", "181", "Status", "Lilla")
    refused = import_round(home, str(workbook), "--store", store)
    assert refused.exit_code == 1
    assert "Status: «Lilla» er ikke en av Grønn, Gul, Rød" in refused.output
    set_cell(workbook, "Tiltak", "181", "Status", "Rød")
    result = import_round(home, str(workbook), "--store", store)
    assert result.exit_code == 0, result.output
    assert f"Skrevet: {store}" in result.output
    assert not written(home)
    changes = run(home, "query", "status-changes", "-p", "from=2022-09", "-p", "to=2023-03",
                  "--store", store, "--format", "csv")  # fmt: skip
    assert changes.exit_code == 0, changes.output
    assert ",181," in changes.output


def test_a_round_for_a_report_that_exists_is_refused(home: Path, workbook: Path) -> None:
    result = import_round(home, str(workbook), "--report", "2022-09", "--date", "2022-06-30")
    assert result.exit_code == 1
    assert "Runden: rapport 2022-09 finnes allerede i grafen" in result.output
    assert not (home / "data" / "2022-09-portfolio-round.ttl").exists()


def test_importing_a_corrected_round_again_replaces_its_file(home: Path, workbook: Path) -> None:
    assert import_round(home, str(workbook)).exit_code == 0
    set_cell(workbook, "Tiltak", "181", "Risiko", "Rød")
    again = import_round(home, str(workbook))
    assert again.exit_code == 0, again.output
    assert "181 Kjernejournal dokumentdeling: risiko: Gul → Rød" in again.output
    graph = Graph().parse(home / "data" / ROUND_FILE)
    risks = set(
        graph.objects(URIRef("https://w3id.org/ehelsekg/id/assessment/2023-03-181"), EHK.risk)
    )
    assert risks == {EHK.Red}


def test_owners_workbooks_are_one_round(home: Path, tmp_path: Path) -> None:
    paths = []
    for actor, name in (("Helse Sør-Øst RHF", "hso.xlsx"), ("Helse Nord RHF", "hn.xlsx")):
        path = tmp_path / name
        result = run(home, "round", "template", "--report", "2023-03", "--date", "2023-03-31",
                     "--actor", actor, "-o", str(path))  # fmt: skip
        assert result.exit_code == 0, result.output
        paths.append(path)
    set_cell(paths[0], "Tiltak", "181", "Status", "Rød")
    result = import_round(home, *map(str, paths), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "181 Kjernejournal dokumentdeling: status: Gul → Rød" in result.output
    # A measure in both workbooks is a duplicate, named with the file of the first row.
    first = append_row(paths[1], "Tiltak", row_values(paths[0], "Tiltak", "181"))
    line = set_cell(paths[0], "Tiltak", "181", "Kommentar", "Meldt to ganger")
    result = import_round(home, str(paths[1]), str(paths[0]))
    assert result.exit_code == 1
    assert (
        f"hso.xlsx, Tiltak, rad {line}, Nr: to rader for samme tiltak (181);"
        f" den første står i hn.xlsx, rad {first}" in result.output
    )
    assert not written(home)


def test_template_from_an_older_report(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "fra-2019.xlsx"
    result = run(home, "round", "template", "--report", "2023-03", "--date", "2023-03-31",
                 "--from", "2019-10", "-o", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "fylt ut fra 2019-10" in result.output
    assert "Helsedataprogrammet" in {
        row[2] for row in openpyxl.load_workbook(path)["Tiltak"].iter_rows(values_only=True)
    }


def test_a_missing_column_is_refused(home: Path, workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    book["Tiltak"].delete_cols(9)  # Segment
    book.save(workbook)
    result = import_round(home, str(workbook))
    assert result.exit_code == 2
    assert "runde.xlsx, Tiltak: kolonnen «Segment» mangler i overskriftsraden" in result.output
    assert not written(home)
