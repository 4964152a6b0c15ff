"""Named queries on the roadmap, funding, operating costs, council cases, provenance and search.

Expected answers on the bundled data are worked out by hand from the source documents in
``../shared/seeds/`` beside the checkout (each test says where); where the data placed a
scrambled value by a documented judgement (``skos:editorialNote``), the expectation follows the
source plus that judgement and says so. Edge cases run on small hand-made graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.errors import BadParameterError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings

ID = "https://w3id.org/ehelsekg/id/"
EHK = "https://w3id.org/ehelsekg/ontology#"
INFERRED = URIRef("https://w3id.org/ehelsekg/graph/inferred")

SmallGraph = Callable[[str], KnowledgeGraph]
Record = dict[str, Node | None]


def iri(prefixed: str) -> URIRef:
    """``measure/181`` as the full IRI of the project's data."""
    return URIRef(ID + prefixed)


def tail(node: Node | None) -> str | None:
    """The last path segment of an IRI (``…/solution/helsenorge`` -> ``helsenorge``)."""
    return None if node is None else str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def number(node: Node | None) -> Decimal:
    assert node is not None
    return Decimal(str(node))


def run(
    catalogue: Catalogue,
    kg: KnowledgeGraph,
    name: str,
    params: Mapping[str, str] | None = None,
    **options: bool,
) -> list[Record]:
    return catalogue.run(name, params or {}, kg.store, **options).records()


def graph_of_files(settings: Settings, home: Path, *texts: str) -> KnowledgeGraph:
    """A project folder with the real ontology and ``data/f0.ttl``, ``data/f1.ttl``, …

    Unlike the ``small_graph`` fixture the files sit under ``data/``, so each is loaded into
    the named graph ``graph/data/f<n>`` as a bundled file would be.
    """
    prefixes = (settings.home / "docs" / "prefixes.ttl").read_text(encoding="utf-8")
    (home / "ontology").symlink_to(settings.ontology_dir)
    (home / "data").mkdir()
    for number_, text in enumerate(texts):
        (home / "data" / f"f{number_}.ttl").write_text(prefixes + "\n" + text, encoding="utf-8")
    return open_knowledge_graph(Settings(home=home, cache_dir=settings.cache_dir))


def nb_labels(kg: KnowledgeGraph) -> dict[Node | None, str]:
    rows = kg.store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(LANG(?l) = 'nb') }"
    ).records()
    return {row["c"]: str(row["l"]) for row in rows}


################################################################ roadmap-services

# 000, chapter 7 'Tiltak 2023 for å nå mål i veikartet': the services in the order the query
# gives (target year, then label; no target year last), with the year each 'Målsetting' names.
ROADMAP_SERVICES = [
    ("lab-radiologisvar", 2024),  # 'Nasjonal innføring i løpet av 2024'
    ("kritisk-informasjon", 2026),  # 'Fullført nasjonal innføring i løpet av 2026 …'
    ("journaldokumenter", 2027),  # 'Nasjonal innføring i løpet av 2027 …'
    ("pll", 2028),  # 'Fullføre nasjonal innføring i løpet av 2028.'
    # Judgement (editorialNote on the service): the benefit calculation's 'stegvis frem til
    # 2030' is the only year the report gives for digital home follow-up.
    ("digital-hjemmeoppfolging", 2030),
    ("dialogmeldinger-henvisninger", None),  # the 'Målsetting' names no year
    ("innbygger-helsenorge", None),  # 'kun innføringsaktiviteter … i 2023', no target
]


