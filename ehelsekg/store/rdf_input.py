"""RDF sent by a user: parsed safely, and turned into SPARQL Update text for the guarded path.

Nothing here fetches anything or expands entities: RDF/XML with a document type declaration
is refused (entity expansion, external entities), and so is JSON-LD naming a remote context
(``"@context": "https://…"`` or ``@import``) — only inline contexts are read. The parser is
Oxigraph's, which has no document loader, so a context that slipped past the check would fail
to load rather than be fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ehelsekg.errors import DataLoadError
from ehelsekg.store.formats import GRAPH_FORMATS

#: Media types a graph may be sent in, and the parser for each.
RDF_INPUT_TYPES: dict[str, ox.RdfFormat] = {
    fmt.media_type: fmt.rdf for fmt in GRAPH_FORMATS if fmt.rdf is not None
}

#: Deepest nesting of JSON objects and arrays read: Python's JSON reader and Oxigraph's
#: JSON-LD parser recurse, and a document of 10,000 nested arrays overflows them; real JSON-LD
#: nests a few levels.
MAX_JSON_DEPTH = 100
#: A JSON string (skipped when counting depth), or a bracket.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def parse_triples(
    data: bytes, media_type: str, *, base_iri: str, source: str = "the request body"
) -> list[ox.Triple]:
    """The triples of ``data`` in ``media_type`` (one of RDF_INPUT_TYPES); DataLoadError with
    the parser's message if it is not well-formed or not safe to read.

    >>> [str(t) for t in parse_triples(b"<a> <b> 1 .", "text/turtle", base_iri="http://x/")]
    ['<http://x/a> <http://x/b> "1"^^<http://www.w3.org/2001/XMLSchema#integer>']
    """
    where = Path(source)
    fmt = RDF_INPUT_TYPES.get(media_type)
    if fmt is None:
        raise DataLoadError(where, f"cannot read {media_type}; send one of {_offered()}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataLoadError(
            where, f"not UTF-8 (byte {err.start}); send the graph in UTF-8"
        ) from err
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml(data, where)
    elif fmt == ox.RdfFormat.JSON_LD:
        check_json_ld(data, where)
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=base_iri))
    except SyntaxError as err:
        line = err.args[1][1] if len(err.args) > 1 and err.args[1] else None
        raise DataLoadError(where, f"syntax error: {err.msg}", line=line) from err
    except ValueError as err:
        raise DataLoadError(where, f"cannot be read: {err}") from err
    except RecursionError as err:
        raise DataLoadError(where, "nests too deeply to be read; flatten it") from err
    triples = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise DataLoadError(where, "holds a named graph; send the triples of one graph")
        triples.append(quad.triple)
    return triples


def check_xml(data: bytes, where: Path) -> None:
    """Refuse RDF/XML that declares a document type or entities, or another encoding."""
    if _DOCTYPE.search(data):
        raise DataLoadError(
            where,
            "RDF/XML with a <!DOCTYPE> or <!ENTITY> declaration is refused (entities are not"
            " expanded here); send the document without one",
        )
    declared = _XML_ENCODING.search(data)
    if declared and declared[1].lower().replace(b"-", b"") != b"utf8":
        raise DataLoadError(where, "the XML declares an encoding other than UTF-8; send UTF-8")


def check_json_ld(data: bytes, where: Path) -> None:
    """Refuse JSON-LD nested deeper than MAX_JSON_DEPTH, or whose contexts are not all inline
    (a remote context would be fetched)."""
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise DataLoadError(
            where,
            f"the JSON nests objects and arrays {depth} deep; the limit is {MAX_JSON_DEPTH}",
        )
    try:
        document = json.loads(data)
    except json.JSONDecodeError as err:
        raise DataLoadError(where, f"not JSON: {err.msg}", line=err.lineno) from err
    except RecursionError as err:
        raise DataLoadError(where, "the JSON nests too deeply to be read") from err
    for key, value in _members(document):
        if key == "@import":
            raise DataLoadError(where, "JSON-LD @import loads a remote context; inline it instead")
        if key == "@context":
            contexts = value if isinstance(value, list) else [value]
            for context in contexts:
                if context is not None and not isinstance(context, dict):
                    raise DataLoadError(
                        where,
                        f"JSON-LD @context {json.dumps(context)} is not inline; this endpoint"
                        " fetches nothing, so give the context as an object",
                    )


def json_depth(data: bytes) -> int:
    """The deepest nesting of objects and arrays in JSON text, counted lexically (strings
    skipped), so before any parser recurses; stops counting past MAX_JSON_DEPTH.

    >>> json_depth(b'{"a": [1, {"b": "[[["}]}')
    3
    """
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(data):
        char = token[0]
        if char in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    break
        elif char in (b"]", b"}"):
            depth -= 1
    return deepest


def _members(value: object) -> Iterator[tuple[str, object]]:
    """Every (key, value) member of every object nested in a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, member in item.items():
                yield key, member
                stack.append(member)
        elif isinstance(item, list):
            stack.extend(item)


def insert_data(triples: Iterable[ox.Triple], graph: str | None) -> str:
    """``INSERT DATA`` of ``triples`` into named graph ``graph`` (None: the default graph), the
    terms written in N-Triples syntax; '' when there are no triples.

    >>> t = ox.Triple(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.BlankNode("x"))
    >>> insert_data([t], "http://g")
    'INSERT DATA { GRAPH <http://g> {\\n<http://a> <http://b> _:b0 .\\n} }'
    """
    blank: dict[str, str] = {}

    def term(node: object) -> str:
        if isinstance(node, ox.BlankNode):
            # Labels of our own, so that nothing in the input can shape the update's text.
            return blank.setdefault(node.value, f"_:b{len(blank)}")
        if isinstance(node, ox.NamedNode | ox.Literal):
            return str(node)
        raise DataLoadError(Path("the request body"), f"cannot store {node} (RDF-star?)")

    lines = [f"{term(t.subject)} {term(t.predicate)} {term(t.object)} ." for t in triples]
    if not lines:
        return ""
    body = "\n".join(lines)
    if graph is None:
        return f"INSERT DATA {{\n{body}\n}}"
    return f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{\n{body}\n}} }}"


def _offered() -> str:
    return ", ".join(RDF_INPUT_TYPES)
