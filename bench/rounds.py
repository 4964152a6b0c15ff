"""Benchmark of a reporting round: read + map + validate + preview (``round import --dry-run``).

Two rounds: 50 measures against the bundled data, and 1,000 measures against the bundled data
plus 1,000 generated measures (written to bench/out/, never committed). Each round's workbook
is made with the project's own template code (headers and code lists from the mapping), then
filled with rows whose values cycle through the code lists, so the round conforms.

    .venv/bin/python -m bench.rounds [--repeat 3]

The issue's goals: under 2 s for 50 measures at the bundled size, under 10 s for 1,000.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import graph_name_for, open_knowledge_graph
from ehelsekg.rounds.importing import mapping_for, prepare, previous_report, round_file
from ehelsekg.rounds.mapping import RoundMapping
from ehelsekg.rounds.reading import Upload
from ehelsekg.rounds.template import build_template
from ehelsekg.rounds.vocab import Vocabulary
from ehelsekg.settings import Settings
from ehelsekg.store.base import Store
from ehelsekg.store.loading import load_shapes
from ehelsekg.validation.gate import Validator

OUT = Path(__file__).resolve().parent / "out"
REPORT, DATE = "2023-03", "2023-03-31"
GENERATED_FROM = 10_000  # generated measures are numbered from here, clear of real numbers


def generated_measures(count: int) -> Path:
    """A Turtle file of ``count`` measures (number and name only), for the large round."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"round-measures-{count}.ttl"
    lines = [
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix ehk: <https://w3id.org/ehelsekg/ontology#> .",
        "@prefix measure: <https://w3id.org/ehelsekg/id/measure/> .",
    ]
    for number in range(GENERATED_FROM, GENERATED_FROM + count):
        lines.append(
            f'measure:{number} a ehk:Measure ; dcterms:identifier "{number}" ;'
            f' rdfs:label "Generert tiltak {number}"@nb .'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def measure_numbers(store: Store, catalogue: Catalogue, count: int, generated: bool) -> list[str]:
    if generated:
        return [str(n) for n in range(GENERATED_FROM, GENERATED_FROM + count)]
    rows = catalogue.lookup_rows("measures", store)
    numbers = sorted({str(r["id"]) for r in rows if r.get("id") is not None}, key=int)
    return numbers[:count]


def workbook(
    store: Store, catalogue: Catalogue, mapping: RoundMapping, numbers: list[str]
) -> bytes:
    """The template with one conforming Tiltak row per measure number."""
    book = build_template(
        store, catalogue, mapping, report=REPORT, date=DATE, previous=None, actor=None
    )
    vocabulary = Vocabulary(store, catalogue, mapping.path.parent / "lookups")
    table = mapping.tables[0]
    owners = sorted(vocabulary.lookup("actors").labels.values())[:5]
    sheet = book[table.sheet]
    for i, number in enumerate(numbers):
        row: list[str] = []
        for column in table.columns:
            if column.name in table.key:
                row.append(number)
            elif column.code_list is not None:
                allowed = vocabulary.codes(column.code_list).allowed
                # Active, and statuses cycling green/yellow; other lists their first value.
                row.append(allowed[i % 2] if len(allowed) == 3 else allowed[0])
            elif column.lookup is not None:
                row.append(owners[i % len(owners)])
            elif column.value_url is not None:
                row.append("1.1")
            else:
                row.append(f"Tiltak {number}")
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def measure(count: int, *, generated: bool, repeat: int) -> dict[str, object]:
    settings = Settings()
    extra = [generated_measures(count)] if generated else []
    started = time.perf_counter()
    knowledge = open_knowledge_graph(settings, extra=extra, reason=False)
    catalogue = Catalogue(settings.queries_dir)
    mapping = mapping_for(settings)
    validator = Validator.for_shapes(load_shapes(settings))
    opened = time.perf_counter() - started
    numbers = measure_numbers(knowledge.store, catalogue, count, generated)
    upload = Upload("runde.xlsx", workbook(knowledge.store, catalogue, mapping, numbers))
    graph_name = graph_name_for(round_file(settings, mapping, REPORT), settings)
    times = []
    conforms = False
    for _ in range(repeat):
        started = time.perf_counter()
        prepared = prepare(
            [upload],
            store=knowledge.store,
            validator=validator,
            catalogue=catalogue,
            mapping=mapping,
            graph_name=graph_name,
        )
        times.append(time.perf_counter() - started)
        conforms = prepared.conforms and not prepared.problems
    previous = previous_report(catalogue, knowledge.store, before=REPORT)
    return {
        "measures": len(numbers),
        "quads": len(knowledge.store),
        "open": opened,
        "median": statistics.median(times),
        "conforms": conforms,
        "previous": previous[1] if previous else None,
        "bytes": len(upload.data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lines = [
        "| round | measures | store quads | workbook | open graph | import+validate+preview"
        " (median) | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for count, generated, goal in ((50, False, 2.0), (1000, True, 10.0)):
        found = measure(count, generated=generated, repeat=args.repeat)
        median = float(str(found["median"]))
        lines.append(
            f"| {'bundled' if not generated else 'generated'} | {found['measures']}"
            f" | {found['quads']} | {int(str(found['bytes'])) // 1024} KB"
            f" | {float(str(found['open'])):.2f} s | {median:.2f} s"
            f" | < {goal:.0f} s: {'met' if median < goal else 'NOT met'}"
            f"{'' if found['conforms'] else ' (round did not conform!)'} |"
        )
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "rounds.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