def test_roadmap_services_are_the_seven_of_chapter_7(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 chapter 7: seven roadmap services of version 22.3 (MF Helse is 'ikke en del av
    veikart'), ordered by target year 2024, 2026, 2027, 2028, 2030, then those without one."""
    rows = run(catalogue, knowledge, "roadmap-services")
    got = [
        (tail(r["service"]), None if r["targetYear"] is None else int(str(r["targetYear"])))
        for r in rows
    ]
    assert got == ROADMAP_SERVICES
    assert {str(r["version"]) for r in rows} == {"22.3"}  # 'Versjon 22.3 av veikartet'
    by_service = {tail(r["service"]): r for r in rows}
    assert str(by_service["pll"]["label"]) == (
        "Helsepersonell skal ha tilgang til pasientens legemiddelliste (PLL)"
    )
    assert "Nasjonal innføring i løpet av 2024" in str(by_service["lab-radiologisvar"]["target"])


def test_roadmap_services_conditional_on_pds_steg_2(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 chapter 7: PLL ('Aktivitetene forutsetter finansiering av PDS steg 2'), kritisk
    informasjon and journaldokumenter ('forutsatt finansiering av PDS steg 2'); no other."""
    rows = run(catalogue, knowledge, "roadmap-services")
    conditional = {tail(r["service"]): str(r["conditions"]) for r in rows if r["conditions"]}
    assert conditional == {
        "pll": "Finansiering av PDS steg 2",
        "kritisk-informasjon": "Finansiering av PDS steg 2",
        "journaldokumenter": "Finansiering av PDS steg 2",
    }


def test_roadmap_services_actors_and_activities_of_2023(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 chapter 7, the 'Hvem / Hva skal skje i 2023' tables. PLL: Fastleger (2 tasks),
    Apotek, Bergen kommune, Legevakt, PLO (2), Helse Vest, Helse Sør-Øst, Helse Nord, Helse
    Midt-Norge og Helseplattformen, Avtalespesialister, Direktoratet for e-helse / NHN: 13
    activities. Kritisk informasjon has 8 because Helse Vest's two-period cell is split in two
    (a documented judgement); journaldokumenter 7, lab/radiologi 4, dialogmeldinger 3, digital
    hjemmeoppfølging 11; the Helsenorge service lists none."""
    rows = {tail(r["service"]): r for r in run(catalogue, knowledge, "roadmap-services")}
    counts = {service: int(str(r["activities"])) for service, r in rows.items()}
    assert counts == {
        "pll": 13,
        "kritisk-informasjon": 8,
        "journaldokumenter": 7,
        "lab-radiologisvar": 4,
        "dialogmeldinger-henvisninger": 3,
        "digital-hjemmeoppfolging": 11,
        "innbygger-helsenorge": 0,
    }
    pll_actors = set(str(rows["pll"]["actors"]).split(", "))
    assert pll_actors == {
        "Fastleger",
        "Apotek",
        "Bergen kommune",
        "Legevakt",
        "PLO",
        "Helse Vest RHF",
        "Helse Sør-Øst RHF",
        "Helse Nord RHF",
        "Helse Midt-Norge RHF",
        "Helseplattformen",
        "Avtalespesialister",
        "Direktoratet for e-helse",
        "Norsk helsenett SF",
    }
    assert rows["innbygger-helsenorge"]["actors"] is None


################################################################ services-awaiting-funding

PDS_CONDITIONAL = ["kritisk-informasjon", "journaldokumenter", "pll"]  # 2026, 2027, 2028


def test_services_awaiting_funding_as_of_the_latest_portfolio_report(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 (Sept. 2022) 6.2: 'Alle tjenester dekket av PDS steg 2 venter på bekreftelse på
    finansiering utover 2022' — the three services of chapter 7 conditional on it. 003 (NUIT
    13 Feb 2025) case 3/25: 'Statsbudsjettet 2024 – Steg 2, ca. 1,25 mrd.kr' confirms it.
    (That 'PDS steg 2' and 'Steg 2' are measure 218 is the data's documented judgement.)"""
    rows = run(catalogue, knowledge, "services-awaiting-funding")
    assert [tail(r["service"]) for r in rows] == PDS_CONDITIONAL
    assert [int(str(r["targetYear"])) for r in rows] == [2026, 2027, 2028]
    for row in rows:
        assert str(row["fundingLabel"]) == "Finansiering av PDS steg 2"
        assert row["fundedMeasure"] == iri("measure/218")
        assert row["statedIn"] == iri("report/2022-09")
        assert row["confirmedIn"] == iri("report/nuit-2025-02")
    explicit = run(catalogue, knowledge, "services-awaiting-funding", {"report": "2022-09"})
    assert explicit == rows


@pytest.mark.parametrize("report", ["2025-02", "2021-05"])
def test_services_awaiting_funding_none_before_or_after(
    knowledge: KnowledgeGraph, catalogue: Catalogue, report: str
) -> None:
    """As of NUIT Feb 2025 the funding is confirmed (003, case 3/25); as of NUIT May 2021 no
    roadmap service had yet been made conditional on it (the condition is first stated in 000)."""
    assert run(catalogue, knowledge, "services-awaiting-funding", {"report": report}) == []


FUNDING_REPORTS = """
report:t-2022 a ehk:Report ; dcterms:title "R 2022"@nb ;
    dcterms:date "2022-09"^^xsd:gYearMonth .
report:t-2023 a ehk:Report ; dcterms:title "R 2023"@nb ;
    dcterms:date "2023-06-01"^^xsd:date .
report:t-2024 a ehk:Report ; dcterms:title "R 2024"@nb ;
    dcterms:date "2024-03-01"^^xsd:date .
measure:901 a ehk:Measure ; dcterms:identifier "901" ; rdfs:label "Tiltak 901"@nb .
prereq:t-unconfirmed a ehk:Funding ; rdfs:label "Finansiering av tiltak 901"@nb ;
    ehk:fundsMeasure measure:901 ; ehk:fundingConfirmed false ; ehk:reportedIn report:t-2022 .
rmservice:t a ehk:RoadmapService ; rdfs:label "Tjeneste T"@nb ; ehk:targetYear 2027 ;
    ehk:conditionalOn prereq:t-unconfirmed .
"""


def test_services_awaiting_funding_confirmed_later_vs_earlier(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """Funding stated unconfirmed in 2022 and confirmed in 2023: as of 2022 the service
    awaits it and the 2023 report is named; as of 2023 (confirmed in that report) and as of
    2024 (confirmed in an earlier report) it no longer awaits it."""
    kg = small_graph(
        FUNDING_REPORTS
        + """
prereq:t-confirmed a ehk:Funding ; rdfs:label "Bevilget"@nb ; ehk:fundsMeasure measure:901 ;
    ehk:fundingConfirmed true ; ehk:reportedIn report:t-2023 .
"""
    )
    rows = run(catalogue, kg, "services-awaiting-funding", {"report": "report:t-2022"})
    assert [(tail(r["service"]), tail(r["confirmedIn"])) for r in rows] == [("t", "t-2023")]
    assert rows[0]["statedIn"] == iri("report/t-2022")
    for later in ("report:t-2023", "report:t-2024"):
        assert run(catalogue, kg, "services-awaiting-funding", {"report": later}) == []


@pytest.mark.parametrize("first,second", [("a", "z"), ("z", "a")])
def test_services_awaiting_funding_names_the_first_confirming_report(
    small_graph: SmallGraph, catalogue: Catalogue, first: str, second: str
) -> None:
    """Two later reports confirm the funding (2023, then 2024): 'confirmedIn' must be the
    first, 2023 (the query's own comment: 'The first report that confirms funding'), whatever
    the IRIs. The query takes SAMPLE(?confirmer) beside MIN(date), so it may name either."""
    kg = small_graph(
        FUNDING_REPORTS
        + f"""
prereq:{first}-2023 a ehk:Funding ; rdfs:label "Bevilget 2023"@nb ;
    ehk:fundsMeasure measure:901 ; ehk:fundingConfirmed true ; ehk:reportedIn report:t-2023 .
prereq:{second}-2024 a ehk:Funding ; rdfs:label "Bevilget 2024"@nb ;
    ehk:fundsMeasure measure:901 ; ehk:fundingConfirmed true ; ehk:reportedIn report:t-2024 .
"""
    )
    for _ in range(2):
        rows = run(catalogue, kg, "services-awaiting-funding", {"report": "report:t-2022"})
        assert [tail(r["confirmedIn"]) for r in rows] == ["t-2023"]


def test_services_awaiting_funding_without_a_funded_measure(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """A funding that names no measure cannot be confirmed by another measure's funding: the
    service awaits it as of 2022 and still as of 2023, once, with no fundedMeasure and no
    confirmedIn. (The query's OPTIONAL sub-select joins on an unbound ?fundedMeasure, so it
    picks up measure 901's confirmation.)"""
    kg = small_graph(
        FUNDING_REPORTS
        + """
prereq:t-confirmed a ehk:Funding ; rdfs:label "Bevilget"@nb ; ehk:fundsMeasure measure:901 ;
    ehk:fundingConfirmed true ; ehk:reportedIn report:t-2023 .
prereq:u-unconfirmed a ehk:Funding ; rdfs:label "Finansiering av noe annet"@nb ;
    ehk:fundingConfirmed false ; ehk:reportedIn report:t-2022 .
rmservice:u a ehk:RoadmapService ; rdfs:label "Tjeneste U"@nb ;
    ehk:conditionalOn prereq:u-unconfirmed .
"""
    )
    for as_of in ("report:t-2022", "report:t-2023"):
        rows = run(catalogue, kg, "services-awaiting-funding", {"report": as_of})
        u_rows = [r for r in rows if tail(r["service"]) == "u"]
        assert [(r["fundedMeasure"], r["confirmedIn"]) for r in u_rows] == [(None, None)], as_of


def test_services_awaiting_funding_an_older_confirmation_does_not_hide_a_newer_gap(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """Funding of a measure confirmed in 2021 (say, an earlier tranche) and stated as awaiting
    confirmation in 2022 (as 000 says of PDS steg 2 'utover 2022'): as of 2022 the latest word
    is 'not confirmed', so the service awaits funding. The query compares the first
    confirmation with the as-of date only, never with the date of the unconfirmed statement."""
    kg = small_graph(
        FUNDING_REPORTS
        + """
report:t-2021 a ehk:Report ; dcterms:title "R 2021"@nb ; dcterms:date "2021-05-20"^^xsd:date .
prereq:t-old a ehk:Funding ; rdfs:label "Bevilget 2021"@nb ; ehk:fundsMeasure measure:901 ;
    ehk:fundingConfirmed true ; ehk:reportedIn report:t-2021 .
"""
    )
    rows = run(catalogue, kg, "services-awaiting-funding", {"report": "report:t-2022"})
    assert [tail(r["service"]) for r in rows] == ["t"]


################################################################ operating-cost-growth

# 000 chapter 5, 'Endring i angitt år (mill. kr)', read with the data's documented placements
# (editorialNote on dataset:2022-09-cost-increase and the rows): (year, solution, measure id or
# None for 'Helsenorge ellers', MNOK).
COST_INCREASE_2022_09 = sorted(
    [
        (2022, "grunndata", "100", Decimal("15")),  # footnote 1: '15 MNOK i 2022'
        (2023, "grunndata", "100", Decimal("5")),  # footnote 1: 'ytterligere 5 MNOK i 2023'
        (2022, "helsenorge", "184", Decimal("3")),  # Digital behandlings- og egenbeh.plan 3
        (2023, "helsenorge", "184", Decimal("3.4")),  # … 3,4
        # Helsedataprogrammet 0,8: measure 203 Prosjekt Helsedata, the programme's 2022 entity
        # (judgement:cost-2022-09-helsenorge-helsedataprogrammet); 107 was its 2019 number.
        (2022, "helsenorge", "203", Decimal("0.8")),
        (2023, "ikke-fordelt", "194", Decimal("30")),  # Program Digital samhandling, Steg 1
        (2024, "ikke-fordelt", "194", Decimal("25")),
        (2025, "ikke-fordelt", "194", Decimal("20")),
        (2024, "e-resept", "160", Decimal("54")),  # PLL '* * 54 2,4 2' (footnote 2)
        (2025, "e-resept", "160", Decimal("2.4")),
        (2026, "e-resept", "160", Decimal("2")),
        (2022, "helsenorge", None, Decimal("14")),  # Helsenorge ellers 14 15 18 18 18
        (2023, "helsenorge", None, Decimal("15")),
        (2024, "helsenorge", None, Decimal("18")),
        (2025, "helsenorge", None, Decimal("18")),
        (2026, "helsenorge", None, Decimal("18")),
    ],
    key=str,
)
TOTALSUM = {2022: 33, 2023: 53, 2024: 97, 2025: 40, 2026: 20}  # 000: 'Totalsum 33 53 97 40 20'
AKKUMULERT = {2022: 33, 2023: 87, 2024: 183, 2025: 224, 2026: 244}  # 'Akkumulert … 33 87 …'


def cost_rows(rows: list[Record]) -> list[tuple[int, str | None, str | None, Decimal]]:
    return sorted(
        (
            (
                int(str(r["year"])),
                tail(r["solution"]),
                None if r["id"] is None else str(r["id"]),
                number(r["amount"]),
            )
            for r in rows
        ),
        key=str,
    )


def test_operating_cost_growth_default_is_the_2022_09_table(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """Default report = latest portfolio report = 000 (Sept. 2022); its chapter 5 table, one
    row per cell (see COST_INCREASE_2022_09 for the source of each)."""
    rows = run(catalogue, knowledge, "operating-cost-growth")
    assert {r["dataset"] for r in rows} == {iri("dataset/2022-09-cost-increase")}
    assert cost_rows(rows) == COST_INCREASE_2022_09
    assert rows == run(catalogue, knowledge, "operating-cost-growth", {"report": "2022-09"})


def test_operating_cost_growth_totals_match_the_report_within_rounding(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 chapter 5: the computed yearly totals (32.8, 53.4, 97, 40.4, 20) round to 'Totalsum
    33 53 97 40 20'; the running totals (32.8, 86.2, 183.2, 223.6, 243.6) are within 1 MNOK of
    'Akkumulert økning 33 87 183 224 244' (the report rounds each cell)."""
    rows = run(catalogue, knowledge, "operating-cost-growth")
    year_total = {int(str(r["year"])): number(r["yearTotal"]) for r in rows}
    running = {int(str(r["year"])): number(r["runningTotal"]) for r in rows}
    assert {y: round(v) for y, v in year_total.items()} == TOTALSUM
    for year, printed in AKKUMULERT.items():
        assert abs(running[year] - printed) <= 1, (year, running[year], printed)
    for year in year_total:  # each row's yearTotal is the sum of its year's rows
        assert year_total[year] == sum(
            number(r["amount"]) for r in rows if int(str(r["year"])) == year
        )
    assert running[2026] == Decimal("243.6")


def test_operating_cost_growth_from_and_to_year(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """from-year=2024, to-year=2025 keeps the 2024 and 2025 cells of 000's table (54, 25, 18;
    2,4, 20, 18); running totals still count from the table's first year (183.2, 223.6)."""
    params = {"from-year": "2024", "to-year": "2025"}
    rows = run(catalogue, knowledge, "operating-cost-growth", params)
    assert cost_rows(rows) == [c for c in COST_INCREASE_2022_09 if c[0] in (2024, 2025)]
    assert {int(str(r["year"])): number(r["runningTotal"]) for r in rows} == {
        2024: Decimal("183.2"),
        2025: Decimal("223.6"),
    }
    assert run(catalogue, knowledge, "operating-cost-growth", {"from-year": "2027"}) == []


def test_operating_cost_growth_nuit_may_2021_sums_to_52(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """004 (NUIT 20 May 2021), table 'TBU 24. mars': Helsenorge 20 and 18, Kjernejournal 6,
    E-resept 2 and '- 2' (effektivisering), Grunndata 6, HelseID 2, all 2022: 'Sum 2022 52'."""
    for report in ("2021-05", "report:nuit-2021-05"):
        rows = run(catalogue, knowledge, "operating-cost-growth", {"report": report})
        assert cost_rows(rows) == sorted(
            [
                (2022, "helsenorge", None, Decimal("20")),
                (2022, "helsenorge", None, Decimal("18")),
                (2022, "kjernejournal", None, Decimal("6")),
                (2022, "e-resept", None, Decimal("2")),
                (2022, "e-resept", None, Decimal("-2")),
                (2022, "grunndata", None, Decimal("6")),
                (2022, "helseid", None, Decimal("2")),
            ],
            key=str,
        )
        assert {number(r["yearTotal"]) for r in rows} == {Decimal("52")}
        assert {number(r["runningTotal"]) for r in rows} == {Decimal("52")}


def test_operating_cost_growth_keeps_the_tables_of_nuit_2025_apart(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """003 case 5/25 has two overlapping tables. 'Oversikt over vekst som følge av Digital
    samhandling' prints 'Sum vekst … 109,7 3,2 8,5 70,8 19 8,2' (2023–2027, years placed by
    the data's documented arithmetic): its yearly totals are those, its running total ends at
    109.7, and the other table's rows are never added in."""
    rows = run(catalogue, knowledge, "operating-cost-growth", {"report": "2025-02"})
    assert {tail(r["dataset"]) for r in rows} == {
        "nuit-2025-02-cost-increase",
        "nuit-2025-02-digital-samhandling-growth",
    }
    growth = [r for r in rows if tail(r["dataset"]) == "nuit-2025-02-digital-samhandling-growth"]
    assert {int(str(r["year"])): number(r["yearTotal"]) for r in growth} == {
        2023: Decimal("3.2"),
        2024: Decimal("8.5"),
        2025: Decimal("70.8"),
        2026: Decimal("19"),
        2027: Decimal("8.2"),
    }
    assert max(number(r["runningTotal"]) for r in growth) == Decimal("109.7")
    for dataset in {r["dataset"] for r in rows}:
        mine = [r for r in rows if r["dataset"] == dataset]
        for r in mine:
            assert number(r["yearTotal"]) == sum(
                number(x["amount"]) for x in mine if x["year"] == r["year"]
            )


TWO_TABLES = """
report:c-2024 a ehk:Report ; dcterms:title "R 2024"@nb ; dcterms:date "2024-11-14"^^xsd:date .
report:c-2025 a ehk:Report ; dcterms:title "R 2025"@nb ; dcterms:date "2025-02-13"^^xsd:date .
dataset:c-one a qb:DataSet ; ehk:reportedIn report:c-2024 .
dataset:c-two a qb:DataSet ; ehk:reportedIn report:c-2024 .
dataset:c-other a qb:DataSet ; ehk:reportedIn report:c-2025 .
cost:c1 a ehk:CostObservation ; qb:dataSet dataset:c-one ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2025 ; ehk:amount 10.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
cost:c2 a ehk:CostObservation ; qb:dataSet dataset:c-one ; ehk:solution solution:kjernejournal ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2026 ; ehk:amount 5.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
cost:c3 a ehk:CostObservation ; qb:dataSet dataset:c-one ; ehk:solution solution:e-resept ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2026 ; ehk:amount 2.5 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
cost:c4 a ehk:CostObservation ; qb:dataSet dataset:c-two ; ehk:solution solution:kjernejournal ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2025 ; ehk:amount 7.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
cost:c5 a ehk:CostObservation ; qb:dataSet dataset:c-two ; ehk:solution solution:kjernejournal ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2026 ; ehk:amount 1.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
cost:c6 a ehk:CostObservation ; qb:dataSet dataset:c-other ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2025 ; ehk:amount 100.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2025 .
cost:c7 a ehk:CostObservation ; qb:dataSet dataset:c-one ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostLevel ; ehk:year 2025 ; ehk:amount 999.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:c-2024 .
"""


def test_operating_cost_growth_two_tables_of_one_report(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """Table one: 10 (2025), 5 + 2.5 (2026) -> totals 10 and 7.5, running 10 and 17.5. Table
    two: 7, 1 -> running 7 and 8. Neither adds the other, the other report's 100 or the cost
    level 999; from-year=2026 keeps the running totals counted from 2025."""
    kg = small_graph(TWO_TABLES)

    def totals(params: dict[str, str]) -> list[tuple[str | None, int, Decimal, Decimal, Decimal]]:
        rows = run(catalogue, kg, "operating-cost-growth", params)
        return [
            (
                tail(r["dataset"]),
                int(str(r["year"])),
                number(r["amount"]),
                number(r["yearTotal"]),
                number(r["runningTotal"]),
            )
            for r in rows
        ]

    D = Decimal
    assert totals({"report": "report:c-2024"}) == [
        ("c-one", 2025, D("10"), D("10"), D("10")),
        ("c-one", 2026, D("2.5"), D("7.5"), D("17.5")),  # e-resept sorts before kjernejournal
        ("c-one", 2026, D("5"), D("7.5"), D("17.5")),
        ("c-two", 2025, D("7"), D("7"), D("7")),
        ("c-two", 2026, D("1"), D("1"), D("8")),
    ]
    assert totals({"report": "report:c-2024", "from-year": "2026"}) == [
        ("c-one", 2026, D("2.5"), D("7.5"), D("17.5")),
        ("c-one", 2026, D("5"), D("7.5"), D("17.5")),
        ("c-two", 2026, D("1"), D("1"), D("8")),
    ]
    assert totals({"report": "report:c-2025"}) == [("c-other", 2025, D("100"), D("100"), D("100"))]


@pytest.mark.parametrize(
    "params",
    [{"from-year": "abc"}, {"to-year": "20x5"}, {"report": "1999-01"}, {"report": "nuit"}],
)
def test_operating_cost_growth_bad_parameters(
    knowledge: KnowledgeGraph, catalogue: Catalogue, params: dict[str, str]
) -> None:
    with pytest.raises(BadParameterError):
        run(catalogue, knowledge, "operating-cost-growth", params)


################################################################ operating-cost-level


def test_operating_cost_level_2026(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """003 case 5/25, 'Estimert kostnadsnivå per år', column 2026: Helsenorge 392, Helsenettet
    215, E-resept 188, Kjernejournal 145, Grunndata og HelseID 129, VKP 31 (rows matched to
    the per-solution 'Sum drift- og forvaltningskostnader' lines, the data's documented
    judgement). The rows sum to 1100; the report states 'Sum kostnadsnivå' 1 099 (rounding)."""
    rows = run(catalogue, knowledge, "operating-cost-level", {"year": "2026"})
    assert [(tail(r["solution"]), number(r["amount"])) for r in rows] == [
        ("helsenorge", 392),
        ("helsenettet", 215),
        ("e-resept", 188),
        ("kjernejournal", 145),
        ("grunndata-og-helseid", 129),
        ("velferdsteknologisk-knutepunkt", 31),
    ]
    assert {number(r["sum"]) for r in rows} == {Decimal(1100)}
    assert {number(r["statedTotal"]) for r in rows} == {Decimal(1099)}
    assert {r["report"] for r in rows} == {iri("report/nuit-2025-02")}
    assert {r["dataset"] for r in rows} == {iri("dataset/nuit-2025-02-cost-level")}


@pytest.mark.parametrize("year", ["2022", "2024", "2030"])
def test_operating_cost_level_years_no_report_states(
    knowledge: KnowledgeGraph, catalogue: Catalogue, year: str
) -> None:
    """Only 003 states cost levels, for 2025–2029 (000 and 004 give increases, not levels)."""
    assert run(catalogue, knowledge, "operating-cost-level", {"year": year}) == []


def test_operating_cost_level_needs_a_year(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    for params in ({}, {"year": "next"}, {"year": "99999"}):
        with pytest.raises(BadParameterError):
            run(catalogue, knowledge, "operating-cost-level", params)


LEVELS = """
report:l-2024 a ehk:Report ; dcterms:title "R 2024"@nb ; dcterms:date "2024-11-14"^^xsd:date .
report:l-2025 a ehk:Report ; dcterms:title "R 2025"@nb ; dcterms:date "2025-02-13"^^xsd:date .
dataset:l-old a qb:DataSet ; ehk:reportedIn report:l-2024 .
dataset:l-new a qb:DataSet ; ehk:reportedIn report:l-2025 .
cost:l1 a ehk:CostObservation ; qb:dataSet dataset:l-old ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostLevel ; ehk:year 2026 ; ehk:amount 300.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:l-2024 .
cost:l2 a ehk:CostObservation ; qb:dataSet dataset:l-old ; ehk:solution solution:kjernejournal ;
    ehk:costKind ehk:CostLevel ; ehk:year 2026 ; ehk:amount 100.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:l-2024 .
cost:l3 a ehk:CostObservation ; qb:dataSet dataset:l-old ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostLevel ; ehk:year 2030 ; ehk:amount 350.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:l-2024 .
figure:l-old-2026 a ehk:StatedFigure ; ehk:figureKind ehk:FigCostLevelTotal ; ehk:year 2026 ;
    ehk:value 400.0 ; ehk:unit ehk:MNOK ; ehk:reportedIn report:l-2024 .
cost:l4 a ehk:CostObservation ; qb:dataSet dataset:l-new ; ehk:solution solution:helsenorge ;
    ehk:costKind ehk:CostLevel ; ehk:year 2026 ; ehk:amount 392.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:l-2025 .
cost:l5 a ehk:CostObservation ; qb:dataSet dataset:l-new ; ehk:solution solution:kjernejournal ;
    ehk:costKind ehk:CostLevel ; ehk:year 2026 ; ehk:amount 145.0 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:l-2025 .
figure:l-new-2026 a ehk:StatedFigure ; ehk:figureKind ehk:FigCostLevelTotal ; ehk:year 2026 ;
    ehk:value 536.0 ; ehk:unit ehk:MNOK ; ehk:reportedIn report:l-2025 .
"""


def test_operating_cost_level_takes_the_latest_report_for_the_year(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """2026 is stated by the 2024 and the 2025 report: only the 2025 levels (392, 145; sum
    537 beside its own stated 536). 2030 is stated only by the 2024 report: its 350, with no
    stated total. A year no report states: nothing."""
    kg = small_graph(LEVELS)
    rows = run(catalogue, kg, "operating-cost-level", {"year": "2026"})
    assert [
        (tail(r["solution"]), number(r["amount"]), number(r["sum"]), number(r["statedTotal"]))
        for r in rows
    ] == [("helsenorge", 392, 537, 536), ("kjernejournal", 145, 537, 536)]
    assert {tail(r["report"]) for r in rows} == {"l-2025"}
    rows = run(catalogue, kg, "operating-cost-level", {"year": "2030"})
    assert [(tail(r["report"]), number(r["amount"]), r["statedTotal"]) for r in rows] == [
        ("l-2024", 350, None)
    ]
    assert run(catalogue, kg, "operating-cost-level", {"year": "2031"}) == []


################################################################ council-cases


def case_summary(kg: KnowledgeGraph, rows: list[Record]) -> list[tuple[str, ...]]:
    labels = nb_labels(kg)
    return [
        (
            str(r["number"]),
            str(r["time"])[:5],
            labels.get(r["type"], "") if r["type"] is not None else "",
        )
        for r in rows
    ]


def test_council_cases_nuit_may_2021(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """004, the agenda: cases 9/21–17/21 in agenda order with 'Innretning' and start time as
    printed; 10/21 is printed '1021' (its own slide reads 'Sak 10/21'); 17/21 'Eventuelt' has
    neither type nor presenter."""
    rows = run(catalogue, knowledge, "council-cases", {"meeting": "2021-05-20"})
    assert case_summary(knowledge, rows) == [
        ("9/21", "10:00", "Godkjenning"),
        ("10/21", "10:02", "Godkjenning"),
        ("11/21", "10:10", "Orientering"),
        ("12/21", "10:25", "Drøfting"),
        ("13/21", "10:45", "Drøfting"),
        ("14/21", "11:25", "Orientering"),
        ("15/21", "11:40", "Drøfting"),
        ("16/21", "12:25", "Orientering"),
        ("17/21", "12:45", ""),
    ]
    assert [int(str(r["position"])) for r in rows] == list(range(1, 10))
    by_number = {str(r["number"]): r for r in rows}
    assert str(by_number["12/21"]["title"]) == "Nasjonal e-helseportefølje – status og planer"
    assert str(by_number["12/21"]["presenter"]) == "Siv Ingebrigtsen"
    assert by_number["17/21"]["presenter"] is None
    assert by_number["13/21"]["organisation"] == iri("actor/direktoratet-for-e-helse")
    same = run(catalogue, knowledge, "council-cases", {"meeting": ID + "meeting/nuit-2021-05-20"})
    assert same == rows


def test_council_cases_nuit_february_2025(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """003, the agenda 'Saksnr … Tid Sakstype': 1/25–11/25; 10/25 'Orientering fra
    Helsedirektoratet' is typed 'Drøfting' as printed; 11/25 'Eventuelt' has no type."""
    rows = run(catalogue, knowledge, "council-cases", {"meeting": "2025-02-13"})
    assert case_summary(knowledge, rows) == [
        ("1/25", "09:00", "Godkjenning"),
        ("2/25", "09:05", "Godkjenning"),
        ("3/25", "09:15", "Orientering"),
        ("4/25", "09:55", "Drøfting"),
        ("5/25", "10:45", "Drøfting"),
        ("6/25", "12:15", "Drøfting"),
        ("7/25", "12:55", "Drøfting"),
        ("8/25", "13:55", "Drøfting"),
        ("9/25", "14:35", "Drøfting"),
        ("10/25", "15:15", "Drøfting"),
        ("11/25", "15:35", ""),
    ]
    by_number = {str(r["number"]): r for r in rows}
    assert str(by_number["5/25"]["presenter"]) == "Rita Midthaug"
    assert by_number["5/25"]["organisation"] == iri("actor/norsk-helsenett")
    assert str(by_number["3/25"]["title"]) == "Digital samhandling"


@pytest.mark.parametrize("meeting", ["2021-05-21", "2025-02", "meeting:nuit-1999-01-01"])
def test_council_cases_unknown_meeting(
    knowledge: KnowledgeGraph, catalogue: Catalogue, meeting: str
) -> None:
    with pytest.raises(BadParameterError) as raised:
        run(catalogue, knowledge, "council-cases", {"meeting": meeting})
    if not meeting.startswith("meeting:"):
        assert "2021-05-20" in str(raised.value)
        assert "2025-02-13" in str(raised.value)


AGENDA = """
council:x a ehk:Council ; rdfs:label "Rådet"@nb .
meeting:x-1 a ehk:CouncilMeeting ; rdfs:label "Møte 1"@nb ; ehk:ofCouncil council:x ;
    dcterms:date "2030-01-10"^^xsd:date .
meeting:x-2 a ehk:CouncilMeeting ; rdfs:label "Møte 2"@nb ; ehk:ofCouncil council:x ;
    dcterms:date "2030-03-10"^^xsd:date .
case:x-10-30 a ehk:CouncilCase ; ehk:caseNumber "10/30" ; ehk:inMeeting meeting:x-1 ;
    dcterms:title "Sak ti"@nb ; ehk:agendaPosition 1 .
case:x-9-30 a ehk:CouncilCase ; ehk:caseNumber "9/30" ; ehk:inMeeting meeting:x-1 ;
    dcterms:title "Sak ni"@nb ; ehk:agendaPosition 3 .
case:x-2-30 a ehk:CouncilCase ; ehk:caseNumber "2/30" ; ehk:inMeeting meeting:x-1 ;
    dcterms:title "Sak to"@nb ; ehk:agendaPosition 2 .
case:x-11-30 a ehk:CouncilCase ; ehk:caseNumber "11/30" ; ehk:inMeeting meeting:x-2 ;
    dcterms:title "Sak elleve"@nb .
case:x-12-30 a ehk:CouncilCase ; ehk:caseNumber "12/30" ; ehk:inMeeting meeting:x-2 ;
    dcterms:title "Sak tolv"@nb .
case:x-3-30 a ehk:CouncilCase ; ehk:caseNumber "3/30" ; ehk:inMeeting meeting:x-2 ;
    dcterms:title "Sak tre"@nb .
"""


def test_council_cases_follow_the_agenda_position(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """Positions 1, 2, 3 hold cases 10/30, 2/30, 9/30: the agenda order, not the numbers'."""
    kg = small_graph(AGENDA)
    rows = run(catalogue, kg, "council-cases", {"meeting": "2030-01-10"})
    assert [str(r["number"]) for r in rows] == ["10/30", "2/30", "9/30"]


def test_council_cases_without_positions_follow_the_case_numbers(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """With no agenda positions the cases should come 'in order' (the query's description) of
    their numbers, 3/30, 11/30, 12/30; ordering by the number as text gives 11, 12, 3."""
    kg = small_graph(AGENDA)
    rows = run(catalogue, kg, "council-cases", {"meeting": "2030-03-10"})
    assert [str(r["number"]) for r in rows] == ["3/30", "11/30", "12/30"]


################################################################ provenance


def test_provenance_of_measure_181(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """000 (reported 30 June 2022): Vedlegg 2 row '181 Helse Sør-Øst Kjernejournal
    dokumentdeling Gjennomføre Aktiv Gul Gul 1.1' (the assessment) and 2.3 'To tiltak
    rapporterer avhengighet med høy kritikalitet og rød status' (the NHN dependency). Every
    asserted statement comes from the 2022-09 file and report; reasoning's are in
    graph/inferred."""
    rows = run(catalogue, knowledge, "provenance", {"subject": "181"})
    asserted = [r for r in rows if r["graph"] != INFERRED]
    inferred = [r for r in rows if r["graph"] == INFERRED]
    assert {r["graph"] for r in asserted} == {
        URIRef("https://w3id.org/ehelsekg/graph/data/2022-09-portfolio-report")
    }
    assert {r["report"] for r in asserted} == {iri("report/2022-09")}
    assert {str(r["reportingDate"]) for r in asserted} == {"2022-06-30"}
    facts = {tail(r["fact"]) for r in asserted}
    # Chapter 7's row 'Helse Sør-Øst | Innføring | 2021→ 2025' of the journal-document service
    # is 181's work, by the judgement that names it (both from the same report).
    assert facts == {
        "181",
        "2022-09-181",
        "2022-09-181-nhn-leveranser",
        "2022-09-journal-03",
        "activity-2022-09-journal-03-for-181",
    }

    def value(fact: str, prop: str) -> set[str]:
        return {
            str(r["value"])
            for r in asserted
            if tail(r["fact"]) == fact and str(r["property"]) == prop
        }

    assessment = "2022-09-181"
    assert value(assessment, EHK + "owner") == {ID + "actor/helse-sor-ost"}
    assert value(assessment, EHK + "status") == {EHK + "Yellow"}
    assert value(assessment, EHK + "risk") == {EHK + "Yellow"}
    assert value(assessment, EHK + "phase") == {EHK + "PhaseExecution"}
    assert value(assessment, EHK + "focusArea") == {ID + "focus-area/1.1"}
    dependency = "2022-09-181-nhn-leveranser"
    assert value(dependency, EHK + "status") == {EHK + "Red"}
    assert value(dependency, EHK + "criticality") == {EHK + "CriticalityHigh"}
    assert value("181", "http://www.w3.org/2000/01/rdf-schema#label") == {
        "Kjernejournal dokumentdeling"
    }
    assert inferred, "reasoning derives e.g. ehk:hasAssessment on the measure"
    assert all(r["fact"] == iri("measure/181") for r in inferred)
    assert (EHK + "hasAssessment", ID + "assessment/2022-09-181") in {
        (str(r["property"]), str(r["value"])) for r in inferred
    }
    assert run(catalogue, knowledge, "provenance", {"subject": "measure:181"}) == rows


def test_provenance_without_inferences_leaves_out_graph_inferred(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """include_inferred=False leaves out reasoning's results, so no statement of
    graph/inferred. The query's GRAPH ?graph still sees that named graph (the store only
    takes it out of the default graph)."""
    rows = run(catalogue, knowledge, "provenance", {"subject": "181"}, include_inferred=False)
    assert rows
    assert [r for r in rows if r["graph"] == INFERRED] == []


def test_provenance_unknown_measure(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    for subject in ("999999", "not an iri"):
        with pytest.raises(BadParameterError):
            run(catalogue, knowledge, "provenance", {"subject": subject})


FILE_A = """
report:pa a ehk:Report ; dcterms:title "Rapport A"@nb ; dcterms:date "2021-05-20"^^xsd:date ;
    ehk:dataFile "f0.ttl" .
measure:950 a ehk:Measure ; dcterms:identifier "950" ; rdfs:label "Felles tiltak"@nb ;
    prov:wasDerivedFrom report:pa .
assessment:pa-950 a ehk:StatusAssessment ; ehk:assessedMeasure measure:950 ;
    ehk:reportedIn report:pa ; ehk:status ehk:Green .
"""
FILE_B = """
report:pb a ehk:Report ; dcterms:title "Rapport B"@nb ; dcterms:date "2022-09"^^xsd:gYearMonth ;
    ehk:reportingDate "2022-06-30"^^xsd:date ; ehk:dataFile "f1.ttl" .
measure:950 a ehk:Measure ; dcterms:identifier "950" ; rdfs:label "Felles tiltak"@nb ;
    prov:wasDerivedFrom report:pb .
assessment:pb-950 a ehk:StatusAssessment ; ehk:assessedMeasure measure:950 ;
    ehk:reportedIn report:pb ; ehk:status ehk:Yellow .
"""


def test_provenance_of_an_entity_in_two_files(
    settings: Settings, tmp_path: Path, catalogue: Catalogue
) -> None:
    """Measure 950 is stated in two files: its label shows once per file, each with that
    file's report and reporting date (2021-05-20 for A, 2022-06-30 for B, the reporting date
    before the report's own date), and each assessment with its own report."""
    kg = graph_of_files(settings, tmp_path, FILE_A, FILE_B)
    rows = run(catalogue, kg, "provenance", {"subject": "950"})
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    labels = [
        (tail(r["graph"]), tail(r["report"]), str(r["reportingDate"]))
        for r in rows
        if str(r["property"]) == label and tail(r["fact"]) == "950"
    ]
    assert labels == [("f0", "pa", "2021-05-20"), ("f1", "pb", "2022-06-30")]
    statuses = {
        (tail(r["fact"]), tail(r["value"]), tail(r["report"]))
        for r in rows
        if str(r["property"]) == EHK + "status"
    }
    assert statuses == {("pa-950", "Green", "pa"), ("pb-950", "Yellow", "pb")}
    dates = [str(r["reportingDate"]) for r in rows if r["graph"] != INFERRED]
    assert dates == sorted(dates)


def test_provenance_lists_each_statement_once(
    small_graph: SmallGraph, catalogue: Catalogue
) -> None:
    """A fact linked to the subject by two properties (a dependency whose dependent and whose
    concern are both measure 950) must not list its statements twice; the query matches
    ?fact ?link ?subject once per link and has no DISTINCT."""
    kg = small_graph(
        """
report:pd a ehk:Report ; dcterms:title "Rapport D"@nb ; dcterms:date "2021-05-20"^^xsd:date .
measure:950 a ehk:Measure ; dcterms:identifier "950" ; rdfs:label "Felles tiltak"@nb .
dependency:pd-950 a ehk:Dependency ; ehk:dependent measure:950 ; ehk:concerns measure:950 ;
    ehk:dependee prereq:pd ; ehk:reportedIn report:pd .
"""
    )
    result = catalogue.run("provenance", {"subject": "950"}, kg.store)
    assert len(result.rows) == len(set(result.rows))


################################################################ search


def test_search_legemiddel(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """000 Vedlegg 2 '160 … Program pasientens legemiddelliste'; 000 chapter 7 'Helsepersonell
    skal ha tilgang til pasientens legemiddelliste (PLL)'; 004 case 13/21 'Legemiddelprogrammet
    – langsiktig finansiering'; 004 'Strategiplan for digitalisering av legemiddelområdet'
    (in 11/21's sub-items). Every match contains the text."""
    rows = run(catalogue, knowledge, "search", {"text": "legemiddel"})
    by_entity = {r["entity"]: r for r in rows}
    expected = {
        iri("measure/160"): "Program pasientens legemiddelliste",
        iri("roadmap-service/pll"): (
            "Helsepersonell skal ha tilgang til pasientens legemiddelliste (PLL)"
        ),
        iri("case/nuit-13-21"): "Legemiddelprogrammet – langsiktig finansiering",
    }
    for entity, label in expected.items():
        assert str(by_entity[entity]["label"]) == label
    assert str(by_entity[iri("measure/160")]["kinds"]) == "Measure"
    assert iri("case/nuit-11-21") in by_entity
    for row in rows:
        assert "legemiddel" in str(row["match"]).lower(), row


def test_search_is_case_insensitive(knowledge: KnowledgeGraph, catalogue: Catalogue) -> None:
    """'Kjernejournal' in any case: the national solution (reference data) and measures 181
    'Kjernejournal dokumentdeling' (000 Vedlegg 2) and 128 among the hits."""
    results = [
        run(catalogue, knowledge, "search", {"text": text})
        for text in ("Kjernejournal", "kjernejournal", "KJERNEJOURNAL")
    ]
    assert results[0] == results[1] == results[2]
    entities = {r["entity"] for r in results[0]}
    assert {iri("solution/kjernejournal"), iri("measure/181"), iri("measure/128")} <= entities
    kinds = {r["entity"]: str(r["kinds"]) for r in results[0]}
    assert kinds[iri("solution/kjernejournal")] == "National e-health solution"
    for row in results[0]:
        assert "kjernejournal" in str(row["match"]).lower()


def test_search_on_a_small_graph(small_graph: SmallGraph, catalogue: Catalogue) -> None:
    """Only entities whose label, title or description contains the text; none if absent."""
    kg = small_graph(
        """
measure:960 a ehk:Measure ; dcterms:identifier "960" ; rdfs:label "Alfa-tiltaket"@nb .
measure:961 a ehk:Measure ; dcterms:identifier "961" ; rdfs:label "Beta"@nb ;
    dcterms:description "Bygger videre på ALFA"@nb .
"""
    )
    assert run(catalogue, kg, "search", {"text": "gamma"}) == []
    assert run(catalogue, kg, "search", {"text": "tiltaket"})[0]["entity"] == iri("measure/960")
    rows = run(catalogue, kg, "search", {"text": "alfa"})
    assert [(tail(r["entity"]), str(r["label"])) for r in rows] == [
        ("960", "Alfa-tiltaket"),
        ("961", "Beta"),
    ]


################################################################ reports


def test_reports_are_the_five_source_documents(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """seeds/README.md: 002 (arena 24 Oct. 2019, portfolio 'sist oppdatert 23.05.2019'), 004
    (NUIT 20 May 2021), 001 (goal initiatives, spring 2022: no exact date), 000 (Sept. 2022,
    reported 30 June 2022, its URL on the first page), 003 (NUIT 13 Feb. 2025); by date."""
    rows = run(catalogue, knowledge, "reports")
    got = [
        (
            tail(r["report"]),
            str(r["date"]),
            None if r["reportingDate"] is None else str(r["reportingDate"]),
            str(r["dataFile"]),
        )
        for r in rows
    ]
    assert got == [
        ("2019-10", "2019-10-24", "2019-05-23", "2019-10-national-arena.ttl"),
        ("nuit-2021-05", "2021-05-20", "2021-05-20", "2021-05-20-nuit.ttl"),
        ("2022-goals", "2022", None, "2022-goal-initiatives.ttl"),
        ("2022-09", "2022-09", "2022-06-30", "2022-09-portfolio-report.ttl"),
        ("nuit-2025-02", "2025-02-13", "2025-02-13", "2025-02-13-nuit.ttl"),
    ]
    sources = {tail(r["report"]): r["source"] for r in rows}
    assert str(sources["2022-09"]).startswith(
        "https://www.ehelse.no/publikasjoner/nasjonal-e-helseportefolje-september-2022/"
    )
    titles = {tail(r["report"]): str(r["title"]) for r in rows}
    assert titles["nuit-2021-05"] == "Møte i NUIT 20. mai 2021"
    assert titles["nuit-2025-02"] == "Møte i NUIT 13. februar 2025"
    assert all(int(str(r["facts"])) > 0 for r in rows)


################################################################ injection

SEARCH_ATTEMPTS = [
    '") } UNION { ?entity ?p ?found } #',
    'x" . ?s ?p ?o . FILTER("a',
    "'}",
    '"""',
    "\\",
    "}",
    'legemiddel" || true || "',
    "<http://evil>",
    "a" * 99,
    "x" * 100,
]


@pytest.mark.parametrize("text", SEARCH_ATTEMPTS)
def test_search_parameter_cannot_change_the_query(
    knowledge: KnowledgeGraph, catalogue: Catalogue, text: str
) -> None:
    """Issue text: 'parameters cannot change the shape of a query (an injection attempt in
    actor or text returns no extra rows and no error other than a clean one)'."""
    normal = catalogue.run("search", {"text": "legemiddel"}, knowledge.store)
    try:
        result = catalogue.run("search", {"text": text}, knowledge.store)
    except BadParameterError:
        return
    assert result.variables == normal.variables
    for row in result.records():
        assert text.lower() in str(row["match"]).lower(), row


def test_search_text_longer_than_100_characters_is_refused(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """search declares 'max-length=100'."""
    assert catalogue.run("search", {"text": "k" * 100}, knowledge.store).rows == ()
    for text in ("k" * 101, '") } UNION { ?entity ?p ?found } #' * 3):
        with pytest.raises(BadParameterError, match="100"):
            catalogue.run("search", {"text": text}, knowledge.store)


@pytest.mark.parametrize(
    "actor",
    [
        'Helse Sør-Øst" } UNION { ?x ?y ?z }',
        "<http://evil>",
        "measure:181> ?p ?o . #",
        "actor:helse-sor-ost> ?p ?o . #",
        "https://w3id.org/ehelsekg/id/actor/helse-sor-ost> ?p ?o . #",
    ],
)
def test_actor_parameter_cannot_change_the_query(
    knowledge: KnowledgeGraph, catalogue: Catalogue, actor: str
) -> None:
    """Same issue text, for measures-by-actor: a clean BadParameterError or no extra rows."""
    normal = catalogue.run("measures-by-actor", {"actor": "Helse Sør-Øst"}, knowledge.store)
    assert normal.rows, "Helse Sør-Øst owns measures in 000 Vedlegg 2 (e.g. 181)"
    try:
        result = catalogue.run("measures-by-actor", {"actor": actor}, knowledge.store)
    except BadParameterError:
        return
    assert result.variables == normal.variables
    assert set(result.rows) <= set(normal.rows)


################################################################ determinism

EIGHT_QUERIES = [
    ("roadmap-services", {}),
    ("services-awaiting-funding", {}),
    ("operating-cost-growth", {}),
    ("operating-cost-level", {"year": "2026"}),
    ("council-cases", {"meeting": "2025-02-13"}),
    ("provenance", {"subject": "181"}),
    ("search", {"text": "legemiddel"}),
    ("reports", {}),
]


@pytest.mark.parametrize(("name", "params"), EIGHT_QUERIES, ids=[n for n, _ in EIGHT_QUERIES])
def test_same_query_twice_gives_the_same_rows(
    knowledge: KnowledgeGraph, catalogue: Catalogue, name: str, params: dict[str, str]
) -> None:
    first = catalogue.run(name, params, knowledge.store)
    second = catalogue.run(name, params, knowledge.store)
    assert first.rows, name
    assert first.variables == second.variables
    assert first.rows == second.rows
