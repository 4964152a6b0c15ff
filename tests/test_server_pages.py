"""The council's pages on the server (issue 13): a Norwegian start page at / with the goals'
status counts and pickers for every view, the views listed as a page, Norwegian error pages
that say what to choose, and each report's meeting pack as a page and a zip. The start page is
opened in Chromium (network blocked) at both window sizes and checked by axe-core."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import KnowledgeGraph
from ehelsekg.namespaces import EHK
from ehelsekg.settings import Settings
from server import create_app
from tests.chromium import DOM_LABELS_JS, SHOWN_TEXT_JS, Browser, available, axe_violations
from tests.test_accessibility import AXE, ENGLISH, SCREENSHOTS, WINDOWS

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def client(settings: Settings, knowledge: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(settings, knowledge=knowledge)) as test_client:
        yield test_client


def test_start_page_is_norwegian_with_goals_and_pickers(
    client: TestClient, knowledge: KnowledgeGraph
) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    # Goal 4 has 14 measures (data/2022-goal-initiatives.ttl), 7 green and 7 yellow.
    assert re.search(
        r"Mål 4: Tilgjengelig informasjon og styrket samhandling</th><td>14</td>", page.text
    )
    assert f"{swatch_of(knowledge, EHK.Yellow)}7 gul" in page.text
    assert f"{swatch_of(knowledge, EHK.Green)}7 grønn" in page.text
    # A goal without measures says so, without a swatch.
    assert "<td>ingen tiltak</td>" in page.text
    for link in ('href="/report/2022-09"', 'href="/query"', 'href="/views/goal?goal=4"'):
        assert link in page.text
    for name in ("goal", "target", "node", "slip", "actor", "from", "to", "report"):
        assert f'name="{name}"' in page.text
    assert "Helse Sør-Øst RHF" in page.text
    # The portfolio office's upload form for a reporting round (issue 15).
    assert 'action="/rounds/skjema"' in page.text and 'type="file" name="files"' in page.text


def test_views_page_for_browsers_json_for_tools(client: TestClient) -> None:
    assert "<h1>Visninger</h1>" in client.get("/views", headers=HTML).text
    listed = client.get("/views").json()
    assert {v["name"] for v in listed} >= {"goal", "roadmap"}


def test_view_without_its_choice_says_what_to_choose(client: TestClient) -> None:
    page = client.get("/views/goal", headers=HTML)
    assert page.status_code == 422 and "Velg et mål." in page.text
    assert '<select name="goal">' in page.text
    unknown = client.get("/views/nope", headers=HTML)
    assert unknown.status_code == 404 and "Det finnes ingen visning" in unknown.text
    bad = client.get("/views/actor", params={"actor": "ingen slik"}, headers=HTML)
    assert bad.status_code == 422 and "Velg fra listene" in bad.text
    assert client.get("/views/goal").json()["error"]["code"] == "bad-parameter"


def test_meeting_pack_is_served_as_page_and_zip(client: TestClient) -> None:
    assert client.get("/report/2022-09", follow_redirects=False).status_code == 307
    page = client.get("/report/2022-09/")
    assert page.status_code == 200 and "Nasjonal e-helseportefølje – status" in page.text
    assert 'data-figure="active">42<' in page.text
    assert client.get("/report/2022-09/views/goal-4.html").status_code == 200
    goal = client.get("/report/2022-09/views/goal-4.html").text
    assert "/resource/measure/111" in goal  # served, the pack links to the entity pages
    archive = zipfile.ZipFile(io.BytesIO(client.get("/report/2022-09.zip").content))
    assert "motepakke-2022-09/index.html" in archive.namelist()
    assert client.get("/report/2099-01/").status_code == 404
    missing = client.get("/report/2099-01", headers=HTML)
    assert missing.status_code == 404 and "Ingen møtepakke" in missing.text


PAGES = {
    "start": "/",
    "views": "/views",
    "measure-181": "/resource/measure/181",
    "query-measures-by-goal": "/query/measures-by-goal?goal=4",
    "query-status-changes": "/query/status-changes?from=2019-10&to=2022-09",
    "query-council-cases": "/query/council-cases",
}


@pytest.mark.parametrize("size", WINDOWS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_in_chromium(
    client: TestClient, name: str, size: tuple[int, int], tmp_path: Path
) -> None:
    if not available():
        pytest.skip("no Chromium: run scripts/install-chromium.sh")
    path = tmp_path / f"{name}.html"
    path.write_text(client.get(PAGES[name], headers=HTML).text, encoding="utf-8")
    browser = Browser()
    try:
        browser.window(*size)
        report = browser.open(path, ready="document.readyState === 'complete'")
        assert report.console_errors == [] and report.failed == []
        assert set(report.requests) == {path.resolve().as_uri()}
        browser.screenshot(SCREENSHOTS / f"page-{name}-{size[0]}x{size[1]}.png")
        labels = browser.evaluate(DOM_LABELS_JS)
        assert [x["text"] for x in labels if x["px"] < 12] == []
        text = browser.evaluate(SHOWN_TEXT_JS)
        assert "https://w3id.org/" not in text and ENGLISH.findall(text) == []
        assert axe_violations(browser, AXE) == []
    finally:
        browser.close()


def swatch_of(knowledge: KnowledgeGraph, concept: URIRef) -> str:
    """The swatch a page shows beside a status, in the colour the ontology gives it."""
    colour = knowledge.store.query(f"SELECT ?c WHERE {{ <{concept}> <{EHK.colour}> ?c }}")
    return f'<span class="swatch" style="background-color: {colour.rows[0][0]}"></span>'


def test_measure_page_in_norwegian(client: TestClient, knowledge: KnowledgeGraph) -> None:
    # Measure 181 (data/2022-09-portfolio-report.ttl): yellow status and risk, owned by Helse
    # Sør-Øst RHF, waiting on a red dependency; its history lists the September 2022 report.
    page = client.get("/resource/measure/181", headers=HTML).text
    assert '<html lang="nb">' in page and "<h1>181 Kjernejournal dokumentdeling</h1>" in page
    yellow = swatch_of(knowledge, EHK.Yellow)
    assert f'<dt>Status</dt><dd><span class="status">{yellow}Gul</span></dd>' in page
    assert "<dt>Eier</dt><dd>Helse Sør-Øst RHF</dd>" in page
    history = page.split("<h2>Statushistorikk</h2>")[1]
    assert f'<td><span class="status">{yellow}Gul</span></td>' in history
    assert "<h2>Statushistorikk</h2>" in page and "<td>30. juni 2022</td>" in page
    red = swatch_of(knowledge, EHK.Red)
    assert "<h2>Avhenger av</h2>" in page
    assert f'(<span class="status">{red}status rød</span>)' in page
    assert '<details class="rdf">' in page
    goal = client.get("/resource/goal/4", headers=HTML).text
    assert "Tiltak som bidrar til målet" in goal and 'href="/resource/measure/111"' in goal


def test_named_query_form_with_pickers_and_labelled_table(
    client: TestClient, knowledge: KnowledgeGraph
) -> None:
    form = client.get("/query/measures-by-goal", headers=HTML)
    assert form.status_code == 200 and '<select name="goal">' in form.text
    answer = client.get("/query/measures-by-goal", params={"goal": "4"}, headers=HTML).text
    # Goal 4: 14 measures, by name and linked, with statuses by label (not IRIs or "6"^^xsd).
    assert "Svar (14 rader)" in answer
    assert '<a href="/resource/measure/111">Helseplattformen</a>' in answer
    yellow = swatch_of(knowledge, EHK.Yellow)
    assert f'<td><span class="status">{yellow}Gul</span></td>' in answer
    assert "https://w3id.org/" not in answer.split("<details")[0]
    # Dates and owners have no swatch: only statuses and risks have colours.
    assert "<td>30. juni 2022</td>" in answer
    missing = client.get("/query/measures-by-goal", params={"goal": ""}, headers=HTML)
    assert "Velg mål." in missing.text
    assert 'href="/query/measures-by-goal"' in client.get("/query").text


def test_named_query_pages_are_norwegian(client: TestClient, catalogue: Catalogue) -> None:
    """Title, description, parameter names and help, and column headings come from the
    header's @nb lines; the English stays in the folded part for architects."""
    form = client.get("/query/measures-by-goal", headers=HTML).text
    assert "<h1>Tiltak knyttet til et mål</h1>" in form
    assert "Nummeret på det strategiske målet (1–5)" in form
    answer = client.get("/query/measures-by-goal", params={"goal": "4"}, headers=HTML).text
    headings = re.findall(r'<th scope="col">([^<]*)</th>', answer)
    # The measure is shown by its name, so the name column that repeats it is left out.
    assert headings[:3] == ["Tiltak", "Nr.", "Eier"] and "Siste rapport" in headings
    start = client.get("/", headers=HTML).text
    assert '<a href="/query/measures-by-goal">Tiltak knyttet til et mål</a>' in start
    assert "Tiltak knyttet til et mål</button>" in client.get("/query").text
    for name in catalogue.names():
        page = client.get(f"/query/{name}", headers=HTML)
        main = page.text.split("<main>")[1].split('<details class="rdf">')[0]
        shown = re.sub(r"<[^>]+>", " ", main)
        assert page.status_code == 200 and ENGLISH.findall(shown) == [], name
        assert catalogue.get(name).title not in shown, name
