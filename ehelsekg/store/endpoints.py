"""Where a remote store lives: the query, update and graph store URLs of a ``sparql:``
store value, and its options (see ``docs/STORES.md``).

>>> endpoints = Endpoints.parse("http://127.0.0.1:7878/query")
>>> endpoints.update, endpoints.store
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> Endpoints.parse("http://h:3030/ds/query").store
'http://h:3030/ds/data'
>>> public_url("http://me:secret@h/q")
'http://me:***@h/q'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ehelsekg.errors import RemoteStoreError

_OPTIONS = re.compile(r";(update|store|timeout|sync|default)=")
_DEFAULT_TIMEOUT = 30.0


def public_url(url: str) -> str:
    """``url`` without a password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Endpoints:
    """Where to query, update and (``None``: no Graph Store Protocol) read and write graphs."""

    query: str
    update: str
    store: str | None
    timeout: float = _DEFAULT_TIMEOUT
    #: How the copy of the default graph follows an update: ``diff`` touches only what changed
    #: but reads the default graph by a pattern outside GRAPH, which engines that read the
    #: union there (Virtuoso, GraphDB) misread; ``copy`` (COPY DEFAULT) is right everywhere.
    sync: str = "diff"
    #: The graph an engine without a default graph of its own (Virtuoso) keeps it in, sent as
    #: ``using-graph-uri`` with every update; None: the endpoint has a default graph.
    default: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Endpoints:
        """The endpoints of a ``sparql:`` store value (without ``sparql:``).

        A query URL ending in ``/query`` gives the update and graph store URLs beside it:
        ``/update`` and ``/store`` at the root (Oxigraph server), ``/update`` and ``/data``
        under a dataset (Fuseki's ``/ds/query``). Any other URL is taken to answer queries and
        updates itself, with no graph store unless ``;store=URL`` says where.
        """
        pieces = _OPTIONS.split(spec)
        query, options = pieces[0], dict(zip(pieces[1::2], pieces[2::2], strict=True))
        parts = urlsplit(query)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteStoreError(
                public_url(query), "not an http(s) URL of a SPARQL query endpoint (sparql:URL)"
            )
        update, store = query, None
        if parts.path.endswith("/query"):
            folder = parts.path[: -len("query")]
            update = urlunsplit(parts._replace(path=folder + "update", query=""))
            beside = "store" if folder == "/" else "data"
            store = urlunsplit(parts._replace(path=folder + beside, query=""))
        update = options.get("update", update)
        store = options.get("store", store)
        if store == "none":
            store = None
        try:
            timeout = float(options.get("timeout", _DEFAULT_TIMEOUT))
        except ValueError as err:
            raise RemoteStoreError(
                public_url(query), "timeout= must be a number of seconds"
            ) from err
        sync = options.get("sync", "diff")
        if sync not in ("diff", "copy"):
            raise RemoteStoreError(public_url(query), "sync= must be 'diff' or 'copy'")
        default = options.get("default")
        if default is not None and not urlsplit(default).scheme:
            raise RemoteStoreError(public_url(query), "default= must be an absolute graph IRI")
        return cls(
            query=query, update=update, store=store, timeout=timeout, sync=sync, default=default
        )
