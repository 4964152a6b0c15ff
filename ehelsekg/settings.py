"""The one typed settings object. The environment is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

#: Environment variables that override the defaults, with their meaning.
ENVIRONMENT: dict[str, str] = {
    "EHELSEKG_HOME": "Project folder holding ontology/, data/, shapes/ and queries/.",
    "EHELSEKG_CACHE": "Folder for derived files such as the compiled reasoning rules.",
}


@dataclass(frozen=True)
class Settings:
    """Where the project's knowledge lives. Defaults to the folders beside the package."""

    home: Path = field(default=_PACKAGE_ROOT)
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "ehelsekg")

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
        """Settings with any ``EHELSEKG_*`` overrides from ``environ`` (default: os.environ)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        home = env.get("EHELSEKG_HOME")
        cache = env.get("EHELSEKG_CACHE")
        return cls(
            home=Path(home).resolve() if home else defaults.home,
            cache_dir=Path(cache).resolve() if cache else defaults.cache_dir,
        )
