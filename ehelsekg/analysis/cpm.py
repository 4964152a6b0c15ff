"""Critical path, the impact of a slip, and where a delay hurts most, on the dependency network.

The critical path method (CPM) works on any DiGraph whose edges run predecessor → successor and
whose nodes carry ``duration`` (months, or None when unknown: counted as 0 and reported),
``not_before`` (earliest start, from the data's own start dates) and ``deadline`` (latest
finish, from targets and dependency deadlines). A cycle is reported with its members and the
links that form it, never broken silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice, pairwise

import networkx as nx

from ehelsekg.analysis.network import show_finish, show_month, stated_only
from ehelsekg.catalogue.parameters import expand_iri
from ehelsekg.errors import BadParameterError, CycleError


@dataclass(frozen=True)
class ScheduledStep:
    """One node of a CPM schedule, with times in months since year 0."""

    node: str
    label: str
    kind: str
    duration: int | None
    earliest_start: int
    earliest_finish: int
    latest_start: int
    latest_finish: int
    total_float: int
    critical: bool
    note: str

    @property
    def dated(self) -> bool:
        """False when the data gives this step no dates at all (it is scheduled at the start)."""
        return self.duration is not None or "no dates" not in self.note

    def when(self, start: int, finish: int) -> tuple[str | None, str | None]:
        """Start and finish as YYYY-MM; a step of no duration happens at its finish."""
        if not self.dated:
            return None, None
        if start == finish:
            return show_finish(finish), show_finish(finish)
        return show_month(start), show_finish(finish)

    def to_json(self) -> dict[str, object]:
        earliest_start, earliest_finish = self.when(self.earliest_start, self.earliest_finish)
        latest_start, latest_finish = self.when(self.latest_start, self.latest_finish)
        return {
            "node": self.node,
            "label": self.label,
            "kind": self.kind,
            "durationMonths": self.duration,
            "earliestStart": earliest_start,
            "earliestFinish": earliest_finish,
            "latestStart": latest_start,
            "latestFinish": latest_finish,
            "totalFloatMonths": self.total_float,
            "critical": self.critical,
            "note": self.note or None,
        }


#: Most critical chains listed for one target; the critical steps are always complete.
MAX_CHAINS = 20


@dataclass(frozen=True)
class CriticalPath:
    """The CPM result for one target."""

    target: str
    target_label: str
    steps: tuple[ScheduledStep, ...]
    chains: tuple[tuple[str, ...], ...]
    finish: int
    deadline: int | None
    undated: tuple[str, ...]
    #: Links of the analysed network that rest on a judgement: (from, to, relation, via IRI).
    judged_links: tuple[tuple[str, str, str, str | None], ...] = ()
    #: True when the judged links were left out (``critical-path --strict``).
    strict: bool = False
    #: More critical chains exist than the MAX_CHAINS listed (a ladder of equal paths).
    more_chains: bool = False

    @property
    def deadline_reachable(self) -> bool | None:
        return None if self.deadline is None else self.finish <= self.deadline

    def step(self, node: str) -> ScheduledStep:
        return next(s for s in self.steps if s.node == node)

    def to_json(self) -> dict[str, object]:
        labels = {s.node: s.label for s in self.steps}
        return {
            "target": self.target,
            "targetLabel": self.target_label,
            "earliestFinish": show_finish(self.finish),
            "deadline": show_finish(self.deadline) if self.deadline is not None else None,
            "deadlineReachable": self.deadline_reachable,
            "criticalChains": [
                [{"node": n, "label": labels[n]} for n in chain] for chain in self.chains
            ],
            "moreCriticalChains": self.more_chains,
            "steps": [s.to_json() for s in self.steps],
            "undated": [{"node": n, "label": labels[n]} for n in self.undated],
            "strict": self.strict,
            "judgedLinks": [
                {
                    "from": u,
                    "fromLabel": labels.get(u, u),
                    "to": v,
                    "toLabel": labels.get(v, v),
                    "relation": relation,
                    "via": via,
                    "onCriticalChain": any((u, v) in pairwise(chain) for chain in self.chains),
                }
                for u, v, relation, via in self.judged_links
            ],
        }


def find_cycles(
    network: nx.DiGraph, nodes: Iterable[str] | None = None
) -> list[list[dict[str, str | None]]]:
    """Every elementary cycle (within ``nodes`` if given), each as its members with the link
    (and the IRI it comes from) that leads from each member to the next."""
    graph = network if nodes is None else network.subgraph(nodes)
    cycles = []
    for cycle in sorted(nx.simple_cycles(graph), key=lambda c: (len(c), sorted(c))):
        members = []
        for index, node in enumerate(cycle):
            following = cycle[(index + 1) % len(cycle)]
            edge = graph.edges[node, following]
            members.append(
                {
                    "node": node,
                    "label": graph.nodes[node].get("label", node),
                    "relation": edge.get("relation"),
                    "via": edge.get("source"),
                }
            )
        cycles.append(members)
    return cycles


def _acyclic(network: nx.DiGraph, nodes: Iterable[str] | None = None) -> None:
    graph = network if nodes is None else network.subgraph(nodes)
    if not nx.is_directed_acyclic_graph(graph):
        raise CycleError(find_cycles(network, graph.nodes))


def critical_path(network: nx.DiGraph, target: str, *, strict: bool = False) -> CriticalPath:
    """CPM on everything ``target`` depends on: earliest and latest times, total float, and
    every critical chain. The backward pass starts from the target's deadline if it has one.
    The links that rest on a judgement are listed; ``strict`` leaves them out first."""
    if strict:
        network = stated_only(network)
    members = nx.ancestors(network, target) | {target}
    _acyclic(network, members)
    graph = network.subgraph(members)
    order = list(nx.topological_sort(graph))
    durations = {n: graph.nodes[n].get("duration") or 0 for n in order}
    starts = [
        graph.nodes[n]["not_before"] for n in order if graph.nodes[n].get("not_before") is not None
    ]
    origin = min(starts) if starts else 0

    earliest_start: dict[str, int] = {}
    earliest_finish: dict[str, int] = {}
    for node in order:
        before = [earliest_finish[p] for p in graph.predecessors(node)]
        not_before = graph.nodes[node].get("not_before")
        earliest_start[node] = max([*before, origin if not_before is None else not_before])
        earliest_finish[node] = earliest_start[node] + durations[node]

    finish = earliest_finish[target]
    deadline = graph.nodes[target].get("deadline")
    latest_finish: dict[str, int] = {}
    latest_start: dict[str, int] = {}
    for node in reversed(order):
        after = [latest_start[s] for s in graph.successors(node)]
        own = graph.nodes[node].get("deadline")
        if node == target:
            after.append(finish if deadline is None else deadline)
        elif own is not None:
            after.append(own)
        latest_finish[node] = min(after) if after else finish
        latest_start[node] = latest_finish[node] - durations[node]

    floats = {n: latest_start[n] - earliest_start[n] for n in order}
    least = min(floats.values())
    critical = {n for n in order if floats[n] == least}
    chains, more_chains = _critical_chains(graph, target, critical, earliest_start, earliest_finish)
    steps = tuple(
        ScheduledStep(
            node=n,
            label=graph.nodes[n].get("label", n),
            kind=graph.nodes[n].get("kind", ""),
            duration=graph.nodes[n].get("duration"),
            earliest_start=earliest_start[n],
            earliest_finish=earliest_finish[n],
            latest_start=latest_start[n],
            latest_finish=latest_finish[n],
            total_float=floats[n],
            critical=n in critical,
            note=graph.nodes[n].get("note", ""),
        )
        for n in sorted(order, key=lambda n: (earliest_start[n], floats[n], n))
    )
    undated = tuple(n for n in order if graph.nodes[n].get("duration") is None)
    return CriticalPath(
        target=target,
        target_label=graph.nodes[target].get("label", target),
        steps=steps,
        chains=chains,
        more_chains=more_chains,
        finish=finish,
        deadline=deadline,
        undated=undated,
        judged_links=tuple(
            (u, v, str(data.get("relation")), data.get("source"))
            for u, v, data in sorted(graph.edges(data=True))
            if data.get("judged")
        ),
        strict=strict,
    )


def _critical_chains(
    graph: nx.DiGraph,
    target: str,
    critical: set[str],
    earliest_start: dict[str, int],
    earliest_finish: dict[str, int],
) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The paths of critical nodes into ``target`` in which each step starts when the one
    before finishes (a chain begins at a critical node no critical predecessor drives): at
    most MAX_CHAINS of them, and whether there are more."""
    tight = nx.DiGraph()
    tight.add_nodes_from(critical)
    for u, v in graph.edges:
        if u in critical and v in critical and earliest_finish[u] == earliest_start[v]:
            tight.add_edge(u, v)
    if target not in tight:
        return (), False
    sources = sorted(n for n in nx.ancestors(tight, target) | {target} if tight.in_degree(n) == 0)
    # Equal-length ladders multiply the critical chains exponentially: enumerate at most
    # MAX_CHAINS (plus one, to know that more exist), and say so.
    found = (
        tuple(path) for source in sources for path in nx.all_simple_paths(tight, source, target)
    )
    chains = set(islice(found, MAX_CHAINS + 1))
    if target in sources:
        chains.add((target,))
    ordered = sorted(chains, key=lambda c: (-len(c), c))
    return tuple(ordered[:MAX_CHAINS]), len(ordered) > MAX_CHAINS


