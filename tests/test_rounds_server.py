"""Reporting rounds over HTTP: POST /rounds and the upload form, on the in-process app.

The app serves a copy of the project folder (its data/ is never written; a round through the
server goes into the store, not into a file). Expected values as in test_rounds.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ehelsekg.cli.main import main
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from server import create_app
from tests import chromium
from tests.fixtures.rounds.workbooks import copy_project, set_cell

TOKEN = "round-token"
#: Screenshots for a person to look at (git-ignored), as the other browser tests keep them.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("rounds-server") / "project")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    settings = Settings(home=home, update_token=TOKEN, workers=1, update_timeout=60.0)
    app = create_app(settings, knowledge=open_knowledge_graph(settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def template(home: Path, path: Path, report: str, date: str) -> Path:
    result = CliRunner().invoke(
        main,
        ["--home", str(home), "round", "template", "--report", report,
         "--date", date, "-o", str(path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def workbook(home: Path, tmp_path: Path) -> Path:
    return template(home, tmp_path / "runde.xlsx", "2023-03", "2023-03-31")


def upload(path: Path) -> dict[str, tuple[str, bytes, str]]:
    return {"files": (path.name, path.read_bytes(), XLSX)}


def test_the_form_is_norwegian(client: TestClient) -> None:
    response = client.get("/rounds")
    assert response.status_code == 200
    assert '<html lang="nb">' in response.text
    assert 'type="file" name="files"' in response.text


def test_a_round_needs_the_token_and_the_same_site(client: TestClient, workbook: Path) -> None:
    response = client.post("/rounds?dry_run=true", files=upload(workbook))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorised"
    cross = {**AUTH, "Sec-Fetch-Site": "cross-site"}
    response = client.post("/rounds?dry_run=true", files=upload(workbook), headers=cross)
    assert response.status_code == 403


def test_lilla_is_a_422_naming_the_cell_then_red_is_applied(
    client: TestClient, workbook: Path, home: Path
) -> None:
    line = set_cell(workbook, "Tiltak", "181", "Status", "Lilla")
    response = client.post("/rounds?dry_run=true", files=upload(workbook), headers=AUTH)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (422, "round-invalid")
    wrong = [p for p in error["details"] if p["severity"] == "Violation"]
    assert [
        (p["file"], p["sheet"], p["row"], p["column"], p["value"], p["message"]) for p in wrong
    ] == [
        ("runde.xlsx", "Tiltak", line, "Status", "Lilla", "«Lilla» er ikke en av Grønn, Gul, Rød")
    ]

    set_cell(workbook, "Tiltak", "181", "Status", "Rød")
    checked = client.post("/rounds?dry_run=true", files=upload(workbook), headers=AUTH)
    assert checked.status_code == 200, checked.text
    assert checked.json()["applied"] is False
    response = client.post("/rounds", files=upload(workbook), headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] is True
    assert "181 Kjernejournal dokumentdeling: status: Gul → Rød" in body["previewText"]

    changes = client.get("/queries/status-changes", params={"from": "2022-09", "to": "2023-03"})
    assert changes.status_code == 200, changes.text
    rows = changes.json()["rows"]
    assert [(r["id"]["value"], r["change"]["value"]) for r in rows] == [("181", "status")]
    summary = client.get("/queries/status-summary", params={"report": "2023-03"}).json()
    red = [
        int(b["withStatus"]["value"])
        for b in summary["rows"]
        if b["segment"]["value"].endswith("#SegmentScheme") and b["value"]["value"].endswith("#Red")
    ]
    assert red == [1]
    # Through the server a round goes into the store, not into a data file.
    assert not (home / "data" / "2023-03-portfolio-round.ttl").exists()
    assert not (
        Path(client.app.state.service.settings.home) / "data" / "2023-03-portfolio-round.ttl"
    ).exists()  # type: ignore[attr-defined]


def test_a_file_that_is_not_a_workbook(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "runde.xlsx"
    path.write_text("Nr;Status\n181;Gul\n", encoding="utf-8")
    response = client.post("/rounds?dry_run=true", files=upload(path), headers=AUTH)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unreadable-file"
    assert error["message"].startswith("runde.xlsx: er ikke en Excel-arbeidsbok")


def test_the_form_shows_the_errors_as_a_table(
    client: TestClient, home: Path, tmp_path: Path
) -> None:
    # Round 2023-03 may be in the store already (an earlier test): the form uses 2023-09.
    workbook = template(home, tmp_path / "runde.xlsx", "2023-09", "2023-09-30")
    set_cell(workbook, "Tiltak", "181", "Risiko", "Lilla")
    response = client.post(
        "/rounds/skjema",
        files=upload(workbook),
        data={"token": TOKEN, "dry_run": "true"},
    )
    assert response.status_code == 422
    assert "<th>Kolonne</th>" in response.text
    assert "<td>Risiko</td><td>Lilla</td>" in response.text.replace("\n      ", "")
    assert "ingenting er skrevet" in response.text
    wrong_token = client.post("/rounds/skjema", files=upload(workbook), data={"token": "nei"})
    assert wrong_token.status_code == 401


def test_a_round_already_in_the_store_is_refused(client: TestClient, workbook: Path) -> None:
    set_cell(workbook, "Tiltak", "181", "Status", "Rød")
    client.post("/rounds", files=upload(workbook), headers=AUTH)  # applied, or already there
    again = client.post("/rounds?dry_run=true", files=upload(workbook), headers=AUTH)
    assert again.status_code == 422
    details = again.json()["error"]["details"]
    assert details[0]["message"] == "rapport 2023-03 finnes allerede i grafen"


def test_a_file_over_the_limit_is_413(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "stor.xlsx"
    path.write_bytes(b"PK" + b"\0" * (10 * 1024 * 1024))
    response = client.post("/rounds?dry_run=true", files=upload(path), headers=AUTH)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["message"].startswith("stor.xlsx: filen er")
    assert "over grensen på 5 MB" in error["message"]


@pytest.mark.skipif(not chromium.available(), reason="Chromium is not installed")
def test_the_error_table_in_chromium(client: TestClient, home: Path, tmp_path: Path) -> None:
    """The form's answer in a real browser: it loads nothing from elsewhere, and every cell of
    the error table is readable (≥ 12 CSS px). A screenshot is kept for review."""
    workbook = template(home, tmp_path / "runde.xlsx", "2023-09", "2023-09-30")
    set_cell(workbook, "Tiltak", "181", "Status", "Lilla")
    set_cell(workbook, "Tiltak", "160", "Eier", "Helse Atlantis")
    response = client.post(
        "/rounds/skjema", files=upload(workbook), data={"token": TOKEN, "dry_run": "true"}
    )
    assert response.status_code == 422
    page = tmp_path / "runde.html"
    page.write_text(response.text, encoding="utf-8")
    browser = chromium.Browser()
    try:
        browser.window(1280, 800)
        report = browser.open(page, ready="document.readyState === 'complete'")
        assert [url for url in report.requests if not url.startswith("file:")] == []
        assert report.console_errors == []
        sizes = browser.evaluate(
            "[...document.querySelectorAll('td, th, label, p')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert sizes and min(sizes) >= 12
        cells = browser.evaluate("[...document.querySelectorAll('tbody tr')].map(r => r.innerText)")
        assert any("Status\tLilla\t«Lilla» er ikke en av Grønn, Gul, Rød" in c for c in cells)
        assert any("Eier\tHelse Atlantis\tukjent aktør: «Helse Atlantis»" in c for c in cells)
        browser.screenshot(SCREENSHOTS / "rounds-errors.png")
    finally:
        browser.close()
