"""A round from returned files to checked RDF and a preview: the steps of ``round import``.

``prepare`` reads the files, maps them, validates the round together with the graph on a
scratch copy and previews it; nothing is written. ``write_round_file`` then writes the data
file (the CLI's default); ``ehelsekg.service.rounds`` applies a prepared round to a store
through the update gate instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.namespaces import EHK
from ehelsekg.rounds import check
from ehelsekg.rounds.convert import Converted, convert
from ehelsekg.rounds.mapping import RoundMapping, expand, load_mapping
from ehelsekg.rounds.preview import Preview, preview
from ehelsekg.rounds.problems import CellProblem, RoundReadError
from ehelsekg.rounds.reading import RoundFiles, Upload, read_files
from ehelsekg.rounds.vocab import Vocabulary
from ehelsekg.rounds.writing import turtle_text, write_atomically
from ehelsekg.settings import Settings
from ehelsekg.store.base import Store
from ehelsekg.validation.gate import Validator

_REPORT_KEY = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class PreparedRound:
    """A round read, mapped, validated and previewed, not yet written anywhere."""

    report: str
    date: str
    files: list[str]
    converted: Converted
    problems: list[CellProblem]
    preview: Preview | None
    report_triples: list[tuple[Node, Node, Node]] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(p.severity == "Violation" for p in self.problems)

    @property
    def triples(self) -> list[tuple[Node, Node, Node]]:
        return [*self.report_triples, *self.converted.graph]

    def to_json(self) -> dict[str, object]:
        return {
            "report": self.report,
            "date": self.date,
            "files": self.files,
            "conforms": self.conforms,
            "triples": len(self.triples),
            "problems": [p.to_json() for p in self.problems],
            "preview": self.preview.to_json() if self.preview else None,
        }


@dataclass(frozen=True)
class RoundCheck:
    """A prepared round as plain data, to cross from a worker: the JSON document, the
    preview text, whether it conforms and the ``INSERT DATA`` that writes it."""

    document: dict[str, object]
    preview: str
    conforms: bool
    update: str


def check_round(
    store: Store,
    catalogue: Catalogue,
    validator: Validator,
    settings: Settings,
    /,
    *,
    uploads: list[Upload],
    report: str | None = None,
    date: str | None = None,
) -> RoundCheck:
    """Prepare a round against ``store`` for a write through the update gate (see
    ``ehelsekg.service.rounds.check_and_write``, which runs this in a worker)."""
    from ehelsekg.rounds.check import insert_text

    mapping = mapping_for(settings)
    prepared = prepare(
        uploads,
        store=store,
        validator=validator,
        catalogue=catalogue,
        mapping=mapping,
        graph_name=URIRef(expand(mapping.report_about, {"_report": report or "round"})),
        report=report,
        date=date,
    )
    return RoundCheck(
        document=prepared.to_json(),
        preview=prepared.preview.text(mapping) if prepared.preview else "",
        conforms=prepared.conforms,
        update=insert_text(prepared.triples) if prepared.conforms else "",
    )


def mapping_for(settings: Settings, path: Path | None = None) -> RoundMapping:
    """The mapping at ``path``, or the project's own."""
    from ehelsekg.rounds.mapping import DEFAULT_MAPPING

    return load_mapping(path or settings.home / DEFAULT_MAPPING)


def round_file(settings: Settings, mapping: RoundMapping, report: str) -> Path:
    """Where a round's data file goes: ``data/<report>-portfolio-round.ttl``."""
    return settings.data_dir / expand(mapping.data_file, {"_report": report})


