"""Writing a round as a data file, formatted like the other files in ``data/``.

The prefix block of ``docs/prefixes.ttl``, a comment naming the files the round was read from,
then one block per subject: the report, then each sheet's rows in the order they were read,
``a`` first and the properties in the mapping's column order. The text is parsed back before
the file is written (to a temporary file, then renamed), so a round file is never half there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

_BARE = {XSD.integer, XSD.decimal, XSD.boolean}


def turtle_text(
    graph: Graph,
    subjects: Sequence[Node],
    *,
    prefixes: str,
    comment: str,
    order: dict[Node, list[URIRef]],
) -> str:
    """``graph`` as Turtle in the house layout; ``order`` gives each subject's property order."""
    names = Graph()
    names.parse(data=prefixes, format="turtle")
    manager = names.namespace_manager
    lines = [prefixes.rstrip(), "", *(f"# {line}" for line in comment.splitlines()), ""]
    for subject in subjects:
        properties: list[Node] = list(dict.fromkeys([RDF.type, *order.get(subject, [])]))
        properties += sorted({p for p in graph.predicates(subject) if p not in properties}, key=str)
        parts: list[str] = []
        for prop in properties:
            values = sorted(graph.objects(subject, prop), key=_sort_key)
            if not values:
                continue
            shown = ", ".join(_term(v, manager) for v in values)
            parts.append(("a" if prop == RDF.type else _term(prop, manager)) + " " + shown)
        if parts:
            lines.append(_term(subject, manager) + " " + " ;\n    ".join(parts) + " .")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Parse ``text`` as Turtle, then write it to ``path`` by renaming a temporary file."""
    Graph().parse(data=text, format="turtle")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sort_key(node: Node) -> tuple[str, str]:
    return (type(node).__name__, str(node))


def _term(node: Node, manager: object) -> str:
    if isinstance(node, Literal) and node.datatype in _BARE:
        if node.datatype == XSD.decimal:
            value = node.toPython()
            if isinstance(value, Decimal):
                text = format(value, "f")
                return text if "." in text else text + ".0"
        return str(node).lower() if node.datatype == XSD.boolean else str(node)
    if isinstance(node, URIRef | Literal | BNode):
        return str(node.n3(manager))  # type: ignore[arg-type]
    return str(node)
