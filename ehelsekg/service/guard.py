"""Refusing queries and updates before they reach the engine.

The checks are lexical (comments, strings and IRIs are skipped), so they run before the
parser: pyoxigraph's parser and planner recurse, and overflow their stack (a segfault that
takes the worker with it) on 5,000 nested brackets, a 7,000-term ``+`` chain, 10,000 ``;``
or OPTIONALs in a pattern or 30,000 FILTERs; so depth, chains and repeated clauses are
counted here first, outside the data blocks of INSERT DATA and DELETE DATA (which the parser
reads flat). The lexer runs at C speed (a megabyte in tens of milliseconds).

Nothing here fetches anything: SERVICE and LOAD (which make the engines send requests) are
refused unless outbound requests are allowed, and a ``file:`` dataset IRI is refused. A
dataset graph the store does not hold is an empty graph, as the protocol has it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ehelsekg.errors import RejectedQueryError
from ehelsekg.store.sparql_text import code_text, dataset_iris


@dataclass(frozen=True)
class Limits:
    """What a query or update may be."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    #: Binary operators that chain without brackets (UNION, the path operators / and |, || and
    #: &&): pyoxigraph 0.5.13 crashes on a path of 1,000 steps or a 10,000-way UNION.
    max_operators: int = 500
    #: Pattern elements outside data blocks (arithmetic + - *, the separators ; , and .,
    #: and the clauses FILTER, OPTIONAL, MINUS, BIND, VALUES, GRAPH, EXISTS): crashes begin
    #: at 7,000; no real query comes near.
    max_elements: int = 3000
    allow_outbound: bool = False


#: A word of code, or a variable (``?service`` is a variable, not the keyword SERVICE).
_WORD = re.compile(r"[?$]?[\w\u00b7]+")
_LETTERS = re.compile(r"[A-Za-z]+")
_OPERATOR = re.compile(r"\|\|?|&&|/")
_BRACKET = re.compile(r"[(){}\[\]]")
#: Pattern elements (see Limits.max_elements): a sign (not of a number's exponent), a
#: separator, or a clause keyword.
_ELEMENT = re.compile(
    r"(?<![eE])[+\-*]|[;,]|\.(?!\d)|\b(?:FILTER|OPTIONAL|MINUS|BIND|VALUES|GRAPH|EXISTS)\b",
    re.IGNORECASE,
)
_DATA_BLOCK = re.compile(r"\b(?:INSERT|DELETE)\s+DATA\s*\{", re.IGNORECASE)


def _code(text: str, *, keep_iris: bool = False) -> str:
    """The text with comments, strings and IRIs (unless ``keep_iris``) blanked out (same
    length, same positions)."""
    return code_text(text, keep_iris=keep_iris)


