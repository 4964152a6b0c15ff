"""Refusing queries and updates before they reach the engine.

The checks are lexical (comments, strings and IRIs are skipped), so they run before the
parser: a 10 KB query of 5,000 nested brackets crashes pyoxigraph's parser, so depth is
measured here first. Nothing here fetches anything: SERVICE and LOAD (which make the engines
send requests) are refused unless outbound requests are allowed, and a dataset IRI (FROM,
FROM NAMED, USING, or the protocol's graph parameters) must name a graph already in the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ehelsekg.errors import RejectedQueryError
from ehelsekg.store.sparql_text import code_positions


@dataclass(frozen=True)
class Limits:
    """What a query or update may be."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    #: Binary operators that chain without brackets (UNION, the path operators / and |, || and
    #: &&): pyoxigraph 0.5.13 crashes on a path of 1,000 steps or a 10,000-way UNION.
    max_operators: int = 500
    allow_outbound: bool = False


#: A word of code, or a variable (``?service`` is a variable, not the keyword SERVICE).
_WORD = re.compile(r"[?$]?[\w\u00b7]+")
_LETTERS = re.compile(r"[A-Za-z]+")
_OPERATOR = re.compile(r"\|\|?|&&|/")
_DATASET = re.compile(
    r"(?<![\w?$:\\-])(FROM|USING)\s*(NAMED\b\s*)?(<[^>]*>|(?:[A-Za-z][\w.-]*)?:[\w.\-%]*)", re.I
)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.I)


def _code(text: str, *, keep_iris: bool = False) -> str:
    """The text with comments, strings and IRIs (unless ``keep_iris``) blanked out (same
    length, same positions)."""
    kept = [" "] * len(text)
    for index, char in code_positions(text, keep_iris=keep_iris):
        kept[index] = char
    return "".join(kept)


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
    for _, char in code_positions(text):
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    return deepest


def dataset_iris(text: str) -> list[str]:
    """The IRIs a query or update names in FROM / FROM NAMED / USING (prefixed names expanded).

    >>> dataset_iris("SELECT * FROM<http://a> FROM NAMED # c\\n <http://b> { }")
    ['http://a', 'http://b']
    """
    prefixes = {(m[1] or ""): m[2] for m in _PREFIX.finditer(text)}
    found = []
    # Comments and strings blanked, IRIs kept: a comment may sit between FROM and its IRI.
    for match in _DATASET.finditer(_code(text, keep_iris=True)):
        target = match[3]
        if target.startswith("<"):
            found.append(target[1:-1])
        else:
            prefix, _, local = target.partition(":")
            found.append(prefixes.get(prefix, prefix + ":") + local)
    return found


def check(
    text: str,
    limits: Limits,
    *,
    known_graphs: Iterable[str] = (),
    extra_graphs: Iterable[str] = (),
) -> None:
    """Raise RejectedQueryError when ``text`` is too large, too deep, reaches out of the store,
    or names graphs the store does not hold (``extra_graphs``: the protocol's graph
    parameters)."""
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise RejectedQueryError(f"the query is {size} bytes; the limit is {limits.max_bytes}")
    depth = nesting_depth(text)
    if depth > limits.max_depth:
        raise RejectedQueryError(
            f"the query nests brackets {depth} deep; the limit is {limits.max_depth}"
        )
    code = _code(text)
    words = keywords(code)
    operators = len(_OPERATOR.findall(code)) + words.count("UNION")
    if operators > limits.max_operators:
        raise RejectedQueryError(
            f"the query chains {operators} operators (UNION, /, |, ||, &&); the limit is"
            f" {limits.max_operators}"
        )
    if not limits.allow_outbound:
        for keyword in ("SERVICE", "LOAD"):
            if keyword in words:
                raise RejectedQueryError(
                    f"{keyword} is not allowed: this endpoint makes no outbound requests"
                )
    known = set(known_graphs)
    for iri in [*dataset_iris(text), *extra_graphs]:
        if iri.lower().startswith("file:"):
            raise RejectedQueryError(f"<{iri}> is a local file; this endpoint reads no files")
        if iri not in known:
            raise RejectedQueryError(
                f"<{iri}> is not a graph in this store, and the endpoint never fetches graphs"
            )


def code_only(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out, positions kept."""
    return _code(text)


_IRI = re.compile(r"<([^>\s]*)>")


def check_writes(text: str, *, protected: Iterable[str]) -> None:
    """Refuse an update that would write graphs whose IRI starts with a protected prefix (the
    per-file graphs and the inferred graph). DROP/CLEAR ALL and NAMED are not refused: see
    :func:`confine_to_writable`."""
    prefixes = [m[2] for m in _PREFIX.finditer(text)]
    for iri in [*(m[1] for m in _IRI.finditer(text)), *prefixes]:
        for prefix in protected:
            if iri.startswith(prefix):
                raise RejectedQueryError(
                    f"<{iri}> is read-only: the per-file graphs and the inferred graph change"
                    " only when the data files change; write to the default graph instead"
                )


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
