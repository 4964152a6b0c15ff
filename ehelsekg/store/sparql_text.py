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


# What the lexer skips: a comment, a string (long forms first; a string left open runs to the
# end), a backslash and the character it escapes (``ex:a\#b``), and an IRI. Each alternative
# is deterministic, so a megabyte of text is scanned at C speed, without backtracking.
_SKIPPED = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>
        \"\"\"(?:[^\\"]|\\[\s\S]|"(?!""))*(?:\"\"\"|\\?\Z)
      | '''(?:[^\\']|\\[\s\S]|'(?!''))*(?:'''|\\?\Z)
      | "(?:[^\\"]|\\[\s\S])*(?:"|\\?\Z)
      | '(?:[^\\']|\\[\s\S])*(?:'|\\?\Z)
    )
  | (?P<escape>\\[\s\S]?)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    """,
    re.VERBOSE,
)
#: What stands for a skipped character in :func:`code_text` (never a character of code).
_HOLE = "\x00"


def code_text(text: str, *, keep_iris: bool = False, fill: str = " ") -> str:
    """``text`` with comments, strings and IRIs (IRIs kept with ``keep_iris``) replaced by
    ``fill``, character for character, so positions stay the same (``fill`` '' drops them).

    A backslash outside a string escapes the next character of a prefixed name
    (``ex:a\\#b``), so neither of the two is code: an escaped ``#`` starts no comment and an
    escaped ``'`` no string.

    >>> code_text('?s <http://x#y> "a#b" ; ex:a\\\\#b # c', fill="_")
    '?s ____________ _____ ; ex:a__b ___'
    """

    def blank(match: re.Match[str]) -> str:
        if keep_iris and match.lastgroup == "iri":
            return match.group()
        return fill * (match.end() - match.start())

    return _SKIPPED.sub(blank, text)


def code_positions(text: str, *, keep_iris: bool = False) -> Iterator[tuple[int, str]]:
    """Yield (index, char) for characters outside comments, strings and IRIs (IRIs too with
    ``keep_iris``); see :func:`code_text`.

    >>> "".join(c for _, c in code_positions('?s <http://x#y> "a#b" ; ex:a\\\\#b # c'))
    '?s   ; ex:ab '
    """
    for index, char in enumerate(code_text(text, keep_iris=keep_iris, fill=_HOLE)):
        if char != _HOLE:
            yield index, char


def written_iris(text: str) -> list[str]:
    """The IRIs written in ``<…>`` in the code of ``text`` (not in its comments or strings).

    >>> written_iris('PREFIX e: <urn:e#> SELECT * { ?s <p> "<q>" } # <r>')
    ['urn:e#', 'p']
    """
    return [match.group()[1:-1] for match in _IRIREF.finditer(code_text(text, keep_iris=True))]


_DATASET = re.compile(
    r"(?<![\w?$:\\-])(FROM|USING)\s*(NAMED\b\s*)?(<[^>]*>|(?:[A-Za-z][\w.-]*)?:[\w.\-%]*)", re.I
)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.I)


def dataset_iris(text: str) -> list[str]:
    """The IRIs a query or update names in FROM / FROM NAMED / USING (prefixed names expanded).

    >>> dataset_iris("SELECT * FROM<http://a> FROM NAMED # c\\n <http://b> { }")
    ['http://a', 'http://b']
    """
    prefixes = {(m[1] or ""): m[2] for m in _PREFIX.finditer(text)}
    found = []
    # Comments and strings blanked, IRIs kept: a comment may sit between FROM and its IRI.
    for match in _DATASET.finditer(code_text(text, keep_iris=True)):
        target = match[3]
        if target.startswith("<"):
            found.append(target[1:-1])
        else:
            prefix, _, local = target.partition(":")
            found.append(prefixes.get(prefix, prefix + ":") + local)
    return found


_GRAPH_WRITES = re.compile(
    r"\b(GRAPH|WITH|INTO|DROP|CLEAR|ADD|MOVE|COPY|LOAD|CREATE)\b", re.IGNORECASE
)


def changes_default_graph_only(update: str) -> bool:
    """Whether ``update`` can change nothing but the default graph: no GRAPH in a template, no
    WITH or INTO, no graph management (DROP, CLEAR, ADD, MOVE, COPY, LOAD, CREATE). A word
    that only looks like one of these (``ex:graph``) makes the answer False, which is safe.

    >>> changes_default_graph_only('DELETE { ?m ex:n ?o } INSERT { ?m ex:n 1 } WHERE {}')
    True
    >>> changes_default_graph_only("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }")
    False
    """
    return _GRAPH_WRITES.search(code_text(update)) is None


_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_KINDS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}


@functools.lru_cache(maxsize=1024)
def query_kind(text: str) -> str:
    """select, ask or graph (CONSTRUCT/DESCRIBE): the first query form outside comments,
    strings and IRIs.

    >>> query_kind('CONSTRUCT { ?s ?p "SELECT" } WHERE { ?s ?p ?o }')
    'graph'
    >>> query_kind("PREFIX ask: <http://x/> ASK { ?s ?p ?o }")
    'ask'
    """
    code = code_text(text, fill="")
    for match in _QUERY_FORM.finditer(code):
        start = match.start()
        # A prefixed name such as ``ask:`` or ``ex:select`` is not a query form.
        if code[match.end() : match.end() + 1] == ":" or code[start - 1 : start] == ":":
            continue
        return _KINDS[match.group(1).lower()]
    return "select"


_VAR = r"[?$]\w+"
_NAME = r"(?:<[^<>\s]*>|(?:[A-Za-z][\w.-]*)?:[\w.-]*)"
#: A SELECT of variables (or *) or an ASK over one triple pattern of IRIs, prefixed names and
#: variables, with at most a LIMIT: evaluated by one index scan, one step per solution.
_ONE_PATTERN = re.compile(
    rf"""\s*(?:(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*<[^<>\s]*>|BASE\s*<[^<>\s]*>)\s*)*
    (?:SELECT\s+(?:\*|(?:{_VAR}\s*)+)|ASK)\s*(?:WHERE\s*)?
    \{{\s*({_VAR}|{_NAME})\s+({_VAR}|{_NAME}|a)\s+({_VAR}|{_NAME})\s*\.?\s*\}}
    \s*(?:LIMIT\s+\d+\s*)?""",
    re.IGNORECASE | re.VERBOSE,
)


def one_pattern(text: str) -> bool:
    """Whether ``text`` is a SELECT or ASK of one triple pattern and nothing else (no
    literal, FILTER, OPTIONAL, DISTINCT, ORDER BY, OFFSET, FROM, path or repeated variable):
    its engine steps from one solution to the next in bounded time, so a limit on the bytes
    written bounds its cost (``service.inline``).

    >>> one_pattern("SELECT ?p ?o WHERE { <http://x/m> ?p ?o } # the point query")
    True
    >>> one_pattern("PREFIX ex: <http://x/> ASK { ?s a ex:Measure . } LIMIT 5")
    True
    >>> [one_pattern(t) for t in ('SELECT * { ?s ?p ?s }', 'SELECT * { ?s ?p "x" }',
    ...  'SELECT DISTINCT ?p { ?s ?p ?o }', 'SELECT * { ?s ex:a/ex:b ?o }',
    ...  'SELECT * { ?s ?p ?o } OFFSET 9', 'SELECT * FROM <g> { ?s ?p ?o }')]
    [False, False, False, False, False, False]
    """
    if any(m.lastgroup in ("string", "escape") for m in _SKIPPED.finditer(text)):
        return False
    match = _ONE_PATTERN.fullmatch(code_text(text, keep_iris=True))
    if match is None:
        return False
    variables = [term[1:] for term in match.groups() if term[0] in "?$"]
    return len(variables) == len(set(variables))


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
