"""The HTML page of one entity: every piece of text from the graph goes through html.escape."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from html import escape
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


class _Writer:
    def __init__(self, entity: Entity, root: str) -> None:
        self.entity = entity
        self.root = root

    def label(self, node: Node) -> str | None:
        return self.entity.labels.get(node)

    def iri(self, node: URIRef) -> str:
        """An IRI as its label (or compact form), linked to its page when it has one."""
        text = self.label(node) or compact(str(node))
        short = compact(str(node))
        path = resource_path(str(node))
        title = f' title="{escape(str(node))}"'
        if path is not None:
            link = f'<a href="{escape(self.root + path)}"{title}>{escape(text)}</a>'
        elif str(node).startswith(("http://", "https://")) and not str(node).startswith(
            str(all_prefixes()["ehk"])
        ):
            link = (
                f'<a href="{escape(str(node))}" rel="nofollow noopener"{title}>{escape(text)}</a>'
            )
        else:
            link = f"<span{title}>{escape(text)}</span>"
        if text != short:
            link += f' <code class="iri">{escape(short)}</code>'
        return link

    def value(self, node: Node, depth: int = 0) -> str:
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, Literal):
            text = f'<span class="literal">{escape(str(node))}</span>'
            if node.language:
                text += f' <small class="lang">@{escape(node.language)}</small>'
            elif node.datatype is not None:
                text += f' <small class="datatype">{escape(compact(str(node.datatype)))}</small>'
            return text
        if isinstance(node, BNode) and depth < 3:
            inner = self.entity.nested.get(node, ())
            if inner:
                return self.table(inner, depth + 1)
        return '<span class="blank">[ ]</span>'

    def table(self, statements: Sequence[tuple[URIRef, Node]], depth: int = 0) -> str:
        grouped: dict[URIRef, list[Node]] = defaultdict(list)
        for prop, value in statements:
            grouped[prop].append(value)
        order = sorted(grouped, key=lambda p: (p != RDF.type, (self.label(p) or compact(p))))
        rows = []
        for prop in order:
            values = sorted(grouped[prop], key=lambda v: self.label(v) or str(v))
            cells = "<br>".join(self.value(v, depth) for v in values)
            rows.append(f"<tr><th>{self.iri(prop)}</th><td>{cells}</td></tr>")
        return '<table class="properties">' + "".join(rows) + "</table>"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
  color: #1d1d1d; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem;
  border-bottom: 1px solid #ddd; }
th { width: 28%; font-weight: 600; } table table th { width: 35%; }
code.iri, small { color: #666; font-size: 0.8em; } a { color: #0b5cad; }
nav a { margin-right: 1rem; }
"""


def render_entity(entity: Entity, *, root: str = "", alternates: Mapping[str, str]) -> str:
    """The HTML page of ``entity``; ``alternates`` maps media types to the URLs of the
    entity's description in them."""
    writer = _Writer(entity, root)
    iri = str(entity.iri)
    title = entity.labels.get(entity.iri) or compact(iri)
    types = [v for p, v in entity.statements if p == RDF.type]
    type_text = ", ".join(writer.value(t) for t in types) or "no type stated"
    incoming = sorted(entity.incoming, key=lambda r: (writer.label(r[1]) or str(r[1]), str(r[0])))
    incoming_rows = "".join(
        f"<tr><td>{writer.value(subject)}</td><td>{writer.iri(prop)}</td></tr>"
        for subject, prop in incoming
    )
    incoming_table = (
        f'<table class="incoming"><tr><th>From</th><th>By</th></tr>{incoming_rows}</table>'
        if incoming_rows
        else "<p>Nothing links here.</p>"
    )
    reports = "".join(f"<li>{writer.iri(r)}</li>" for r in entity.reports)
    graphs = "".join(f"<li><code>{escape(str(g))}</code></li>" for g in entity.graphs)
    links = "".join(
        f'<a href="{escape(url)}" type="{escape(media)}">{escape(name)}</a>'
        for name, (media, url) in _alternates(alternates).items()
    )
    heads = "".join(
        f'<link rel="alternate" type="{escape(media)}" href="{escape(url)}">'
        for media, url in _alternates(alternates).values()
    )
    return f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – ehelsekg</title>
{heads}
<style>{STYLE}</style>
</head>
<body>
<nav><a href="{escape(root)}/">Query page</a>{links}</nav>
<h1>{escape(title)}</h1>
<p class="subtitle"><code>{escape(iri)}</code> — {type_text}</p>
<h2>Properties</h2>
{writer.table(entity.statements)}
<h2>Links to this</h2>
{incoming_table}
<h2>Sources</h2>
{f"<p>Reports:</p><ul>{reports}</ul>" if reports else "<p>No report is named as the source.</p>"}
{f"<p>Files (named graphs):</p><ul>{graphs}</ul>" if graphs else ""}
</body>
</html>
"""


def _alternates(alternates: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    names = {
        "text/turtle": "Turtle",
        "application/ld+json": "JSON-LD",
        "application/n-triples": "N-Triples",
        "application/rdf+xml": "RDF/XML",
    }
    return {names.get(media, media): (media, url) for media, url in alternates.items()}
