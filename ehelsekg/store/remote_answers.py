"""Reading a SPARQL endpoint's answers: media types, results and graphs, as pyoxigraph terms."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox

from ehelsekg.errors import RemoteStoreError
from ehelsekg.store.endpoints import public_url


def media_type_of(response: httpx.Response) -> str:
    media_type: str = response.headers.get("content-type", "")
    return media_type.split(";")[0].strip().lower()


_BLANK_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def _portable_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON results whose blank node labels are valid N-Triples labels.

    Virtuoso labels blank nodes ``nodeID://b10001``, which pyoxigraph rejects; a label that is
    not valid is replaced by its hex form, the same for every occurrence, so one node stays one.
    """
    document = json.loads(content)
    for binding in document.get("results", {}).get("bindings", []):
        for value in binding.values():
            label = value.get("value", "")
            if value.get("type") == "bnode" and not _BLANK_LABEL.fullmatch(label):
                value["value"] = "x" + label.encode("utf-8").hex()
    return json.dumps(document).encode("utf-8")


def parse_answer(
    response: httpx.Response,
) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
    """A query answer in whichever format the endpoint chose."""
    media_type = media_type_of(response)
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        content = response.content
        if results_format == ox.QueryResultsFormat.JSON and b'"bnode"' in content:
            content = _portable_blank_nodes(content)
        answer = ox.parse_query_results(content, format=results_format)
        assert isinstance(answer, ox.QuerySolutions | ox.QueryBoolean)
        return answer
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise RemoteStoreError(
            public_url(str(response.request.url.copy_with(query=None))),
            f"answered in {media_type or 'no media type'}, which is neither SPARQL results nor RDF",
        )
    return (q.triple for q in ox.parse(response.content, format=rdf_format))
