"""What an on-disk store records about itself, in its internal graph ``graph:internal/state``:
whether a load into it finished, the revision of what it asserts, and the revision the
inferred graph (and the cached validation baseline) was computed for.

- **Complete.** A fill from the files or an ``ehelsekg load`` first records ``filling`` or
  ``loading``, writes, and records ``complete`` last. Oxigraph commits each write in order and
  recovers a prefix of them after a crash, so ``complete`` is only ever seen after everything
  before it. A store that is not complete is never served: an interrupted fill from the files is
  filled again, anything else is refused with what happened and what to do.
- **Revision.** Every write to the asserted graphs records a new random revision: in the same
  transaction (``Store.apply_change``) or in one committed just before it (a raw update, a
  file's graph, a load). A crash between the two only makes the next start recompute.
- **Inferred for.** Written after the inferred graph, with the number of quads the store then
  held: a start that finds the same revision and the same count reuses the inferred graph and
  the validation baseline instead of recomputing them.

Graphs under ``graph:internal/`` are never listed, dumped, validated or written by users (see
``graphs``).

>>> state = StoreState.from_values({"status": "complete", "quads": "12"})
>>> state.complete, state.quads
(True, 12)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ehelsekg.errors import StoreNotReadyError
from ehelsekg.store.graphs import INTERNAL_PREFIX

#: The internal graph that holds the state, and the subject of its triples.
STATE_GRAPH = INTERNAL_PREFIX + "state"
#: Predicates: ``STATE_GRAPH#status`` and so on.
KEYS = ("status", "revision", "inferred_for", "quads", "begun_by")

#: Statuses: a fill from the files, or a load of a dump, has begun; every write finished.
FILLING, LOADING, COMPLETE = "filling", "loading", "complete"


def predicate(key: str) -> str:
    """The IRI of one state key.

    >>> predicate("revision")
    'https://w3id.org/ehelsekg/graph/internal/state#revision'
    """
    return f"{STATE_GRAPH}#{key}"


@dataclass(frozen=True)
class StoreState:
    """What the state graph says (None where it says nothing)."""

    status: str | None = None
    revision: str | None = None
    inferred_for: str | None = None
    quads: int | None = None
    begun_by: str | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> StoreState:
        quads = values.get("quads")
        return cls(
            status=values.get("status"),
            revision=values.get("revision"),
            inferred_for=values.get("inferred_for"),
            quads=int(quads) if quads is not None and quads.isdigit() else None,
            begun_by=values.get("begun_by"),
        )

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def inferences_current(self, quads: int) -> bool:
        """Whether the inferred graph was computed for this revision, and the store still holds
        the number of quads it held then (a cheap check for a write by another tool)."""
        return (
            self.revision is not None and self.inferred_for == self.revision and self.quads == quads
        )


def read_state(native: ox.Store) -> StoreState:
    """The state recorded in a pyoxigraph store."""
    graph = ox.NamedNode(STATE_GRAPH)
    values: dict[str, str] = {}
    for key in KEYS:
        for quad in native.quads_for_pattern(
            ox.NamedNode(STATE_GRAPH), ox.NamedNode(predicate(key)), None, graph
        ):
            if isinstance(quad.object, ox.Literal):
                values[key] = quad.object.value
    return StoreState.from_values(values)


def state_update(**values: str | int | None) -> str:
    """One SPARQL update (one transaction) that sets the given state keys (None: removes).

    >>> print(state_update(status="complete"))  # doctest: +NORMALIZE_WHITESPACE
    DELETE WHERE { GRAPH <https://w3id.org/ehelsekg/graph/internal/state> {
    <https://w3id.org/ehelsekg/graph/internal/state>
    <https://w3id.org/ehelsekg/graph/internal/state#status> ?v0 } } ;
    INSERT DATA { GRAPH <https://w3id.org/ehelsekg/graph/internal/state> {
    <https://w3id.org/ehelsekg/graph/internal/state>
    <https://w3id.org/ehelsekg/graph/internal/state#status> "complete" . } }
    """
    subject = ox.NamedNode(STATE_GRAPH)
    deletes = []
    inserts = []
    for number, (key, value) in enumerate(values.items()):
        if key not in KEYS:
            raise ValueError(f"unknown state key {key!r}")
        deletes.append(
            f"DELETE WHERE {{ GRAPH {subject} {{\n{subject}\n"
            f"{ox.NamedNode(predicate(key))} ?v{number} }} }}"
        )
        if value is not None:
            inserts.append(f"{subject}\n{ox.NamedNode(predicate(key))} {ox.Literal(str(value))} .")
    operations = deletes
    if inserts:
        operations.append(f"INSERT DATA {{ GRAPH {subject} {{\n" + "\n".join(inserts) + " } }")
    return " ;\n".join(operations)


def new_revision() -> str:
    """A fresh revision: random, so two copies of one store never share one by chance."""
    return uuid.uuid4().hex


def revision_update() -> str:
    """The update that records a new revision (see ``Store.apply_change``)."""
    return state_update(revision=new_revision())


def refusal(path: Path | None, state: StoreState, quads: int) -> StoreNotReadyError:
    """Why an on-disk store that is not complete cannot be used, and what to do."""
    where = f"the store {path}" if path is not None else "the store"
    delete = f"delete the folder {path}" if path is not None else "empty it"
    if state.status == LOADING:
        what = state.begun_by or "an `ehelsekg load`"
        return StoreNotReadyError(
            f"{where} is incomplete: {what} into it was stopped before it finished, so it holds"
            f" only part of the dump. Run the same load again, or {delete} to fill it afresh"
            " from the files"
        )
    return StoreNotReadyError(
        f"{where} holds {quads} quads but no record that a load into it finished: a first"
        " start (of an ehelsekg version before this record existed) may have been stopped"
        " half-way, or another tool wrote it. Nothing was served. Either"
        f" {delete} to fill it afresh from the files at the next start, or load a dump into"
        " it with `ehelsekg load DUMP --store oxigraph:PATH`"
    )
