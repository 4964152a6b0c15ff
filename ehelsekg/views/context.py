"""What the views share while one is built: the store, the named queries, the graph facts,
the dependency network, and how dependencies and network links become edges."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import networkx as nx

from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.store.base import Store
from ehelsekg.views import norsk
from ehelsekg.views.model import NO_STATUS, GraphFacts, ViewEdge, ViewNode


def status_dashes(rank: int) -> bool | list[int]:
    """A dependency's line by its status's rank, so that status is not told by colour alone:
    the worst (red) solid and thickest, the middle dashed, the best dotted."""
    if rank >= 3:
        return False
    return [14, 6] if rank == 2 else [3, 5]


def dependency_legend(status: str, dashes: bool | list[int]) -> str:
    line = "heltrukken" if dashes is False else "stiplet" if dashes is True else "brutt"
    return f"Avhengighet, {status.lower()} ({line})"


class ViewContext:
    """The store, the named queries and what the views look up, shared by one rendering."""

    def __init__(self, store: Store, catalogue: Catalogue, *, base_url: str = "") -> None:
        self.store = store
        self.catalogue = catalogue
        self.facts = GraphFacts(store, catalogue, base_url=base_url)

    @cached_property
    def network(self) -> nx.DiGraph:
        return build_network(self.store, self.catalogue)

    def rows(self, name: str, params: Mapping[str, str]) -> list[dict[str, str | None]]:
        """A named query's rows, every value as text (None when unbound)."""
        result = self.catalogue.run(name, params, self.store)
        return [
            {k: None if v is None else str(v) for k, v in row.items()} for row in result.records()
        ]

    def kind(self, iri: str) -> str:
        if iri in self.network:
            return str(self.network.nodes[iri]["kind"])
        return "Measure" if "/id/measure/" in iri else "Prerequisite"

    def node(
        self, nodes: dict[str, ViewNode], iri: str, kind: str | None = None, **kw: str
    ) -> ViewNode:
        if iri not in nodes:
            nodes[iri] = self.facts.entity_node(
                iri, kind or self.kind(iri), report=kw.get("report") or None
            )
        return nodes[iri]

    def dependency_edge(self, row: Mapping[str, str | None]) -> ViewEdge:
        """A reported dependency as an edge from what is depended on to who depends on it."""
        facts = self.facts
        status = row.get("dependencyStatus")
        rank = facts.concepts[status].rank if status in facts.concepts else 0
        edge = ViewEdge(
            source=str(row["dependee"]),
            target=str(row["dependent"]),
            relation="dependency",
            colour=facts.colour(status),
            width=2 + 2 * rank if status else 2,
            dashes=status_dashes(rank) if status else True,
        )
        if status:
            edge.legend = dependency_legend(facts.concept_label(status), edge.dashes)
        for name, key in (
            ("Status", "dependencyStatus"),
            ("Kritikalitet", "dependencyCriticality"),
            ("Kategori", "category"),
        ):
            if row.get(key):
                edge.facts.append((name, facts.concept_label(row[key])))
        if row.get("deadline"):
            edge.facts.append(("Frist", norsk.long_date(str(row["deadline"]))))
        if row.get("description"):
            edge.facts.append(("Beskrivelse", str(row["description"])))
        edge.facts.append(("Kilde", facts.report_text(str(row["report"]))))
        return edge

    def status_note(self) -> str:
        """Which report the measures' statuses are as of, and what grey means."""
        report = self.facts.portfolio_report
        if report is None:
            return ""
        return (
            f"Status per {norsk.long_date(self.facts.as_of(report))} "
            f"({self.facts.reports[report]['title']}). Grå tiltak med stiplet ramme er avsluttet, "
            "pauset eller har eldre status; datoen står på tiltaket."
        )

    def red_banner(self, edges: list[ViewEdge]) -> list[str]:
        red = self.facts.concept_named("red")
        red_colour = self.facts.colour(red) if red else None
        return [
            f"Rød avhengighet: {self.facts.label(e.target)}"
            f" avhenger av {self.facts.label(e.source)}"
            for e in edges
            if e.relation == "dependency" and red_colour is not None and e.colour == red_colour
        ]

    def network_edge(self, source: str, target: str) -> ViewEdge:
        data = self.network.edges[source, target]
        status = data.get("status")
        relation = str(data.get("relation"))
        edge = ViewEdge(
            source=source,
            target=target,
            relation=relation,
            colour=self.facts.colour(status) if status else NO_STATUS,
            width=4 if status else 1,
            dashes=(
                status_dashes(self.facts.concepts[status].rank)
                if status in self.facts.concepts
                else status is None and relation != "dependency"
            ),
        )
        edge.facts.append(("Kobling", norsk.relation(relation)))
        if status:
            edge.legend = dependency_legend(self.facts.concept_label(status), edge.dashes)
            edge.facts.append(("Status", self.facts.concept_label(status)))
        if data.get("deadline"):
            edge.facts.append(("Frist", norsk.long_date(str(data["deadline"]))))
        if data.get("source"):
            for report in self.facts.sources.get(str(data["source"]), []):
                edge.facts.append(("Kilde", self.facts.report_text(report)))
        return edge
