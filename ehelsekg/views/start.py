"""What the start page offers: the five goals with their measures' status counts, and the
choices for every view's parameters, taken from the lookups (never free text).

Plain data (picklable), so that the server can compute it in a worker and render it with its
own template; nothing here knows of the web.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.store.base import Store
from ehelsekg.views.model import GraphFacts, number_key


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class GoalSummary:
    number: str
    title: str
    measures: int
    #: (label, count, colour) by latest status, worst first; measures without one as
    #: "uten status" (no colour).
    statuses: list[tuple[str, int, str | None]]


@dataclass
class StartPage:
    goals: list[GoalSummary] = field(default_factory=list)
    reports: list[Choice] = field(default_factory=list)
    #: Reports that list the whole portfolio: each has a meeting pack (value: its key).
    packs: list[Choice] = field(default_factory=list)
    actors: list[Choice] = field(default_factory=list)
    targets: list[Choice] = field(default_factory=list)
    activities: list[Choice] = field(default_factory=list)
    statuses: list[Choice] = field(default_factory=list)
    measures: list[Choice] = field(default_factory=list)
    meetings: list[Choice] = field(default_factory=list)


def start_page(store: Store, catalogue: Catalogue) -> StartPage:
    """The goals' status counts and every picker's choices."""
    facts = GraphFacts(store, catalogue)
    page = StartPage()
    ranks = {c.label: c.rank for c in facts.status_scale()}
    for goal in catalogue.run("goals", {}, store).records():
        number = str(goal["number"])
        rows = catalogue.run("measures-by-goal", {"goal": number}, store).records()
        counts = Counter(
            facts.concept_cell(str(r["status"]) if r.get("status") else None, missing="uten status")
            for r in rows
        )
        page.goals.append(
            GoalSummary(
                number,
                str(goal["title"]),
                len(rows),
                [
                    (cell.text, count, cell.colour)
                    for cell, count in sorted(
                        counts.items(), key=lambda kv: -ranks.get(kv[0].text, 0)
                    )
                ],
            )
        )
    listing = {
        str(r["report"])
        for r in store.query(catalogue.lookup("reports")).records()
        if str(r["listsAll"]) == "true"
    }
    for iri, report in sorted(facts.reports.items(), key=lambda kv: kv[1]["date"]):
        page.reports.append(Choice(iri, report["title"]))
        if iri in listing:
            page.packs.append(Choice(iri.rsplit("/", 1)[-1], report["title"]))
    actors = {
        str(r["actor"]): str(r["label"]) for r in store.query(catalogue.lookup("actors")).records()
    }
    page.actors = sorted(
        (Choice(k, v) for k, v in actors.items()), key=lambda c: number_key(c.label)
    )
    page.targets = [
        Choice(str(r["service"]), str(r["label"]))
        for r in catalogue.run("roadmap-services", {}, store).records()
    ]
    page.activities = sorted(
        (
            Choice(item, facts.label(item) + (f" – {', '.join(names)}" if names else ""))
            for item, names in facts.performers.items()
        ),
        key=lambda c: number_key(c.label),
    )
    page.statuses = [Choice(c.notation or c.iri, c.label) for c in facts.status_scale()]
    measures = {str(a["measure"]): f"{a['id']} {a['label']}" for a in facts.assessments}
    page.measures = sorted(
        (Choice(k, v) for k, v in measures.items()), key=lambda c: number_key(c.label)
    )
    page.meetings = [
        Choice(str(r["meeting"]), str(r["label"]))
        for r in store.query(catalogue.lookup("meetings")).records()
    ]
    return page
