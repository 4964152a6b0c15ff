"""The update gate's validation baseline kept on disk, by store revision and shapes.

A full validation of a million triples takes about half a minute; a restart of a store that did
not change need not repeat it. The raw results are kept in ``CACHE/validation/`` under the
store's revision (see ``store.state``: only an on-disk store has one) and a fingerprint of the
shapes and of this package's code, and read back only when both match.

The shapes are parsed afresh at every start and their blank nodes get new names, so a blank
node in a result is kept as a key computed from what the node says and where it hangs, the same
in every parse of the same files; a result whose key is not found (or is ambiguous) makes the
whole baseline unusable, and the store is validated again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.term import Node

from ehelsekg.store.base import Store
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.validation.report import RawResult

#: Bumped whenever what is kept changes shape.
FORMAT = 1
#: Baselines kept (the newest); older ones are removed.
KEEP = 8
_PACKAGE = Path(__file__).resolve().parent


def revision(store: Store) -> str | None:
    """The recorded revision of a complete on-disk store; None for any other store."""
    if not isinstance(store, OxigraphStore) or store.path is None:
        return None
    state = store.state()
    return state.revision if state.complete else None


def fingerprint(shapes: Graph) -> str:
    """What the results depend on besides the data: the shapes (blank nodes by their keys)
    and the validator's own code."""
    keys = blank_keys(shapes)
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.read_bytes())
    lines = sorted(
        " ".join(keys.get(term, "") if isinstance(term, BNode) else term.n3() for term in triple)
        for triple in shapes
    )
    digest.update("\n".join(lines).encode())
    return digest.hexdigest()[:32]


def blank_keys(graph: Graph) -> dict[BNode, str]:
    """A key for each blank node: a hash of its triples (blank objects by their own content)
    and of the triples that point at it (blank subjects by their own keys)."""
    content: dict[BNode, str] = {}

    def described(node: BNode, seen: frozenset[BNode]) -> str:
        if node in content:
            return content[node]
        if node in seen:
            return "cycle"
        inner = seen | {node}
        parts = sorted(
            f"{p.n3()} {described(o, inner) if isinstance(o, BNode) else o.n3()}"
            for p, o in graph.predicate_objects(node)
        )
        content[node] = _hash("\n".join(parts))
        return content[node]

    keys: dict[BNode, str] = {}

    def key(node: BNode, seen: frozenset[BNode]) -> str:
        if node in keys:
            return keys[node]
        if node in seen:
            return "cycle"
        inner = seen | {node}
        parents = sorted(
            f"{key(s, inner) if isinstance(s, BNode) else s.n3()} {p.n3()}"
            for s, p in graph.subject_predicates(node)
        )
        keys[node] = _hash(described(node, frozenset()) + "|" + "|".join(parents))
        return keys[node]

    for node in {t for triple in graph for t in triple if isinstance(t, BNode)}:
        key(node, frozenset())
    return keys


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _file(cache_dir: Path | None, store: Store, shapes: Graph) -> Path | None:
    if cache_dir is None:
        return None
    found = revision(store)
    if found is None:
        return None
    return cache_dir / "validation" / f"{found}-{fingerprint(shapes)}.pickle"


_FIELDS = ("top_shape", "shape", "path", "value")


def _mapped(raw: Iterable[RawResult], mapping: dict[Node, Node]) -> list[RawResult]:
    return [
        replace(r, **{f: mapping.get(getattr(r, f), getattr(r, f)) for f in _FIELDS}) for r in raw
    ]


def write(cache_dir: Path | None, store: Store, shapes: Graph, raw: list[RawResult]) -> None:
    """Keep ``raw`` as the baseline of ``store``'s current revision (if it has one)."""
    path = _file(cache_dir, store, shapes)
    if path is None:
        return
    keys = blank_keys(shapes)
    if len(set(keys.values())) != len(keys):
        return  # two blank nodes look alike: they could not be told apart when read back
    kept = _mapped(raw, {node: BNode(f"key-{key}") for node, key in keys.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".baseline-")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(kept, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
    older = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP:]:
        stale.unlink(missing_ok=True)


def read(cache_dir: Path | None, store: Store, shapes: Graph) -> list[RawResult] | None:
    """The baseline kept for ``store``'s current revision and these shapes, or None."""
    path = _file(cache_dir, store, shapes)
    if path is None or not path.is_file():
        return None
    try:
        kept = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(kept, list) or not all(isinstance(r, RawResult) for r in kept):
        return None
    keys = blank_keys(shapes)
    back: dict[Node, Node] = {BNode(f"key-{key}"): node for node, key in keys.items()}
    for result in kept:
        for name in _FIELDS:
            value = getattr(result, name)
            if isinstance(value, BNode) and value.startswith("key-") and value not in back:
                return None
    return _mapped(kept, back)
