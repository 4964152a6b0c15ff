"""The dependency network: the graph's measures, services, activities and prerequisites as a
networkx DiGraph whose edges run from predecessor to successor.

Times are whole months counted from year 0 (``year * 12 + month - 1``); a finish is the first
month after the work, so an activity "2023 → 2028" runs from 2023-01 up to 2029-01 (72 months).
Only the data's own years and dates are used: a node the data gives no dates has no duration,
and says so in its ``note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx
from rdflib import Literal
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.namespaces import EHK
from ehelsekg.store.base import Store

#: Node kinds whose own dates are work to schedule; the others summarise what leads to them.
WORK_KINDS = {"PlannedActivity", "Milestone"}


def month(year: int, month_of_year: int = 1) -> int:
    """Months since year 0 at the start of the given month.

    >>> month(2023), show_month(month(2023))
    (24276, '2023-01')
    """
    return year * 12 + month_of_year - 1


def show_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def show_finish(index: int) -> str:
    """A finish (first month after the work) as the last month of the work."""
    return show_month(index - 1)


@dataclass(frozen=True)
class Timing:
    """What the data says about when a node happens, in months (see module doc)."""

    duration: int | None
    not_before: int | None
    deadline: int | None
    note: str


def _int(node: Node | None) -> int | None:
    return int(str(node)) if isinstance(node, Literal) else None


def timing_of(kind: str, row: dict[str, Node | None]) -> Timing:
    """The timing of a node from its kind and its years, date and target year."""
    start, end = _int(row.get("startYear")), _int(row.get("endYear"))
    target = _int(row.get("targetYear"))
    deadline = month(target + 1) if target is not None else None
    dated = row.get("dated")
    if kind == "Milestone" and dated is not None:
        match = re.match(r"(\d{4})(?:-(\d{2}))?", str(dated))
        if match:
            at = month(int(match[1]), int(match[2] or 1)) + 1
            return Timing(0, at, deadline, "")
    if start is not None and end is not None:
        return Timing(month(end + 1) - month(start), month(start), deadline, "")
    if end is not None:
        note = f"no start year in the data: scheduled as done by the end of {end}"
        return Timing(0, month(end + 1), deadline, note)
    if start is not None:
        note = f"no end year in the data: only its start ({start}) is known"
        return Timing(None, month(start), deadline, note)
    if kind in WORK_KINDS or kind == "Prerequisite":
        return Timing(None, None, deadline, "no dates in the data")
    return Timing(0, None, deadline, "")


def build_network(store: Store, catalogue: Catalogue) -> nx.DiGraph:
    """Project the dependency network out of the store; an edge's ``judged`` says whether the
    link rests on a judgement (an ehk:LinkJudgement) rather than on a source's words."""
    network = nx.DiGraph()
    for row in store.query(catalogue.lookup("network-nodes")).records():
        node = str(row["node"])
        kind = str(row["kind"]).removeprefix(str(EHK))
        if node in network and network.nodes[node]["kind"] != "Prerequisite":
            continue  # a node of two kinds keeps the more specific (Prerequisite is a superclass)
        timing = timing_of(kind, row)
        network.add_node(
            node,
            label=str(row["label"]) if row.get("label") is not None else node.rsplit("/", 1)[-1],
            kind=kind,
            id=str(row["id"]) if row.get("id") is not None else None,
            duration=timing.duration,
            not_before=timing.not_before,
            deadline=timing.deadline,
            note=timing.note,
        )
    for row in store.query(catalogue.lookup("network-edges")).records():
        source, target = str(row["from"]), str(row["to"])
        if source not in network or target not in network:
            continue
        deadline = row.get("deadline")
        network.add_edge(
            source,
            target,
            relation=str(row["relation"]),
            source=str(row["source"]) if row.get("source") is not None else None,
            status=str(row["status"]) if row.get("status") is not None else None,
            criticality=str(row["criticality"]) if row.get("criticality") is not None else None,
            judged=str(row.get("judged")) == "true",
        )
        if deadline is not None:
            match = re.match(r"(\d{4})-(\d{2})", str(deadline))
            if match:
                due = month(int(match[1]), int(match[2])) + 1
                current = network.nodes[source]["deadline"]
                network.nodes[source]["deadline"] = due if current is None else min(current, due)
    return network


def stated_only(network: nx.DiGraph) -> nx.DiGraph:
    """The network without the links that rest on a judgement (``judged`` edges)."""
    stated = network.copy()
    stated.remove_edges_from([(u, v) for u, v, judged in network.edges(data="judged") if judged])
    return stated
