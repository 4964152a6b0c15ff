"""A checked write prepared in a worker: how a reporting round reaches the store.

The library's stages of one rank do not import each other, so the service knows nothing of
rounds: the front end hands it a module-level check function (``ehelsekg.rounds.importing.
check_round``), which runs in a worker on the worker's copy of the store (so an upload is
never parsed on the server's event loop) and returns whether its write conforms and the
``INSERT DATA`` that makes it. A conforming write then goes through ``KnowledgeService.update``,
where the gate checks it again against the store as it is then and applies all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, cast

from ehelsekg.service.jobs import Job, WorkerState
from ehelsekg.service.service import KnowledgeService


class CheckedWrite(Protocol):
    """What a check function returns: whether the write conforms, and the update."""

    @property
    def conforms(self) -> bool: ...

    @property
    def update(self) -> str: ...


#: A module-level function (it crosses to the worker by name), called as
#: ``check(store, catalogue, validator, settings, **arguments)``.
CheckFunction = Callable[..., CheckedWrite]


@dataclass(frozen=True)
class CheckInWorker(Job):
    """Run ``check(store, catalogue, validator, settings, **arguments)`` in a worker."""

    limit: ClassVar[str] = "update_timeout"
    check: CheckFunction
    arguments: Mapping[str, object] = field(default_factory=dict)

    def run(self, state: WorkerState) -> CheckedWrite:
        return self.check(
            state.store, state.catalogue, state.validator, state.settings, **self.arguments
        )


@dataclass
class WriteOutcome:
    """A checked write and whether it was applied; ``gate`` is the gate's report if the gate
    refused it (the store changed since the check)."""

    checked: CheckedWrite
    applied: bool
    gate: dict[str, object] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return self.checked.conforms and not self.gate


def check_and_write(
    service: KnowledgeService,
    check: CheckFunction,
    arguments: Mapping[str, object],
    *,
    dry_run: bool,
) -> WriteOutcome:
    """Check in a worker and, unless ``dry_run`` or it does not conform, write through the gate.

    Blocking (it waits for a worker, then for the write lock): call it off the event loop.
    """
    checked = cast(CheckedWrite, service.run(CheckInWorker(check, dict(arguments))))
    if dry_run or not checked.conforms:
        return WriteOutcome(checked, applied=False)
    outcome = service.update(checked.update)
    return WriteOutcome(
        checked, applied=outcome.applied, gate={} if outcome.applied else outcome.report
    )
