"""A store behind any SPARQL 1.1 endpoint, spoken to through the standard protocols only.

Queries go by the SPARQL 1.1 Query protocol, writes by the Update protocol, and whole graphs by
the Graph Store HTTP Protocol (``PUT`` as N-Triples, ``GET`` back). The layout is the embedded
store's: each file in a named graph of its own, the endpoint's default graph holding the set
union of them (plus what updates write there), and ``graph:inferred`` apart.

The protocol cannot name an endpoint's own default graph in ``default-graph-uri``, and engines
disagree on what a query sees without it (Oxigraph and Fuseki: the default graph; Virtuoso and
GraphDB: the union of all graphs). So every write also copies the default graph into a hidden
named graph (``graph:internal/default-copy``, in the same request), and every query names its
dataset explicitly: that copy, plus the inferred graph unless asserted facts only are asked for,
and the named graphs. Behaviour is then the embedded store's on any engine that honours the
protocol's dataset parameters.

``--store`` values (see ``docs/STORES.md``)::

    sparql:http://127.0.0.1:7878/query                  Oxigraph server: /update, /store
    sparql:http://127.0.0.1:3030/ds/query               Fuseki: /ds/update, /ds/data
    sparql:URL;update=URL;store=URL;timeout=SECONDS     anything else, or to override
    sparql:URL;sync=copy                                follow updates with COPY DEFAULT
    sparql:URL;store=none                               no Graph Store Protocol: SPARQL only

"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from ehelsekg.errors import RejectedQueryError, RemoteStoreError
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.store.base import Store
from ehelsekg.store.embedded import OxigraphStore, parse_rdf_file
from ehelsekg.store.endpoints import Endpoints, public_url
from ehelsekg.store.graphs import INTERNAL_PREFIX, file_graph_filter, is_file_graph
from ehelsekg.store.remote_answers import media_type_of, parse_answer
from ehelsekg.store.sparql_text import bind_values, code_positions
from ehelsekg.store.terms import Quad, QueryResult, Triple, from_ox, query_result, to_ox

#: Graphs the store keeps for itself; never listed, queried as named graphs or dumped.
INTERNAL = INTERNAL_PREFIX
#: A copy of the endpoint's default graph, the only way to name it in ``default-graph-uri``.
DEFAULT_COPY = URIRef(INTERNAL + "default-copy")
#: A graph that is never written, named where a dataset has no named graphs.
_NO_GRAPH = INTERNAL + "no-graph"

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_FORM = "application/x-www-form-urlencoded"
# SELECT and ASK answer in SPARQL JSON, CONSTRUCT and DESCRIBE in N-Triples.
_ACCEPT = f"{_RESULTS_JSON}, {_N_TRIPLES};q=0.9, application/sparql-results+xml;q=0.5"


def _iri(name: str | URIRef) -> str:
    return str(ox.NamedNode(str(name)))


# Brings the copy of the default graph level with it after an update, touching only what changed
# (COPY DEFAULT rewrites every triple, and takes Oxigraph ~0.1 ms a triple).
_SYNC_COPY = (
    f"DELETE {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }}"
    f" WHERE {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }} ;\n"
    f"INSERT {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }}"
    f" WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }} }}"
)
# Leaves in the default graph (and its copy) only what a file's graph states.
_FILE_GRAPH = file_graph_filter("h")
_RESET_DEFAULT = (
    f"DELETE {{ ?s ?p ?o . GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }}"
    f" WHERE {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }}"
    f" FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER({_FILE_GRAPH}) }} }}"
)
_GRAPHS = "SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
# GROUP BY, not DISTINCT: Virtuoso 7.2 answers this in 0.07 s, the DISTINCT form in 5 s.
_GRAPHS_OF_QUADS = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: Graphs an engine keeps for itself, never listed: Virtuoso's RDF views and LDP vocabulary,
#: and its service description (``http://HOST/sparql``, HOST its URIQA ``DefaultHost``).
_ENGINE_GRAPH = re.compile(
    r"http://www\.openlinksw\.com/schemas/virtrdf#|http://www\.w3\.org/ns/ldp#|http://[^/]+/sparql$"
)


def _with_base(text: str, base_iri: str | None) -> str:
    # The protocol has no base IRI parameter; a BASE in the text itself still wins.
    return text if base_iri is None else f"BASE {_iri(base_iri)}\n{text}"


def _n_triples(triples: Iterable[ox.Triple]) -> str:
    written = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert written is not None
    return written.decode("utf-8")


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint as the store; see the module documentation for the layout."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self._client: httpx.Client | None = None
        self._pid = 0

    @classmethod
    def from_spec(cls, spec: str) -> RemoteStore:
        """The store for ``--store sparql:SPEC``."""
        return cls(Endpoints.parse(spec))

    def __repr__(self) -> str:
        return f"RemoteStore({public_url(self.endpoints.query)!r})"

    ############################################################ HTTP

    def _http(self) -> httpx.Client:
        # Query workers are forked: a child must not share the parent's pooled connections.
        if self._client is None or self._pid != os.getpid():
            timeout = httpx.Timeout(
                self.endpoints.timeout, connect=min(5.0, self.endpoints.timeout)
            )
            self._client = httpx.Client(timeout=timeout)
            self._pid = os.getpid()
        return self._client

    def _send(
        self,
        method: str,
        url: str,
        *,
        body: str | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        params: Sequence[tuple[str, str]] = (),
    ) -> httpx.Response:
        headers = {}
        if content_type:
            headers["Content-Type"] = f"{content_type}; charset=utf-8"
        if accept:
            headers["Accept"] = accept
        try:
            return self._http().request(
                method,
                url,
                content=None if body is None else body.encode("utf-8"),
                headers=headers,
                params=list(params),
            )
        except httpx.TimeoutException as err:
            raise RemoteStoreError(
                public_url(url),
                f"no answer within {self.endpoints.timeout:g} s"
                " (raise it with ';timeout=SECONDS' after the URL)",
            ) from err
        except httpx.HTTPError as err:
            raise RemoteStoreError(
                public_url(url), f"cannot reach the SPARQL endpoint ({err}); is it running?"
            ) from err

    def _refused(self, response: httpx.Response, what: str) -> RemoteStoreError:
        text = response.text.strip()[:500]
        return RemoteStoreError(
            public_url(str(response.request.url.copy_with(query=None))),
            f"{what} failed with HTTP {response.status_code}: {text}",
        )

    def _post_query(
        self, text: str, defaults: Sequence[str], nameds: Sequence[str] | None
    ) -> httpx.Response:
        # The protocol's URL-encoded POST rather than a direct one (application/sparql-query):
        # Virtuoso 7.2 never answers a direct POST and spins a core on it (its issue #842).
        fields = [("query", text)]
        fields += [("default-graph-uri", str(g)) for g in defaults]
        # No named-graph-uri reads as "every graph" on Virtuoso: name an empty graph instead.
        if nameds is not None:
            fields += [("named-graph-uri", str(g)) for g in nameds or [_NO_GRAPH]]
        response = self._send(
            "POST",
            self.endpoints.query,
            body=urlencode(fields),
            content_type=_FORM,
            accept=_ACCEPT,
        )
        if response.status_code >= 400:
            message = response.text.strip()[:1000] or response.reason_phrase
            raise RejectedQueryError(
                f"the SPARQL endpoint refused the query (HTTP {response.status_code}): {message}"
            )
        return response

    def _post_update(self, text: str) -> httpx.Response:
        # Virtuoso takes using-graph-uri as the graph that triples outside GRAPH are written
        # to and read from, in templates and INSERT DATA as well as in WHERE.
        default = self.endpoints.default
        return self._send(
            "POST",
            self.endpoints.update,
            body=text,
            content_type="application/sparql-update",
            params=[] if default is None else [("using-graph-uri", default)],
        )

    def _write(self, text: str, what: str) -> None:
        if not text:
            return
        response = self._post_update(text)
        if response.status_code >= 300:
            raise self._refused(response, what)

    def _solutions(
        self, text: str, defaults: Sequence[str] = (), nameds: Sequence[str] | None = None
    ) -> ox.QuerySolutions:
        response = self._post_query(text, defaults, nameds)
        answer = parse_answer(response)
        if not isinstance(answer, ox.QuerySolutions):
            raise self._refused(response, "a SELECT query")
        return answer

    ############################################################ reading

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        include_inferred: bool = True,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        if bindings:
            sparql = bind_values(sparql, bindings)
        if dataset is not None:
            defaults, nameds = dataset
            default_graphs = list(defaults) or [str(DEFAULT_COPY)]
            named_graphs = list(nameds)
        else:
            default_graphs = [str(DEFAULT_COPY)]
            names = self.graph_names()
            if include_inferred:
                default_graphs.append(str(INFERRED_GRAPH))
            else:
                names = [name for name in names if name != INFERRED_GRAPH]
            named_graphs = [str(name) for name in names]
        response = self._post_query(_with_base(sparql, base_iri), default_graphs, named_graphs)
        return query_result(parse_answer(response), max_rows)

    def graph_names(self) -> list[URIRef]:
        # Without dataset parameters: the endpoint's own named graphs. The empty pattern lists
        # them without reading their triples, but Virtuoso answers it with one row and ?g
        # unbound: there, or in an empty store, ask for the distinct graphs of the quads.
        found = self._graph_iris(_GRAPHS) or self._graph_iris(_GRAPHS_OF_QUADS)
        names = {
            URIRef(name)
            for name in found
            if not name.startswith(INTERNAL)
            and not _ENGINE_GRAPH.match(name)
            and name != self.endpoints.default
        }
        return sorted(names)

    def _graph_iris(self, text: str) -> list[str]:
        return [s["g"].value for s in self._solutions(text) if isinstance(s["g"], ox.NamedNode)]

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """One graph's triples (None: the default graph), by Graph Store GET or SELECT."""
        if self.endpoints.store is not None:
            graph = graph or self.endpoints.default
            params = [("graph", graph)] if graph is not None else [("default", "")]
            response = self._send("GET", self.endpoints.store, accept=_N_TRIPLES, params=params)
            if response.status_code == 404:
                return []
            if response.status_code >= 300:
                raise self._refused(response, "reading a graph")
            fmt = ox.RdfFormat.from_media_type(media_type_of(response)) or ox.RdfFormat.N_TRIPLES
            return [q.triple for q in ox.parse(response.content, format=fmt)]
        solutions = self._solutions(
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", [graph or str(DEFAULT_COPY)], []
        )
        return [ox.Triple(s["s"], s["p"], s["o"]) for s in solutions]

    def triples(self, graphs: Sequence[URIRef] | None = None) -> Iterator[Triple]:
        names = self.graph_names() if graphs is None else list(graphs)
        for name in names:
            for t in self._graph_triples(str(name)):
                yield from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)

    def asserted_triples(self) -> Iterator[Triple]:
        for t in self._graph_triples(None):
            yield from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)

    def _ox_quads(self) -> Iterator[ox.Quad]:
        """Every quad in one answer, so that a blank node in two graphs stays one node."""
        names = [str(name) for name in self.graph_names()]
        solutions = self._solutions(
            "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            [str(DEFAULT_COPY)],
            names,
        )
        for s in solutions:
            graph = s["g"]
            yield ox.Quad(s["s"], s["p"], s["o"], ox.DefaultGraph() if graph is None else graph)

    def dataset_quads(self) -> Iterator[Quad]:
        for quad in self._ox_quads():
            graph = quad.graph_name
            name = URIRef(graph.value) if isinstance(graph, ox.NamedNode) else None
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), name

    def __len__(self) -> int:
        names = [str(name) for name in self.graph_names()]
        solutions = self._solutions(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            [str(DEFAULT_COPY)],
            names,
        )
        count = next(iter(solutions))["n"]
        return int(count.value) if count is not None else 0

    def scratch_copy(self) -> OxigraphStore:
        copy = OxigraphStore()
        copy._store.bulk_extend(self._ox_quads())
        return copy

    ############################################################ writing

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        code = [char for _, char in code_positions(sparql) if not char.isspace()]
        if not code:
            return
        # In the same request, so the copy of the default graph changes with the update (an
        # update request is one transaction on Oxigraph and Fuseki).
        separator = "\n" if code[-1] == ";" else "\n;\n"
        sync = (
            _SYNC_COPY if self.endpoints.sync == "diff" else f"COPY DEFAULT TO {_iri(DEFAULT_COPY)}"
        )
        text = _with_base(sparql, base_iri) + separator + sync
        response = self._post_update(text)
        if response.status_code >= 300:
            message = response.text.strip()[:1000] or response.reason_phrase
            raise RejectedQueryError(
                f"the SPARQL endpoint refused the update (HTTP {response.status_code}),"
                f" nothing was changed: {message}"
            )

    def replace_graph(self, name: URIRef, triples: Iterable[Triple]) -> None:
        new = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]
        self._replace(name, new)

    def load_file(self, path: Path, graph: URIRef) -> None:
        self._replace(graph, [q.triple for q in parse_rdf_file(path)])

    def load_dataset(
        self, graphs: Mapping[URIRef, Sequence[Triple]], default: Sequence[Triple] = ()
    ) -> None:
        new = {
            name: [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]
            for name, triples in graphs.items()
        }
        extra = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in default]  # type: ignore[arg-type]
        mirrored = [name for name in new if is_file_graph(name)]
        # One SPARQL update rather than a PUT per graph: all of it or none, and the blank nodes
        # of one INSERT DATA that share a label are one node.
        self._write(self._rewrite(new, mirrored, default=extra), "loading the graphs")

    def _replace(self, name: URIRef, new: list[ox.Triple]) -> None:
        """Replace a named graph, keeping the default graph the set union of asserted graphs."""
        if self.endpoints.store is None:
            mirrored = [] if name == INFERRED_GRAPH else [name]
            self._write(self._rewrite({name: new}, mirrored), f"writing graph <{name}>")
            return
        if name == INFERRED_GRAPH:
            self._put(str(name), new)
            return
        # The new triples go in by a Graph Store PUT to a staging graph; one update then swaps
        # it in and corrects the default graph, so no query sees half of it.
        staging = f"{INTERNAL}staging/{uuid.uuid4().hex}"
        self._put(staging, new)
        operations = [
            self._unmirror([name]),
            f"DROP SILENT GRAPH {_iri(name)}",
            f"ADD SILENT {_iri(staging)} TO {_iri(name)}",
            f"DROP SILENT GRAPH {_iri(staging)}",
            self._mirror([name]),
        ]
        try:
            self._write(" ;\n".join(operations), f"writing graph <{name}>")
        except RemoteStoreError:
            self._post_update(f"DROP SILENT GRAPH {_iri(staging)}")
            raise

    def _put(self, graph: str, triples: list[ox.Triple]) -> None:
        assert self.endpoints.store is not None
        response = self._send(
            "PUT",
            self.endpoints.store,
            body=_n_triples(triples),
            content_type=_N_TRIPLES,
            params=[("graph", graph)],
        )
        if response.status_code >= 300:
            raise self._refused(response, f"PUT of graph <{graph}>")

    def _rewrite(
        self,
        graphs: Mapping[URIRef, list[ox.Triple]],
        mirrored: Sequence[URIRef],
        *,
        default: list[ox.Triple] | None = None,
    ) -> str:
        """One update replacing ``graphs`` and mirroring the ``mirrored`` ones into the default
        graph; with ``default``, the default graph's own triples are replaced by it as well."""
        operations = [self._unmirror(mirrored)] if mirrored and default is None else []
        operations += [f"DROP SILENT GRAPH {_iri(name)}" for name in graphs]
        if default is not None:
            operations.append(_RESET_DEFAULT)
        blocks = [
            f"GRAPH {_iri(name)} {{\n{_n_triples(triples)}}}"
            for name, triples in graphs.items()
            if triples
        ]
        if default:
            text = _n_triples(default)
            blocks += [text, f"GRAPH {_iri(DEFAULT_COPY)} {{\n{text}}}"]
        if blocks:
            # One INSERT DATA: the blank nodes in it that share a label are one node.
            operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        if mirrored:
            operations.append(self._mirror(mirrored))
        return " ;\n".join(operations)

    @staticmethod
    def _unmirror(graphs: Sequence[URIRef]) -> str:
        """Take the graphs' triples out of the default graph, unless another asserted named
        graph states them too."""
        values = " ".join(_iri(g) for g in graphs)
        kept_out = ", ".join(_iri(g) for g in [*graphs, INFERRED_GRAPH])
        return (
            f"DELETE {{ ?s ?p ?o . GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }} WHERE {{\n"
            f"  VALUES ?g {{ {values} }}\n"
            "  GRAPH ?g { ?s ?p ?o }\n"
            "  FILTER NOT EXISTS {\n"
            "    GRAPH ?h { ?s ?p ?o }\n"
            f'    FILTER(?h NOT IN ({kept_out}) && !STRSTARTS(STR(?h), "{INTERNAL}"))\n'
            "  }\n"
            "}"
        )

    @staticmethod
    def _mirror(graphs: Sequence[URIRef]) -> str:
        # One operation per target graph: Virtuoso 7.2 inserts from a template into two graphs,
        # then fails the request (HTTP 500, "string_output_string needs a string output").
        values = " ".join(_iri(g) for g in graphs)
        where = f"WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        return (
            f"INSERT {{ ?s ?p ?o }} {where} ;\n"
            f"INSERT {{ GRAPH {_iri(DEFAULT_COPY)} {{ ?s ?p ?o }} }} {where}"
        )
