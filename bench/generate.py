"""Synthetic portfolios with the shape of the real one, for the benchmarks.

Deterministic: the same size and seed give the same bytes. Every IRI is under
``https://w3id.org/ehelsekg/synthetic/`` and every label says "Syntetisk …", so the output can
never be taken for real data. The terms are the ontology's own, used as the bundled data uses
them: strategies, goals and focus areas; actors, actor groups and a council with meetings and
cases; measures with one ``ehk:StatusAssessment`` per quarterly report; dependency nodes;
roadmap services with activities; operating-cost figures (RDF Data Cube, MNOK); milestones,
rollout figures and the figures each report states about itself (which the shapes check
against the facts, so they are computed here). Every fact has ``ehk:reportedIn``.

One file per report (``report-YYYY-MM.ttl``), plus ``reference.ttl`` and ``goals.ttl``, as in
``data/``; load them with ``ehelsekg validate --only DIR``. A ``manifest.json`` beside them gives
the size, the triple count and typical parameters for every named query.

    python -m bench.generate --size 100k --out DIR
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

#: Bumped whenever the output changes, so that cached data sets are generated again.
GENERATOR_VERSION = "2"

SYNTHETIC = "https://w3id.org/ehelsekg/synthetic/"

#: Measures per named size: about 125 triples each, plus the ontology (about 1,200).
NAMED_SIZES = {"10k": 70, "100k": 800, "1m": 8000}

#: The quarterly reports, oldest first: (key, month of the quarter's end).
REPORTS = [(f"{year}-{month:02d}", year, month) for year in (2023, 2024) for month in (3, 6, 9, 12)]
_LAST_DAY = {3: 31, 6: 30, 9: 30, 12: 31}

_KINDS = [
    "report",
    "strategy",
    "strategic-area",
    "focus-area",
    "goal",
    "actor",
    "actor-group",
    "council",
    "meeting",
    "case",
    "solution",
    "roadmap",
    "roadmap-version",
    "roadmap-service",
    "roadmap-change",
    "activity",
    "measure",
    "assessment",
    "dependency",
    "prerequisite",
    "initiative",
    "milestone",
    "figure",
    "cost",
    "dataset",
    "rollout",
]
#: Turtle prefix per kind: ``syn-measure:`` and so on.
PREFIXES = {kind: f"syn-{kind}" for kind in _KINDS}

_HEADER = "\n".join(
    [
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix ehk: <https://w3id.org/ehelsekg/ontology#> .",
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix qb: <http://purl.org/linked-data/cube#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        *(f"@prefix {p}: <{SYNTHETIC}{kind}/> ." for kind, p in PREFIXES.items()),
    ]
)

_ACTOR_TYPES = [
    "ehk:ActorDirectorate",
    "ehk:ActorRegionalHealthAuthority",
    "ehk:ActorHealthTrust",
    "ehk:ActorStateEnterprise",
    "ehk:ActorMunicipality",
    "ehk:ActorCompany",
]
_PHASES = [
    "ehk:PhaseConcept",
    "ehk:PhasePlanning",
    "ehk:PhaseExecution",
    "ehk:PhaseRealisation",
    "ehk:PhaseClosing",
]
_SEGMENTS = ["ehk:SegmentSamstyre", "ehk:SegmentKoordinere", "ehk:SegmentObservere"]
_RAG = ["ehk:Green", "ehk:Yellow", "ehk:Red"]
_RAG_WEIGHTS = [55, 30, 15]
_CRITICALITY = ["ehk:CriticalityHigh", "ehk:CriticalityMedium", "ehk:CriticalityLow"]
_CASE_TYPES = ["ehk:CaseApproval", "ehk:CaseInformation", "ehk:CaseDiscussion"]
_AREAS = 4
_FOCUS_PER_AREA = 3
_GOALS = 5
_GROUPS = 6


def measures_for(size: str) -> int:
    """Number of measures for a named size (``10k``, ``100k``, ``1m``) or an integer scale.

    >>> measures_for("10k"), measures_for("12")
    (70, 12)
    """
    key = size.strip().lower()
    if key in NAMED_SIZES:
        return NAMED_SIZES[key]
    if re.fullmatch(r"\d+", key) and int(key) >= 3:
        return int(key)
    raise click.BadParameter(
        f"{size!r}: give one of {', '.join(NAMED_SIZES)} or a whole number of measures (>= 3)"
    )


################################################################ Turtle writing


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def nb(text: str) -> str:
    return f'"{_escape(text)}"@nb'


def en(text: str) -> str:
    return f'"{_escape(text)}"@en'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^xsd:{datatype}'


def decimal(tenths: int) -> str:
    """An xsd:decimal in Turtle's short form, from a whole number of tenths (``12.3``)."""
    return f"{tenths // 10}.{tenths % 10}"


def iri(kind: str, key: str) -> str:
    return f"{PREFIXES[kind]}:{key}"


