"""Opening a store from a ``--store`` value."""

from __future__ import annotations

from pathlib import Path

from ehelsekg.errors import DataLoadError
from ehelsekg.store.base import Store
from ehelsekg.store.embedded import OxigraphStore

#: What ``--store`` accepts, for help texts and errors.
STORE_FORMS = "'memory', 'oxigraph:PATH' (on disk) or 'sparql:URL' (a SPARQL 1.1 endpoint)"


def open_store(spec: str) -> Store:
    """A store from a ``--store`` value: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``
    (see ``docs/STORES.md`` for the URL forms)."""
    if spec == "memory":
        return OxigraphStore()
    kind, _, location = spec.partition(":")
    if kind == "oxigraph" and location:
        return OxigraphStore(Path(location))
    if kind == "sparql" and location:
        from ehelsekg.store.remote import RemoteStore

        return RemoteStore.from_spec(location)
    raise DataLoadError(Path(spec), f"unknown store; use {STORE_FORMS}")
