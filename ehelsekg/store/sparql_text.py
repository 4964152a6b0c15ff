"""Lexical work on SPARQL text: where the outermost WHERE group opens, and binding values there.

Parameters are bound as a VALUES block of RDF terms at the top of the query's outermost WHERE
group, which pre-binds them for the whole pattern like rdflib's ``initBindings``. The terms are
written in N-Triples syntax by pyoxigraph, so a value can never change the query's shape.
(pyoxigraph's own ``substitutions`` only accept variables of the SELECT projection.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping

from rdflib.term import Node

from ehelsekg.errors import RejectedQueryError

#: An IRI reference as the SPARQL grammar has it (IRIREF): nothing that could close a group or
#: start another token fits inside, so a span skipped as an IRI can never hide code.
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def code_positions(text: str, *, keep_iris: bool = False) -> Iterator[tuple[int, str]]:
    """Yield (index, char) for characters outside comments, strings and IRIs (IRIs too with
    ``keep_iris``).

    A backslash outside a string escapes the next character of a prefixed name
    (``ex:a\\#b``), so neither of the two is code: an escaped ``#`` starts no comment and an
    escaped ``'`` no string.

    >>> "".join(c for _, c in code_positions('?s <http://x#y> "a#b" ; ex:a\\\\#b # c'))
    '?s   ; ex:ab '
    """
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if char in "\"'":
            long_quote = text.startswith(char * 3, i)
            end_mark = char * 3 if long_quote else char
            i += len(end_mark)
            while i < n and not text.startswith(end_mark, i):
                i += 2 if text[i] == "\\" else 1
            i += len(end_mark)
            continue
        if char == "\\":
            i += 2
            continue
        if char == "<":
            iri = _IRIREF.match(text, i)
            if iri is not None:
                if keep_iris:
                    yield from ((j, text[j]) for j in range(i, iri.end()))
                i = iri.end()
                continue
        yield i, char
        i += 1


_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_KINDS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}


def query_kind(text: str) -> str:
    """select, ask or graph (CONSTRUCT/DESCRIBE): the first query form outside comments,
    strings and IRIs.

    >>> query_kind('CONSTRUCT { ?s ?p "SELECT" } WHERE { ?s ?p ?o }')
    'graph'
    >>> query_kind("PREFIX ask: <http://x/> ASK { ?s ?p ?o }")
    'ask'
    """
    code = "".join(char for _, char in code_positions(text))
    for match in _QUERY_FORM.finditer(code):
        start = match.start()
        # A prefixed name such as ``ask:`` or ``ex:select`` is not a query form.
        if code[match.end() : match.end() + 1] == ":" or code[start - 1 : start] == ":":
            continue
        return _KINDS[match.group(1).lower()]
    return "select"


@functools.lru_cache(maxsize=512)
def outer_where_brace(text: str) -> int:
    """Index of the ``{`` that opens the query's outermost WHERE group.

    >>> q = 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }'
    >>> q[outer_where_brace(q):]
    '{ ?s ?p ?o }'
    """
    depth = 0
    code: list[tuple[int, str]] = []
    for i, char in code_positions(text):
        if char == "{":
            preceding = "".join(c for _, c in code[-40:])
            if depth == 0 and preceding.rstrip().upper().endswith("WHERE"):
                return i
            depth += 1
        elif char == "}":
            depth -= 1
        code.append((i, char))
    raise RejectedQueryError("the query has no 'WHERE {' group to bind parameters in")


def bind_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` at the top of its outermost WHERE group."""
    if not bindings:
        return text
    from ehelsekg.store.terms import to_ox

    names = sorted(bindings)
    terms = " ".join(str(to_ox(bindings[name])) for name in names)
    variables = " ".join(f"?{name}" for name in names)
    brace = outer_where_brace(text)
    block = f" VALUES ({variables}) {{ ({terms}) }} "
    return text[: brace + 1] + block + text[brace + 1 :]


def bind_column(text: str, variable: str, terms: Iterable[Node]) -> str:
    """``text`` with ``VALUES ?variable { term … }`` at the top of its outermost WHERE group:
    the query then runs for those values only."""
    from ehelsekg.store.terms import to_ox

    values = " ".join(str(to_ox(node)) for node in terms)
    brace = outer_where_brace(text)
    block = f" VALUES ?{variable} {{ {values} }} "
    return text[: brace + 1] + block + text[brace + 1 :]