@dataclass(frozen=True)
class Moved:
    """A node whose finish moves, by how much, and the path the slip travels to it."""

    node: str
    label: str
    kind: str
    months: int
    path: tuple[str, ...]
    new_finish: int

    def to_json(self, labels: dict[str, str]) -> dict[str, object]:
        return {
            "node": self.node,
            "label": self.label,
            "kind": self.kind,
            "slipMonths": self.months,
            "newFinish": show_finish(self.new_finish),
            "path": [{"node": n, "label": labels.get(n, n)} for n in self.path],
        }


@dataclass(frozen=True)
class Impact:
    """What a slip of one node moves downstream, and what absorbs it."""

    node: str
    label: str
    slip: int
    moved: tuple[Moved, ...]
    unaffected: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "label": self.label,
            "slipMonths": self.slip,
            "moved": [m.to_json(self.labels) for m in self.moved],
            "unaffected": [{"node": n, "label": self.labels.get(n, n)} for n in self.unaffected],
        }


def _forward(
    graph: nx.DiGraph, order: list[str], extra: dict[str, int] | None = None
) -> tuple[dict[str, int], dict[str, str | None]]:
    """Earliest finishes (with ``extra`` months added to some nodes) and, per node, the
    predecessor that decides its start (None when its own start date does)."""
    starts = [
        graph.nodes[n]["not_before"] for n in order if graph.nodes[n].get("not_before") is not None
    ]
    origin = min(starts) if starts else 0
    finish: dict[str, int] = {}
    driver: dict[str, str | None] = {}
    for node in order:
        not_before = graph.nodes[node].get("not_before")
        start, decided_by = (origin if not_before is None else not_before), None
        for predecessor in sorted(graph.predecessors(node)):
            if finish[predecessor] > start:
                start, decided_by = finish[predecessor], predecessor
        finish[node] = start + (graph.nodes[node].get("duration") or 0) + (extra or {}).get(node, 0)
        driver[node] = decided_by
    return finish, driver


