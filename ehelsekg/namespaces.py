"""Every prefix the project uses, bound in one place (Brick's ``namespaces.py``).

The same prefixes appear in every Turtle file (see ``docs/prefixes.ttl``); ``bind_all`` puts
them on a graph so that serialised output reads like the files.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/ehelsekg/"
EHK = Namespace(BASE + "ontology#")
EHS = Namespace(BASE + "shapes#")
ID = BASE + "id/"

# Named graphs of the store: one per loaded file, plus one for what reasoning derives.
GRAPH = Namespace(BASE + "graph/")
INFERRED_GRAPH = GRAPH["inferred"]

# Data namespaces by entity kind: prefix -> path segment under ``ID``.
DATA_PREFIXES: dict[str, str] = {
    "report": "report/",
    "measure": "measure/",
    "assessment": "assessment/",
    "actor": "actor/",
    "group": "actor-group/",
    "council": "council/",
    "meeting": "meeting/",
    "case": "case/",
    "strategy": "strategy/",
    "goal": "goal/",
    "area": "strategic-area/",
    "focus": "focus-area/",
    "initiative": "initiative/",
    "solution": "solution/",
    "service": "collaboration-service/",
    "dependency": "dependency/",
    "prereq": "prerequisite/",
    "roadmap": "roadmap/",
    "rmversion": "roadmap-version/",
    "rmservice": "roadmap-service/",
    "change": "roadmap-change/",
    "activity": "activity/",
    "step": "plan-step/",
    "milestone": "milestone/",
    "figure": "figure/",
    "cost": "cost/",
    "budget": "budget/",
    "rollout": "rollout/",
    "dataset": "dataset/",
    "event": "event/",
    "judgement": "judgement/",
}

MEASURE = Namespace(ID + DATA_PREFIXES["measure"])
REPORT = Namespace(ID + DATA_PREFIXES["report"])
GOAL = Namespace(ID + DATA_PREFIXES["goal"])

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "foaf": str(FOAF),
    "qb": str(QB),
    "sh": str(SH),
}


def all_prefixes() -> dict[str, str]:
    """Every prefix the project binds, mapped to its namespace IRI.

    >>> all_prefixes()["measure"]
    'https://w3id.org/ehelsekg/id/measure/'
    """
    prefixes = dict(STANDARD_PREFIXES)
    prefixes["ehk"] = str(EHK)
    prefixes["ehs"] = str(EHS)
    prefixes.update({name: ID + path for name, path in DATA_PREFIXES.items()})
    return prefixes


def bind_all(graph: Graph) -> Graph:
    """Bind every project prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for name, iri in all_prefixes().items():
        graph.bind(name, iri, override=True, replace=True)
    return graph