def keywords(code: str) -> list[str]:
    """The words of ``code`` (as from :func:`code_only`) that the parser could read as
    keywords, upper-cased: every run of ASCII letters outside a variable, so also the
    ``service`` of ``ex:my-service`` or ``20SERVICE`` (an integer, then a keyword); refusing
    a rare prefixed name is the price of never missing a keyword.

    >>> keywords("SELECT ?service { ?s ex:load 1.Service <> }")
    ['SELECT', 'EX', 'LOAD', 'SERVICE']
    """
    found = []
    for word in _WORD.finditer(code):
        if word[0][0] not in "?$":
            found += [letters.upper() for letters in _LETTERS.findall(word[0])]
    return found


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), {} and [] outside strings, comments and IRIs.

    >>> nesting_depth("SELECT * WHERE { ?s ?p (1 (2)) }")
    3
    """
    depth = deepest = 0
    for match in _BRACKET.finditer(_code(text)):
        char = match[0]
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    return deepest


def check(text: str, limits: Limits, *, extra_graphs: Iterable[str] = ()) -> None:
    """Raise RejectedQueryError when ``text`` is too large, too deep, too long a chain, reaches
    out of the store, or names a local file (``extra_graphs``: the protocol's graph
    parameters). A text that passed once passes again without being read (dashboards send
    the same queries over and over)."""
    _check(text, limits, tuple(extra_graphs))


@functools.lru_cache(maxsize=1024)
def _check(text: str, limits: Limits, extra_graphs: tuple[str, ...]) -> None:
    # Only texts that pass are remembered: lru_cache keeps no result for a call that raised.
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise RejectedQueryError(f"the query is {size} bytes; the limit is {limits.max_bytes}")
    code = _code(text)
    depth = nesting_depth(text)
    if depth > limits.max_depth:
        raise RejectedQueryError(
            f"the query nests brackets {depth} deep; the limit is {limits.max_depth}"
        )
    words = keywords(code)
    operators = len(_OPERATOR.findall(code)) + words.count("UNION")
    if operators > limits.max_operators:
        raise RejectedQueryError(
            f"the query chains {operators} operators (UNION, /, |, ||, &&); the limit is"
            f" {limits.max_operators}"
        )
    elements = len(_ELEMENT.findall(_without_data_blocks(code)))
    if elements > limits.max_elements:
        raise RejectedQueryError(
            f"the query has {elements} pattern elements (+ - * ; , . and FILTER, OPTIONAL,"
            f" MINUS, BIND, VALUES, GRAPH, EXISTS); the limit is {limits.max_elements}."
            " Split it, or send data as INSERT DATA"
        )
    if not limits.allow_outbound:
        for keyword in ("SERVICE", "LOAD"):
            if keyword in words:
                raise RejectedQueryError(
                    f"{keyword} is not allowed: this endpoint makes no outbound requests"
                )
    for iri in [*dataset_iris(text), *extra_graphs]:
        if iri.lower().startswith("file:"):
            raise RejectedQueryError(f"<{iri}> is a local file; this endpoint reads no files")


def _without_data_blocks(code: str) -> str:
    """``code`` without the content of its INSERT DATA / DELETE DATA blocks.

    >>> _without_data_blocks("INSERT DATA { <a> <b> 1 ; <c> 2 } ; DELETE WHERE { ?s ?p ?o }")
    'INSERT DATA {} ; DELETE WHERE { ?s ?p ?o }'
    """
    pieces = []
    position = 0
    for match in _DATA_BLOCK.finditer(code):
        if match.start() < position:
            continue
        pieces.append(code[position : match.end()])
        depth, index = 1, match.end()
        while depth and index < len(code):
            found = _BRACKET.search(code, index)
            if found is None:
                index = len(code)
                break
            depth += 1 if found[0] in "({[" else -1
            index = found.end()
        position = index - 1 if depth == 0 else index
    pieces.append(code[position:])
    return "".join(pieces)


def code_only(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out, positions kept."""
    return _code(text)


_ALL_GRAPHS = re.compile(r"\b(DROP|CLEAR)\s+(?:SILENT\s+)?(ALL|NAMED)\b", re.I)


def confine_to_writable(text: str, *, writable: Sequence[str]) -> str:
    """The update with each DROP/CLEAR ALL or NAMED spelt out as the same operation on the
    ``writable`` named graphs (and, for ALL, the default graph), so that the read-only per-file
    graphs and the inferred graph are left as they are.

    >>> confine_to_writable("CLEAR ALL ; INSERT DATA {}", writable=["http://g"])
    'CLEAR DEFAULT ; CLEAR SILENT GRAPH <http://g> ; INSERT DATA {}'
    >>> confine_to_writable("DROP SILENT NAMED", writable=[])
    'INSERT DATA {}'
    """
    code = _code(text)
    for match in reversed(list(_ALL_GRAPHS.finditer(code))):
        verb, scope = match[1].upper(), match[2].upper()
        operations = [f"{verb} SILENT GRAPH <{graph}>" for graph in writable]
        if scope == "ALL":
            operations.insert(0, f"{verb} DEFAULT")
        # An empty INSERT DATA does nothing, and keeps the update well-formed.
        replacement = " ; ".join(operations) or "INSERT DATA {}"
        text = text[: match.start()] + replacement + text[match.end() :]
    return text


def with_using(text: str, default_graphs: Iterable[str], named_graphs: Iterable[str]) -> str:
    """The update with the protocol's using-graph-uri / using-named-graph-uri parameters as
    USING / USING NAMED clauses before the WHERE of each DELETE/INSERT operation."""
    clause = " ".join(
        [*(f"USING <{g}>" for g in default_graphs), *(f"USING NAMED <{g}>" for g in named_graphs)]
    )
    if re.search(r"\b(USING|WITH)\b", _code(text), re.I):
        raise RejectedQueryError(
            "the update names its dataset (USING or WITH) and the request gives one too"
        )
    positions = []
    depth = 0
    code = _code(text)
    for match in re.finditer(r"\bWHERE\b|[{}]", code, re.I):
        token = match[0]
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            positions.append(match.start())
    for position in reversed(positions):
        text = text[:position] + clause + " " + text[position:]
    return text
