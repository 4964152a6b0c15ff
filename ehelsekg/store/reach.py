"""What a query can read: the predicates and classes of its triple patterns.

The embedded store's default dataset is its default graph (the asserted triples) together with
the inferred graph, and pyoxigraph evaluates such a two-graph default graph as a union for every
pattern: at 100,000 triples a GROUP BY over the reports costs 1.7 times what it costs over the
default graph alone. Most named queries cannot match an inferred triple at all (the reasoner
writes a few predicates and classes only). For such a query the default graph alone gives the
same answer, so the store asks it there (see ``embedded.OxigraphStore.native_query``).

:func:`query_reach` says what a query can read, from rdflib's parse of it. It errs one way
only: whatever it cannot place (a variable or negated predicate, DESCRIBE, SERVICE, a form it
does not know, a text rdflib cannot parse) makes the reach :data:`EVERYTHING`, and the query is
asked of the whole dataset as before. rdflib's parser costs tens of milliseconds a query, so
only texts that have proved slow are parsed, after their answer is sent (see
:class:`ReachMemory` and the service's workers).
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyparsing import ParseResults
from rdflib import RDF, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql.algebra import (
    translatePath,
    translatePName,
    translatePrologue,
    traverse,
)
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from ehelsekg.store.sparql_text import written_iris

#: Texts longer than this are never parsed: rdflib's parser would take too long.
MAX_PARSED_CHARS = 16 * 1024


@dataclass(frozen=True)
class QueryReach:
    """The triples a query's patterns can match, over-estimated, never under."""

    #: Constant predicates of its patterns and paths, rdf:type aside.
    predicates: frozenset[str] = frozenset()
    #: Constant classes of its ``?x a ex:C`` patterns.
    classes: frozenset[str] = frozenset()
    #: An rdf:type pattern whose class is not a constant (or rdf:type inside a path).
    any_class: bool = False
    #: A pattern, path or form that may match any triple.
    anything: bool = False


EVERYTHING = QueryReach(anything=True)

#: Text the parse below may read differently from pyoxigraph: a BASE, or a backslash (rdflib
#: keeps ``ex:a\.b`` escaped where pyoxigraph reads ``ex:a.b``, and ``\u`` escapes may
#: spell any IRI). Such a query is left to reach everything.
_UNCERTAIN = re.compile(r"\bBASE\b|\\", re.IGNORECASE)
#: An absolute IRI: it has a scheme. A relative one depends on the base the query is asked with.
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def text_digest(text: str) -> bytes:
    """A query text as a cache remembers it: 16 bytes, however long the text (thousands of
    remembered texts of up to the body limit each would not be)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def query_reach(text: str) -> QueryReach:
    """What ``text`` (a SPARQL query) can read.

    >>> reach = query_reach("PREFIX e: <urn:e#> SELECT * WHERE { ?r a e:Report ; e:title ?t }")
    >>> sorted(reach.predicates), sorted(reach.classes), reach.anything
    (['urn:e#title'], ['urn:e#Report'], False)
    >>> query_reach("SELECT * WHERE { <urn:m> ?p ?o }").anything
    True
    """
    if len(text) > MAX_PARSED_CHARS or _UNCERTAIN.search(text):
        return EVERYTHING
    if not all(_ABSOLUTE.match(iri) for iri in written_iris(text)):
        # Without relative IRIs the reach is the same whatever base the query is asked with.
        return EVERYTHING
    try:
        form = _parsed(text)
    except Exception:
        # rdflib raises many kinds (its parser, a recursion limit); each means "unknown".
        return EVERYTHING
    if form.name not in {"SelectQuery", "AskQuery", "ConstructQuery"}:
        return EVERYTHING
    predicates: set[str] = set()
    classes: set[str] = set()
    any_class = False
    try:
        for subject, predicate, obj in _patterns(form):
            if _zero_length(predicate) and not _constant(subject) and not _constant(obj):
                # ``?x ex:p* ?y`` matches every node of the dataset to itself.
                raise _Unplaced("a zero-length path between two variables")
            if predicate == RDF.type:
                if isinstance(obj, URIRef):
                    classes.add(str(obj))
                else:
                    any_class = True
                continue
            for step in _path_steps(predicate):
                if step == RDF.type:
                    any_class = True
                else:
                    predicates.add(str(step))
    except _Unplaced:
        return EVERYTHING
    return QueryReach(frozenset(predicates), frozenset(classes), any_class)


def _parsed(text: str) -> CompValue:
    """The query form as rdflib parses it, prefixed names expanded and paths made ``Path``s.

    Not rdflib's algebra: its translation of a (NOT) EXISTS inside another drops the inner
    one's pattern, so a walk of the algebra would miss it. The parse tree holds every pattern.
    """
    prologue_part, form = parseQuery(text)
    prologue = translatePrologue(prologue_part, None)
    form = traverse(form, visitPost=functools.partial(translatePName, prologue=prologue))
    form = traverse(form, visitPost=translatePath)
    assert isinstance(form, CompValue)
    return form


class _Unplaced(Exception):
    """A part of the query whose reach cannot be told."""


def _patterns(root: object) -> Iterator[tuple[object, object, object]]:
    """Every triple pattern anywhere under ``root``: in the pattern, in sub-selects, in (NOT)
    EXISTS, in GRAPH groups (over-counted: they read named graphs) and in a CONSTRUCT template
    (over-counted, but ``CONSTRUCT WHERE`` has its pattern there)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise _Unplaced(node.name)
            for key, value in node.items():
                if key == "triples":
                    yield from _flat_triples(value)
                else:
                    stack.append(value)
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)


