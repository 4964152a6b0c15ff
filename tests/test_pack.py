"""The meeting pack speaks to NUIT (issue 13): names instead of IRIs and keys, Norwegian
numbers and dates, changes by name, the baseline named and "ikke rapportert" where it said
nothing, the report's stated dependency total beside what the graph holds, a generated summary,
the goal views as pictures for print, links that work offline, and "Laget" from the report."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.main import main
from ehelsekg.knowledge import KnowledgeGraph
from ehelsekg.pack.meeting import build_meeting_pack, write_meeting_pack
from ehelsekg.views.norsk import long_date, number


class _Text(HTMLParser):
    """The text a reader sees (no <style>/<script>), and every link target."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script"}:
            self._skip += 1
        self.links += [v or "" for k, v in attrs if k == "href"]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def pack_dir(
    knowledge: KnowledgeGraph, catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("pack")
    write_meeting_pack(knowledge.store, catalogue, out, report="2022-09")
    return out


def _read(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_pack_shows_names_not_iris_or_keys(pack_dir: Path) -> None:
    text = " ".join(_read(pack_dir / "index.html").parts)
    assert "https://w3id.org/" not in text
    # The cost table names the solutions (data/2022-09-portfolio-report.ttl: e-resept 2,4 MNOK
    # in 2025) and the baseline report by its title, not as 2019-10 or nuit-2025-02.
    assert "E-resept" in text and "2,4" in text and "2.4" not in text
    assert "Nasjonal arena for fag- og interesseorganisasjoner" in text
    assert not re.search(r"\b(nuit-)?20\d\d-\d\d\b", text)


def test_pack_changes_are_listed_by_name_under_the_named_baseline(pack_dir: Path) -> None:
    html = (pack_dir / "index.html").read_text(encoding="utf-8")
    heading = re.search(r"<h2>Endringer siden forrige rapport: ([^<]+)</h2>", html)
    assert heading and "24. oktober 2019" in heading.group(1)
    # Measure 60 (Nasjonalt infeksjonsregister) was paused between the two reports.
    assert "60 Nasjonalt infeksjonsregister: Aktiv → Pause" in html


def test_statuses_and_risks_carry_a_swatch_of_their_colour(
    knowledge: KnowledgeGraph, pack_dir: Path
) -> None:
    html = (pack_dir / "index.html").read_text(encoding="utf-8")

    def swatch(concept: str) -> str:
        colour = knowledge.store.query(
            f"SELECT ?c WHERE {{ <https://w3id.org/ehelsekg/ontology#{concept}>"
            " <https://w3id.org/ehelsekg/ontology#colour> ?c }"
        ).rows[0][0]
        return f'<span class="swatch" style="background-color: {colour}"></span>'

    assert f'<th scope="row">{swatch("Yellow")}Status gul</th>' in html
    # 201 Statistisk logganalyse: yellow status, red risk (the report's one red risk).
    flagged = re.search(r"<tr><td>201</td>.*?</tr>", html)
    assert flagged is not None
    assert f"{swatch('Yellow')}Gul" in flagged.group() and f"{swatch('Red')}Rød" in flagged.group()
    # 102 SAFEST went from red to yellow status between the two reports.
    assert (
        f'102 SAFEST: <span class="status">{swatch("Red")}Rød</span> →'
        f' <span class="status">{swatch("Yellow")}Gul</span>'
    ) in html
    # Phases and lifecycle states have no colour.
    assert "60 Nasjonalt infeksjonsregister: Aktiv → Pause" in html


def test_baseline_without_risk_says_not_reported(
    knowledge: KnowledgeGraph, catalogue: Catalogue, pack_dir: Path
) -> None:
    # The national arena of October 2019 assessed status but no risk: its risk figures are
    # "ikke rapportert", never "+20".
    pack = build_meeting_pack(knowledge.store, catalogue, report="2022-09")
    assert "risk" not in pack.previous_reported and "status" in pack.previous_reported
    html = (pack_dir / "index.html").read_text(encoding="utf-8")
    row = re.search(r'data-figure="risk-yellow">20</td><td class="delta">([^<]*)<', html)
    assert row and row.group(1) == "ikke rapportert"


def test_dependency_total_from_the_report_beside_the_graph(pack_dir: Path) -> None:
    # data/2022-09-portfolio-report.ttl: figure:2022-09-dependencies-reported states 87; the
    # report lists only the 2 red, highly critical ones, which is all the graph holds.
    html = (pack_dir / "index.html").read_text(encoding="utf-8")
    assert 'data-stated="dependencies">87<' in html
    assert 'data-held="dependencies">2<' in html
    assert "rød status og høy kritikalitet" in html


def test_summary_in_the_reports_manner(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    pack = build_meeting_pack(knowledge.store, catalogue, report="2022-09")
    summary = " ".join(pack.summary)
    assert "42 aktive tiltak" in summary and "24 med status gul" in summary
    assert "Rød risiko: 201 Statistisk logganalyse." in summary
    assert "Helseplattformen venter på" in summary
    assert "23 nye tiltak" in summary and "5 Nasjonalt program for velferdsteknologi" in summary


def test_pack_links_work_offline(pack_dir: Path) -> None:
    for page in [pack_dir / "index.html", *sorted((pack_dir / "views").glob("*.html"))]:
        for link in _read(page).links:
            assert not link.startswith("/"), (page.name, link)
            if not link.startswith(("http:", "https:", "#")):
                assert (page.parent / link).exists(), (page.name, link)


def test_made_date_is_the_reports_or_given(
    knowledge: KnowledgeGraph, catalogue: Catalogue, pack_dir: Path, tmp_path: Path
) -> None:
    assert "Laget september 2022" in (pack_dir / "index.html").read_text(encoding="utf-8")
    write_meeting_pack(
        knowledge.store, catalogue, tmp_path, report="2022-09", made=date(2022, 10, 3)
    )
    assert "Laget 3. oktober 2022" in (tmp_path / "index.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main, ["report", "--report", "2022-09", "--date", "2021-05-20", "-o", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert "Laget 20. mai 2021" in (tmp_path / "c" / "index.html").read_text(encoding="utf-8")


def test_norwegian_numbers_and_dates() -> None:
    assert number(2.4) == "2,4" and long_date("2021-05-20") == "20. mai 2021"
