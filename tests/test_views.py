"""Views and the meeting pack: built from the graph, opened in a real headless Chromium with the
network blocked (tests/chromium.py), counted from the page's own JavaScript objects, and
photographed into test-artifacts/ (ignored by git)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Graph

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.main import main
from ehelsekg.knowledge import KnowledgeGraph
from ehelsekg.namespaces import EHK
from ehelsekg.pack.meeting import build_meeting_pack, write_meeting_pack
from ehelsekg.settings import Settings
from ehelsekg.views.build import VIEWS, build_view
from ehelsekg.views.html import render_html
from ehelsekg.views.model import number_key, resource_href
from ehelsekg.views.roadmap import Timeline
from tests.chromium import Browser, available

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
READY = "window.ehelsekgView && window.ehelsekgView.ready"
EVIL = "<img src=x onerror=alert(1)>"

CASES = {
    "goal": {"goal": "4"},
    "dependencies": {},
    "critical-path": {"target": "rmservice:pll"},
    "impact": {"node": "activity:2022-09-pll-13", "slip": "6"},
    "actor": {"actor": "Helse Sør-Øst"},
    "roadmap": {},
    "changes": {"from": "2019-10", "to": "2022-09"},
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not available():
        message = "no Chromium: run scripts/install-chromium.sh (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing browser is a broken set-up, not a skip
        pytest.skip(message)
    chromium = Browser()
    yield chromium
    chromium.close()


def _red_colour(settings: Settings) -> str:
    schemes = Graph().parse(settings.home / "ontology" / "schemes.ttl")
    return str(schemes.value(EHK.Red, EHK.colour))


def _check_page(browser: Browser, path: Path, screenshot: str) -> float:
    report = browser.open(path, ready=READY)
    assert report.failed == [], report.failed
    assert report.console_errors == [], report.console_errors
    assert report.dialogs == []
    assert set(report.requests) == {path.resolve().as_uri()}, report.requests
    browser.screenshot(ARTIFACTS / screenshot)
    return report.load_seconds


def test_every_view_has_a_case() -> None:
    assert set(CASES) == set(VIEWS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_view_loads_offline_with_every_node_and_edge(
    name: str,
    knowledge: KnowledgeGraph,
    catalogue: Catalogue,
    browser: Browser,
    tmp_path: Path,
) -> None:
    view = build_view(name, CASES[name], knowledge.store, catalogue)
    assert view.title and view.reports and (view.legend or view.timeline)
    path = tmp_path / f"{name}.html"
    path.write_text(render_html(view), encoding="utf-8")
    seconds = _check_page(browser, path, f"views/{name}.png")
    assert seconds < 10
    assert browser.evaluate("document.getElementById('view-title').textContent") == view.title
    if view.timeline is not None:
        bars = sum(len(lane.bars) for lane in view.timeline.lanes)  # type: ignore[attr-defined]
        assert browser.evaluate("window.ehelsekgView.bars") == bars == len(view.edges)
        return
    # The first screen is the whole view or its overview; every node is on some screen.
    first = view.pages[0]
    counts = browser.evaluate(
        "[ehelsekgNetwork.body.data.nodes.length, ehelsekgNetwork.body.data.edges.length]"
    )
    assert counts == [len(first.nodes), len(first.edges)]
    on_screens = {n.id for page in view.pages for n in page.nodes}
    assert {n.id for n in view.nodes} <= on_screens
    assert browser.evaluate("document.querySelectorAll('#view-legend li').length") == len(
        first.legend
    )
    assert browser.evaluate("document.querySelectorAll('#view-table tbody tr').length") == len(
        view.nodes
    )


def test_goal_view_counts_and_red_dependency(
    knowledge: KnowledgeGraph, catalogue: Catalogue, settings: Settings
) -> None:
    # Goal 4 (data/2022-goal-initiatives.ttl, as linked since issue 12): 14 measures; their
    # latest owners are 8 organisations; Helseplattformen (111) depends on a decision (red,
    # 2022-09 report) and on SAFEST (102, NUIT May 2021). 1 goal + 15 measures (102 too) + 8
    # owners + 1 prerequisite nodes; 14 + 14 + 2 edges.
    view = build_view("goal", {"goal": "4"}, knowledge.store, catalogue)
    assert (len(view.nodes), len(view.edges)) == (25, 30)
    red = [e for e in view.edges if e.colour == _red_colour(settings)]
    assert [(e.source.rsplit("/", 1)[-1], e.target.rsplit("/", 1)[-1]) for e in red] == [
        ("enighet-e-multidose-pll", "111")
    ]
    assert red[0].width >= 6 and not red[0].dashes
    assert any("Rød avhengighet" in line for line in view.banner)


def test_colours_come_from_the_ontology(
    knowledge: KnowledgeGraph, catalogue: Catalogue, settings: Settings
) -> None:
    view = build_view("goal", {"goal": "4"}, knowledge.store, catalogue)
    schemes = Graph().parse(settings.home / "ontology" / "schemes.ttl")
    data_colours = {str(o) for o in schemes.objects(None, EHK.colour)}
    status_fills = {n.colour for n in view.nodes if n.status and not n.muted}
    assert status_fills and status_fills <= data_colours


def test_layout_is_deterministic_and_fixed(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    first = render_html(build_view("goal", {"goal": "4"}, knowledge.store, catalogue))
    second = render_html(build_view("goal", {"goal": "4"}, knowledge.store, catalogue))
    assert first == second
    assert '"physics": {"enabled": false}' in first


def test_roadmap_is_a_timeline(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    # data/2022-09-portfolio-report.ttl: activity 2022-09-pll-01 runs 2021–2024, so its bar
    # starts in the 2021 column and ends at the end of 2024; the report line is at 2022-06-30.
    view = build_view("roadmap", {}, knowledge.store, catalogue)
    timeline = view.timeline
    assert isinstance(timeline, Timeline)
    axis = dict(timeline.years)
    bar = next(b for lane in timeline.lanes for b in lane.bars if b.years == "2021–2024")
    assert axis["2021"] < bar.x < axis["2022"]
    assert axis["2024"] < bar.x + bar.width < axis["2025"]
    assert timeline.report_x is not None and axis["2022"] < timeline.report_x < axis["2023"]
    assert timeline.report_text == "Rapportdato 30. juni 2022"
    page = render_html(view)
    assert render_html(view) == page and "<svg" in page


def test_page_is_self_contained(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    page = render_html(build_view("goal", {"goal": "4"}, knowledge.store, catalogue))
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page
    assert "vis-network" not in re.findall(r"https?://[^\s\"')]+", page)


def test_resource_links() -> None:
    iri = "https://w3id.org/ehelsekg/id/measure/181"
    assert resource_href(iri, "") == "/resource/measure/181"
    assert (
        resource_href(iri, "https://x.example/kg/") == "https://x.example/kg/resource/measure/181"
    )
    assert resource_href("https://w3id.org/ehelsekg/ontology#Red", "") is None


SNIPPET = """
actor:evil a org:Organization ; rdfs:label "<img src=x onerror=alert(1)>"@nb .
report:2099-01 a ehk:Report ; dcterms:title "Rapport <script>alert(2)</script>"@nb ;
    dcterms:date "2099-01-01"^^xsd:date .
