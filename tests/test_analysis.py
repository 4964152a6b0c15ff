"""Critical path, cycles, the impact of a slip and hotspots on the dependency network."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from ehelsekg.analysis.cpm import critical_path, hotspots, impact, resolve_node
from ehelsekg.analysis.network import build_network, month, show_finish
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.main import main
from ehelsekg.errors import BadParameterError, CycleError
from ehelsekg.knowledge import KnowledgeGraph


def network(*edges: tuple[str, str], **durations: int | None) -> nx.DiGraph:
    graph = nx.DiGraph()
    for node, duration in durations.items():
        graph.add_node(node, label=node, kind="PlannedActivity", duration=duration, note="")
    for u, v in edges:
        graph.add_edge(u, v, relation="requires", source=f"urn:test:{u}-{v}")
    return graph


def test_textbook_network_reproduces_every_time_and_float() -> None:
    """Worked by hand. Activities (duration; predecessors): A (3; –), B (4; A), C (2; A),
    D (5; B), E (1; C), F (2; D, E).
    Forward pass: A 0–3, B 3–7, C 3–5, D 7–12, E 5–6, F 12–14.
    Backward pass from F's finish 14: F 12–14, D 7–12, E 11–12, B 3–7, C 9–11, A 0–3.
    Total float (LS − ES): A 0, B 0, C 6, D 0, E 6, F 0. Critical path A → B → D → F."""
    graph = network(
        ("A", "B"),
        ("A", "C"),
        ("B", "D"),
        ("C", "E"),
        ("D", "F"),
        ("E", "F"),
        A=3,
        B=4,
        C=2,
        D=5,
        E=1,
        F=2,
    )
    result = critical_path(graph, "F")
    expected = {  # node: (ES, EF, LS, LF, float)
        "A": (0, 3, 0, 3, 0),
        "B": (3, 7, 3, 7, 0),
        "C": (3, 5, 9, 11, 6),
        "D": (7, 12, 7, 12, 0),
        "E": (5, 6, 11, 12, 6),
        "F": (12, 14, 12, 14, 0),
    }
    for node, times in expected.items():
        step = result.step(node)
        actual = (
            step.earliest_start,
            step.earliest_finish,
            step.latest_start,
            step.latest_finish,
            step.total_float,
        )
        assert actual == times, node
    assert result.chains == (("A", "B", "D", "F"),)
    assert result.finish == 14 and result.deadline is None


def test_two_critical_chains_of_equal_length_are_both_reported() -> None:
    graph = network(("A", "C"), ("B", "C"), A=2, B=2, C=1)
    result = critical_path(graph, "C")
    assert set(result.chains) == {("A", "C"), ("B", "C")}


def test_a_cycle_is_reported_with_its_members_and_the_links_that_form_it() -> None:
    graph = network(("X", "Y"), ("Y", "Z"), ("Z", "X"), ("Z", "T"), X=1, Y=1, Z=1, T=1)
    with pytest.raises(CycleError) as caught:
        critical_path(graph, "T")
    (cycle,) = caught.value.cycles
    assert {step["node"] for step in cycle} == {"X", "Y", "Z"}
    assert {step["via"] for step in cycle} == {"urn:test:X-Y", "urn:test:Y-Z", "urn:test:Z-X"}
    assert "cycle" in str(caught.value)


def test_a_node_without_dates_has_no_duration_and_says_so() -> None:
    graph = network(("A", "B"), ("U", "B"), A=3, B=1, U=None)
    graph.nodes["U"]["note"] = "no dates in the data"
    result = critical_path(graph, "B")
    assert result.undated == ("U",)
    undated = result.step("U").to_json()
    assert undated["durationMonths"] is None and undated["earliestStart"] is None
    assert result.finish == 4  # U counts as nothing, and is not invented a duration


def test_deadline_decides_float_and_reachability() -> None:
    graph = network(("A", "B"), A=12, B=0)
    graph.nodes["A"]["not_before"] = month(2023)
    graph.nodes["B"]["deadline"] = month(2025)
    result = critical_path(graph, "B")
    assert show_finish(result.finish) == "2023-12"
    assert result.deadline_reachable is True and result.step("A").total_float == 12
    graph.nodes["B"]["deadline"] = month(2023, 6)
    assert critical_path(graph, "B").deadline_reachable is False


def test_a_slip_absorbed_by_float_moves_nothing() -> None:
    graph = network(("A", "C"), ("B", "C"), A=3, B=1, C=1)
    result = impact(graph, "B", 2)
    assert result.moved == () and result.unaffected == ("C",)


def test_a_slip_that_moves_a_goal_says_how_far_and_through_what() -> None:
    graph = network(("M1", "M2"), ("M2", "G"), ("M3", "G"), M1=2, M2=2, M3=1, G=0)
    graph.nodes["G"]["kind"] = "StrategicGoal"
    result = impact(graph, "M1", 3)
    moved = {m.node: m for m in result.moved}
    assert moved["G"].months == 3 and moved["G"].path == ("M1", "M2", "G")
    assert moved["M2"].months == 3
    with pytest.raises(BadParameterError):
        impact(graph, "M1", -1)


def test_hotspots_rank_what_most_work_depends_on() -> None:
    graph = network(("S", "A"), ("S", "B"), ("A", "C"), ("B", "C"), S=1, A=1, B=1, C=1)
    for node in graph.nodes:
        graph.nodes[node]["kind"] = "Measure"
    ranked = hotspots(graph, top=2)
    assert [h.node for h in ranked] == ["S", "A"]
    assert ranked[0].dependents == 3 and ranked[0].direct_dependents == 2


@pytest.fixture(scope="module")
def bundled(knowledge: KnowledgeGraph, catalogue: Catalogue) -> nx.DiGraph:
    return build_network(knowledge.store, catalogue)


def test_critical_path_to_national_rollout_of_pll(bundled: nx.DiGraph) -> None:
    """Seed 000 chapter 7: PLL target 'Fullføre nasjonal innføring i løpet av 2028';
    'Direktoratet for e-helse / NHN: Starte koordinert nasjonal innføring av PLL 2023 → 2028'
    (72 months from 2023-01); e-multidose rollout 2021 → 2024 for fastleger and apotek, four
    years before the PLL step it leads to must finish (seed 004: the medicines programme's
    stepwise plan SFM → e-multidose → kjernejournal → e-resept → PLL)."""
    target = resolve_node(bundled, "rmservice:pll")
    result = critical_path(bundled, target)
    assert show_finish(result.finish) == "2028-12" and result.deadline_reachable is True
    labels = {s.node: s.label for s in result.steps}
    chains = {tuple(labels[n] for n in chain) for chain in result.chains}
    assert all(chain[0] == "Starte koordinert nasjonal innføring av PLL" for chain in chains)
    rollout = next(s for s in result.steps if s.label.startswith("Starte koordinert nasjonal"))
    assert (rollout.duration, rollout.total_float) == (72, 0)
    multidose = [s for s in result.steps if s.label == "Videre innføring av E-multidose"]
    assert len(multidose) == 2 and all(s.total_float == 48 for s in multidose)
    undated = {labels[n] for n in result.undated}
    assert "Finansiering av PDS steg 2" in undated


def test_cli_critical_path_impact_and_hotspots() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["critical-path", "rmservice:pll"])
    assert table.exit_code == 0, table.output
    assert "deadline 2028-12: reachable" in table.output
    as_json = runner.invoke(main, ["critical-path", "rmservice:pll", "--format", "json"])
    assert json.loads(as_json.output)["deadlineReachable"] is True
    slip = runner.invoke(main, ["impact", "activity:2022-09-pll-13", "--slip", "6"])
    assert slip.exit_code == 0 and "+  6 months  Helsepersonell skal ha tilgang" in slip.output
    top = runner.invoke(main, ["hotspots", "--top", "3", "--format", "json"])
    assert len(json.loads(top.output)) == 3
    unknown = runner.invoke(main, ["critical-path", "no-such-thing"])
    assert unknown.exit_code == 5 and "not in the dependency network" in unknown.output


def test_critical_path_strict_uses_only_stated_links() -> None:
    """PLL (roadmap 22.3): with judged links, the chain runs through plan step 5 (the
    activity-to-step links are judged from wording); with --strict it is the rollout
    activity straight into the service (worked out by hand from seed 000, chapter 7)."""
    runner = CliRunner()
    judged = json.loads(
        runner.invoke(main, ["critical-path", "rmservice:pll", "--format", "json"]).output
    )
    strict = json.loads(
        runner.invoke(
            main, ["critical-path", "rmservice:pll", "--strict", "--format", "json"]
        ).output
    )
    assert strict["strict"] is True and not strict.get("judgedLinks")
    assert judged.get("judgedLinks")
    chains = [[hop["label"] for hop in chain] for chain in strict["criticalChains"]]
    assert chains == [
        [
            "Starte koordinert nasjonal innføring av PLL",
            "Helsepersonell skal ha tilgang til pasientens legemiddelliste (PLL)",
        ]
    ]
    assert strict["earliestFinish"] == judged["earliestFinish"] == "2028-12"
