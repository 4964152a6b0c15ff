"""Links between entities that the sources state only in prose (issue 12): the judged link,
the entity of the right period, order versus requirement, and one observation per figure.

Every expected answer is worked out by hand from the seed documents; each test says where
from (000 = September 2022 portfolio report, 001 = goals document, 002 = October 2019 arena,
003 = NUIT February 2025, 004 = NUIT May 2021)."""

from __future__ import annotations

from decimal import Decimal

import networkx as nx
import pytest
from rdflib import Namespace

from ehelsekg.analysis.cpm import critical_path
from ehelsekg.analysis.network import build_network, show_finish
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import KnowledgeGraph

ID = "https://w3id.org/ehelsekg/id/"
EHK = Namespace("https://w3id.org/ehelsekg/ontology#")
PLL = ID + "roadmap-service/pll"
STEP = ID + "plan-step/legemiddelprogrammet-"
ACTIVITY = ID + "activity/"
VKP = ID + "solution/velferdsteknologisk-knutepunkt"


def rows(kg: KnowledgeGraph, query: str) -> list[dict[str, object]]:
    return kg.store.query(query).records()


@pytest.fixture(scope="module")
def network(knowledge: KnowledgeGraph, catalogue: Catalogue) -> nx.DiGraph:
    return build_network(knowledge.store, catalogue)