measure:999 a ehk:Measure ; dcterms:identifier "999" ;
    rdfs:label "<img src=x onerror=alert(1)>"@nb .
assessment:2099-01-999 a ehk:StatusAssessment ; ehk:assessedMeasure measure:999 ;
    ehk:reportedIn report:2099-01 ; ehk:owner actor:evil ; ehk:status ehk:Red ;
    ehk:lifecycleState ehk:StateActive .
"""


def test_markup_in_labels_is_shown_as_text_and_never_runs(
    small_graph: Callable[[str], KnowledgeGraph],
    catalogue: Catalogue,
    browser: Browser,
    tmp_path: Path,
) -> None:
    graph = small_graph(SNIPPET)
    view = build_view("actor", {"actor": "actor:evil"}, graph.store, catalogue)
    page = render_html(view)
    assert EVIL not in page and "<script>alert" not in page
    path = tmp_path / "evil.html"
    path.write_text(page, encoding="utf-8")
    _check_page(browser, path, "views/escaping.png")
    assert browser.evaluate("document.title") == f"Aktør: {EVIL}"
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate(f"document.body.innerText.includes({EVIL!r})")
    measure = "https://w3id.org/ehelsekg/id/measure/999"
    tooltip = browser.evaluate(
        f"ehelsekgNetwork.body.data.nodes.get({measure!r}).title.textContent"
    )
    assert EVIL in tooltip and "Rapport <script>alert(2)</script>" in tooltip
    assert (
        browser.evaluate(
            f"ehelsekgNetwork.body.data.nodes.get({measure!r}).title.querySelectorAll('img').length"
        )
        == 0
    )


def test_meeting_pack_reproduces_september_2022(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    # The September 2022 portfolio report states 42 active measures, 24 yellow, none red and
    # one red risk, and cost-growth totals 33, 53, 97, 40, 20 MNOK for 2022–2026.
    pack = build_meeting_pack(knowledge.store, catalogue, report="2022-09")
    assert pack.totals["active"] == 42
    assert (pack.totals["status-yellow"], pack.totals["status-red"]) == (24, 0)
    assert pack.totals["risk-red"] == 1
    assert len(pack.flagged) == 24 and all(row.get("ownerName") for row in pack.flagged)
    table = pack.costs[0]
    assert [round(table.year_totals[y]) for y in table.years] == [33, 53, 97, 40, 20]
    assert table.years == [2022, 2023, 2024, 2025, 2026]
    assert pack.previous is not None and pack.previous.endswith("/2019-10")
    assert [row["label"] for row in pack.awaiting_funding]


def test_meeting_pack_files_open_offline(
    knowledge: KnowledgeGraph, catalogue: Catalogue, browser: Browser, tmp_path: Path
) -> None:
    written = write_meeting_pack(knowledge.store, catalogue, tmp_path, report="2022-09")
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"index.html", "status-distribution.png", "cost-growth.png"} <= names
    assert "views/goal-4.html" in names
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    figures = dict(re.findall(r'data-figure="([\w-]+)">(\d+)<', index))
    assert (figures["active"], figures["status-yellow"], figures["risk-red"]) == ("42", "24", "1")
    totals = re.findall(r'data-year-total="\d+">(\d+)<', index)
    assert totals == ["33", "53", "97", "40", "20"]
    assert "@page" in index and "data:image/png;base64," in index
    assert index.count("<svg") >= len([n for n in names if n.startswith("views/goal-")])
    report = browser.open(tmp_path / "index.html", ready="document.readyState === 'complete'")
    assert report.failed == [] and report.console_errors == []
    assert all(url.startswith(("file:", "data:")) for url in report.requests), report.requests
    browser.screenshot(ARTIFACTS / "meeting-pack.png")
    pdf = browser.call("Page.printToPDF", session=True, paperWidth=8.27, paperHeight=11.69)
    assert pdf["data"]


def test_cli_view_and_report(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "goal.html"
    result = runner.invoke(main, ["view", "goal", "-p", "goal=4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "25 nodes, 30 edges" in result.output and out.exists()
    unknown = runner.invoke(main, ["view", "nope", "-o", str(out)])
    assert unknown.exit_code == 4 and "Known views" in unknown.output
    missing = runner.invoke(main, ["view", "goal", "-o", str(out)])
    assert missing.exit_code == 5
    pack = runner.invoke(main, ["report", "--report", "2022-09", "-o", str(tmp_path / "pack")])
    assert pack.exit_code == 0, pack.output
    assert (tmp_path / "pack" / "index.html").exists()


def test_server_views(knowledge: KnowledgeGraph, settings: Settings) -> None:
    from server import create_app

    with TestClient(create_app(settings, knowledge=knowledge)) as client:
        page = client.get("/views/goal", params={"goal": "4", "base-url": "/kg"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "/kg/resource/measure/111" in page.text
        assert client.get("/views/nope").status_code == 404
        missing = client.get("/views/goal")
        assert missing.status_code == 422 and missing.json()["error"]["code"] == "bad-parameter"
        assert {v["name"] for v in client.get("/views").json()} == set(VIEWS)


def test_no_status_colour_in_python() -> None:
    # Status colours live in ontology/schemes.ttl only.
    source = Path(__file__).resolve().parent.parent / "ehelsekg"
    schemes = Graph().parse(source.parent / "ontology" / "schemes.ttl")
    colours = {str(o).lower() for s, o in schemes.subject_objects(EHK.colour)}
    for path in [*source.rglob("*.py"), *source.rglob("assets/*.js"), *source.rglob("*.j2")]:
        text = path.read_text(encoding="utf-8").lower()
        assert not [c for c in colours if c in text], path


def test_measures_sort_by_number(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    view = build_view("changes", {"from": "2019-10", "to": "2022-09"}, knowledge.store, catalogue)
    numbers = [int(n.label.split()[0]) for n in view.nodes if n.kind == "Measure"]
    assert numbers == sorted(numbers) and len(numbers) > 20
    assert sorted(["100 a", "47 b", "5 c"], key=number_key) == ["5 c", "47 b", "100 a"]


def test_finished_paused_and_old_statuses_are_grey_and_say_so(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    # data/2022-09-portfolio-report.ttl: measure 5 is finished and 60 paused in September
    # 2022; measure 179's latest status is from the national arena of October 2019.
    view = build_view("changes", {"from": "2019-10", "to": "2022-09"}, knowledge.store, catalogue)
    goal = build_view("dependencies", {}, knowledge.store, catalogue)
    nodes = {n.id.rsplit("/", 1)[-1]: n for v in (view, goal) for n in v.nodes}
    muted = {key: node for key, node in nodes.items() if node.muted}
    for key in ("5", "60", "179"):
        if key in nodes:
            assert key in muted, nodes[key].label
    assert all("\n" in n.label and n.colour == "#b0bec5" for n in muted.values())
    assert any("status fra" in n.label for n in muted.values())


def test_no_english_relation_names(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    for name, params in [("critical-path", {"target": "rmservice:pll"}), ("dependencies", {})]:
        view = build_view(name, params, knowledge.store, catalogue)
        shown = [str(f) for e in view.edges for f in e.facts] + [e.label for e in view.edges]
        shown += [entry.label for page in view.pages for entry in page.legend]
        for word in ("requires", "realises", "conditional on", "part of", "no dates"):
            assert not [text for text in shown if word in text], word
