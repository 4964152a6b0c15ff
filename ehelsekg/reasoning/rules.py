"""OWL 2 RL reasoning: owlrl closes the schema, compiled rules close the data.

owlrl's full closure takes seconds at the bundled size and minutes at a hundred times that,
and it adds noise (reflexive owl:sameAs, literal subjects, copied numbers). So owlrl runs on the
ontology alone, once per ontology version (cached on disk by content hash), and what it derives
there is compiled into the rules that the ontology's constructs imply for instance data:
subclass and subproperty, domain and range, inverse, symmetric and transitive properties, and
property chains. Those rules run semi-naively over the asserted triples until nothing new
follows. The result is the same as owlrl's closure for the ontology's own terms (tested), and it
is written to its own named graph, recomputed from the asserted graphs whenever they change.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ehelsekg.namespaces import EHK
from ehelsekg.store.loading import parse_file

Triple = tuple[Node, Node, Node]

_SCHEMA_LINKS = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf)


@dataclass
class RuleSet:
    """The instance-level rules an ontology implies, read from its owlrl closure."""

    superclasses: dict[str, set[str]] = field(default_factory=dict)
    superproperties: dict[str, set[str]] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    inverses: dict[str, set[str]] = field(default_factory=dict)
    symmetric: set[str] = field(default_factory=set)
    chains: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Triples the closure adds to the ontology's own terms (e.g. transitive subclass links).
    schema_triples: list[tuple[str, str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "superclasses": {k: sorted(v) for k, v in self.superclasses.items()},
                "superproperties": {k: sorted(v) for k, v in self.superproperties.items()},
                "domains": {k: sorted(v) for k, v in self.domains.items()},
                "ranges": {k: sorted(v) for k, v in self.ranges.items()},
                "inverses": {k: sorted(v) for k, v in self.inverses.items()},
                "symmetric": sorted(self.symmetric),
                "chains": self.chains,
                "schema_triples": self.schema_triples,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        data = json.loads(text)
        return cls(
            superclasses={k: set(v) for k, v in data["superclasses"].items()},
            superproperties={k: set(v) for k, v in data["superproperties"].items()},
            domains={k: set(v) for k, v in data["domains"].items()},
            ranges={k: set(v) for k, v in data["ranges"].items()},
            inverses={k: set(v) for k, v in data["inverses"].items()},
            symmetric=set(data["symmetric"]),
            chains=[(q, list(chain)) for q, chain in data["chains"]],
            schema_triples=[(s, p, o) for s, p, o in data["schema_triples"]],
        )


def owlrl_closure(graph: Graph) -> Graph:
    """owlrl's OWL 2 RL closure of a copy of ``graph`` (without axiomatic triples)."""
    closed = Graph()
    for triple in graph:
        closed.add(triple)
    # Imported here: owlrl runs only when the ontology changed (the rules are cached), and
    # importing it costs start-up time.
    import owlrl

    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closed)
    return closed


def compile_rules(schema: Graph) -> RuleSet:
    """Close ``schema`` with owlrl and read off the rules it implies for instance data."""
    closed = owlrl_closure(schema)
    rules = RuleSet()

    def add(table: dict[str, set[str]], key: Node, value: Node) -> None:
        if isinstance(key, URIRef) and isinstance(value, URIRef) and key != value:
            table.setdefault(str(key), set()).add(str(value))

    for c, d in closed.subject_objects(RDFS.subClassOf):
        if d not in (OWL.Thing, RDFS.Resource):
            add(rules.superclasses, c, d)
    for p, q in closed.subject_objects(RDFS.subPropertyOf):
        add(rules.superproperties, p, q)
    # owl:Thing and rdfs:Resource say nothing; every resource is one.
    trivial = {OWL.Thing, RDFS.Resource, RDFS.Literal}
    for p, c in closed.subject_objects(RDFS.domain):
        if c not in trivial:
            add(rules.domains, p, c)
    for p, c in closed.subject_objects(RDFS.range):
        if c not in trivial and not str(c).startswith(str(RDF)):
            add(rules.ranges, p, c)
    for p, q in closed.subject_objects(OWL.inverseOf):
        add(rules.inverses, p, q)
        add(rules.inverses, q, p)
    for p in closed.subjects(RDF.type, OWL.SymmetricProperty):
        rules.symmetric.add(str(p))
    for p in closed.subjects(RDF.type, OWL.TransitiveProperty):
        rules.chains.append((str(p), [str(p), str(p)]))
    for q, head in closed.subject_objects(OWL.propertyChainAxiom):
        chain = [str(p) for p in Collection(closed, head)]
        rules.chains.append((str(q), chain))
    rules.chains.sort()
    for s, p, o in closed:
        if (
            p in _SCHEMA_LINKS
            and isinstance(s, URIRef)
            and isinstance(o, URIRef)
            and s != o
            and str(s).startswith(str(EHK))
            and (s, p, o) not in schema
        ):
            rules.schema_triples.append((str(s), str(p), str(o)))
    rules.schema_triples.sort()
    return rules