def _flat_triples(blocks: object) -> Iterator[tuple[object, object, object]]:
    """rdflib's parser writes a block of triples as flat runs of terms: s p o s p o …"""
    if not isinstance(blocks, (list, ParseResults)):
        raise _Unplaced("triples of an unknown shape")
    for block in blocks:
        flat = list(block) if isinstance(block, (list, tuple, ParseResults)) else None
        if flat is None or len(flat) % 3:
            raise _Unplaced("triples of an unknown shape")
        for at in range(0, len(flat), 3):
            yield _triple(flat[at : at + 3])


def _triple(triple: Iterable[object]) -> tuple[object, object, object]:
    subject, predicate, obj = triple
    if isinstance(predicate, Variable):
        raise _Unplaced("a variable predicate")
    return subject, predicate, obj


def _constant(term: object) -> bool:
    return isinstance(term, (URIRef, Literal))


def _zero_length(predicate: object) -> bool:
    """Whether a path may match a node to itself (a ``*`` or ``?`` step anywhere in it)."""
    if isinstance(predicate, MulPath):
        return predicate.zero or _zero_length(predicate.path)
    if isinstance(predicate, InvPath):
        return _zero_length(predicate.arg)
    if isinstance(predicate, (SequencePath, AlternativePath)):
        return any(_zero_length(arg) for arg in predicate.args)
    return False


def _path_steps(predicate: object) -> Iterator[URIRef]:
    """The predicates a path (or a single predicate) steps along."""
    if isinstance(predicate, URIRef):
        yield predicate
    elif isinstance(predicate, InvPath):
        yield from _path_steps(predicate.arg)
    elif isinstance(predicate, MulPath):
        yield from _path_steps(predicate.path)
    elif isinstance(predicate, (SequencePath, AlternativePath)):
        for arg in predicate.args:
            yield from _path_steps(arg)
    elif isinstance(predicate, NegatedPath):
        raise _Unplaced("a negated property set")
    else:
        raise _Unplaced(f"a predicate of type {type(predicate).__name__}")


class ReachMemory:
    """The reaches a store has learnt, by text digest, and the texts it is still to examine.

    The store notes each text it was asked whose reach it does not know; its owner says which
    of them proved slow (:meth:`queue_asked`) and has them parsed when nobody waits
    (:meth:`examine_queued`). What is learnt holds for good: a reach depends on the text alone.
    """

    #: Texts remembered (a reach is a few hundred bytes).
    SIZE = 4096
    #: Texts noted between two calls of :meth:`queue_asked` (a job asks a few).
    ASKED = 16

    def __init__(self) -> None:
        self._reaches: OrderedDict[bytes, QueryReach] = OrderedDict()
        self._asked: list[str] = []
        self._queued: list[str] = []
        self._learnt: list[tuple[bytes, QueryReach]] = []

    def known(self, text: str) -> QueryReach | None:
        return self._reaches.get(text_digest(text))

    def note_asked(self, text: str) -> None:
        """``text`` was asked and its reach is not known."""
        if len(self._asked) < self.ASKED and len(text) <= MAX_PARSED_CHARS:
            self._asked.append(text)

    def queue_asked(self, slow: bool) -> None:
        """Queue the texts asked since the last call for examination if they were ``slow``;
        forget them otherwise."""
        if slow:
            self._queued = [*self._queued, *self._asked][-self.ASKED :]
        self._asked = []

    def examine_queued(self, budget: float = 0.05) -> None:
        """Parse queued texts (tens of milliseconds each) and remember their reach, until
        ``budget`` seconds are spent; the rest wait for the next call, so a job that asked
        many slow queries (a validation) does not keep its worker busy for long after it."""
        deadline = time.perf_counter() + budget
        while self._queued and time.perf_counter() < deadline:
            text = self._queued.pop(0)
            key = text_digest(text)
            if key not in self._reaches:
                learnt = (key, query_reach(text))
                self.remember([learnt])
                self._learnt.append(learnt)

    def take_learnt(self) -> list[tuple[bytes, QueryReach]]:
        """What :meth:`examine_queued` learnt since the last call (for another process)."""
        learnt, self._learnt = self._learnt, []
        return learnt

    def remember(self, learnt: Iterable[tuple[bytes, QueryReach]]) -> None:
        for key, reach in learnt:
            self._reaches[key] = reach
            self._reaches.move_to_end(key)
        while len(self._reaches) > self.SIZE:
            self._reaches.popitem(last=False)
