"""What an entity's page tells a council member, in Norwegian: for a measure its latest
status, risk, owner, phase, segment (with the report and its date) and its status history;
for every entity its links in the dependency network both ways (dependencies, goals, roadmap)
under Norwegian headings, and the reports it comes from. Plain data for a template."""

from __future__ import annotations

from dataclasses import dataclass, field

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.store.base import Store
from ehelsekg.views.context import ViewContext
from ehelsekg.views.model import ASSESSMENT_FACTS, ID_BASE, Cell, number_key, resource_href
from ehelsekg.views.norsk import long_date

#: The kinds of entity by the first segment of their IRI under /id/.
KIND_NAMES = {
    "measure": "Tiltak",
    "goal": "Strategisk mål",
    "actor": "Aktør",
    "actor-group": "Aktørgruppe",
    "roadmap-service": "Veikarttjeneste",
    "activity": "Aktivitet",
    "milestone": "Milepæl",
    "solution": "Nasjonal løsning",
    "report": "Rapport",
    "case": "Sak",
    "prerequisite": "Forutsetning",
    "plan-step": "Plansteg",
    "focus-area": "Fokusområde",
    "dependency": "Avhengighet",
}
#: Headings for the network's links: (relation, this entity is the target) → heading.
LINK_HEADINGS = {
    ("dependency", True): "Avhenger av",
    ("dependency", False): "Dette venter på den",
    ("requires", True): "Krever",
    ("requires", False): "Kreves av",
    ("conditional on", True): "Betinget av",
    ("conditional on", False): "Er en betingelse for",
    ("contributes to", True): "Tiltak som bidrar til målet",
    ("contributes to", False): "Mål",
    ("part of", True): "Består av",
    ("part of", False): "Del av (veikart)",
    ("realises", True): "Realiseres av",
    ("realises", False): "Realiserer (veikart)",
}


@dataclass
class Link:
    label: str
    href: str | None
    note: str = ""
    #: The colour of the status the note names (a swatch beside it).
    colour: str | None = None


@dataclass
class EntitySummary:
    kind: str
    title: str
    #: (name, value) of the latest assessment.
    facts: list[tuple[str, Cell]] = field(default_factory=list)
    history: list[list[Cell]] = field(default_factory=list)
    sections: list[tuple[str, list[Link]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def entity_summary(
    store: Store, catalogue: Catalogue, iri: str, *, base_url: str = ""
) -> EntitySummary:
    """The Norwegian summary of the entity ``iri``."""
    ctx = ViewContext(store, catalogue, base_url=base_url)
    facts = ctx.facts
    kind = KIND_NAMES.get(iri.removeprefix(ID_BASE).split("/", 1)[0], "Ressurs")
    summary = EntitySummary(kind=kind, title=facts.label(iri))
    rows = sorted(
        (a for a in facts.assessments if a["measure"] == iri),
        key=lambda a: (a["asOf"] or "", a["report"] or ""),
    )
    if rows:
        latest = rows[-1]
        summary.title = f"{latest['id']} {summary.title}"
        for name, key in ASSESSMENT_FACTS:
            if latest[key]:
                summary.facts.append((name, facts.concept_cell(latest[key])))
        if latest["owner"]:
            summary.facts.append(("Eier", Cell(facts.label(latest["owner"]))))
        report = latest["report"] or ""
        summary.facts.append(("Rapport", Cell(facts.reports.get(report, {}).get("title", ""))))
        summary.facts.append(("Per dato", Cell(long_date(latest["asOf"] or ""))))
        for row in rows:
            summary.history.append(
                [
                    Cell(facts.reports.get(row["report"] or "", {}).get("title", "")),
                    Cell(long_date(row["asOf"] or "")),
                    facts.concept_cell(row["status"], missing="–"),
                    facts.concept_cell(row["risk"], missing="–"),
                    facts.concept_cell(row["phase"], missing="–"),
                    Cell(facts.label(row["owner"]) if row["owner"] else "–"),
                ]
            )
    if iri in ctx.network:
        found: dict[str, list[Link]] = {}
        edges = [(p, True) for p in ctx.network.predecessors(iri)]
        edges += [(s, False) for s in ctx.network.successors(iri)]
        for other, incoming in edges:
            data = ctx.network.edges[(other, iri) if incoming else (iri, other)]
            heading = LINK_HEADINGS.get((str(data.get("relation")), incoming))
            if heading is None:
                continue
            status = data.get("status")
            note = f"status {facts.concept_label(status).lower()}" if status else ""
            label = ctx.node({}, other).label.replace("\n", " · ")
            href = resource_href(other, base_url)
            colour = facts.swatch(status) if status else None
            found.setdefault(heading, []).append(Link(label, href, note, colour))
        order = list(dict.fromkeys(LINK_HEADINGS.values()))
        for heading in sorted(found, key=order.index):
            links = sorted(found[heading], key=lambda link: number_key(link.label))
            summary.sections.append((heading, links))
    summary.sources = [
        facts.reports[r]["title"] for r in facts.sources.get(iri, []) if r in facts.reports
    ]
    return summary
