"""The architects' view of one entity: every statement, the links to it and its sources, as
plain data for the autoescaped template ``templates/entity-rdf.html`` (folded on the
Norwegian entity page)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ehelsekg.catalogue.entities import Entity
from ehelsekg.namespaces import ID, all_prefixes


def resource_path(iri: str) -> str | None:
    """The /resource/ path of an entity IRI of the data, or None for any other IRI.

    >>> resource_path("https://w3id.org/ehelsekg/id/measure/181")
    '/resource/measure/181'
    """
    if not iri.startswith(ID):
        return None
    kind, slash, key = iri[len(ID) :].partition("/")
    if not slash or not kind or not key or "/" in key:
        return None
    return f"/resource/{quote(kind, safe='-')}/{quote(key, safe='-._~')}"


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in a project namespace, else the IRI itself.

    >>> compact("https://w3id.org/ehelsekg/id/measure/181")
    'measure:181'
    """
    matches = [(len(ns), p, ns) for p, ns in all_prefixes().items() if iri.startswith(ns)]
    if not matches:
        return iri
    _, prefix, namespace = max(matches)
    return f"{prefix}:{iri[len(namespace) :]}"


@dataclass(frozen=True)
class Shown:
    """One RDF term as the template shows it: a link, a literal, a nested table or ``[ ]``."""

    kind: str  # "link", "literal", "table" or "blank"
    text: str = ""
    iri: str = ""
    href: str = ""
    external: bool = False
    short: str = ""
    note: str = ""
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Row:
    """A property and its values."""

    prop: Shown
    values: tuple[Shown, ...]


@dataclass(frozen=True)
class RdfView:
    """Everything the architects' section shows."""

    title: str
    iri: str
    types: tuple[Shown, ...]
    rows: tuple[Row, ...]
    incoming: tuple[tuple[Shown, Shown], ...]
    reports: tuple[Shown, ...]
    graphs: tuple[str, ...]
    alternates: tuple[tuple[str, str, str], ...] = field(default=())


class _Shower:
    def __init__(self, entity: Entity, root: str) -> None:
        self.entity = entity
        self.root = root

    def label(self, node: Node) -> str | None:
        return self.entity.labels.get(node)

    def iri(self, node: URIRef) -> Shown:
        """An IRI as its label (or compact form), linked to its page when it has one."""
        text = self.label(node) or compact(str(node))
        short = compact(str(node))
        path = resource_path(str(node))
        external = str(node).startswith(("http://", "https://")) and not str(node).startswith(
            str(all_prefixes()["ehk"])
        )
        href = self.root + path if path is not None else (str(node) if external else "")
        return Shown(
            "link",
            text=text,
            iri=str(node),
            href=href,
            external=path is None and external,
            short=short if text != short else "",
        )

    def value(self, node: Node, depth: int = 0) -> Shown:
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, Literal):
            note = ""
            if node.language:
                note = f"@{node.language}"
            elif node.datatype is not None:
                note = compact(str(node.datatype))
            return Shown("literal", text=str(node), note=note)
        if isinstance(node, BNode) and depth < 3:
            inner = self.entity.nested.get(node, ())
            if inner:
                return Shown("table", rows=self.rows(inner, depth + 1))
        return Shown("blank")

    def rows(self, statements: Sequence[tuple[URIRef, Node]], depth: int = 0) -> tuple[Row, ...]:
        grouped: dict[URIRef, list[Node]] = defaultdict(list)
        for prop, value in statements:
            grouped[prop].append(value)
        order = sorted(grouped, key=lambda p: (p != RDF.type, (self.label(p) or compact(p))))
        return tuple(
            Row(
                self.iri(prop),
                tuple(
                    self.value(v, depth)
                    for v in sorted(grouped[prop], key=lambda v: self.label(v) or str(v))
                ),
            )
            for prop in order
        )


_FORMAT_NAMES = {
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF/XML",
}


def rdf_view(entity: Entity, *, root: str = "", alternates: Mapping[str, str]) -> RdfView:
    """What ``templates/entity-rdf.html`` shows of ``entity``; ``alternates`` maps media types
    to the URLs of the entity's description in them."""
    shower = _Shower(entity, root)
    incoming = sorted(entity.incoming, key=lambda r: (shower.label(r[1]) or str(r[1]), str(r[0])))
    return RdfView(
        title=entity.labels.get(entity.iri) or compact(str(entity.iri)),
        iri=str(entity.iri),
        types=tuple(shower.value(v) for p, v in entity.statements if p == RDF.type),
        rows=shower.rows(entity.statements),
        incoming=tuple((shower.value(s), shower.iri(p)) for s, p in incoming),
        reports=tuple(shower.iri(r) for r in entity.reports),
        graphs=tuple(str(g) for g in entity.graphs),
        alternates=tuple(
            (_FORMAT_NAMES.get(media, media), media, url) for media, url in alternates.items()
        ),
    )
