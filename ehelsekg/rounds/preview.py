"""The change preview: what the round changes against the previous report, in Norwegian.

The measures come from the named query ``status-changes`` (the same answer the CLI and the
server give), the new red dependencies from the mapping's lookup; everything is shown by
name, never by IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.rounds.mapping import RoundMapping
from ehelsekg.rounds.vocab import Vocabulary
from ehelsekg.store.base import Store


@dataclass(frozen=True)
class Change:
    """One line of the preview: a measure, what changed, and the old and new value by name."""

    id: str
    measure: str
    change: str
    old: str | None = None
    new: str | None = None


@dataclass
class Preview:
    """What the round changes, ready for a terminal, a JSON answer or a web page."""

    report: str
    previous: str | None
    changes: list[Change] = field(default_factory=list)
    red_dependencies: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "report": self.report,
            "previous": self.previous,
            "changes": [c.__dict__ for c in self.changes],
            "newRedDependencies": self.red_dependencies,
        }

    def text(self, mapping: RoundMapping) -> str:
        words = mapping.preview
        lines = [words["title"].format(previous=self.previous or "–", report=self.report)]
        for change in self.changes:
            if change.old is None and change.new is None:
                lines.append(f"  {change.id} {change.measure}: {change.change}")
            else:
                detail = words["changed"].format(
                    property=change.change, old=change.old or "–", new=change.new or "–"
                )
                lines.append(f"  {change.id} {change.measure}: {detail}")
        if not self.changes:
            lines.append("  " + words["none"])
        if self.red_dependencies:
            lines.append(words["redDependencies"] + ":")
            lines += [f"  {line}" for line in self.red_dependencies]
        return "\n".join(lines)


def preview(
    store: Store,
    catalogue: Catalogue,
    vocabulary: Vocabulary,
    *,
    report: URIRef,
    report_key: str,
    previous: URIRef | None,
    previous_key: str | None,
) -> Preview:
    """Compare ``report`` (already in ``store``) with ``previous``."""
    found = Preview(report=report_key, previous=previous_key)
    if previous is None:
        return found
    names = vocabulary.lookup("labels").labels
    result = catalogue.run("status-changes", {"from": str(previous), "to": str(report)}, store)
    for row in result.records():
        found.changes.append(
            Change(
                id=str(row["id"]),
                measure=str(row["label"]),
                change=str(row["change"]),
                old=_name(row.get("old"), names),
                new=_name(row.get("new"), names),
            )
        )
    before = _red(vocabulary, previous)
    for dependent, dependee in sorted(_red(vocabulary, report) - before):
        found.red_dependencies.append(
            f"{names.get(dependent, dependent)} → {names.get(dependee, dependee)}"  # type: ignore[call-overload]
        )
    return found


def _red(vocabulary: Vocabulary, report: URIRef) -> set[tuple[Node, Node]]:
    rows = vocabulary.rows("red-dependencies", {"report": report})
    return {(r["dependent"], r["dependee"]) for r in rows}  # type: ignore[misc]


def _name(node: Node | None, names: dict[URIRef, str]) -> str | None:
    if node is None:
        return None
    return names.get(node, str(node)) if isinstance(node, URIRef) else str(node)