def impact(network: nx.DiGraph, node: str, slip_months: int) -> Impact:
    """Every node downstream of ``node`` whose finish moves when ``node`` finishes
    ``slip_months`` later, by how much and through which path; the rest absorb it in float."""
    if slip_months < 0:
        raise BadParameterError("slip: give a number of months of 0 or more")
    downstream = nx.descendants(network, node)
    members = downstream | {node} | {a for d in downstream for a in nx.ancestors(network, d)}
    _acyclic(network, members)
    graph = network.subgraph(members)
    order = list(nx.topological_sort(graph))
    before, _ = _forward(graph, order)
    after, driver = _forward(graph, order, {node: slip_months})
    labels = {n: graph.nodes[n].get("label", n) for n in graph.nodes}
    moved = []
    for other in order:
        if other not in downstream or after[other] == before[other]:
            continue
        path = [other]
        while path[-1] != node and driver[path[-1]] is not None:
            path.append(str(driver[path[-1]]))
        moved.append(
            Moved(
                node=other,
                label=labels[other],
                kind=graph.nodes[other].get("kind", ""),
                months=after[other] - before[other],
                path=tuple(reversed(path)),
                new_finish=after[other],
            )
        )
    moved_nodes = {m.node for m in moved}
    unaffected = tuple(sorted(downstream - moved_nodes, key=lambda n: labels[n]))
    return Impact(
        node=node,
        label=labels[node],
        slip=slip_months,
        moved=tuple(sorted(moved, key=lambda m: (-m.months, m.label))),
        unaffected=unaffected,
        labels=labels,
    )


@dataclass(frozen=True)
class Hotspot:
    node: str
    label: str
    kind: str
    dependents: int
    direct_dependents: int
    betweenness: float

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "label": self.label,
            "kind": self.kind,
            "dependents": self.dependents,
            "directDependents": self.direct_dependents,
            "betweenness": round(self.betweenness, 4),
        }


HOTSPOT_KINDS = {"Measure", "NationalSolution", "CollaborationService", "Prerequisite", "PlanStep"}


def hotspots(network: nx.DiGraph, top: int = 10) -> list[Hotspot]:
    """Where a delay hurts most: the measures, solutions and prerequisites with the most
    work downstream of them (everything that depends on them, directly or transitively), with
    betweenness centrality to tell the links that connect otherwise separate parts."""
    betweenness = nx.betweenness_centrality(network)
    ranked = [
        Hotspot(
            node=n,
            label=network.nodes[n].get("label", n),
            kind=network.nodes[n].get("kind", ""),
            dependents=len(nx.descendants(network, n)),
            direct_dependents=network.out_degree(n),
            betweenness=betweenness[n],
        )
        for n in network.nodes
        if network.nodes[n].get("kind") in HOTSPOT_KINDS and network.out_degree(n) > 0
    ]
    ranked.sort(key=lambda h: (-h.dependents, -h.betweenness, h.label))
    return ranked[:top]


def resolve_node(network: nx.DiGraph, reference: str) -> str:
    """A node of the network from an IRI, a prefixed name or a portfolio number."""
    by_id = {data["id"]: node for node, data in network.nodes(data=True) if data.get("id")}
    if reference in by_id:
        return str(by_id[reference])
    iri = expand_iri(reference)
    if iri is not None and str(iri) in network:
        return str(iri)
    labels = {data.get("label", n): n for n, data in network.nodes(data=True)}
    close = difflib.get_close_matches(reference, list(labels), n=5, cutoff=0.5)
    hint = f" Close names: {', '.join(close)}." if close else ""
    raise BadParameterError(
        f"{reference!r} is not in the dependency network: give an IRI, a prefixed name such as"
        f" rmservice:pll, or a portfolio number.{hint}"
    )
