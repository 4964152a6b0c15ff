"""``ehelsekg round``: the reporting round's workbook out, and the returned workbooks in.

Exit codes of ``round import``: 0 the round is written, 1 a Violation (nothing is written),
2 a file cannot be read as a round (file and sheet, line or cell named).
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rdflib import URIRef

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.options import domain_errors, settings_of
from ehelsekg.knowledge import graph_name_for, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import data_paths, load_shapes

if TYPE_CHECKING:
    from ehelsekg.rounds.importing import PreparedRound
    from ehelsekg.rounds.reading import Upload
    from ehelsekg.validation.gate import Validator

# The rounds package (openpyxl, csvw) is imported by the commands that use it, so that every
# other ehelsekg command starts without it (a quarter of a second).


@click.group("round")
def round_group() -> None:
    """Reporting rounds: the workbook for the measure owners, and their answers back in."""


@round_group.command("template")
@click.option("--report", required=True, help="The round's report key, YYYY-MM (e.g. 2023-03).")
@click.option("--date", "date", required=True, help="The reporting date, YYYY-MM-DD.")
@click.option(
    "--from",
    "previous",
    default=None,
    help="Pre-fill from this report (YYYY-MM); default: the latest that lists the portfolio.",
)
@click.option("--actor", default=None, help="Only this owner's measures (name or IRI slug).")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The .xlsx file to write.",
)
@click.option("--store", default="memory", show_default=True, help="Where the graph lives.")
@click.pass_context
@domain_errors
def template_command(
    ctx: click.Context,
    report: str,
    date: str,
    previous: str | None,
    actor: str | None,
    output: Path,
    store: str,
) -> None:
    """Write the round's workbook (sheets per the mapping in mappings/), pre-filled."""
    from ehelsekg.rounds.importing import mapping_for, previous_report
    from ehelsekg.rounds.problems import RoundReadError
    from ehelsekg.rounds.template import build_template

    settings = settings_of(ctx)
    knowledge = open_knowledge_graph(settings, store=store, reason=False)
    catalogue = Catalogue(settings.queries_dir)
    mapping = mapping_for(settings)
    if previous is None:
        source = previous_report(catalogue, knowledge.store, before=report)
    else:
        found = [
            (URIRef(str(row["report"])), str(row["sortDate"])[:7])
            for row in catalogue.lookup_rows("reports", knowledge.store)
            if str(row["sortDate"]).startswith(previous) or str(row["report"]) == previous
        ]
        if not found:
            raise RoundReadError(f"--from {previous}: ingen rapport med den datoen")
        source = found[-1]
    book = build_template(
        knowledge.store,
        catalogue,
        mapping,
        report=report,
        date=date,
        previous=source,
        actor=actor,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    book.save(output)
    counts = ", ".join(f"{ws.title} {ws.max_row - 1}" for ws in book.worksheets[:-1])
    click.echo(f"{output}: runde {report}, fylt ut fra {source[1] if source else '–'} ({counts})")


@round_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--report", default=None, help="Report key YYYY-MM (default: from the workbook).")
@click.option("--date", "date", default=None, help="Reporting date (default: from the workbook).")
@click.option("--dry-run", is_flag=True, help="Check and preview only; write nothing.")
@click.option(
    "--store",
    default=None,
    help="Write into this store (oxigraph:PATH or sparql:URL) through the update gate, "
    "instead of the data file data/<report>-portfolio-round.ttl.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
@domain_errors
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    report: str | None,
    date: str | None,
    dry_run: bool,
    store: str | None,
    fmt: str,
) -> None:
    """Read returned workbooks (or CSV files), check them cell by cell, preview, write."""
    from ehelsekg.rounds.importing import mapping_for, write_round_file
    from ehelsekg.rounds.reading import Upload
    from ehelsekg.validation.gate import Validator

    settings = settings_of(ctx)
    uploads = [Upload.from_path(path) for path in files]
    mapping = mapping_for(settings)
    validator = Validator.for_shapes(load_shapes(settings))
    if store is not None:
        _import_into_store(settings, uploads, store, report, date, dry_run, fmt)
        return
    prepared = _prepare_for_file(settings, uploads, report, date, validator)
    written = None
    if prepared.conforms and not dry_run:
        written = str(write_round_file(prepared, settings, mapping))
    preview = prepared.preview.text(mapping) if prepared.preview else ""
    _show(prepared.to_json(), fmt, written, preview=preview)
    if not prepared.conforms:
        sys.exit(1)


def _import_into_store(
    settings: Settings,
    uploads: list[Upload],
    store: str,
    report: str | None,
    date: str | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Through the service, as the server does: checked in a worker, applied by the gate."""
    from dataclasses import replace

    from ehelsekg.rounds.importing import RoundCheck, check_round
    from ehelsekg.service.rounds import check_and_write
    from ehelsekg.service.service import KnowledgeService

    chosen = replace(settings, store=store)
    service = KnowledgeService(open_knowledge_graph(chosen, store=store), chosen)
    try:
        arguments = {"uploads": uploads, "report": report, "date": date}
        outcome = check_and_write(service, check_round, arguments, dry_run=dry_run)
    finally:
        service.close()
        # An on-disk store's lock goes with the store object, which the service holds in
        # reference cycles (its worker pool calls back into it): free it now, so the same
        # process (a test, a notebook) can open the store again.
        del service
        gc.collect()
    checked = outcome.checked
    assert isinstance(checked, RoundCheck)
    document = {**checked.document, "applied": outcome.applied, "gate": outcome.gate}
    _show(document, fmt, store if outcome.applied else None, preview=checked.preview)
    if not outcome.conforms:
        sys.exit(1)


def _prepare_for_file(
    settings: Settings,
    uploads: list[Upload],
    report: str | None,
    date: str | None,
    validator: Validator,
) -> PreparedRound:
    """Prepare against the bundled data, without the round's own file if it is there (a
    corrected round replaces it)."""
    from ehelsekg.rounds.importing import mapping_for, prepare, round_file
    from ehelsekg.rounds.reading import read_files

    mapping = mapping_for(settings)
    read = read_files(uploads, mapping)
    key = report or read.report
    target = round_file(settings, mapping, key) if key else None
    files = [p for p in data_paths(settings) if target is None or p.resolve() != target.resolve()]
    knowledge = open_knowledge_graph(settings, only=files, reason=False)
    prepared = prepare(
        uploads,
        store=knowledge.store,
        validator=validator,
        catalogue=Catalogue(settings.queries_dir),
        mapping=mapping,
        graph_name=graph_name_for(target or settings.data_dir / "round.ttl", settings),
        report=report,
        date=date,
        read=read,
    )
    return prepared


def _show(document: dict[str, object], fmt: str, written: str | None, *, preview: str) -> None:
    from ehelsekg.rounds.problems import CellProblem

    if fmt == "json":
        click.echo(json.dumps({**document, "written": written}, ensure_ascii=False))
        return
    problems = document["problems"]
    assert isinstance(problems, list)
    for problem in problems:
        line = CellProblem(**problem).text()
        click.echo(line, err=problem["severity"] == "Violation")
    if document["conforms"]:
        click.echo(preview)
    if written:
        click.echo(f"Skrevet: {written}")
    elif document["conforms"] and not document.get("gate"):
        click.echo("Ingenting skrevet (--dry-run).")
    else:
        violations = sum(p["severity"] == "Violation" for p in problems)
        click.echo(f"Ingenting skrevet: {violations} feil må rettes først.", err=True)


COMMANDS: tuple[click.Command, ...] = (round_group,)
