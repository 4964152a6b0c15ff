"""The one table of formats: every RDF syntax and query-results format the project reads or
writes, with its media type, file suffix and short name, built on pyoxigraph's own formats.

>>> by_media_type("application/json").name, by_media_type("text/plain").name
('json', 'nt')
>>> [f.name for f in RESULT_FORMATS]
['json', 'xml', 'csv', 'tsv']
>>> by_suffix(".ttl").rdf == ox.RdfFormat.TURTLE
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One format: a short name (CLI options, ``?format=``), its media types (the first is
    the one written), and pyoxigraph's format for it."""

    name: str
    media_types: tuple[str, ...]
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def suffix(self) -> str:
        native = self.rdf or self.results
        assert native is not None
        return "." + native.file_extension

    @property
    def datasets(self) -> bool:
        """Whether the syntax holds named graphs (TriG, N-Quads, JSON-LD)."""
        return self.rdf is not None and self.rdf.supports_datasets


def _rdf(name: str, native: ox.RdfFormat, *aliases: str) -> Format:
    return Format(name, (native.media_type, *aliases), rdf=native)


def _results(name: str, native: ox.QueryResultsFormat, *aliases: str) -> Format:
    # pyoxigraph names CSV and TSV with a charset parameter; the table keeps bare types.
    return Format(name, (native.media_type.split(";")[0], *aliases), results=native)


RESULT_FORMATS: tuple[Format, ...] = (
    _results("json", ox.QueryResultsFormat.JSON, "application/json"),
    _results("xml", ox.QueryResultsFormat.XML, "application/xml"),
    _results("csv", ox.QueryResultsFormat.CSV),
    _results("tsv", ox.QueryResultsFormat.TSV),
)
#: Syntaxes of an RDF graph (CONSTRUCT/DESCRIBE answers, Graph Store bodies, entity pages).
GRAPH_FORMATS: tuple[Format, ...] = (
    _rdf("turtle", ox.RdfFormat.TURTLE),
    _rdf("nt", ox.RdfFormat.N_TRIPLES, "text/plain"),
    _rdf("jsonld", ox.RdfFormat.JSON_LD),
    _rdf("rdfxml", ox.RdfFormat.RDF_XML),
)
#: Syntaxes of a whole dataset (dumps, data files with named graphs).
DATASET_FORMATS: tuple[Format, ...] = (
    _rdf("trig", ox.RdfFormat.TRIG),
    _rdf("nquads", ox.RdfFormat.N_QUADS),
)
ALL_FORMATS = (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS)

#: The files a data folder may hold.
DATA_FILE_FORMATS: tuple[Format, ...] = (GRAPH_FORMATS[0], GRAPH_FORMATS[1], *DATASET_FORMATS)


def by_media_type(media_type: str) -> Format:
    """The format of a media type (parameters such as charset ignored); KeyError if none."""
    bare = media_type.split(";")[0].strip().lower()
    for fmt in ALL_FORMATS:
        if bare in fmt.media_types:
            return fmt
    raise KeyError(media_type)


def by_name(name: str) -> Format:
    """The format of a short name (``turtle``, ``json``, ``nquads``…); KeyError if none."""
    for fmt in ALL_FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def by_suffix(suffix: str) -> Format | None:
    """The format of a data file's suffix (``.ttl``, ``.nt``, ``.trig``, ``.nq``), or None."""
    return next((f for f in DATA_FILE_FORMATS if f.suffix == suffix.lower()), None)


def media_types(formats: tuple[Format, ...]) -> list[str]:
    """Every media type of ``formats``, the written one of each first."""
    return [media for fmt in formats for media in fmt.media_types]