def test_goal_4_names_both_red_dependencies_of_september_2022(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """000 §2.3: 'To tiltak rapporterer avhengighet med høy kritikalitet og rød status':
    Kjernejournal dokumentdeling (181) and Helseplattformen (111). 111 is under Mål 4 in 001
    ('Helseplattformen i Helse Midt-Norge'), every hop stated; 181's dependency is on NHN's
    deliveries, which 000 §4.2 places in Program digital samhandling ('Sentrale tiltak i
    program digital samhandling i 2022 for å understøtte deling av dokumenter via
    kjernejournal …'), listed under Mål 4 in 001: that 'part of' hop is judged."""
    result = catalogue.run("red-dependencies-blocking-goal", {"goal": "4"}, knowledge.store)
    found = {
        str(r["dependency"]).rsplit("/", 1)[-1]: (str(r["route"]), str(r["judged"]))
        for r in result.records()
    }
    assert set(found) == {"2022-09-111-e-multidose-pll", "2022-09-181-nhn-leveranser"}
    route_111, judged_111 = found["2022-09-111-e-multidose-pll"]
    assert "«Helseplattformen i Helse Midt-Norge»" in route_111 and "(skjønn)" not in route_111
    assert judged_111 == "false"
    route_181, judged_181 = found["2022-09-181-nhn-leveranser"]
    assert "«Program digital samhandling» ← del av (skjønn) «Leveranser fra NHN" in route_181
    assert route_181.endswith("rød avhengighet hos tiltak 181 «Kjernejournal dokumentdeling»")
    assert judged_181 == "true"
    for goal in ("1", "2", "3"):  # 001 lists Program digital samhandling under Mål 4 only
        other = catalogue.run("red-dependencies-blocking-goal", {"goal": goal}, knowledge.store)
        assert [str(r["id"]) for r in other.records()] == ["111"]


def test_vkp_is_the_national_solution_of_its_period(
    knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """001 Mål 4 lists 'VKP' (spring 2022); 002 holds '179 Velferdsteknologisk knutepunkt' in
    the 2019 portfolio only, 000 Vedlegg 2 has no 179, and 003 gives the national solution its
    cost levels 'Sum drift- og forvaltningskostnader VKP 26,0 31,0 31,0 31,0 31,0' (2025–2029).
    So VKP is the solution; measure 179 is its history, not a current measure of goal 4."""
    linked = rows(
        knowledge,
        "SELECT ?what WHERE { <https://w3id.org/ehelsekg/id/initiative/goal-4-portefolje-12>"
        " <https://w3id.org/ehelsekg/ontology#concerns>|"
        "<https://w3id.org/ehelsekg/ontology#involvesMeasure> ?what }",
    )
    assert {str(r["what"]) for r in linked} == {VKP}
    history = rows(
        knowledge,
        f"SELECT ?m WHERE {{ <{VKP}> <https://w3id.org/ehelsekg/ontology#continuesMeasure> ?m }}",
    )
    assert [str(r["m"]) for r in history] == [ID + "measure/179"]
    levels = rows(
        knowledge,
        "PREFIX ehk: <https://w3id.org/ehelsekg/ontology#> SELECT ?year ?amount WHERE {"
        f" ?c ehk:solution <{VKP}> ; ehk:costKind ehk:CostLevel ; ehk:year ?year ;"
        " ehk:amount ?amount } ORDER BY ?year",
    )
    assert [(int(str(r["year"])), Decimal(str(r["amount"]))) for r in levels] == [
        (2025, Decimal("26")),
        (2026, Decimal("31")),
        (2027, Decimal("31")),
        (2028, Decimal("31")),
        (2029, Decimal("31")),
    ]
    goal_4 = catalogue.run("measures-by-goal", {"goal": "4"}, knowledge.store).records()
    assert "179" not in {str(r["id"]) for r in goal_4}


def test_pll_critical_path_with_and_without_judged_links(network: nx.DiGraph) -> None:
    """000 chapter 7: 'Helsepersonell skal ha tilgang til pasientens legemiddelliste (PLL)',
    'Fullføre nasjonal innføring i løpet av 2028', Direktoratet for e-helse / NHN 'Starte
    koordinert nasjonal innføring av PLL 2023 → 2028'. 004 only numbers the steps of
    'Stegvis realisering' (1 SFM … 5 PLL), so steps 1–4 are order, not requirements, and are
    no longer on the path. That the service requires step 5 and that activities realise steps
    are judgements: with them the critical chain runs through step 5; --strict leaves them out
    and the chain is the national rollout straight to the service. Both finish 2028-12, the
    deadline."""
    full = critical_path(network, PLL)
    strict = critical_path(network, PLL, strict=True)
    for result in (full, strict):
        assert show_finish(result.finish) == "2028-12"
        assert result.deadline_reachable is True
        members = {s.node for s in result.steps}
        assert not {STEP + n for n in "1234"} & members
    assert (ACTIVITY + "2022-09-pll-13", STEP + "5", PLL) in full.chains
    judged = {(u, v, relation) for u, v, relation, _ in full.judged_links}
    assert (STEP + "5", PLL, "requires") in judged
    assert (ACTIVITY + "2022-09-pll-13", STEP + "5", "realises") in judged
    assert strict.chains == ((ACTIVITY + "2022-09-pll-13", PLL),)
    assert strict.judged_links == ()
    assert STEP + "5" not in {s.node for s in strict.steps}


def test_double_counted_cost_figures_are_found(
    small_graph: object, catalogue: Catalogue, knowledge: KnowledgeGraph
) -> None:
    """003 prints PLL's 55,6 MNOK growth on SFM in 2025 both in the per-solution detail slide
    and in 'Oversikt over vekst som følge av Digital samhandling'. With the repeat pointing to
    the kept observation the check is quiet; two unlinked copies are reported."""
    text = (knowledge.settings.queries_dir / "checks" / "double-counted-costs.rq").read_text(
        encoding="utf-8"
    )
    assert knowledge.store.query(text).records() == []
    twice = """
report:t a ehk:Report ; dcterms:title "Test"@nb ; ehk:reportingDate "2025-02-13"^^xsd:date .
dataset:t-a a qb:DataSet ; rdfs:label "A"@nb ; ehk:reportedIn report:t .
dataset:t-b a qb:DataSet ; rdfs:label "B"@nb ; ehk:reportedIn report:t .
cost:t-a a ehk:CostObservation ; qb:dataSet dataset:t-a ; ehk:solution solution:sfm ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2025 ; ehk:amount 55.6 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:t .
cost:t-b a ehk:CostObservation ; qb:dataSet dataset:t-b ; ehk:solution solution:sfm ;
    ehk:costKind ehk:CostIncrease ; ehk:year 2025 ; ehk:amount 55.6 ; ehk:unit ehk:MNOK ;
    ehk:reportedIn report:t .
"""
    kg = small_graph(twice)  # type: ignore[operator]
    found = kg.store.query(text).records()
    assert [(str(r["first"]), str(r["second"])) for r in found] == [
        (ID + "cost/t-a", ID + "cost/t-b")
    ]
    linked = small_graph(twice + "cost:t-b ehk:repeatsFigure cost:t-a .\n")  # type: ignore[operator]
    assert linked.store.query(text).records() == []
