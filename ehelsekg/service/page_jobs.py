"""The jobs behind the council's pages: the start page's data, a report's meeting pack, an
entity's Norwegian summary and a named query's answer as a labelled table. Each reads the
store in a worker, like every other job (see ``jobs``); the server only renders what they
return."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from ehelsekg.pack.meeting import write_meeting_pack
from ehelsekg.service.jobs import Job, WorkerState
from ehelsekg.views.entity import EntitySummary, entity_summary
from ehelsekg.views.start import StartPage, start_page
from ehelsekg.views.table import Table, named_table


@dataclass(frozen=True)
class StartPageJob(Job):
    """The goals' status counts and the pickers' choices."""

    limit: ClassVar[str] = "page_timeout"

    def run(self, state: WorkerState) -> StartPage:
        return start_page(state.store, state.catalogue)


@dataclass(frozen=True)
class MeetingPackJob(Job):
    """Every file of a report's meeting pack, by its path inside the pack."""

    limit: ClassVar[str] = "page_timeout"
    report: str
    made: date | None = None
    base_url: str = ""

    def run(self, state: WorkerState) -> dict[str, bytes]:
        with tempfile.TemporaryDirectory(prefix="ehelsekg-pack-") as folder:
            out = Path(folder)
            written = write_meeting_pack(
                state.store,
                state.catalogue,
                out,
                report=self.report,
                made=self.made,
                base_url=self.base_url,
            )
            return {p.relative_to(out).as_posix(): p.read_bytes() for p in written}


@dataclass(frozen=True)
class EntitySummaryJob(Job):
    """The Norwegian summary of one entity's page."""

    limit: ClassVar[str] = "page_timeout"
    iri: str
    base_url: str = ""

    def run(self, state: WorkerState) -> EntitySummary:
        return entity_summary(state.store, state.catalogue, self.iri, base_url=self.base_url)


@dataclass(frozen=True)
class NamedTableJob(Job):
    """A named query's answer as a labelled table with Norwegian headings."""

    limit: ClassVar[str] = "named_query_timeout"
    name: str
    params: tuple[tuple[str, str], ...]
    base_url: str = ""

    def run(self, state: WorkerState) -> Table:
        return named_table(
            state.store,
            state.catalogue,
            self.name,
            dict(self.params),
            max_rows=state.settings.named_query_max_rows,
            base_url=self.base_url,
        )