def prepare(
    uploads: list[Upload],
    *,
    store: Store,
    validator: Validator,
    catalogue: Catalogue,
    mapping: RoundMapping,
    graph_name: URIRef,
    report: str | None = None,
    date: str | None = None,
    read: RoundFiles | None = None,
) -> PreparedRound:
    """Read, map, validate and preview a round against ``store`` (which is not changed);
    ``read`` is the uploads already read, if they are."""
    read = read or read_files(uploads, mapping)
    names = [upload.name for upload in uploads]
    key = report or read.report
    day = date or read.date
    if not key or not _REPORT_KEY.match(key):
        raise RoundReadError(
            f"{', '.join(names)}: rapporten runden gjelder er ikke kjent («{key or ''}»);"
            " oppgi den som ÅÅÅÅ-MM, f.eks. --report 2023-03"
        )
    try:
        dt.date.fromisoformat(day or "")
    except ValueError as err:
        raise RoundReadError(
            f"{', '.join(names)}: rapporteringsdatoen «{day or ''}» er ikke en dato på formen"
            " ÅÅÅÅ-MM-DD; oppgi den, f.eks. --date 2023-03-31"
        ) from err
    assert day is not None
    vocabulary = Vocabulary(store, catalogue, mapping.path.parent / "lookups")
    converted = convert(read.sheets, mapping, vocabulary, report=key)
    report_triples = _report_node(converted.report, mapping, key, day, names)
    if any(row["report"] == converted.report for row in catalogue.lookup_rows("reports", store)):
        converted.problems.insert(0, _exists(mapping, key))
    scratch = store.scratch_copy()
    triples = [*report_triples, *converted.graph]
    scratch.replace_graph(graph_name, triples)
    raw = check.validate_scratch(scratch, validator)
    # Names as the round has them (its new report, new prerequisites), for messages and preview.
    after = Vocabulary(scratch, catalogue, mapping.path.parent / "lookups")
    problems = [*converted.problems, *check.locate(raw, converted, mapping, after)]
    # What blocks the round first; warnings after (a stable sort keeps the sheets' order).
    problems.sort(key=lambda p: p.severity != "Violation")
    previous = previous_report(catalogue, store, before=key, exclude=converted.report)
    shown = preview(
        scratch,
        catalogue,
        after,
        report=converted.report,
        report_key=key,
        previous=previous[0] if previous else None,
        previous_key=previous[1] if previous else None,
    )
    return PreparedRound(key, day, names, converted, problems, shown, report_triples)


def _exists(mapping: RoundMapping, key: str) -> CellProblem:
    return CellProblem(
        file="",
        sheet="",
        row=None,
        column=None,
        cell=None,
        value=key,
        message=mapping.message("reportExists", report=key),
        hint=mapping.message("reportExistsHint"),
    )


def previous_report(
    catalogue: Catalogue, store: Store, *, before: str, exclude: URIRef | None = None
) -> tuple[URIRef, str] | None:
    """The latest report before ``before`` (YYYY-MM) that lists the whole portfolio."""
    candidates = [
        (str(row["sortDate"]), row["report"])
        for row in catalogue.lookup_rows("reports", store)
        if row["listsAll"] == Literal(True)
        and str(row["sortDate"])[:7] < before
        and row["report"] != exclude
    ]
    if not candidates:
        return None
    date, report = max(candidates, key=lambda c: c[0])
    assert isinstance(report, URIRef)
    return report, date[:7]


def _report_node(
    report: URIRef, mapping: RoundMapping, key: str, day: str, files: list[str]
) -> list[tuple[Node, Node, Node]]:
    """The new ehk:Report: title, month, reporting date, data file and the files read."""
    triples: list[tuple[Node, Node, Node]] = [
        (report, RDF.type, EHK.Report),
        (report, DCTERMS.title, Literal(expand(mapping.report_title, {"_report": key}), lang="nb")),
        (report, DCTERMS.date, Literal(key, datatype=XSD.gYearMonth)),
        (report, EHK.reportingDate, Literal(day, datatype=XSD.date)),
        (report, EHK.listsAllMeasures, Literal(True)),
        (report, EHK.dataFile, Literal(expand(mapping.data_file, {"_report": key}))),
    ]
    triples += [(report, EHK.sourceFile, Literal(name)) for name in files]
    return triples


def write_round_file(prepared: PreparedRound, settings: Settings, mapping: RoundMapping) -> Path:
    """Write a conforming round to ``data/<report>-portfolio-round.ttl``; return the path."""
    assert prepared.conforms
    path = round_file(settings, mapping, prepared.report)
    converted = prepared.converted
    graph = converted.graph
    report = converted.report
    for triple in prepared.report_triples:
        graph.add(triple)
    order: dict[Node, list[URIRef]] = {}
    for subject, table in converted.tables.items():
        order[subject] = [f.property for f in table.fixed] + [c.property for c in table.columns]
    created = sorted(set(graph.subjects()) - set(converted.rows) - {report}, key=str)
    subjects = [report, *converted.rows, *created]
    comment = (
        f"Facts from the reporting round {prepared.report} (reporting date {prepared.date}),"
        f" read from {', '.join(prepared.files)}\nwith {mapping.path.name}"
        " by `ehelsekg round import`."
    )
    prefixes = (settings.home / "docs" / "prefixes.ttl").read_text(encoding="utf-8")
    write_atomically(
        path, turtle_text(graph, subjects, prefixes=prefixes, comment=comment, order=order)
    )
    return path