@dataclass
class TurtleFile:
    """One output file: subject blocks in the order they are added."""

    name: str
    comment: str
    blocks: list[str] = field(default_factory=list)
    triples: int = 0

    def add(self, subject: str, *pairs: tuple[str, str | Iterable[str]]) -> None:
        lines = []
        for predicate, value in pairs:
            values = [value] if isinstance(value, str) else list(value)
            if not values:
                continue
            lines.append(f"{predicate} {', '.join(values)}")
            self.triples += len(values)
        self.blocks.append(f"{subject} " + " ;\n    ".join(lines) + " .\n")

    def text(self) -> str:
        return f"{_HEADER}\n\n# {self.comment}\n\n" + "".join(self.blocks)


################################################################ the portfolio


@dataclass
class Assessment:
    report: int
    name: str
    owner: int
    phase: int
    state: str
    status: str
    risk: str
    new: bool
    note: bool


@dataclass
class Measure:
    number: int
    segment: str
    focus: str
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.number)


def _reporting_date(index: int) -> str:
    _key, year, month = REPORTS[index]
    return f"{year}-{month:02d}-{_LAST_DAY[month]}"


def _meeting_date(index: int) -> str:
    _key, year, month = REPORTS[index]
    return f"{year}-{month:02d}-15" if month < 12 else f"{year}-12-15"


def _version(index: int) -> str:
    _key, year, month = REPORTS[index]
    return f"{year - 2000}.{month // 3}"