#: Bumped whenever compile_rules changes, so that cached rules are compiled again.
COMPILER_VERSION = "2"


def ontology_fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(COMPILER_VERSION.encode())
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def load_rules(ontology_files: list[Path], cache_dir: Path | None) -> RuleSet:
    """The compiled rules of the ontology, from the cache when the ontology has not changed."""
    cache = None
    if cache_dir is not None:
        cache = cache_dir / f"rules-{ontology_fingerprint(ontology_files)}.json"
        if cache.is_file():
            return RuleSet.from_json(cache.read_text(encoding="utf-8"))
    schema = Graph()
    for path in ontology_files:
        parse_file(path, into=schema)
    rules = compile_rules(schema)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(".tmp")
        temporary.write_text(rules.to_json(), encoding="utf-8")
        temporary.replace(cache)
    return rules


def infer(asserted: Iterable[Triple], rules: RuleSet) -> set[Triple]:
    """Everything ``rules`` derive from ``asserted`` that is not asserted already."""
    facts: set[Triple] = set(asserted)
    index = _Index()
    for triple in facts:
        index.add(triple)

    def uris(table: dict[str, set[str]]) -> dict[Node, list[URIRef]]:
        return {URIRef(k): [URIRef(v) for v in vs] for k, vs in table.items()}

    superclasses = uris(rules.superclasses)
    superproperties = uris(rules.superproperties)
    domains = uris(rules.domains)
    ranges = uris(rules.ranges)
    inverses = uris(rules.inverses)
    symmetric = {URIRef(p) for p in rules.symmetric}
    chains_by_link: dict[Node, list[tuple[URIRef, list[URIRef], int]]] = defaultdict(list)
    for head, chain in rules.chains:
        links = [URIRef(link) for link in chain]
        for position, link in enumerate(links):
            chains_by_link[link].append((URIRef(head), links, position))

    derived: set[Triple] = set()
    delta = set(facts)
    while delta:
        new: set[Triple] = set()
        for s, p, o in delta:
            if isinstance(s, Literal):
                continue
            resource_object = not isinstance(o, Literal)
            if p == RDF.type:
                new.update((s, RDF.type, d) for d in superclasses.get(o, ()))
            new.update((s, RDF.type, c) for c in domains.get(p, ()))
            new.update((s, q, o) for q in superproperties.get(p, ()))
            if resource_object:
                new.update((o, RDF.type, c) for c in ranges.get(p, ()))
                new.update((o, q, s) for q in inverses.get(p, ()))
                if p in symmetric:
                    new.add((o, p, s))
                for q, path, position in chains_by_link.get(p, ()):
                    new.update((a, q, b) for a, b in index.chain_matches(path, position, s, o))
        new -= facts
        for triple in new:
            index.add(triple)
        facts |= new
        derived |= new
        delta = new
    for subject, predicate, obj in rules.schema_triples:
        triple = (URIRef(subject), URIRef(predicate), URIRef(obj))
        if triple not in facts:
            derived.add(triple)
    return derived


class _Index:
    """Forward and backward adjacency per predicate, for joining property chains."""

    def __init__(self) -> None:
        self.forward: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.backward: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        self.forward[p][s].add(o)
        self.backward[p][o].add(s)

    def remove(self, triple: Triple) -> None:
        s, p, o = triple
        self.forward[p][s].discard(o)
        self.backward[p][o].discard(s)

    def ends(self, chain: list[URIRef], start: Node) -> set[Node]:
        """Every node reached from ``start`` along the links of ``chain`` in order."""
        reached: set[Node] = {start}
        for link in chain:
            forward = self.forward[link]
            reached = {b for a in reached for b in forward.get(a, ())}
            if not reached:
                break
        return reached

    def chain_matches(
        self, chain: list[URIRef], position: int, s: Node, o: Node
    ) -> list[tuple[Node, Node]]:
        """Start and end of every path along ``chain`` whose link at ``position`` is (s, o)."""
        starts: set[Node] = {s}
        for link in reversed(chain[:position]):
            backward = self.backward[link]
            starts = {a for b in starts for a in backward.get(b, ())}
            if not starts:
                return []
        ends: set[Node] = {o}
        for link in chain[position + 1 :]:
            forward = self.forward[link]
            ends = {b for a in ends for b in forward.get(a, ())}
            if not ends:
                return []
        return [(a, b) for a in starts for b in ends if not isinstance(a, Literal)]
