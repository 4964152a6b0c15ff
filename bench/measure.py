"""Measure one data set in this process: our stack beside its anchors, on the same data.

What is timed is what a user of the library or the CLI pays: opening the store, reasoning,
validation, the update gate, every named query (in-process and over HTTP), the dependency
analysis and a view. The anchors are the engines underneath used directly: pyoxigraph with the
catalogue's final query text, the Oxigraph server, rdflib's own SPARQL engine, owlrl,
``reasonable`` and pyshacl. Run as ``python -m bench.measure`` (by ``bench.run``) so that each
size gets a fresh process.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
import pyshacl
import reasonable
from rdflib import Dataset, Graph, URIRef

from bench import http
from bench.timing import Timing, measure
from ehelsekg.analysis import cpm as analysis
from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.reasoning.rules import owlrl_closure
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from ehelsekg.store.loading import data_paths, load_graph, load_shapes, ontology_paths
from ehelsekg.store.sparql_text import bind_values
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import Severity
from ehelsekg.views.build import build_view
from ehelsekg.views.html import render_html


@dataclass
class Options:
    """How hard to try: repetitions, the time budget per measurement, limits for anchors."""

    repeat: int = 5
    budget: float = 10.0
    skip_http: bool = False
    skip_anchors: bool = False
    #: rdflib's engine and parser only up to this many triples, each query stopped after
    #: ``rdflib_limit`` seconds.
    rdflib_max_triples: int = 150_000
    rdflib_limit: float = 5.0
    #: owlrl's full closure only up to this many triples (about 10 s at 10k).
    owlrl_max_triples: int = 20_000
    #: reasonable in this process beside our store: at 1M the measuring process ran out of the
    #: machine's 24 GB (killed by the kernel), so it runs up to this size only.
    reasonable_max_triples: int = 300_000
    #: pyshacl takes minutes above this (10k: 13 s, measured).
    pyshacl_max_triples: int = 30_000
    #: Longest single run of a slow anchor (pyshacl, owlrl) before it counts as not measured.
    slow_limit: float = 300.0


@dataclass
class Operation:
    """One thing measured, ours and its anchors."""

    what: str
    ours: Timing
    anchors: list[tuple[str, Timing]] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "ours": self.ours.to_json(),
            "anchors": [[name, timing.to_json()] for name, timing in self.anchors],
            "note": self.note,
        }


@dataclass
class QueryTimes:
    """One named query: ours in-process and over HTTP, and the anchors."""

    name: str
    rows: int
    ours: Timing
    pyoxigraph: Timing
    rdflib: Timing
    http: Timing
    oxigraph_server: Timing

    def to_json(self) -> dict[str, Any]:
        return {
            key: value.to_json() if isinstance(value, Timing) else value
            for key, value in self.__dict__.items()
        }


@dataclass
class Measured:
    """Everything measured on one data set."""

    label: str
    triples: int
    inferred: int
    operations: list[Operation] = field(default_factory=list)
    queries: list[QueryTimes] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "triples": self.triples,
            "inferred": self.inferred,
            "operations": [o.to_json() for o in self.operations],
            "queries": [q.to_json() for q in self.queries],
        }


NOT_MEASURED = Timing(None, 0, "skipped")


def _files(settings: Settings, only: list[Path] | None) -> list[Path]:
    return [*ontology_paths(settings), *data_paths(settings, only=only)]


def _rows(answer: object) -> int:
    if isinstance(answer, ox.QuerySolutions):
        variables = answer.variables
        return sum(1 for solution in answer for _ in [[solution[v] for v in variables]])
    if isinstance(answer, ox.QueryBoolean):
        return 1
    return sum(1 for _ in answer)  # type: ignore[attr-defined]


def _oxigraph_load(files: list[Path]) -> ox.Store:
    store = ox.Store()
    for path in files:
        store.load(path=str(path), to_graph=ox.NamedNode(path.resolve().as_uri()))
    return store


def _rdflib_parse(files: list[Path]) -> Graph:
    graph = Graph()
    for path in files:
        graph.parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    return graph


def _reasonable(files: list[Path]) -> int:
    reasoner = reasonable.PyReasoner()
    for path in files:
        reasoner.load_file(str(path))
    return len(reasoner.reason())


def _rdflib_rows(dataset: Dataset, text: str) -> int:
    with warnings.catch_warnings():
        # rdflib's own engine warns about its own Dataset API on every solution.
        warnings.simplefilter("ignore", DeprecationWarning)
        return len(list(dataset.query(text)))


def _union_dataset(knowledge: KnowledgeGraph) -> Dataset:
    """The store's named graphs (one per file, and the inferred graph) as an rdflib Dataset
    whose default graph is their union, as our store queries it."""
    dataset = Dataset(default_union=True)
    for name in knowledge.store.graph_names():
        graph = dataset.graph(URIRef(name))
        for triple in knowledge.store.triples([name]):
            graph.add(triple)
    return dataset


def final_texts(
    catalogue: Catalogue, knowledge: KnowledgeGraph, parameters: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """The text each named query runs as, parameters bound as the catalogue binds them."""
    texts = {}
    for name in catalogue.names():
        query = catalogue.get(name)
        bindings = catalogue.bind(query, parameters.get(name, {}), knowledge.store)
        texts[name] = bind_values(query.text, bindings) if bindings else query.text
    return texts


def measure_data(
    label: str,
    only: list[Path] | None,
    parameters: Mapping[str, Mapping[str, str]],
    targets: Mapping[str, str],
    options: Options,
    settings: Settings | None = None,
) -> Measured:
    """Measure everything on one data set (``only``: its folders; None: the bundled data)."""
    settings = replace(settings or Settings(), update_timeout=options.slow_limit)
    opts = options
    files = _files(settings, only)
    anchors = not opts.skip_anchors

    def timed(run: Callable[[], object], **kwargs: Any) -> Timing:
        return measure(run, **{"repeat": opts.repeat, "budget": opts.budget, **kwargs})

    # Loading and start-up.
    load = Operation(
        "load into the store (open_knowledge_graph, no reasoning)",
        timed(lambda: open_knowledge_graph(settings, only=only, reason=False)),
    )
    startup = Operation(
        "start-up: load + rules + reasoning (open_knowledge_graph)",
        timed(lambda: open_knowledge_graph(settings, only=only)),
    )
    knowledge = open_knowledge_graph(settings, only=only)
    triples = sum(1 for _ in knowledge.store.asserted_triples())
    if anchors:
        load.anchors.append(("pyoxigraph Store.load", timed(lambda: _oxigraph_load(files))))
        if triples <= opts.rdflib_max_triples:
            load.anchors.append(
                ("rdflib Graph.parse", timed(lambda: _rdflib_parse(files), limit=opts.slow_limit))
            )
        else:
            load.anchors.append(("rdflib Graph.parse", _too_big(opts.rdflib_max_triples)))
    result = Measured(label, triples, knowledge.refresh_inferences())
    result.operations += [load, startup]

    # Reasoning.
    reasoning = Operation("reasoning (refresh_inferences)", timed(knowledge.refresh_inferences))
    if anchors:
        if triples <= opts.reasonable_max_triples:
            reasoning.anchors.append(
                ("reasonable (load files + reason)", timed(lambda: _reasonable(files)))
            )
        else:
            reasoning.anchors.append(
                ("reasonable (load files + reason)", _too_big(opts.reasonable_max_triples))
            )
        if triples <= opts.owlrl_max_triples:
            rdflib_graph = load_graph(settings, only=only)
            reasoning.anchors.append(
                (
                    "owlrl full closure",
                    measure(
                        lambda: owlrl_closure(rdflib_graph),
                        repeat=1,
                        budget=0,
                        limit=opts.slow_limit,
                    ),
                )
            )
        else:
            reasoning.anchors.append(("owlrl full closure", _too_big(opts.owlrl_max_triples)))
    result.operations.append(reasoning)

    # Validation: ours is the shapes compiled to SPARQL, run in the store; the anchor is
    # pyshacl on a plain rdflib graph of the same triples (the reference implementation).
    shapes = load_shapes(settings)
    outcome: dict[str, int] = {}

    def full_validation() -> None:
        report = Validator.for_shapes(shapes).validate(knowledge.store)
        outcome["violations"] = report.counts[Severity.VIOLATION]

    validation = Operation(
        "full validation (shapes compiled to SPARQL, in the store)",
        timed(full_validation, limit=opts.slow_limit),
    )
    if "violations" in outcome:
        validation.note = f"{outcome['violations']} Violations"
    if anchors:
        if triples <= opts.pyshacl_max_triples:
            data = load_graph(settings, only=only)
            validation.anchors.append(
                (
                    "pyshacl on a plain rdflib graph",
                    measure(
                        lambda: pyshacl.validate(
                            data,
                            shacl_graph=shapes,
                            inference="none",
                            advanced=True,
                            allow_warnings=True,
                        ),
                        repeat=opts.repeat,
                        budget=opts.budget,
                        limit=opts.slow_limit,
                    ),
                )
            )
        else:
            validation.anchors.append(
                ("pyshacl on a plain rdflib graph", _too_big(opts.pyshacl_max_triples))
            )
    result.operations.append(validation)

    # Dependency analysis and a view.
    catalogue = Catalogue(settings.queries_dir)
    result.operations.append(
        Operation(
            "dependency network (build_network)",
            timed(lambda: build_network(knowledge.store, catalogue)),
        )
    )
    network = build_network(knowledge.store, catalogue)
    target = analysis.resolve_node(network, targets["critical_path"])
    node = analysis.resolve_node(network, targets["impact"])
    slip = int(targets["slip"])
    result.operations.append(
        Operation(
            f"critical path to {targets['critical_path']} (network + analysis)",
            timed(
                lambda: analysis.critical_path(build_network(knowledge.store, catalogue), target)
            ),
        )
    )
    result.operations.append(
        Operation(
            f"impact of {targets['impact']} slipping {slip} months (network + analysis)",
            timed(lambda: analysis.impact(build_network(knowledge.store, catalogue), node, slip)),
        )
    )
    goal = {"goal": targets["goal"]}
    result.operations.append(
        Operation(
            f"view: goal {targets['goal']} (build_view + render_html)",
            timed(lambda: render_html(build_view("goal", goal, knowledge.store, catalogue))),
        )
    )

    # Named queries, in-process.
    texts = final_texts(catalogue, knowledge, parameters)
    raw = knowledge.store._store  # type: ignore[attr-defined]
    default_graph = [ox.DefaultGraph(), ox.NamedNode(str(INFERRED_GRAPH))]
    dataset = _union_dataset(knowledge) if anchors and triples <= opts.rdflib_max_triples else None
    for name in catalogue.names():
        params = parameters.get(name, {})
        rows = len(catalogue.run(name, params, knowledge.store).rows)
        ours = timed(
            lambda n=name, p=params: catalogue.run(n, p, knowledge.store),  # type: ignore[misc]
            warm_up=True,
        )
        direct = rdflib_time = NOT_MEASURED
        if anchors:
            direct = timed(
                lambda t=texts[name]: _rows(raw.query(t, default_graph=default_graph)),  # type: ignore[misc]
                warm_up=True,
            )
            if dataset is None:
                rdflib_time = _too_big(opts.rdflib_max_triples)
            else:
                rdflib_time = measure(
                    lambda t=texts[name]: _rdflib_rows(dataset, t),  # type: ignore[misc]
                    repeat=opts.repeat,
                    budget=opts.budget,
                    limit=opts.rdflib_limit,
                )
        result.queries.append(
            QueryTimes(name, rows, ours, direct, rdflib_time, NOT_MEASURED, NOT_MEASURED)
        )

    # Over HTTP: our server and the Oxigraph server on the same data.
    if not opts.skip_http:
        with tempfile.TemporaryDirectory(prefix="ehelsekg-bench-") as folder:
            served = http.measure_http(
                only=only,
                knowledge=knowledge,
                parameters=parameters,
                texts=texts,
                names=catalogue.names(),
                folder=Path(folder),
                anchors=anchors,
                timed=timed,
            )
        result.operations += served.operations
        for times in result.queries:
            times.http = served.ours.get(times.name, NOT_MEASURED)
            times.oxigraph_server = served.anchor.get(times.name, NOT_MEASURED)
        for name in served.protocol:
            result.queries.append(
                QueryTimes(
                    name,
                    0,
                    NOT_MEASURED,
                    NOT_MEASURED,
                    NOT_MEASURED,
                    served.ours.get(name, NOT_MEASURED),
                    served.anchor.get(name, NOT_MEASURED),
                )
            )

    # The update gate last: it changes the store.
    result.operations.extend(_updates(knowledge, settings, opts))
    return result


def _too_big(limit: int) -> Timing:
    return Timing(None, 0, f"not measured (>{limit:,} triples)")


def _label_change(knowledge: KnowledgeGraph) -> Callable[[int], str]:
    """Updates that give the first measure another name, the n-th giving it name n: a
    one-measure change (DELETE/INSERT of one alternative label: the source's own label is a
    file's fact, which an update cannot remove) that always applies."""
    found = knowledge.store.query(
        "PREFIX ehk: <https://w3id.org/ehelsekg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?m WHERE { ?m a ehk:Measure ; rdfs:label ?label } ORDER BY ?m LIMIT 1"
    ).rows
    measure_iri = str(found[0][0])
    label_iri = "http://www.w3.org/2004/02/skos/core#altLabel"

    def text(round_: int) -> str:
        new = json.dumps(f"Syntetisk navn {round_} (benchmark)")
        return (
            f"DELETE {{ <{measure_iri}> <{label_iri}> ?old }} "
            f"INSERT {{ <{measure_iri}> <{label_iri}> {new}@nb }} "
            f"WHERE {{ OPTIONAL {{ <{measure_iri}> <{label_iri}> ?old }} }}"
        )

    return text


def _updates(knowledge: KnowledgeGraph, settings: Settings, opts: Options) -> list[Operation]:
    """The update gate alone (the change tried on a copy and validated, only the shapes it
    can affect re-run), incremental reasoning after it, and the whole KnowledgeService.update
    (gate in a worker, apply, reasoning, workers renewed)."""
    change = _label_change(knowledge)
    service = KnowledgeService(knowledge, settings)
    state = {"round": 0, "applied": 0, "refused": 0}

    def gate() -> None:
        service.validator.check(knowledge.store, change(0))

    def reasoning() -> None:
        # Apply a checked change as the service does, then time bringing the inferences up
        # to date from it.
        state["round"] += 1
        checked = service.validator.check(knowledge.store, change(state["round"]))
        knowledge.store.apply_change(checked.change)
        started = time.perf_counter()
        knowledge.update_inferences(checked.change)
        timings.append(time.perf_counter() - started)

    def update() -> None:
        state["round"] += 1
        outcome = service.update(change(state["round"]))
        state["applied" if outcome.applied else "refused"] += 1

    timings: list[float] = []
    try:
        gate_timing = measure(gate, repeat=opts.repeat, budget=opts.budget)
        measure(reasoning, repeat=opts.repeat, budget=opts.budget)
        timings.sort()
        reasoning_timing = (
            Timing(timings[len(timings) // 2], len(timings))
            if timings
            else (Timing(None, 0, "not measured"))
        )
        # The service keeps its baseline; the direct changes above moved the store past it.
        service.validator.validate(knowledge.store, remember=True)
        update_timing = measure(update, repeat=opts.repeat, budget=opts.budget)
    finally:
        service.close()
    if update_timing.median is None and "QueryTimeout" in update_timing.note:
        update_timing = Timing(None, 0, f"not measured (>{opts.slow_limit:g} s)")
    return [
        Operation("update gate: one label change validated on a copy (scoped)", gate_timing),
        Operation("incremental reasoning after a one-label change", reasoning_timing),
        Operation(
            "whole update: one label change (KnowledgeService.update)",
            update_timing,
            note=f"{state['applied']} applied, {state['refused']} refused",
        ),
    ]


@click.command()
@click.option("--label", required=True)
@click.option("--only", "only", multiple=True, type=click.Path(path_type=Path))
@click.option("--spec", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
def main(label: str, only: tuple[Path, ...], spec: Path, output: Path) -> None:
    """Measure one data set; write the results as JSON (used by bench.run)."""
    document = json.loads(spec.read_text(encoding="utf-8"))
    options = Options(**document["options"])
    measured = measure_data(
        label,
        list(only) or None,
        document["parameters"],
        document["analysis"],
        options,
    )
    output.write_text(json.dumps(measured.to_json(), indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