class Generator:
    """Builds the files of one synthetic portfolio from a seeded random source."""

    def __init__(self, measures: int, seed: int) -> None:
        self.n = measures
        self.rng = random.Random(seed)
        self.actors = max(8, measures // 8)
        self.solutions = max(6, measures // 20)
        self.services = max(3, measures // 5)
        self.reference = TurtleFile("reference.ttl", "Synthetic reference data (not real).")
        self.goals_file = TurtleFile("goals.ttl", "Synthetic initiatives per goal (not real).")
        self.report_files = [
            TurtleFile(f"report-{key}.ttl", f"Synthetic portfolio report {key} (not real).")
            for key, _y, _m in REPORTS
        ]
        self.focus_areas = [
            f"{a}.{f}" for a in range(1, _AREAS + 1) for f in range(1, _FOCUS_PER_AREA + 1)
        ]
        self.measures: list[Measure] = []
        self.red_pairs: list[tuple[int, int]] = []

    # Small helpers ------------------------------------------------------------------

    def _rag(self, previous: str | None = None) -> str:
        if previous is not None and self.rng.random() < 0.6:
            return previous
        return self.rng.choices(_RAG, weights=_RAG_WEIGHTS)[0]

    def _report(self, index: int) -> str:
        return iri("report", REPORTS[index][0])

    def _actor(self, index: int) -> str:
        return iri("actor", f"aktor-{index}")

    def _solution(self, index: int) -> str:
        return iri("solution", f"losning-{index}")

    # Reference data -----------------------------------------------------------------

    def write_reference(self) -> None:
        ref = self.reference
        first = self._report(0)
        for index, (key, year, month) in enumerate(REPORTS):
            ref.add(
                self._report(index),
                ("a", "ehk:Report"),
                ("dcterms:title", nb(f"Syntetisk porteføljerapport {key}")),
                ("dcterms:date", typed(f"{year}-{month:02d}", "gYearMonth")),
                ("ehk:reportingDate", typed(_reporting_date(index), "date")),
                ("ehk:listsAllMeasures", "true"),
                ("ehk:dataFile", plain(f"report-{key}.ttl")),
                ("dcterms:publisher", self._actor(1)),
            )
        ref.add(
            iri("report", "goals"),
            ("a", "ehk:Report"),
            ("dcterms:title", nb("Syntetiske initiativer per strategisk mål")),
            ("dcterms:date", typed("2023-01", "gYearMonth")),
            ("ehk:dataFile", plain("goals.ttl")),
        )
        areas_strategy = iri("strategy", "innsatsomrader")
        goals_strategy = iri("strategy", "mal")
        ref.add(
            areas_strategy,
            ("a", ["ehk:Strategy", "skos:ConceptScheme"]),
            ("rdfs:label", nb("Syntetisk strategi med innsatsområder")),
            ("skos:prefLabel", nb("Syntetisk strategi med innsatsområder")),
            ("skos:hasTopConcept", [iri("strategic-area", str(a)) for a in range(1, _AREAS + 1)]),
            ("prov:wasDerivedFrom", first),
        )
        ref.add(
            goals_strategy,
            ("a", ["ehk:Strategy", "skos:ConceptScheme"]),
            ("rdfs:label", nb("Syntetisk strategi med mål")),
            ("skos:prefLabel", nb("Syntetisk strategi med mål")),
            ("skos:hasTopConcept", [iri("goal", str(g)) for g in range(1, _GOALS + 1)]),
            ("prov:wasDerivedFrom", iri("report", "goals")),
        )
        for area in range(1, _AREAS + 1):
            label = f"Syntetisk strategisk område {area}"
            ref.add(
                iri("strategic-area", str(area)),
                ("a", "ehk:StrategicArea"),
                ("skos:notation", plain(str(area))),
                ("skos:prefLabel", nb(label)),
                ("rdfs:label", nb(label)),
                ("skos:inScheme", areas_strategy),
                ("skos:topConceptOf", areas_strategy),
                ("ehk:partOfStrategy", areas_strategy),
                ("prov:wasDerivedFrom", first),
            )
        for focus in self.focus_areas:
            ref.add(
                iri("focus-area", focus),
                ("a", "ehk:FocusArea"),
                ("skos:notation", plain(focus)),
                ("skos:prefLabel", nb(f"Syntetisk innsatsområde {focus}")),
                ("rdfs:label", nb(f"{focus} Syntetisk innsatsområde {focus}")),
                ("skos:broader", iri("strategic-area", focus.split(".")[0])),
                ("skos:inScheme", areas_strategy),
                ("ehk:partOfStrategy", areas_strategy),
                ("prov:wasDerivedFrom", first),
            )
        for goal in range(1, _GOALS + 1):
            label = f"Syntetisk strategisk mål {goal}"
            ref.add(
                iri("goal", str(goal)),
                ("a", "ehk:StrategicGoal"),
                ("skos:notation", plain(str(goal))),
                ("skos:prefLabel", nb(label)),
                ("rdfs:label", nb(label)),
                ("skos:inScheme", goals_strategy),
                ("skos:topConceptOf", goals_strategy),
                ("ehk:partOfStrategy", goals_strategy),
                ("prov:wasDerivedFrom", iri("report", "goals")),
            )
        for actor in range(1, self.actors + 1):
            label = f"Syntetisk aktør {actor}"
            ref.add(
                self._actor(actor),
                ("a", "org:FormalOrganization"),
                ("skos:prefLabel", nb(label)),
                ("rdfs:label", nb(label)),
                ("skos:altLabel", nb(f"SA{actor}")),
                ("org:classification", self.rng.choice(_ACTOR_TYPES)),
                ("prov:wasDerivedFrom", first),
            )
        for group in range(1, _GROUPS + 1):
            ref.add(
                iri("actor-group", f"gruppe-{group}"),
                ("a", "ehk:ActorGroup"),
                ("rdfs:label", nb(f"Syntetisk aktørgruppe {group}")),
                ("prov:wasDerivedFrom", first),
            )
        ref.add(
            iri("council", "rad"),
            ("a", "ehk:Council"),
            ("skos:prefLabel", nb("Syntetisk råd")),
            ("rdfs:label", nb("Syntetisk råd")),
            ("org:classification", "ehk:ActorCouncil"),
            ("prov:wasDerivedFrom", first),
        )
        for solution in range(1, self.solutions + 1):
            ref.add(
                self._solution(solution),
                ("a", "ehk:NationalSolution"),
                ("rdfs:label", nb(f"Syntetisk løsning {solution}")),
                ("prov:wasDerivedFrom", first),
            )
        roadmap = iri("roadmap", "veikart")
        ref.add(
            roadmap,
            ("a", "ehk:Roadmap"),
            ("rdfs:label", nb("Syntetisk veikart")),
            ("prov:wasDerivedFrom", first),
        )
        for index in range(len(REPORTS)):
            pairs: list[tuple[str, str | Iterable[str]]] = [
                ("a", "ehk:RoadmapVersion"),
                ("rdfs:label", nb(f"Syntetisk veikartversjon {_version(index)}")),
                ("owl:versionInfo", plain(_version(index))),
                ("ehk:versionOf", roadmap),
            ]
            if index:
                pairs.append(("ehk:previousVersion", iri("roadmap-version", _version(index - 1))))
            pairs.append(("ehk:reportedIn", self._report(index)))
            ref.add(iri("roadmap-version", _version(index)), *pairs)

    # Measures and their assessments ---------------------------------------------------

    def plan_measures(self) -> None:
        rng = self.rng
        last = len(REPORTS) - 1
        for number in range(1, self.n + 1):
            # Measure 1 is in every report, owned by actor 1 throughout: typical parameters.
            pinned = number == 1
            start = 0 if pinned or rng.random() < 0.6 else rng.randrange(1, len(REPORTS))
            finish = None
            if not pinned and start < last and rng.random() < 0.25:
                finish = rng.randrange(start + 1, len(REPORTS))
            end = last if finish is None else finish
            measure = Measure(
                number,
                segment=rng.choices(_SEGMENTS, weights=[3, 4, 3])[0],
                focus=rng.choice(self.focus_areas),
            )
            owner = 1 if pinned else rng.randrange(1, self.actors + 1)
            change_owner_at = (
                None if pinned or rng.random() > 0.1 else rng.randrange(start, end + 1)
            )
            rename_at = None if rng.random() > 0.15 else rng.randrange(start, end + 1)
            phase = rng.randrange(0, 3)
            status = risk = None
            for report in range(start, end + 1):
                if report == change_owner_at:
                    owner = rng.randrange(1, self.actors + 1)
                if report > start and phase < 4 and rng.random() < 0.3:
                    phase += 1
                if report == finish:
                    state = "ehk:StateFinished"
                elif report == start and phase <= 1 and rng.random() < 0.3:
                    state = "ehk:StateCandidate"
                elif rng.random() < 0.05:
                    state = "ehk:StatePaused"
                else:
                    state = "ehk:StateActive"
                status, risk = self._rag(status), self._rag(risk)
                renamed = rename_at is not None and report < rename_at
                name = f"Syntetisk tiltak {number}" + (" (arbeidstittel)" if renamed else "")
                measure.assessments.append(
                    Assessment(
                        report=report,
                        name=name,
                        owner=owner,
                        phase=phase,
                        state=state,
                        status=status,
                        risk=risk,
                        new=report == start and start > 0,
                        note=rng.random() < 0.05,
                    )
                )
            self.measures.append(measure)

    def write_measures(self) -> None:
        for measure in self.measures:
            first = measure.assessments[0]
            out = self.report_files[first.report]
            names = sorted({a.name for a in measure.assessments})
            latest = measure.assessments[-1].name
            out.add(
                iri("measure", measure.key),
                ("a", "ehk:Measure"),
                ("dcterms:identifier", plain(measure.key)),
                ("rdfs:label", nb(latest)),
                ("skos:altLabel", [nb(n) for n in names if n != latest]),
                ("prov:wasDerivedFrom", self._report(first.report)),
            )
            for a in measure.assessments:
                key = f"{REPORTS[a.report][0]}-{measure.key}"
                pairs: list[tuple[str, str | Iterable[str]]] = [
                    ("a", "ehk:StatusAssessment"),
                    ("ehk:assessedMeasure", iri("measure", measure.key)),
                    ("ehk:reportedIn", self._report(a.report)),
                    ("ehk:reportedName", nb(a.name)),
                    ("ehk:owner", self._actor(a.owner)),
                    ("ehk:phase", _PHASES[a.phase]),
                    ("ehk:lifecycleState", a.state),
                    ("ehk:segment", measure.segment),
                    ("ehk:status", a.status),
                    ("ehk:risk", a.risk),
                    ("ehk:focusArea", iri("focus-area", measure.focus)),
                ]
                if a.new:
                    pairs.append(("ehk:newInPortfolio", "true"))
                if a.note:
                    pairs.append(
                        (
                            "skos:editorialNote",
                            en("Synthetic: the generator drew this assessment at random."),
                        )
                    )
                self.report_files[a.report].add(iri("assessment", key), *pairs)

    def write_figures(self) -> None:
        """What each report states about itself, computed from its assessments."""
        last = len(REPORTS) - 1
        by_report: dict[int, list[Assessment]] = defaultdict(list)
        for measure in self.measures:
            for a in measure.assessments:
                by_report[a.report].append(a)
        for index in range(len(REPORTS)):
            rows = by_report[index]
            active = [a for a in rows if a.state == "ehk:StateActive"]

            self._figure(index, "active-measures", "ehk:FigActiveMeasures", len(active))
            if index != last:
                continue
            self._figure(index, "measures-in-portfolio", "ehk:FigMeasuresInPortfolio", len(rows))
            self._figure(index, "new-measures", "ehk:FigNewMeasures", sum(a.new for a in rows))
            for colour in _RAG:
                slug = colour.removeprefix("ehk:").lower()
                count = sum(a.status == colour for a in active)
                self._figure(
                    index, f"status-{slug}", "ehk:FigStatusCount", count, ("ehk:status", colour)
                )
            red = sum(a.risk == "ehk:Red" for a in active)
            self._figure(index, "risk-red", "ehk:FigRiskCount", red, ("ehk:risk", "ehk:Red"))

    def _figure(
        self, index: int, slug: str, kind: str, value: int, *extra: tuple[str, str]
    ) -> None:
        key = REPORTS[index][0]
        self.report_files[index].add(
            iri("figure", f"{key}-{slug}"),
            ("a", "ehk:StatedFigure"),
            ("ehk:figureKind", kind),
            *extra,
            ("ehk:value", str(value)),
            ("ehk:unit", "ehk:Count"),
            ("dcterms:description", nb(f"Syntetisk oppgitt tall ({slug}).")),
            ("ehk:reportedIn", self._report(index)),
        )

    # Dependencies ---------------------------------------------------------------------

    def write_dependencies(self) -> None:
        rng = self.rng
        for measure in self.measures:
            i = measure.number
            reports = [a.report for a in measure.assessments]
            count = rng.choice([0, 1, 1, 2, 2, 3])
            forced: list[int] = []
            # Two red chains the typical parameters rely on: 2 on 1, and n on n-1.
            if i == 2 or (i == self.n and i > 2):
                forced = [i - 1]
                count = max(count, 1)
            for j in range(count):
                report = rng.choice(reports)
                key = f"{REPORTS[report][0]}-{i}-{j + 1}"
                pairs, status = self._dependee(measure, j, forced[j] if j < len(forced) else None)
                criticality = rng.choice(_CRITICALITY)
                if j < len(forced):
                    status, criticality = "ehk:Red", "ehk:CriticalityHigh"
                year = rng.randrange(2023, 2027)
                deadline = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                self.report_files[report].add(
                    iri("dependency", key),
                    ("a", "ehk:Dependency"),
                    ("rdfs:label", nb(f"Syntetisk tiltak {i} har avhengighet {j + 1}")),
                    ("ehk:dependent", iri("measure", measure.key)),
                    *pairs,
                    ("ehk:criticality", criticality),
                    ("ehk:status", status),
                    ("ehk:deadline", typed(deadline, "date")),
                    ("dcterms:description", nb(f"Syntetisk avhengighet {j + 1} for tiltak {i}.")),
                    ("ehk:reportedIn", self._report(report)),
                )

    def _dependee(
        self, measure: Measure, j: int, forced: int | None
    ) -> tuple[list[tuple[str, str | Iterable[str]]], str]:
        """The dependee and category of one dependency; only on an earlier measure, so that
        the network has no cycle."""
        rng = self.rng
        i = measure.number
        status = rng.choices(_RAG, weights=_RAG_WEIGHTS)[0]
        draw = rng.random()
        if forced is not None or (i > 1 and draw < 0.45):
            other = forced if forced is not None else rng.randrange(max(1, i - 50), i)
            return [
                ("ehk:dependee", iri("measure", str(other))),
                ("ehk:dependencyCategory", "ehk:DependsOnMeasure"),
            ], status
        if draw < 0.7:
            return [
                ("ehk:dependee", self._solution(rng.randrange(1, self.solutions + 1))),
                ("ehk:dependencyCategory", "ehk:DependsOnNationalSolution"),
            ], status
        report = measure.assessments[0].report
        prereq = iri("prerequisite", f"{i}-{j + 1}")
        kind = rng.choice(["ehk:Deliverable", "ehk:Decision"])
        pairs: list[tuple[str, str | Iterable[str]]] = [
            ("a", kind),
            ("rdfs:label", nb(f"Syntetisk forutsetning {i}-{j + 1}")),
        ]
        category = "ehk:DependsOnDecision"
        if kind == "ehk:Deliverable":
            category = "ehk:DependsOnDeliverable"
            pairs.append(("ehk:deliveredBy", self._actor(rng.randrange(1, self.actors + 1))))
            pairs.append(("ehk:concerns", self._solution(rng.randrange(1, self.solutions + 1))))
        pairs.append(("prov:wasDerivedFrom", self._report(report)))
        self.report_files[report].add(prereq, *pairs)
        return [("ehk:dependee", prereq), ("ehk:dependencyCategory", category)], status

    # Roadmap ----------------------------------------------------------------------------

    def write_roadmap(self) -> None:
        rng = self.rng
        last = len(REPORTS) - 1
        for k in range(1, self.services + 1):
            service = iri("roadmap-service", f"tjeneste-{k}")
            report = rng.randrange(0, len(REPORTS))
            version = iri("roadmap-version", _version(report))
            driver = rng.randrange(1, self.n + 1)
            pairs: list[tuple[str, str | Iterable[str]]] = [
                ("a", "ehk:RoadmapService"),
                ("rdfs:label", nb(f"Syntetisk veikarttjeneste {k}")),
                ("ehk:inRoadmapVersion", version),
                ("ehk:deliveredOn", self._solution(rng.randrange(1, self.solutions + 1))),
                ("ehk:targetYear", str(rng.randrange(2025, 2031))),
                ("ehk:targetDescription", nb(f"Syntetisk målsetting for tjeneste {k}.")),
            ]
            # The first service always awaits funding: services-awaiting-funding has an answer.
            if k == 1 or rng.random() < 0.4:
                funding = iri("prerequisite", f"finansiering-{k}")
                pairs.append(("ehk:conditionalOn", funding))
                stated = 0 if k == 1 else rng.randrange(0, len(REPORTS))
                self.report_files[stated].add(
                    funding,
                    ("a", "ehk:Funding"),
                    ("rdfs:label", nb(f"Syntetisk finansiering av tjeneste {k}")),
                    ("ehk:fundsMeasure", iri("measure", str(driver))),
                    ("ehk:fundingConfirmed", "false"),
                    ("ehk:reportedIn", self._report(stated)),
                )
                if k > 1 and stated < last and rng.random() < 0.3:
                    later = rng.randrange(stated + 1, len(REPORTS))
                    self.report_files[later].add(
                        iri("prerequisite", f"finansiering-{k}-bekreftet"),
                        ("a", "ehk:Funding"),
                        ("rdfs:label", nb(f"Syntetisk bekreftet finansiering av tjeneste {k}")),
                        ("ehk:fundsMeasure", iri("measure", str(driver))),
                        ("ehk:fundingConfirmed", "true"),
                        ("ehk:reportedIn", self._report(later)),
                    )
            pairs.append(("ehk:reportedIn", self._report(report)))
            out = self.report_files[report]
            out.add(service, *pairs)
            out.add(
                iri("dependency", f"{REPORTS[report][0]}-tjeneste-{k}"),
                ("a", "ehk:Dependency"),
                ("rdfs:label", nb(f"Syntetisk veikarttjeneste {k} avhenger av tiltak {driver}")),
                ("ehk:dependent", service),
                ("ehk:dependee", iri("measure", str(driver))),
                ("ehk:dependencyCategory", "ehk:DependsOnMeasure"),
                ("ehk:criticality", rng.choice(_CRITICALITY)),
                ("ehk:status", "ehk:Green"),
                ("ehk:reportedIn", self._report(report)),
            )
            for j in range(1, rng.randrange(2, 6) + 1):
                self._activity(out, report, f"tjeneste-{k}-{j}", ("ehk:forService", service), j)
            if report > 0 and rng.random() < 0.3:
                out.add(
                    iri("roadmap-change", f"{_version(report)}-tjeneste-{k}"),
                    ("a", "ehk:RoadmapChange"),
                    ("ehk:forService", service),
                    ("ehk:fromVersion", iri("roadmap-version", _version(report - 1))),
                    ("ehk:toVersion", version),
                    ("dcterms:description", nb(f"Syntetisk endring i plan for tjeneste {k}.")),
                    ("ehk:reportedIn", self._report(report)),
                )
        for measure in self.measures:
            report = measure.assessments[-1].report
            out = self.report_files[report]
            if self.rng.random() < 0.3:
                link = ("ehk:forMeasure", iri("measure", measure.key))
                for j in range(1, self.rng.randrange(1, 4) + 1):
                    self._activity(out, report, f"tiltak-{measure.key}-{j}", link, j)
            if self.rng.random() < 0.2:
                year = self.rng.randrange(2023, 2028)
                out.add(
                    iri("milestone", f"{REPORTS[report][0]}-{measure.key}"),
                    ("a", "ehk:Milestone"),
                    ("rdfs:label", nb(f"Syntetisk milepæl for tiltak {measure.key}")),
                    ("dcterms:date", typed(f"{year}-{self.rng.randrange(1, 13):02d}-01", "date")),
                    ("ehk:forMeasure", iri("measure", measure.key)),
                    ("ehk:reportedIn", self._report(report)),
                )

    def _activity(
        self, out: TurtleFile, report: int, slug: str, link: tuple[str, str], j: int
    ) -> None:
        rng = self.rng
        performers = [self._actor(rng.randrange(1, self.actors + 1))]
        if rng.random() < 0.3:
            performers.append(iri("actor-group", f"gruppe-{rng.randrange(1, _GROUPS + 1)}"))
        start = rng.randrange(2023, 2028)
        end = start + rng.randrange(0, 4)
        pairs: list[tuple[str, str | Iterable[str]]] = [("a", "ehk:PlannedActivity"), link]
        if link[0] == "ehk:forService":
            pairs.append(("ehk:inRoadmapVersion", iri("roadmap-version", _version(report))))
        pairs += [
            ("ehk:performedBy", sorted(set(performers))),
            ("rdfs:label", nb(f"Syntetisk aktivitet {slug}")),
        ]
        draw = rng.random()
        if draw >= 0.15:
            pairs.append(("ehk:startYear", str(start)))
        if draw < 0.15 or draw >= 0.25:
            pairs.append(("ehk:endYear", str(end)))
        pairs.append(("ehk:reportedIn", self._report(report)))
        out.add(iri("activity", f"{REPORTS[report][0]}-{slug}"), *pairs)

    # Costs ------------------------------------------------------------------------------

    def write_costs(self) -> None:
        """Yearly operating-cost increases per solution and measure, one table per report,
        the last report's yearly totals as stated figures, and its cost levels."""
        rng = self.rng
        last = len(REPORTS) - 1
        totals: dict[int, int] = defaultdict(int)
        used = set()
        for measure in self.measures:
            # Measure 1 always has figures in the last report: the default 'latest' answers.
            if measure.number != 1 and rng.random() > 0.6:
                continue
            report = last if measure.number == 1 else rng.choice(measure.assessments).report
            key = REPORTS[report][0]
            used.add(report)
            solution = rng.randrange(1, self.solutions + 1)
            first_year = REPORTS[report][1] + 1
            for year in range(first_year, first_year + rng.randrange(2, 5)):
                tenths = rng.randrange(1, 500)
                if report == last:
                    totals[year] += tenths
                self.report_files[report].add(
                    iri("cost", f"{key}-losning-{solution}-{measure.key}-{year}"),
                    ("a", "ehk:CostObservation"),
                    ("qb:dataSet", iri("dataset", f"{key}-cost-increase")),
                    ("ehk:solution", self._solution(solution)),
                    ("ehk:costDriver", iri("measure", measure.key)),
                    ("ehk:costKind", "ehk:CostIncrease"),
                    ("ehk:year", str(year)),
                    ("ehk:amount", decimal(tenths)),
                    ("ehk:unit", "ehk:MNOK"),
                    ("ehk:reportedIn", self._report(report)),
                )
        for report in sorted(used):
            key = REPORTS[report][0]
            self.report_files[report].add(
                iri("dataset", f"{key}-cost-increase"),
                ("a", "qb:DataSet"),
                ("rdfs:label", nb(f"Syntetisk økning i driftskostnader, rapport {key} (MNOK)")),
                ("ehk:reportedIn", self._report(report)),
            )
        out = self.report_files[last]
        key = REPORTS[last][0]
        for year, tenths in sorted(totals.items()):
            out.add(
                iri("figure", f"{key}-cost-increase-{year}"),
                ("a", "ehk:StatedFigure"),
                ("ehk:figureKind", "ehk:FigCostIncreaseTotal"),
                ("ehk:year", str(year)),
                ("qb:dataSet", iri("dataset", f"{key}-cost-increase")),
                ("ehk:value", decimal(tenths)),
                ("ehk:unit", "ehk:MNOK"),
                ("ehk:reportedIn", self._report(last)),
            )
        level_set = iri("dataset", f"{key}-cost-level")
        out.add(
            level_set,
            ("a", "qb:DataSet"),
            ("rdfs:label", nb(f"Syntetisk nivå på driftskostnader, rapport {key} (MNOK)")),
            ("ehk:reportedIn", self._report(last)),
        )
        for year in (2025, 2026):
            total = 0
            for solution in range(1, self.solutions + 1):
                tenths = rng.randrange(100, 5000)
                total += tenths
                out.add(
                    iri("cost", f"{key}-nivaa-losning-{solution}-{year}"),
                    ("a", "ehk:CostObservation"),
                    ("qb:dataSet", level_set),
                    ("ehk:solution", self._solution(solution)),
                    ("ehk:costKind", "ehk:CostLevel"),
                    ("ehk:year", str(year)),
                    ("ehk:amount", decimal(tenths)),
                    ("ehk:unit", "ehk:MNOK"),
                    ("ehk:reportedIn", self._report(last)),
                )
            out.add(
                iri("figure", f"{key}-cost-level-{year}"),
                ("a", "ehk:StatedFigure"),
                ("ehk:figureKind", "ehk:FigCostLevelTotal"),
                ("ehk:year", str(year)),
                ("qb:dataSet", level_set),
                ("ehk:value", decimal(total)),
                ("ehk:unit", "ehk:MNOK"),
                ("ehk:reportedIn", self._report(last)),
            )

    # Rollout, councils, initiatives -------------------------------------------------------

    def write_rollout(self) -> None:
        for index, (key, _y, _m) in enumerate(REPORTS):
            out = self.report_files[index]
            dataset = iri("dataset", f"{key}-rollout")
            out.add(
                dataset,
                ("a", "qb:DataSet"),
                ("rdfs:label", nb(f"Syntetisk innføringsgrad, rapport {key} (prosent)")),
                ("ehk:reportedIn", self._report(index)),
            )
            for group in range(1, 4):
                for aspect, slug in (
                    ("ehk:RolloutAccess", "tilgang"),
                    ("ehk:RolloutPlanned", "plan"),
                ):
                    out.add(
                        iri("rollout", f"{key}-gruppe-{group}-{slug}"),
                        ("a", "ehk:RolloutObservation"),
                        ("qb:dataSet", dataset),
                        ("ehk:solution", self._solution(1)),
                        ("ehk:serviceArea", iri("actor-group", f"gruppe-{group}")),
                        ("ehk:rolloutAspect", aspect),
                        ("ehk:inRoadmapVersion", iri("roadmap-version", _version(index))),
                        ("ehk:percent", str(min(100, 10 * group + 5 * index))),
                        ("ehk:unit", "ehk:Percent"),
                        ("ehk:reportedIn", self._report(index)),
                    )

    def write_councils(self) -> None:
        rng = self.rng
        cases = 3 + self.n // 40
        numbers: dict[int, int] = defaultdict(int)
        for index, (_key, year, _m) in enumerate(REPORTS):
            out = self.report_files[index]
            date = _meeting_date(index)
            meeting = iri("meeting", f"rad-{date}")
            out.add(
                meeting,
                ("a", "ehk:CouncilMeeting"),
                ("rdfs:label", nb(f"Syntetisk rådsmøte {date}")),
                ("ehk:ofCouncil", iri("council", "rad")),
                ("dcterms:date", typed(date, "date")),
                ("ehk:venue", plain("Syntetisk møtested")),
                ("ehk:reportedIn", self._report(index)),
            )
            for position in range(1, cases + 1):
                numbers[year] += 1
                number = f"{numbers[year]}/{year % 100:02d}"
                about = rng.randrange(1, self.n + 1)
                out.add(
                    iri("case", f"rad-{numbers[year]}-{year % 100:02d}"),
                    ("a", "ehk:CouncilCase"),
                    ("ehk:caseNumber", plain(number)),
                    ("ehk:inMeeting", meeting),
                    ("dcterms:title", nb(f"Syntetisk sak {number}")),
                    ("ehk:caseType", rng.choice(_CASE_TYPES)),
                    ("ehk:agendaPosition", str(position)),
                    (
                        "ehk:scheduledTime",
                        # A meeting day from 09:00 in quarter hours; long agendas wrap round
                        # within it, so every time is a valid xsd:time.
                        typed(
                            f"{9 + (position // 4) % 8:02d}:{(position % 4) * 15:02d}:00", "time"
                        ),
                    ),
                    ("ehk:presenter", plain("Syntetisk presentatør")),
                    ("ehk:presentingOrganisation", self._actor(rng.randrange(1, self.actors + 1))),
                    (
                        "ehk:proposedDecision",
                        nb(f"Rådet tar syntetisk sak {number} til orientering."),
                    ),
                    ("ehk:concerns", iri("measure", str(about))),
                    ("ehk:reportedIn", self._report(index)),
                )

    def write_initiatives(self) -> None:
        rng = self.rng
        kinds = ["ehk:InitiativePortfolio", "ehk:InitiativeOtherOngoing", "ehk:InitiativeProposed"]
        for k in range(1, max(5, self.n // 3) + 1):
            goal = (k - 1) % _GOALS + 1
            kind = "ehk:InitiativePortfolio" if k == 1 else rng.choices(kinds, weights=[7, 2, 1])[0]
            involved: list[int] = []
            if k == 1:
                involved = sorted({2, self.n})  # the red chains reach goal 1
            elif kind == "ehk:InitiativePortfolio":
                involved = sorted(
                    {rng.randrange(1, self.n + 1) for _ in range(rng.randrange(1, 4))}
                )
            self.goals_file.add(
                iri("initiative", f"mal-{goal}-{k}"),
                ("a", "ehk:Initiative"),
                ("rdfs:label", nb(f"Syntetisk initiativ {k}")),
                ("ehk:supportsGoal", iri("goal", str(goal))),
                ("ehk:initiativeKind", kind),
                ("ehk:involvesMeasure", [iri("measure", str(m)) for m in involved]),
                ("ehk:reportedIn", iri("report", "goals")),
            )

    # All of it ------------------------------------------------------------------------

    def files(self) -> list[TurtleFile]:
        self.write_reference()
        self.plan_measures()
        self.write_measures()
        self.write_figures()
        self.write_dependencies()
        self.write_roadmap()
        self.write_costs()
        self.write_rollout()
        self.write_councils()
        self.write_initiatives()
        return [self.reference, self.goals_file, *self.report_files]


def typical_parameters(measures: int) -> dict[str, dict[str, str]]:
    """Parameters for every named query that take values the generator always produces."""
    first, last = REPORTS[0][0], REPORTS[-1][0]
    return {
        "council-cases": {"meeting": _meeting_date(len(REPORTS) - 1)},
        "dependencies": {"status": "red"},
        "judgements": {"report": last},
        "measure-history": {"measure": "1"},
        "measures-by-actor": {"actor": "Syntetisk aktør 1"},
        "measures-by-goal": {"goal": "1"},
        "operating-cost-growth": {"report": last},
        "operating-cost-level": {"year": "2025"},
        "provenance": {"subject": "1"},
        "red-dependencies-blocking-goal": {"goal": "1"},
        "search": {"text": "tiltak 1"},
        "services-awaiting-funding": {"report": last},
        "status-changes": {"from": first, "to": last},
        "status-summary": {"report": last},
    }


def analysis_targets(measures: int) -> dict[str, str]:
    """A critical-path target with a long chain behind it, and a node whose slip moves much."""
    return {"critical_path": str(measures), "impact": "1", "slip": "6", "goal": "1"}


def generate(out: Path, *, size: str, seed: int = 1) -> dict[str, object]:
    """Write the synthetic portfolio of ``size`` into ``out``; return its manifest."""
    measures = measures_for(size)
    files = Generator(measures, seed).files()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ttl"):
        old.unlink()
    for turtle in files:
        (out / turtle.name).write_text(turtle.text(), encoding="utf-8")
    manifest: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "size": size,
        "seed": seed,
        "measures": measures,
        "triples": sum(f.triples for f in files),
        "files": [f.name for f in files],
        "parameters": typical_parameters(measures),
        "analysis": analysis_targets(measures),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def cached(out: Path, *, size: str, seed: int = 1) -> dict[str, object]:
    """The manifest of ``out`` if it holds this size and seed from this generator; else
    generate it there first."""
    path = out / "manifest.json"
    if path.is_file():
        manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        if (manifest.get("generator"), manifest.get("size"), manifest.get("seed")) == (
            GENERATOR_VERSION,
            size,
            seed,
        ) and all((out / str(name)).is_file() for name in manifest["files"]):  # type: ignore[attr-defined]
            return manifest
    return generate(out, size=size, seed=seed)


DEFAULT_OUT = Path(__file__).resolve().parent / "out"


@click.command()
@click.option(
    "--size", default="10k", show_default=True, help="10k, 100k, 1m or a number of measures."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the random source.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write into (default bench/out/data-SIZE-sSEED, git-ignored).",
)
def main(size: str, seed: int, out: Path | None) -> None:
    """Write a synthetic portfolio of SIZE as Turtle files, with a manifest."""
    measures_for(size)
    folder = out or DEFAULT_OUT / f"data-{size}-s{seed}"
    manifest = generate(folder, size=size, seed=seed)
    click.echo(f"{folder}: {manifest['measures']} measures, {manifest['triples']} triples")


if __name__ == "__main__":
    main()
