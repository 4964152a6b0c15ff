"""ehelsekg works as an installed package, away from the checkout.

The wheel is built from a copy of the sources (so the checkout gets no ``build/``), offline
(``--no-build-isolation``: the dev extra brings setuptools), and installed without its
dependencies into a fresh virtual environment; the environment reaches the dependencies through
a ``.pth`` file naming this test run's site-packages (its ``.pth`` files, such as the editable
install of the checkout, are not run from there). Then ``ehelsekg validate`` and ``ehelsekg
query goals`` run from an empty folder and must answer from the installed copy of ontology/,
data/, shapes/ and queries/ (``share/ehelsekg/``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehelsekg.settings import HOME_FILES, HOME_FOLDERS

ROOT = Path(__file__).resolve().parents[1]
#: What the build reads: the project's metadata, its two packages and its data folders.
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "ehelsekg",
    "server",
    *HOME_FOLDERS,
    *HOME_FILES,
)
#: The strategy's five goals, as `query goals` shows them (tests/test_cli.py has the rest).
GOALS = (
    "Enklere arbeidshverdag",
    "Aktiv medvirkning i egen og næres helse",
    "Helsedata til fornying og forbedring",
    "Tilgjengelig informasjon og styrket samhandling",
    "Virkemidler som styrker gjennomføringskraft",
)


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _clean_environment() -> dict[str, str]:
    """This environment without the project's settings and without PYTHONPATH."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("EHELSEKG_") and name not in ("PYTHONPATH", "PYTHONHOME")
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment with the wheel installed; yields its bin/ folder."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"),
            )
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    env = _clean_environment()
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(work / "dist"),
            str(source),
        ],
        cwd=work,
        env=env,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("ehelsekg-*.whl")

    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work, env=env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=work,
        env=env,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=work,
        env=env,
    )
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(site.stdout.strip()) / "zz-dependencies.pth").write_text(
        "".join(f"{folder}\n" for folder in sorted(ours)), encoding="utf-8"
    )
    yield venv / "bin"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder far from the checkout, to run the command in."""
    return tmp_path_factory.mktemp("elsewhere")


def test_the_package_and_its_files_come_from_the_installation(
    installed: Path, elsewhere: Path
) -> None:
    where = _run(
        [
            str(installed / "python"),
            "-c",
            "import ehelsekg; from ehelsekg.settings import Settings;"
            " print(ehelsekg.__file__); print(Settings().home)",
        ],
        cwd=elsewhere,
        env=_clean_environment(),
    )
    assert where.returncode == 0, where.stderr
    module, home = (Path(line) for line in where.stdout.split())
    venv = installed.parent.resolve()
    assert module.resolve().is_relative_to(venv), module
    assert home.resolve() == venv / "share" / "ehelsekg"


def test_every_file_of_the_home_is_installed(installed: Path) -> None:
    """What the checkout holds under ontology/, data/, shapes/, queries/ and mappings/, and
    docs/prefixes.ttl, is all installed (everything read relative to Settings.home)."""
    home = installed.parent / "share" / "ehelsekg"

    def files(root: Path) -> set[str]:
        found = {name for name in HOME_FILES if (root / name).is_file()}
        return found | {
            p.relative_to(root).as_posix()
            for folder in HOME_FOLDERS
            for p in (root / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
        }

    assert files(home) == files(ROOT)
    assert {*HOME_FILES, "queries/goals.rq", "mappings/portfolio-round.csv-metadata.json"} <= files(
        home
    )


def test_validate_from_another_folder(installed: Path, elsewhere: Path) -> None:
    result = _run(
        [str(installed / "ehelsekg"), "validate"], cwd=elsewhere, env=_clean_environment()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms (0 Violation" in result.stdout


def test_query_goals_from_another_folder(installed: Path, elsewhere: Path) -> None:
    result = _run(
        [str(installed / "ehelsekg"), "query", "goals"], cwd=elsewhere, env=_clean_environment()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for goal in GOALS:
        assert goal in result.stdout
    assert "(5 rows)" in result.stdout
