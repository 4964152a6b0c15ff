"""Refusing queries and updates before they reach the engine.

The checks are lexical (comments, strings and IRIs are skipped), so they run before the
parser: a 10 KB query of 5,000 nested brackets crashes pyoxigraph's parser, so depth is
measured here first. Nothing here fetches anything: SERVICE and LOAD (which make the engines
send requests) are refused unless outbound requests are allowed, and a dataset IRI (FROM,
FROM NAMED, USING, or the protocol's graph parameters) must name a graph already in the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ehelsekg.errors import RejectedQueryError
from ehelsekg.sparql_text import code_positions


@dataclass(frozen=True)
class Limits:
    """What a query or update may be."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    allow_outbound: bool = False


_KEYWORD = re.compile(r"[A-Za-z_]+")
_DATASET = re.compile(r"\b(FROM|USING)\s+(NAMED\s+)?(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.\-/%]*)", re.I)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.I)


def _code(text: str) -> str:
    """The text with comments, strings and IRIs blanked out (same length, same positions)."""
    kept = [" "] * len(text)
    for index, char in code_positions(text):
        kept[index] = char
    return "".join(kept)


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
    """The IRIs a query or update names in FROM / FROM NAMED / USING (prefixed names expanded)."""
    prefixes = {(m[1] or ""): m[2] for m in _PREFIX.finditer(text)}
    code = _code(text)
    found = []
    for match in _DATASET.finditer(text):
        if code[match.start()] == " ":
            continue  # the keyword sits in a comment or string
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
    if not limits.allow_outbound:
        words = {w.upper() for w in _KEYWORD.findall(_code(text))}
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
    per-file graphs and the inferred graph), or all named graphs at once."""
    code = _code(text).upper()
    if re.search(r"\b(DROP|CLEAR)\s+(SILENT\s+)?(ALL|NAMED)\b", code):
        raise RejectedQueryError(
            "DROP/CLEAR ALL or NAMED would remove the per-file graphs, which are read-only"
        )
    prefixes = [m[2] for m in _PREFIX.finditer(text)]
    for iri in [*(m[1] for m in _IRI.finditer(text)), *prefixes]:
        for prefix in protected:
            if iri.startswith(prefix):
                raise RejectedQueryError(
                    f"<{iri}> is read-only: the per-file graphs and the inferred graph change"
                    " only when the data files change; write to the default graph instead"
                )


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
