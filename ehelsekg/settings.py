"""The one typed settings object. The environment is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import metadata
from pathlib import Path

#: What a home holds (everything read relative to ``Settings.home``): folders and single files,
#: at the top of the repository and under ``share/ehelsekg/`` in an installed copy (setup.py
#: installs them as data files).
HOME_FOLDERS = ("ontology", "data", "shapes", "queries", "mappings")
HOME_FILES = ("docs/prefixes.ttl",)


@cache
def default_home() -> Path:
    """Where ontology/, data/, shapes/ and queries/ are when ``EHELSEKG_HOME`` is not set: the
    checkout the package runs from (an editable install, or tests), else the copy installed
    with the package (``<prefix>/share/ehelsekg``).

    >>> (default_home() / "queries" / "goals.rq").is_file()
    True
    """
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "ontology").is_dir():
        return checkout
    return _installed_home() or checkout


def _installed_home() -> Path | None:
    """``share/ehelsekg`` as the package's own record of installed files locates it (so in a
    virtual environment, a system or a ``--user`` install alike); None if it has none."""
    try:
        files = metadata.files("ehelsekg") or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        parts = file.parts
        for index in range(len(parts) - 2):
            if parts[index : index + 2] == ("share", "ehelsekg"):
                # The record's paths are relative to site-packages and climb out with '..'.
                located = Path(os.path.normpath(str(file.locate())))
                return located.parents[len(parts) - index - 3]
    return None


def _default_cache() -> Path:
    return Path.home() / ".cache" / "ehelsekg"


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default; ``from_environment`` reads ``EHELSEKG_<NAME>``."""

    home: Path = field(
        default_factory=default_home,
        metadata={
            "help": "Project folder holding ontology/, data/, shapes/, queries/ and mappings/."
        },
    )
    cache_dir: Path = field(
        default_factory=_default_cache,
        metadata={"help": "Folder for derived files such as the compiled reasoning rules."},
    )
    store: str = field(
        default="memory",
        metadata={
            "help": "Where the graph lives: 'memory', 'oxigraph:PATH' (on disk) or 'sparql:URL' "
            "(a SPARQL 1.1 endpoint; see docs/STORES.md)."
        },
    )
    update_token: str | None = field(
        default=None,
        metadata={
            "help": "Bearer token allowing SPARQL Update and Graph Store writes; unset: read-only."
        },
    )
    query_timeout: float = field(
        default=10.0, metadata={"help": "Seconds a /sparql query may run before it is stopped."}
    )
    named_query_timeout: float = field(
        default=1.0, metadata={"help": "Seconds a named query may run before it is stopped."}
    )
    update_timeout: float = field(
        default=60.0,
        metadata={"help": "Seconds an update (applied to a copy, then validated) may take."},
    )
    analysis_timeout: float = field(
        default=10.0,
        metadata={
            "help": "Seconds a critical path or impact analysis may run before it is stopped."
        },
    )
    page_timeout: float = field(
        default=20.0,
        metadata={"help": "Seconds a view, an entity page or a graph download may take."},
    )
    max_rows: int = field(
        default=10_000, metadata={"help": "Most result rows /sparql returns (then truncated)."}
    )
    named_query_max_rows: int = field(
        default=1_000, metadata={"help": "Most result rows a named query returns (then truncated)."}
    )
    max_body_bytes: int = field(
        default=1024 * 1024,
        metadata={"help": "Largest request body (query, update, graph) in bytes."},
    )
    max_query_depth: int = field(
        default=64, metadata={"help": "Deepest bracket nesting a query or update may have."}
    )
    allow_outbound: bool = field(
        default=False,
        metadata={"help": "Allow SERVICE and LOAD, which make the engine send requests out."},
    )
    cors_origins: tuple[str, ...] = field(
        default=(), metadata={"help": "Origins allowed by CORS, comma-separated; none by default."}
    )
    workers: int = field(
        default=0,
        metadata={
            "help": "Query worker processes (each can be stopped on a timeout); 0: one per CPU"
            " core."
        },
    )
    fast_workers: int = field(
        default=1,
        metadata={"help": "Workers kept for quick jobs while the others are busy (the fast lane)."},
    )
    fast_lane_seconds: float = field(
        default=1.0,
        metadata={
            "help": "Seconds a job may run in the fast lane before it waits for another worker."
        },
    )
    inline_seconds: float = field(
        default=0.002,
        metadata={
            "help": "A SPARQL or named query that a worker answered in under this many seconds"
            " is answered in the server's own process when asked again before the next write"
            " (no worker round trip); 0 turns this off."
        },
    )
    narrow_seconds: float = field(
        default=0.002,
        metadata={
            "help": "A query that took a worker at least this many seconds is parsed once,"
            " after its answer is sent, to learn what it can read; one that cannot match an"
            " inferred triple is then asked of the asserted triples alone (the same answer,"
            " sooner); 0 turns this off."
        },
    )
    access_log: bool = field(
        default=False,
        metadata={"help": "Log every request the server answers (uvicorn's access log)."},
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address the server listens on."})
    port: int = field(default=8000, metadata={"help": "Port the server listens on."})

    @property
    def ontology_dir(self) -> Path:
        """Turtle files of the ontology, its SKOS schemes and restated imports."""
        return self.home / "ontology"

    @property
    def data_dir(self) -> Path:
        """The bundled data: one Turtle file per source document plus reference data."""
        return self.home / "data"

    @property
    def shapes_dir(self) -> Path:
        """SHACL shapes."""
        return self.home / "shapes"

    @property
    def queries_dir(self) -> Path:
        """Named SPARQL queries, one ``.rq`` file each."""
        return self.home / "queries"

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings with any ``EHELSEKG_<NAME>`` overrides from ``environ`` (default os.environ)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for setting in fields(cls):
            raw = env.get(f"EHELSEKG_{setting.name.upper()}")
            if raw is None:
                continue
            values[setting.name] = _parse(setting.name, str(setting.type), raw)
        return cls(**values)  # type: ignore[arg-type]


def _parse(name: str, kind: str, raw: str) -> object:
    try:
        if "Path" in kind:
            return Path(raw).expanduser().resolve()
        if "bool" in kind:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
        if "tuple" in kind:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as err:
        raise ValueError(f"EHELSEKG_{name.upper()}={raw!r}: {err}") from err
    return raw or None if "None" in kind else raw


def describe_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and --help."""
    defaults = Settings()
    return [
        (
            f"EHELSEKG_{s.name.upper()}",
            ",".join(getattr(defaults, s.name))
            if s.name == "cors_origins"
            else str(getattr(defaults, s.name)),
            str(s.metadata.get("help", "")),
        )
        for s in fields(Settings)
    ]


def worker_count(settings: Settings) -> int:
    """The general workers to start: ``workers``, or one per CPU core when it is 0.

    >>> worker_count(Settings(workers=3)), worker_count(Settings(workers=0)) >= 1
    (3, True)
    """
    return settings.workers if settings.workers > 0 else max(1, os.cpu_count() or 1)
