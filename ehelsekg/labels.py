"""How a label is chosen, in one place: Norwegian bokmål first, then English, then any
language; among labels of one language, the first in sorted order, so that a node with two
labels always shows the same one.

>>> from rdflib import Literal
>>> choose([Literal("Goal", lang="en"), Literal("Mål", lang="nb")])
'Mål'
>>> choose([Literal("b"), Literal("a"), Literal("x", lang="de")])
'a'
>>> choose([]) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Literal
from rdflib.term import Node

#: Languages in the order a label is preferred; untagged next, then any other.
PREFERRED_LANGUAGES: tuple[str | None, ...] = ("nb", "en", None)


def rank(language: str | None) -> int:
    """Where a label of ``language`` stands in the preference order (lower is better)."""
    try:
        return PREFERRED_LANGUAGES.index(language)
    except ValueError:
        return len(PREFERRED_LANGUAGES)


def choose(labels: Iterable[Literal]) -> str | None:
    """The label to show among ``labels``, or None if there is none."""
    best: tuple[int, str] | None = None
    for label in labels:
        key = (rank(label.language), str(label))
        if best is None or key < best:
            best = key
    return None if best is None else best[1]


def choose_per_node(labels: Mapping[Node, Iterable[Literal]]) -> dict[Node, str]:
    """One label per node (see :func:`choose`)."""
    chosen = {node: choose(found) for node, found in labels.items()}
    return {node: label for node, label in chosen.items() if label is not None}


def best_labels(rows: Iterable[Mapping[str, Node | None]]) -> dict[Node, str]:
    """From ``(entity, label)`` rows, one label per entity.

    >>> from rdflib import URIRef
    >>> e = URIRef("http://e/1")
    >>> best_labels([{"entity": e, "label": Literal("One", lang="en")},
    ...              {"entity": e, "label": Literal("Én", lang="nb")}])[e]
    'Én'
    """
    found: dict[Node, list[Literal]] = {}
    for row in rows:
        entity, label = row.get("entity"), row.get("label")
        if entity is not None and isinstance(label, Literal):
            found.setdefault(entity, []).append(label)
    return choose_per_node(found)
