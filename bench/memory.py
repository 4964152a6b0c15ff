"""Peak memory of one job in a fresh process (``python -m bench.memory``), so that the peaks
of different sizes and jobs never mix: ``stack`` is what the server holds (the store with
reasoning and the incremental reasoner, the update gate's validation baseline), then runs every
named query and builds the dependency network; ``validation`` opens the store and validates it
with the compiled shapes."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import click

from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import load_shapes
from ehelsekg.validation.gate import Validator


def peak_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@click.command()
@click.option("--what", type=click.Choice(["stack", "validation"]), required=True)
@click.option("--only", "only", multiple=True, type=click.Path(path_type=Path))
@click.option("--parameters", default="{}", help="Typical parameters per query, as JSON.")
def main(what: str, only: tuple[Path, ...], parameters: str) -> None:
    """Do the job, then print {"peak_mb": …} as JSON."""
    settings = Settings()
    folders = list(only) or None
    before = peak_mb()
    shapes = load_shapes(settings)
    if what == "stack":
        knowledge = open_knowledge_graph(settings, only=folders)
        Validator.for_shapes(shapes).validate(knowledge.store, remember=True)
        catalogue = Catalogue(settings.queries_dir)
        typical = json.loads(parameters)
        for name in catalogue.names():
            catalogue.run(name, typical.get(name, {}), knowledge.store)
        build_network(knowledge.store, catalogue)
    else:
        knowledge = open_knowledge_graph(settings, only=folders, reason=False)
        Validator.for_shapes(shapes).validate(knowledge.store)
    click.echo(json.dumps({"peak_mb": peak_mb(), "baseline_mb": before}))


if __name__ == "__main__":
    sys.exit(main())
