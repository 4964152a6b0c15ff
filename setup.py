"""The one thing pyproject.toml cannot say: install the project's knowledge with the package.

ontology/, data/, shapes/, queries/ and mappings/ (and docs/prefixes.ttl) stay at the top of
the repository, where people edit them, and are installed as data files under
``<prefix>/share/ehelsekg/`` (every file of every subfolder, found when the wheel is built, so a
new subfolder needs no change here). An installed
``ehelsekg`` finds them there (``ehelsekg.settings.default_home``); a checkout uses its own.
"""

from pathlib import Path

from setuptools import setup

#: ehelsekg.settings.HOME_FOLDERS and HOME_FILES (not imported: the build must not import the
#: package); tests/test_packaging.py checks that the wheel holds all of them.
HOME_FOLDERS = ("ontology", "data", "shapes", "queries", "mappings")
HOME_FILES = ("docs/prefixes.ttl",)


def data_files() -> list[tuple[str, list[str]]]:
    """(install folder, [files]) for every folder under HOME_FOLDERS that holds files, and for
    each of HOME_FILES."""
    installed = [(f"share/ehelsekg/{Path(name).parent.as_posix()}", [name]) for name in HOME_FILES]
    for top in HOME_FOLDERS:
        for folder in sorted(p for p in [Path(top), *Path(top).rglob("*")] if p.is_dir()):
            if any(part.startswith(".") or part == "__pycache__" for part in folder.parts):
                continue
            files = sorted(
                p.as_posix() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
            )
            if files:
                installed.append((f"share/ehelsekg/{folder.as_posix()}", files))
    return installed


setup(data_files=data_files())
