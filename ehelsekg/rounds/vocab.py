"""Names and codes a round's cells may use, read from the graph: concept schemes and lookups.

A coded cell is read by a concept's Norwegian preferred label, any Norwegian alternative label
or its notation (case and spacing ignored); an entity cell (an owner, a solution) by any label
the project's lookup query gives it. Written back, each uses its preferred label.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.store.base import Store


def fold(text: str) -> str:
    """How two names are compared: case and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


@dataclass
class CodeList:
    """One concept scheme: its concepts in rank order, and every name a cell may use."""

    labels: dict[URIRef, str] = field(default_factory=dict)
    names: dict[str, URIRef] = field(default_factory=dict)

    @property
    def allowed(self) -> list[str]:
        return list(self.labels.values())


@dataclass
class Lookup:
    """Entities by name (a lookup query's first column is the entity, the second a label)."""

    labels: dict[URIRef, str] = field(default_factory=dict)
    names: dict[str, URIRef] = field(default_factory=dict)


class Vocabulary:
    """Code lists and lookups of a store, each read once."""

    def __init__(self, store: Store, catalogue: Catalogue, lookups_dir: Path) -> None:
        self.store = store
        self.catalogue = catalogue
        self.lookups_dir = lookups_dir
        self._codes: dict[URIRef, CodeList] = {}
        self._lookups: dict[str, Lookup] = {}
        self._texts: dict[str, str] = {}

    def text(self, name: str) -> str:
        """A query of the mapping's own lookups folder (``mappings/lookups/NAME.rq``)."""
        if name not in self._texts:
            self._texts[name] = (self.lookups_dir / f"{name}.rq").read_text(encoding="utf-8")
        return self._texts[name]

    def rows(self, name: str, bindings: dict[str, Node]) -> list[dict[str, Node | None]]:
        return self.store.query(
            self.text(name), bindings=bindings, include_inferred=False
        ).records()

    def codes(self, scheme: URIRef) -> CodeList:
        if scheme not in self._codes:
            codes = CodeList()
            for row in self.rows("concepts", {"scheme": scheme}):
                concept, label, other = row["concept"], row["label"], row["other"]
                assert isinstance(concept, URIRef)
                codes.labels.setdefault(concept, str(label))
                codes.names.setdefault(fold(str(label)), concept)
                if other is not None:
                    codes.names.setdefault(fold(str(other)), concept)
            self._codes[scheme] = codes
        return self._codes[scheme]

    def lookup(self, name: str) -> Lookup:
        """The project's lookup query ``queries/lookups/NAME.rq`` as names to entities."""
        if name not in self._lookups:
            found = Lookup()
            by_entity: dict[URIRef, list[Literal]] = defaultdict(list)
            for row in self.catalogue.lookup_rows(name, self.store):
                entity, label = list(row.values())[:2]
                if isinstance(entity, URIRef) and isinstance(label, Literal):
                    by_entity[entity].append(label)
                    found.names.setdefault(fold(str(label)), entity)
            names = self._display_names() if name != "labels" else {}
            for entity, labels in by_entity.items():
                found.labels[entity] = names.get(entity) or str(_preferred(labels))
            self._lookups[name] = found
        return self._lookups[name]

    def _display_names(self) -> dict[URIRef, str]:
        """Each entity's own name (rdfs:label or skos:prefLabel), not an alternative one."""
        return self.lookup("labels").labels

    def names(self) -> dict[URIRef, str]:
        """Every entity's name for messages: labels, and reports by their titles."""
        if "\treports" not in self._lookups:
            found = Lookup(labels=dict(self.lookup("labels").labels))
            for row in self.catalogue.lookup_rows("reports", self.store):
                report, title = row["report"], row["title"]
                if isinstance(report, URIRef) and title is not None:
                    found.labels.setdefault(report, str(title))
            self._lookups["\treports"] = found
        return self._lookups["\treports"].labels


def _preferred(labels: list[Literal]) -> Literal:
    """The label to show: Norwegian first, then untagged, then the shortest."""
    return min(labels, key=lambda lit: (lit.language not in ("nb", None), len(str(lit)), str(lit)))
